//! The resolved component graph: who requires whom, in a deterministic order.
//!
//! [`Builder::resolve`](crate::Builder::resolve) checks the registrations and returns a
//! [`Graph`]; a booted [`Platform`](crate::Platform) keeps the graph it runs.

mod adjacency;
mod cycles;
mod fast_hash;
mod problem;
mod resolve;
mod suggest;

use crate::component::ServiceKey;
use crate::registry::Registration;
pub(crate) use adjacency::Adjacency;
use fast_hash::FastMap;
pub use problem::{Declaration, GraphError, Location, Problem};
pub(crate) use resolve::{Composition, resolve};

/// Where one requirement of a component is served from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// The component with this index (for a decorated service, the outermost decorator).
    Component(u32),
    /// A value given to [`Builder::replace`](crate::Builder::replace).
    Replaced,
    /// A configuration section the builder loads.
    Config,
    /// An optional requirement no component provides.
    Absent,
    /// A collection: its members are `Graph::members[start..end]`.
    Collection(u32, u32),
}

/// A checked, acyclic graph of components: each component points at the providers of the
/// services it requires.
///
/// Nodes are numbered in name order, which makes every order and export deterministic.
///
/// ```
/// use weft::Builder;
///
/// let graph = Builder::empty().resolve()?;
/// assert!(graph.is_empty());
/// assert_eq!(graph.to_mermaid(), "flowchart BT\n");
/// # Ok::<(), weft::GraphError>(())
/// ```
#[derive(Debug)]
pub struct Graph {
    pub(crate) registrations: Vec<&'static Registration>,
    pub(crate) index: FastMap<&'static str, u32>,
    /// Edges from a component to the providers it requires, labelled with the service.
    pub(crate) deps: Adjacency,
    /// The same edges, reversed.
    pub(crate) dependents: Adjacency,
    /// Dependencies before dependents.
    pub(crate) order: Vec<u32>,
    /// For each requirement of each component, in declaration order: where it is served from.
    sources: Vec<Source>,
    /// The members of every collection requirement, in name order, laid end to end.
    members: Vec<u32>,
    /// Node `i`'s requirements are `sources[source_offsets[i]..source_offsets[i + 1]]`.
    source_offsets: Vec<usize>,
    /// Requirements served by a replacement value: `(component, service)`.
    pub(crate) replaced_edges: Vec<(u32, &'static str)>,
}

impl Graph {
    /// The number of components.
    pub fn len(&self) -> usize {
        self.registrations.len()
    }

    /// Whether the graph has no components.
    pub fn is_empty(&self) -> bool {
        self.registrations.is_empty()
    }

    /// The number of dependency edges.
    pub fn edge_count(&self) -> usize {
        self.deps.edge_count()
    }

    /// The component names, sorted.
    pub fn names(&self) -> impl ExactSizeIterator<Item = &'static str> + '_ {
        self.registrations.iter().map(|r| r.name)
    }

    /// The registration of component `name`.
    pub fn registration(&self, name: &str) -> Option<&'static Registration> {
        self.index.get(name).map(|&i| self.registrations[i as usize])
    }

    /// The components that `name` requires, sorted by name.
    pub fn dependencies(&self, name: &str) -> Option<Vec<&'static str>> {
        let node = *self.index.get(name)?;
        Some(self.names_of(self.deps.row(node)))
    }

    /// The components that require `name`, sorted by name.
    pub fn dependents(&self, name: &str) -> Option<Vec<&'static str>> {
        let node = *self.index.get(name)?;
        Some(self.names_of(self.dependents.row(node)))
    }

    /// An order in which every component comes after all of its dependencies: the order a
    /// sequential runtime would initialize them in.
    pub fn init_order(&self) -> Vec<&'static str> {
        self.names_of(&self.order)
    }

    /// The reverse of [`init_order`](Graph::init_order): every component comes after all of its
    /// dependents.
    pub fn stop_order(&self) -> Vec<&'static str> {
        let mut order = self.init_order();
        order.reverse();
        order
    }

    /// The members of a [`Source::Collection`].
    pub(crate) fn members(&self, start: u32, end: u32) -> &[u32] {
        &self.members[start as usize..end as usize]
    }

    /// Where each requirement of `node` comes from.
    pub(crate) fn sources(&self, node: u32) -> impl Iterator<Item = (&'static ServiceKey, Source)> {
        let node = node as usize;
        let sources = &self.sources[self.source_offsets[node]..self.source_offsets[node + 1]];
        self.registrations[node].requires.iter().zip(sources.iter().copied())
    }

    pub(crate) fn name(&self, node: u32) -> &'static str {
        self.registrations[node as usize].name
    }

    fn names_of(&self, nodes: &[u32]) -> Vec<&'static str> {
        nodes.iter().map(|&node| self.name(node)).collect()
    }
}
