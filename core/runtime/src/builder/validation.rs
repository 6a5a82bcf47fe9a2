//! The outcome of a dry run: the checked graph, and what looks wrong without being an error.

use std::fmt;

use crate::graph::Graph;

/// Something a dry run noticed that does not stop the platform from booting.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Warning {
    /// [`Builder::replace`](crate::Builder::replace) was given a service that no selected
    /// component requires, so the replacement serves nobody.
    #[error(
        "`replace::<{service}>` serves nobody: no selected component requires `{service}`; \
         check the type, or remove the replacement"
    )]
    UnusedReplacement {
        /// The replaced service type, as `std::any::type_name` spells it.
        service: &'static str,
    },
}

/// A component graph that passed every check of [`Builder::validate`](crate::Builder::validate).
///
/// ```
/// let validation = weft::Builder::empty().validate()?;
/// assert!(validation.warnings().is_empty());
/// assert_eq!(validation.to_string(), "the component graph is valid: 0 components, 0 dependencies");
/// # Ok::<(), weft::GraphError>(())
/// ```
#[derive(Debug)]
pub struct Validation {
    graph: Graph,
    warnings: Vec<Warning>,
}

impl Validation {
    pub(crate) fn new(graph: Graph, warnings: Vec<Warning>) -> Self {
        Validation { graph, warnings }
    }

    /// The graph the platform would boot.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// The graph the platform would boot.
    pub fn into_graph(self) -> Graph {
        self.graph
    }

    /// What looks wrong without stopping the platform from booting.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}

/// `the component graph is valid: 3 components, 2 dependencies; init order: a, b, c`, then one
/// line per warning.
impl fmt::Display for Validation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (components, edges) = (self.graph.len(), self.graph.edge_count());
        write!(
            f,
            "the component graph is valid: {components} component{}, {edges} dependenc{}",
            if components == 1 { "" } else { "s" },
            if edges == 1 { "y" } else { "ies" }
        )?;
        if !self.graph.is_empty() {
            write!(f, "; init order: {}", self.graph.init_order().join(", "))?;
        }
        for warning in &self.warnings {
            write!(f, "\nwarning: {warning}")?;
        }
        Ok(())
    }
}
