//! Finding cycles: Tarjan's strongly connected components, iteratively (a 100,000-component
//! chain must not overflow the stack), then one concrete cycle per uncovered component.

use super::adjacency::Adjacency;

const NONE: u32 = u32::MAX;

/// The strongly connected components that contain a cycle (two or more nodes, or one node with
/// an edge to itself). Each is sorted; the list is sorted by first node.
pub(crate) fn cyclic_components(deps: &Adjacency) -> Vec<Vec<u32>> {
    let len = deps.len();
    let mut state = Tarjan {
        index: vec![NONE; len],
        low: vec![0; len],
        on_stack: vec![false; len],
        stack: Vec::new(),
        calls: Vec::new(),
        next_index: 0,
    };
    let mut components = Vec::new();

    for root in 0..len as u32 {
        if state.index[root as usize] != NONE {
            continue;
        }
        state.enter(root);
        while let Some(&(node, position)) = state.calls.last() {
            let row = deps.row(node);
            if let Some(&next) = row.get(position) {
                if let Some(top) = state.calls.last_mut() {
                    top.1 += 1;
                }
                if state.index[next as usize] == NONE {
                    state.enter(next);
                } else if state.on_stack[next as usize] {
                    state.low[node as usize] =
                        state.low[node as usize].min(state.index[next as usize]);
                }
                continue;
            }
            state.calls.pop();
            if let Some(&(parent, _)) = state.calls.last() {
                state.low[parent as usize] =
                    state.low[parent as usize].min(state.low[node as usize]);
            }
            if state.low[node as usize] == state.index[node as usize] {
                let mut component = Vec::new();
                while let Some(member) = state.stack.pop() {
                    state.on_stack[member as usize] = false;
                    component.push(member);
                    if member == node {
                        break;
                    }
                }
                if component.len() > 1 || row.contains(&node) {
                    component.sort_unstable();
                    components.push(component);
                }
            }
        }
    }
    components.sort_unstable_by_key(|component| component[0]);
    components
}

struct Tarjan {
    index: Vec<u32>,
    low: Vec<u32>,
    on_stack: Vec<bool>,
    stack: Vec<u32>,
    // The explicit call stack: a node and the position of its next edge to visit.
    calls: Vec<(u32, usize)>,
    next_index: u32,
}

impl Tarjan {
    fn enter(&mut self, node: u32) {
        self.index[node as usize] = self.next_index;
        self.low[node as usize] = self.next_index;
        self.next_index += 1;
        self.stack.push(node);
        self.on_stack[node as usize] = true;
        self.calls.push((node, 0));
    }
}

/// Concrete cycles that together visit every node of every cyclic component.
///
/// Each path starts with its smallest node and ends with it again; each node requires the next.
/// The work is proportional to the size of the paths reported.
pub(crate) fn cycle_paths(deps: &Adjacency, dependents: &Adjacency) -> Vec<Vec<u32>> {
    let components = cyclic_components(deps);
    if components.is_empty() {
        return Vec::new();
    }
    let len = deps.len();
    let mut component_of = vec![NONE; len];
    let mut forward_parent = vec![NONE; len];
    let mut toward_root = vec![NONE; len];
    let mut covered = vec![false; len];
    let mut position = vec![NONE; len];
    let mut paths = Vec::new();

    for (id, members) in components.into_iter().enumerate() {
        let id = id as u32;
        for &member in &members {
            component_of[member as usize] = id;
        }
        let root = members[0];
        let inside = |node: u32| component_of[node as usize] == id;
        // A tree of shortest paths from the root, and one of shortest paths back to it.
        bfs(root, deps, &inside, &mut forward_parent);
        bfs(root, dependents, &inside, &mut toward_root);

        for &member in &members {
            if covered[member as usize] {
                continue;
            }
            // A closed walk through `member`: back to the root, then down the tree to `member`.
            let mut walk = vec![member];
            if member == root {
                let first = deps.row(root).iter().copied().find(|&next| inside(next));
                let Some(first) = first else { continue };
                walk.push(first);
                let mut node = first;
                while node != root {
                    node = toward_root[node as usize];
                    walk.push(node);
                }
            } else {
                let mut node = member;
                while node != root {
                    node = toward_root[node as usize];
                    walk.push(node);
                }
                let mut down = Vec::new();
                let mut node = member;
                while node != root {
                    down.push(node);
                    node = forward_parent[node as usize];
                }
                walk.extend(down.into_iter().rev());
            }
            let mut path = erase_loops(&walk, &mut position);
            rotate_to_smallest(&mut path);
            for &node in &path {
                covered[node as usize] = true;
            }
            paths.push(path);
        }
    }
    paths.sort_unstable();
    paths
}

