//! Checking a set of registrations and resolving it into a [`Graph`], or listing every problem.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashSet, VecDeque};

use super::adjacency::Adjacency;
use super::cycles::cycle_paths;
use super::fast_hash::FastMap;
use super::problem::{Declaration, GraphError, Location, Problem};
use super::suggest::suggest;
use super::{Graph, Source};
use crate::component::{Role, ServiceKey};
use crate::registry::Registration;

/// A requirement served by a replacement value.
const REPLACED: u32 = u32::MAX - 1;
/// A requirement that no component provides.
const MISSING: u32 = u32::MAX;
/// An optional requirement that no component provides.
const ABSENT: u32 = u32::MAX - 2;
/// A collection requirement: its members are looked up by service.
const COLLECTION: u32 = u32::MAX - 3;
/// A configuration section, loaded by the builder.
const CONFIG: u32 = u32::MAX - 4;

/// Whether `target` names a component.
fn is_component(target: u32) -> bool {
    target < CONFIG
}

/// What to resolve: the registrations and the builder's settings that refer to them.
pub(crate) struct Composition<'a> {
    /// Every registration, in any order.
    pub(crate) registrations: Vec<&'static Registration>,
    /// The components to boot with their requirements; `None` boots every component.
    pub(crate) only: Option<&'a [String]>,
    /// The components left out, as if they were not registered.
    pub(crate) without: &'a [String],
    /// How error messages name the source of `only`: `only`, or an environment variable.
    pub(crate) only_setting: &'a str,
    /// Services whose provider is replaced by a value.
    pub(crate) replaced: &'a HashSet<ServiceKey>,
    /// Other settings that name components, as `(setting, name)`, checked to exist.
    pub(crate) named: Vec<(&'a str, &'a str)>,
}

/// Checks the whole graph and resolves it, in time linear in components and requirements
/// (plus sorting by name).
pub(crate) fn resolve(composition: Composition<'_>) -> Result<Graph, GraphError> {
    let Composition { registrations, only, without, only_setting, replaced, named } = composition;
    let mut resolver = Resolver::new(registrations, only, replaced);
    resolver.index_names();
    let without_names = without.iter().map(|name| ("without", name.as_str()));
    resolver.check_names(only_setting, named.into_iter().chain(without_names).collect());
    resolver.exclude(only_setting, without);
    resolver.index_providers();
    resolver.resolve_requirements();
    resolver.select();
    let edges = resolver.lay_out_edges();
    resolver.check_duplicate_providers();
    resolver.check_mixed_providers();
    resolver.find_cycles(&edges);
    resolver.finish(edges)
}

/// Every problem found so far, by kind: they are reported in this order.
#[derive(Default)]
struct Problems {
    unknown: Vec<Problem>,
    duplicate_names: Vec<Problem>,
    duplicate_providers: Vec<Problem>,
    mixed: Vec<Problem>,
    missing: Vec<Problem>,
    cycles: Vec<Problem>,
}

/// The state of one resolution; each step is a method, called in the order of [`resolve`].
struct Resolver<'a> {
    /// Every registration, sorted by name (then file and line).
    all: Vec<&'static Registration>,
    only: Option<&'a [String]>,
    replaced: &'a HashSet<ServiceKey>,
    problems: Problems,
    /// Each name's first registration.
    index: FastMap<&'static str, u32>,
    /// Each service's first provider; a second provider is rare, so it goes to a side table.
    provider: FastMap<ServiceKey, u32>,
    more_providers: FastMap<ServiceKey, Vec<u32>>,
    /// Each collection's members (`provides = one_of(T)`), in name order.
    members: FastMap<ServiceKey, Vec<u32>>,
    /// Each service's decorators (`provides = wraps(T)`), in name order: the first wraps the
    /// provider, each next one wraps the one before.
    decorators: FastMap<ServiceKey, Vec<u32>>,
    /// Registrations left out by `without`.
    excluded: Vec<bool>,
    /// Each requirement of each registration, in order: its first provider, [`REPLACED`] or
    /// [`MISSING`]. Registration `i`'s are `targets[target_offsets[i]..target_offsets[i + 1]]`.
    targets: Vec<u32>,
    target_offsets: Vec<usize>,
    /// Which registrations boot.
    selected: Vec<bool>,
}

