//! Checking a set of registrations and resolving it into a [`Graph`], or listing every problem.

use std::collections::hash_map::Entry;
use std::collections::{HashSet, VecDeque};

use super::Graph;
use super::adjacency::Adjacency;
use super::cycles::cycle_paths;
use super::fast_hash::FastMap;
use crate::component::ServiceKey;
use crate::error::{Declaration, GraphError, Location, Problem};
use crate::registry::Registration;

/// A requirement served by a replacement value.
pub(crate) const REPLACED: u32 = u32::MAX - 1;
/// A requirement that no component provides.
const MISSING: u32 = u32::MAX;

/// What to resolve: the registrations and the builder's settings that refer to them.
pub(crate) struct Request<'a> {
    /// Every registration, in any order.
    pub(crate) registrations: Vec<&'static Registration>,
    /// The components to boot with their requirements; `None` boots every component.
    pub(crate) only: Option<&'a [String]>,
    /// How error messages name the source of `only`: `only`, or an environment variable.
    pub(crate) only_setting: &'a str,
    /// Services whose provider is replaced by a value.
    pub(crate) replaced: &'a HashSet<ServiceKey>,
    /// Other settings that name components, as `(setting, name)`, checked to exist.
    pub(crate) named: Vec<(&'a str, &'a str)>,
}