/// Breadth-first search from `root` along `edges`, staying `inside` one component; records each
/// reached node's predecessor in `parent`.
fn bfs(root: u32, edges: &Adjacency, inside: &impl Fn(u32) -> bool, parent: &mut [u32]) {
    let mut queue = std::collections::VecDeque::from([root]);
    parent[root as usize] = root;
    while let Some(node) = queue.pop_front() {
        for &next in edges.row(node) {
            if inside(next) && parent[next as usize] == NONE {
                parent[next as usize] = node;
                queue.push_back(next);
            }
        }
    }
}

/// Turns a closed walk `v … v` whose inner part does not contain `v` into a simple cycle through
/// `v`, by cutting out every loop. `position` is scratch space, all `NONE`, and is left that way.
fn erase_loops(walk: &[u32], position: &mut [u32]) -> Vec<u32> {
    let (last, inner) = match walk.split_last() {
        Some(split) => split,
        None => return Vec::new(),
    };
    let mut path: Vec<u32> = Vec::with_capacity(walk.len());
    for &node in inner {
        let seen = position[node as usize];
        if seen == NONE {
            position[node as usize] = path.len() as u32;
            path.push(node);
        } else {
            for removed in path.drain(seen as usize + 1..) {
                position[removed as usize] = NONE;
            }
        }
    }
    for &node in &path {
        position[node as usize] = NONE;
    }
    path.push(*last);
    path
}

/// Rotates a closed path `[a, b, c, a]` so that it starts with its smallest node.
fn rotate_to_smallest(path: &mut Vec<u32>) {
    if path.len() < 2 {
        return;
    }
    path.pop();
    let smallest = (0..path.len()).min_by_key(|&i| path[i]).unwrap_or(0);
    path.rotate_left(smallest);
    path.push(path[0]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(len: usize, edges: &[(u32, u32)]) -> (Adjacency, Adjacency) {
        let edges: Vec<_> = edges.iter().map(|&(a, b)| (a, b, "")).collect();
        let deps = Adjacency::from_edges(len, &edges);
        let dependents = deps.reversed();
        (deps, dependents)
    }

    #[test]
    fn finds_components_and_self_loops() {
        let (deps, _) = graph(5, &[(0, 1), (1, 2), (2, 0), (3, 3), (4, 0)]);
        assert_eq!(cyclic_components(&deps), vec![vec![0, 1, 2], vec![3]]);
    }

    #[test]
    fn paths_cover_every_node_of_a_component() {
        // Two cycles sharing node 0: 0 → 1 → 0 and 0 → 2 → 3 → 0.
        let (deps, dependents) = graph(4, &[(0, 1), (1, 0), (0, 2), (2, 3), (3, 0)]);
        let paths = cycle_paths(&deps, &dependents);
        assert_eq!(paths, vec![vec![0, 1, 0], vec![0, 2, 3, 0]]);
    }

    #[test]
    fn self_loop_path() {
        let (deps, dependents) = graph(2, &[(1, 1), (0, 1)]);
        assert_eq!(cycle_paths(&deps, &dependents), vec![vec![1, 1]]);
    }

    #[test]
    fn a_long_ring_does_not_overflow_the_stack() {
        let len = 200_000u32;
        let edges: Vec<_> = (0..len).map(|i| (i, (i + 1) % len)).collect();
        let (deps, dependents) = graph(len as usize, &edges);
        let paths = cycle_paths(&deps, &dependents);
        assert_eq!(paths.len(), 1);
        assert_eq!(paths[0].len(), len as usize + 1);
    }

    #[test]
    fn erase_loops_cuts_repeated_nodes() {
        let mut position = vec![NONE; 6];
        assert_eq!(erase_loops(&[5, 1, 2, 1, 3, 5], &mut position), vec![5, 1, 3, 5]);
        assert!(position.iter().all(|&p| p == NONE));
    }
}