/// The selected components with their edges, numbered in name order.
struct Edges {
    registrations: Vec<&'static Registration>,
    deps: Adjacency,
    dependents: Adjacency,
    sources: Vec<Source>,
    members: Vec<u32>,
    source_offsets: Vec<usize>,
    replaced_edges: Vec<(u32, &'static str)>,
}

impl<'a> Resolver<'a> {
    fn new(
        mut all: Vec<&'static Registration>,
        only: Option<&'a [String]>,
        replaced: &'a HashSet<ServiceKey>,
    ) -> Self {
        all.sort_by(|a, b| (a.name, a.file, a.line).cmp(&(b.name, b.file, b.line)));
        Resolver {
            all,
            only,
            replaced,
            problems: Problems::default(),
            index: FastMap::default(),
            provider: FastMap::default(),
            more_providers: FastMap::default(),
            members: FastMap::default(),
            decorators: FastMap::default(),
            excluded: Vec::new(),
            targets: Vec::new(),
            target_offsets: Vec::new(),
            selected: Vec::new(),
        }
    }

    /// Indexes the names and reports each one declared more than once.
    fn index_names(&mut self) {
        let all = &self.all;
        self.index.reserve(all.len());
        let mut start = 0;
        while start < all.len() {
            let name = all[start].name;
            let end = start + all[start..].iter().take_while(|r| r.name == name).count();
            if end - start > 1 {
                let declarations = all[start..end].iter().map(|r| declaration(r)).collect();
                self.problems.duplicate_names.push(Problem::DuplicateName { name, declarations });
            }
            self.index.insert(name, start as u32);
            start = end;
        }
    }

    /// Reports each name given to a setting (`only`, `timeout_for`) that names no component.
    fn check_names(&mut self, only_setting: &str, named: Vec<(&str, &str)>) {
        let only = self.only.unwrap_or_default().iter().map(|name| (only_setting, name.as_str()));
        for (setting, name) in only.chain(named) {
            if self.index.contains_key(name) {
                continue;
            }
            let suggestion = suggest(name, self.all.iter().map(|r| r.name));
            let mut known: Vec<&'static str> = self.all.iter().map(|r| r.name).collect();
            known.dedup();
            self.problems.unknown.push(Problem::UnknownComponent {
                name: name.to_owned(),
                setting: setting.to_owned(),
                suggestion,
                known,
            });
        }
    }

    /// Marks the components named by `without`; they take no further part. A component that
    /// `only` names too is a problem: whichever setting won, the other would be ignored.
    fn exclude(&mut self, only_setting: &str, without: &[String]) {
        let only = self.only.unwrap_or_default();
        let both: BTreeSet<&String> = without.iter().filter(|name| only.contains(name)).collect();
        for name in both {
            self.problems.unknown.push(Problem::SelectedAndExcluded {
                name: name.clone(),
                setting: only_setting.to_owned(),
            });
        }
        self.excluded =
            self.all.iter().map(|r| without.iter().any(|name| name == r.name)).collect();
    }

    fn index_providers(&mut self) {
        self.provider.reserve(self.all.len());
        for (i, registration) in self.all.iter().enumerate() {
            if self.excluded[i] {
                continue;
            }
            for key in registration.provides.iter().flat_map(ServiceKey::services) {
                let i = i as u32;
                match key.role() {
                    Role::Member => self.members.entry(*key).or_default().push(i),
                    Role::Decorator => self.decorators.entry(*key).or_default().push(i),
                    _ => match self.provider.entry(*key) {
                        Entry::Occupied(_) => self.more_providers.entry(*key).or_default().push(i),
                        Entry::Vacant(slot) => {
                            slot.insert(i);
                        }
                    },
                }
            }
        }
    }

    /// Resolves every requirement once: its first provider, or why it has none.
    fn resolve_requirements(&mut self) {
        self.targets.reserve(self.all.len() * 3);
        self.target_offsets.reserve(self.all.len() + 1);
        self.target_offsets.push(0);
        for (i, registration) in self.all.iter().enumerate() {
            for key in registration.requires {
                let target = match key.role() {
                    Role::Config => CONFIG,
                    Role::All => COLLECTION,
                    role => match self.chain_target(i as u32, key) {
                        MISSING if role == Role::Optional => ABSENT,
                        target => target,
                    },
                };
                self.targets.push(target);
            }
            self.target_offsets.push(self.targets.len());
        }
    }

    /// Where requirement `key` of component `i` is served from: the outermost decorator of
    /// the service, or, for a decorator, the one it wraps; at the end of the chain, the provider.
    fn chain_target(&self, i: u32, key: &ServiceKey) -> u32 {
        let base = match self.replaced.contains(key) {
            true => REPLACED,
            false => self.provider.get(key).copied().unwrap_or(MISSING),
        };
        let Some(chain) = (!self.decorators.is_empty()).then(|| self.decorators.get(key)).flatten()
        else {
            return base;
        };
        match chain.iter().position(|&d| d == i) {
            Some(0) => base,
            Some(at) => chain[at - 1],
            None => chain.last().copied().unwrap_or(base),
        }
    }