/// Checks the whole graph and resolves it, in time linear in components and requirements
/// (plus sorting by name).
pub(crate) fn resolve(request: Request<'_>) -> Result<Graph, GraphError> {
    let Request { mut registrations, only, only_setting, replaced, named } = request;
    registrations.sort_by(|a, b| (a.name, a.file, a.line).cmp(&(b.name, b.file, b.line)));
    let all = registrations;
    let mut unknown = Vec::new();
    let mut duplicate_names = Vec::new();
    let mut duplicate_providers = Vec::new();
    let mut missing = Vec::new();

    let mut index: FastMap<&'static str, u32> = FastMap::default();
    index.reserve(all.len());
    let mut start = 0;
    while start < all.len() {
        let name = all[start].name;
        let end = start + all[start..].iter().take_while(|r| r.name == name).count();
        if end - start > 1 {
            let declarations = all[start..end].iter().map(|r| declaration(r)).collect();
            duplicate_names.push(Problem::DuplicateName { name, declarations });
        }
        index.insert(name, start as u32);
        start = end;
    }

    let settings = only.unwrap_or_default().iter().map(|name| (only_setting, name.as_str()));
    for (setting, name) in settings.chain(named) {
        if !index.contains_key(name) {
            let suggestion = suggest(name, all.iter().map(|r| r.name));
            let mut known: Vec<&'static str> = all.iter().map(|r| r.name).collect();
            known.dedup();
            unknown.push(Problem::UnknownComponent {
                name: name.to_owned(),
                setting: setting.to_owned(),
                suggestion,
                known,
            });
        }
    }

    // Providers of each service; a second provider is rare, so it goes to a side table.
    let mut provider: FastMap<ServiceKey, u32> = FastMap::default();
    provider.reserve(all.len());
    let mut more_providers: FastMap<ServiceKey, Vec<u32>> = FastMap::default();
    for (i, registration) in all.iter().enumerate() {
        if let Some(key) = registration.provides {
            match provider.entry(key) {
                Entry::Occupied(_) => more_providers.entry(key).or_default().push(i as u32),
                Entry::Vacant(slot) => {
                    slot.insert(i as u32);
                }
            }
        }
    }
    let extra_providers = |key: &ServiceKey| -> &[u32] {
        match more_providers.is_empty() {
            true => &[],
            false => more_providers.get(key).map(Vec::as_slice).unwrap_or_default(),
        }
    };

    // Resolve every requirement once: its first provider, or why it has none.
    let mut targets: Vec<u32> = Vec::with_capacity(all.len() * 3);
    let mut target_offsets: Vec<usize> = Vec::with_capacity(all.len() + 1);
    target_offsets.push(0);
    for registration in &all {
        for key in registration.requires {
            let target = match replaced.contains(key) {
                true => REPLACED,
                false => provider.get(key).copied().unwrap_or(MISSING),
            };
            targets.push(target);
        }
        target_offsets.push(targets.len());
    }
    let targets_of = |i: usize| &targets[target_offsets[i]..target_offsets[i + 1]];

    // Without `only`, every component boots but the replaced providers; with it, the named
    // components and everything they transitively require.
    let mut selected: Vec<bool> = match only {
        None => {
            all.iter().map(|r| !r.provides.is_some_and(|key| replaced.contains(&key))).collect()
        }
        Some(_) => vec![false; all.len()],
    };
    if let Some(names) = only {
        let mut pending: Vec<u32> =
            names.iter().filter_map(|name| index.get(name.as_str()).copied()).collect();
        for &root in &pending {
            selected[root as usize] = true;
        }
        while let Some(node) = pending.pop() {
            let requires = all[node as usize].requires;
            for (key, &target) in requires.iter().zip(targets_of(node as usize)) {
                if target == REPLACED || target == MISSING {
                    continue;
                }
                for &p in std::iter::once(&target).chain(extra_providers(key)) {
                    if !selected[p as usize] {
                        selected[p as usize] = true;
                        pending.push(p);
                    }
                }
            }
        }
    }

    let mut compact = vec![u32::MAX; all.len()];
    let mut registrations = Vec::new();
    for (i, registration) in all.iter().enumerate() {
        if selected[i] {
            compact[i] = registrations.len() as u32;
            registrations.push(*registration);
        }
    }

    // Selected components come in order, so the rows are laid out as they are found.
    let mut offsets = Vec::with_capacity(registrations.len() + 1);
    offsets.push(0u32);
    let mut edge_targets = Vec::with_capacity(targets.len());
    let mut labels = Vec::with_capacity(targets.len());
    let mut sources = Vec::with_capacity(targets.len());
    let mut source_offsets = Vec::with_capacity(registrations.len() + 1);
    source_offsets.push(0);
    let mut replaced_edges = Vec::new();
    let mut row = Vec::new();
    for (original, registration) in all.iter().enumerate() {
        if !selected[original] {
            continue;
        }
        let from = compact[original];
        row.clear();
        for (key, &target) in registration.requires.iter().zip(targets_of(original)) {
            sources.push(match target {
                REPLACED | MISSING => target,
                provider => compact[provider as usize],
            });
            match target {
                REPLACED => replaced_edges.push((from, key.name())),
                MISSING => missing.push(Problem::MissingProvider {
                    service: key.name(),
                    required_by: registration.name,
                    location: location(registration),
                }),
                first => {
                    for &p in std::iter::once(&first).chain(extra_providers(key)) {
                        row.push((compact[p as usize], key.name()));
                    }
                }
            }
        }
        source_offsets.push(sources.len());
        row.sort_unstable_by_key(|&(to, _)| to);
        row.dedup_by_key(|&mut (to, _)| to);
        edge_targets.extend(row.iter().map(|&(to, _)| to));
        labels.extend(row.iter().map(|&(_, label)| label));
        offsets.push(edge_targets.len() as u32);
    }

    let mut duplicated: Vec<(&ServiceKey, &Vec<u32>)> = more_providers.iter().collect();
    duplicated.sort_by_key(|(key, _)| key.name());
    for (key, extra) in duplicated {
        if replaced.contains(key) {
            continue;
        }
        let providers: Vec<Declaration> = std::iter::once(&provider[key])
            .chain(extra)
            .filter(|&&p| selected[p as usize])
            .map(|&p| declaration(all[p as usize]))
            .collect();
        if providers.len() > 1 {
            duplicate_providers.push(Problem::DuplicateProvider { service: key.name(), providers });
        }
    }

    let deps = Adjacency::from_rows(offsets, edge_targets, labels);
    let dependents = deps.reversed();
    let cycles = cycle_paths(&deps, &dependents).into_iter().map(|path| {
        // The service each step requires from the next: the label of that edge.
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

    let mut problems = unknown;
    problems.extend(duplicate_names);
    problems.extend(duplicate_providers);
    problems.extend(missing);
    problems.extend(cycles);
    if !problems.is_empty() {
        return Err(GraphError { problems });
    }

    let order = topological_order(&deps, &dependents);
    // Names are unique here; when every component is selected, the index is already right.
    let index = match registrations.len() == all.len() {
        true => index,
        false => registrations.iter().enumerate().map(|(i, r)| (r.name, i as u32)).collect(),
    };
    Ok(Graph {
        registrations,
        index,
        deps,
        dependents,
        order,
        sources,
        source_offsets,
        replaced_edges,
    })
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

/// The closest of `names` to `name`, if it is close enough to be a likely typo.
fn suggest(name: &str, names: impl Iterator<Item = &'static str>) -> Option<&'static str> {
    let length = name.chars().count();
    let limit = (length / 3).max(1);
    names
        .map(|candidate| (edit_distance(name, candidate), candidate))
        // A suggestion shares something with the name: `d` is not a typo of `a`.
        .filter(|&(distance, candidate)| {
            distance <= limit && distance < length.min(candidate.chars().count())
        })
        .min()
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("channels", "channels"), 0);
        assert_eq!(edit_distance("chanels", "channels"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn suggests_only_close_names() {
        let names = ["channels", "database", "users"];
        assert_eq!(suggest("chanels", names.into_iter()), Some("channels"));
        assert_eq!(suggest("databse", names.into_iter()), Some("database"));
        assert_eq!(suggest("zzz", names.into_iter()), None);
        assert_eq!(suggest("d", ["a", "b"].into_iter()), None);
        assert_eq!(suggest("ab", ["a", "b"].into_iter()), None);
        assert_eq!(suggest("user", names.into_iter()), Some("users"));
    }
}