    /// The members of collection `key`: its `one_of` providers, or its one plain provider.
    fn members_of(&self, key: &ServiceKey) -> &[u32] {
        match self.members.get(key) {
            Some(members) => members,
            None => self.provider.get(key).map(std::slice::from_ref).unwrap_or_default(),
        }
    }

    fn targets_of(&self, i: usize) -> &[u32] {
        &self.targets[self.target_offsets[i]..self.target_offsets[i + 1]]
    }

    fn extra_providers(&self, key: &ServiceKey) -> &[u32] {
        match self.more_providers.is_empty() {
            true => &[],
            false => self.more_providers.get(key).map(Vec::as_slice).unwrap_or_default(),
        }
    }

    /// Without `only`, every component boots but the replaced providers; with it, the named
    /// components and everything they transitively require.
    fn select(&mut self) {
        let Some(names) = self.only else {
            let replaced = self.replaced;
            self.selected = self
                .all
                .iter()
                .zip(&self.excluded)
                .map(|(r, &excluded)| {
                    !excluded
                        && !r
                            .provides
                            .iter()
                            .flat_map(ServiceKey::services)
                            .any(|key| key.role() == Role::One && replaced.contains(key))
                })
                .collect();
            return;
        };
        let mut selected = vec![false; self.all.len()];
        let mut pending: Vec<u32> = names
            .iter()
            .filter_map(|name| self.index.get(name.as_str()).copied())
            .filter(|&node| !self.excluded[node as usize])
            .collect();
        for &root in &pending {
            selected[root as usize] = true;
        }
        while let Some(node) = pending.pop() {
            let requires = self.all[node as usize].requires;
            for (key, target) in requires.iter().zip(self.targets_of(node as usize)) {
                let providers = match *target {
                    COLLECTION => self.members_of(key),
                    value if is_component(value) => std::slice::from_ref(target),
                    _ => continue,
                };
                let extra = match *target {
                    COLLECTION => &[],
                    _ => self.extra_providers(key),
                };
                for &p in providers.iter().chain(extra) {
                    if !selected[p as usize] {
                        selected[p as usize] = true;
                        pending.push(p);
                    }
                }
            }
        }
        self.selected = selected;
    }

    /// Numbers the selected components and lays out their edges, reporting each requirement
    /// that no component provides. Selected components come in order, so the rows are laid out
    /// as they are found.
    fn lay_out_edges(&mut self) -> Edges {
        let mut compact = vec![u32::MAX; self.all.len()];
        let mut registrations = Vec::new();
        for (i, registration) in self.all.iter().enumerate() {
            if self.selected[i] {
                compact[i] = registrations.len() as u32;
                registrations.push(*registration);
            }
        }
        let mut offsets = Vec::with_capacity(registrations.len() + 1);
        offsets.push(0u32);
        let mut edge_targets = Vec::with_capacity(self.targets.len());
        let mut labels = Vec::with_capacity(self.targets.len());
        let mut sources = Vec::with_capacity(self.targets.len());
        let mut source_offsets = Vec::with_capacity(registrations.len() + 1);
        source_offsets.push(0);
        let mut replaced_edges = Vec::new();
        let mut missing = Vec::new();
        let mut members = Vec::new();
        let mut row = Vec::new();
        for (original, registration) in self.all.iter().enumerate() {
            if !self.selected[original] {
                continue;
            }
            let from = compact[original];
            row.clear();
            for (key, &target) in registration.requires.iter().zip(self.targets_of(original)) {
                let source = match target {
                    REPLACED => {
                        replaced_edges.push((from, key.name()));
                        Source::Replaced
                    }
                    CONFIG => Source::Config,
                    ABSENT | MISSING if self.members.contains_key(key) => {
                        missing.push(Problem::CollectionRequiredAsOne {
                            service: key.name(),
                            required_by: registration.name,
                            location: location(registration),
                        });
                        Source::Absent
                    }
                    ABSENT => Source::Absent,
                    MISSING => {
                        missing.push(Problem::MissingProvider {
                            service: key.name(),
                            required_by: registration.name,
                            location: location(registration),
                        });
                        Source::Absent
                    }
                    COLLECTION => {
                        let start = members.len() as u32;
                        for &p in self.members_of(key) {
                            members.push(compact[p as usize]);
                            row.push((compact[p as usize], key.name()));
                        }
                        Source::Collection(start, members.len() as u32)
                    }
                    first => {
                        for &p in std::iter::once(&first).chain(self.extra_providers(key)) {
                            row.push((compact[p as usize], key.name()));
                        }
                        Source::Component(compact[first as usize])
                    }
                };
                sources.push(source);
            }
            source_offsets.push(sources.len());
            row.sort_unstable_by_key(|&(to, _)| to);
            row.dedup_by_key(|&mut (to, _)| to);
            edge_targets.extend(row.iter().map(|&(to, _)| to));
            labels.extend(row.iter().map(|&(_, label)| label));
            offsets.push(edge_targets.len() as u32);
        }
        self.problems.missing = missing;
        let deps = Adjacency::from_rows(offsets, edge_targets, labels);
        let dependents = deps.reversed();
        Edges { registrations, deps, dependents, sources, members, source_offsets, replaced_edges }
    }

    /// Reports each service provided both alone and as a collection member.
    fn check_mixed_providers(&mut self) {
        let mut mixed: Vec<(&ServiceKey, &Vec<u32>)> =
            self.members.iter().filter(|(key, _)| self.provider.contains_key(*key)).collect();
        mixed.sort_by_key(|(key, _)| key.name());
        for (key, members) in mixed {
            let sole = std::iter::once(&self.provider[key])
                .chain(self.extra_providers(key))
                .map(|&p| declaration(self.all[p as usize]))
                .collect();
            let members = members.iter().map(|&p| declaration(self.all[p as usize])).collect();
            let problem = Problem::MixedProviders { service: key.name(), sole, members };
            self.problems.mixed.push(problem);
        }
    }

    /// Reports each service that two selected components provide, unless it is replaced.
    fn check_duplicate_providers(&mut self) {
        let mut duplicated: Vec<(&ServiceKey, &Vec<u32>)> = self.more_providers.iter().collect();
        duplicated.sort_by_key(|(key, _)| key.name());
        for (key, extra) in duplicated {
            if self.replaced.contains(key) {
                continue;
            }
            let providers: Vec<Declaration> = std::iter::once(&self.provider[key])
                .chain(extra)
                .filter(|&&p| self.selected[p as usize])
                .map(|&p| declaration(self.all[p as usize]))
                .collect();
            if providers.len() > 1 {
                let problem = Problem::DuplicateProvider { service: key.name(), providers };
                self.problems.duplicate_providers.push(problem);
            }
        }
    }

    /// Reports each cycle with its path and the service each step requires from the next.
    fn find_cycles(&mut self, edges: &Edges) {
        let Edges { deps, dependents, registrations, .. } = edges;
        let cycles = cycle_paths(deps, dependents).into_iter().map(|path| {
            let services = path
                .windows(2)
                .map(|pair| {
                    let (row, labels) = (deps.row(pair[0]), deps.labels(pair[0]));
                    row.iter().position(|&to| to == pair[1]).map_or("?", |i| labels[i])
                })
                .collect();
            let path = path.into_iter().map(|node| registrations[node as usize].name).collect();
            Problem::Cycle { path, services }
        });
        self.problems.cycles.extend(cycles);
    }

    /// The graph, or every problem found.
    fn finish(self, edges: Edges) -> Result<Graph, GraphError> {
        let Problems { unknown, duplicate_names, duplicate_providers, mixed, missing, cycles } =
            self.problems;
        let mut problems = unknown;
        problems.extend(duplicate_names);
        problems.extend(duplicate_providers);
        problems.extend(mixed);
        problems.extend(missing);
        problems.extend(cycles);
        if !problems.is_empty() {
            return Err(GraphError { problems });
        }
        let Edges {
            registrations,
            deps,
            dependents,
            sources,
            members,
            source_offsets,
            replaced_edges,
        } = edges;
        let order = topological_order(&deps, &dependents);
        // Names are unique here; when every component is selected, the index is already right.
        let index = match registrations.len() == self.all.len() {
            true => self.index,
            false => registrations.iter().enumerate().map(|(i, r)| (r.name, i as u32)).collect(),
        };
        Ok(Graph {
            registrations,
            index,
            deps,
            dependents,
            order,
            sources,
            members,
            source_offsets,
            replaced_edges,
        })
    }
}

fn location(registration: &Registration) -> Location {
    Location { file: registration.file, line: registration.line }
}

fn declaration(registration: &Registration) -> Declaration {
    Declaration {
        name: registration.name,
        type_name: registration.type_name,
        location: location(registration),
    }
}

/// Dependencies first (Kahn's algorithm); ties broken by name. The graph must be acyclic.
fn topological_order(deps: &Adjacency, dependents: &Adjacency) -> Vec<u32> {
    let mut waiting: Vec<usize> = (0..deps.len() as u32).map(|i| deps.row(i).len()).collect();
    let mut ready: VecDeque<u32> =
        (0..deps.len() as u32).filter(|&i| waiting[i as usize] == 0).collect();
    let mut order = Vec::with_capacity(deps.len());
    while let Some(node) = ready.pop_front() {
        order.push(node);
        for &dependent in dependents.row(node) {
            waiting[dependent as usize] -= 1;
            if waiting[dependent as usize] == 0 {
                ready.push_back(dependent);
            }
        }
    }
    order
}
