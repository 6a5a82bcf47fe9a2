//! The graph check: orders, cycles, missing and duplicate providers, selection.

mod support;

use std::collections::HashSet;

use proptest::prelude::*;
use support::{Scenario, before, dag};
use weft::{Builder, Problem, Registration, ServiceKey};

fn edges_of(scenario: &Scenario) -> HashSet<(&'static str, &'static str)> {
    let mut edges = HashSet::new();
    for (i, deps) in scenario.deps.iter().enumerate() {
        for &d in deps {
            edges.insert((scenario.names[i], scenario.names[d]));
        }
    }
    edges
}

/// Nodes that can reach themselves through at least one edge.
fn on_some_cycle(deps: &[Vec<usize>]) -> HashSet<usize> {
    let mut result = HashSet::new();
    for start in 0..deps.len() {
        let mut seen = vec![false; deps.len()];
        let mut stack: Vec<usize> = deps[start].clone();
        while let Some(node) = stack.pop() {
            if node == start {
                result.insert(start);
                break;
            }
            if !std::mem::replace(&mut seen[node], true) {
                stack.extend(&deps[node]);
            }
        }
    }
    result
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn init_order_respects_every_edge_and_stop_is_its_reverse(
        len in 1usize..40,
        picks in prop::collection::vec((0usize..40, 0usize..40), 0..120),
    ) {
        let scenario = Scenario::new(dag(len, &picks));
        let graph = scenario.builder().resolve().unwrap();
        let init = graph.init_order();
        prop_assert_eq!(init.len(), len);
        for (from, to) in edges_of(&scenario) {
            prop_assert!(before(&init, to, from), "{to} must initialize before {from}");
        }
        let mut stop = graph.stop_order();
        stop.reverse();
        prop_assert_eq!(stop, init);
    }

    #[test]
    fn every_cycle_is_reported_with_a_closed_path_of_real_edges(
        len in 1usize..25,
        picks in prop::collection::vec((0usize..25, 0usize..25), 0..60),
    ) {
        let mut deps = vec![Vec::new(); len];
        for (a, b) in picks {
            let (a, b) = (a % len, b % len);
            if !deps[a].contains(&b) {
                deps[a].push(b);
            }
        }
        let scenario = Scenario::new(deps.clone());
        let edges = edges_of(&scenario);
        let cyclic = on_some_cycle(&deps);
        match scenario.builder().resolve() {
            Ok(graph) => prop_assert!(cyclic.is_empty(), "cycles missed: {:?}", graph.init_order()),
            Err(error) => {
                let mut covered = HashSet::new();
                for problem in &error.problems {
                    let Problem::Cycle { path, .. } = problem else {
                        return Err(TestCaseError::fail(format!("unexpected {problem}")));
                    };
                    prop_assert!(path.len() >= 2);
                    prop_assert_eq!(path.first(), path.last());
                    for pair in path.windows(2) {
                        prop_assert!(edges.contains(&(pair[0], pair[1])), "{} → {} is no edge", pair[0], pair[1]);
                    }
                    // A simple cycle: no component twice before closing.
                    let inner: HashSet<_> = path[1..].iter().collect();
                    prop_assert_eq!(inner.len(), path.len() - 1);
                    covered.extend(path.iter().map(|name| scenario.index(name)));
                }
                prop_assert_eq!(covered, cyclic);
            }
        }
    }
}

#[test]
fn a_cycle_is_reported_with_its_full_path() {
    // c0 → c1 → c2 → c0, and c3 → c0 outside the cycle.
    let scenario = Scenario::new(vec![vec![1], vec![2], vec![0], vec![0]]);
    let error = scenario.builder().resolve().unwrap_err();
    let [Problem::Cycle { path, .. }] = error.problems.as_slice() else { panic!("{error}") };
    let expected: Vec<_> = [0, 1, 2, 0].iter().map(|&i| scenario.names[i]).collect();
    assert_eq!(path, &expected);
    let text = error.to_string();
    let arrow = format!("{} → {} → {} → {}", expected[0], expected[1], expected[2], expected[3]);
    assert!(text.contains(&arrow), "{text}");
}

fn leak<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}

fn registration(
    name: &'static str,
    line: u32,
    provides: Option<ServiceKey>,
    requires: &'static [ServiceKey],
) -> &'static Registration {
    leak(Registration {
        name,
        type_name: "Thing",
        module_path: "app",
        file: "src/app.rs",
        line,
        provides,
        requires,
        build: |_| unreachable!("the graph check builds nothing"),
    })
}

#[test]
fn every_problem_is_listed_at_once_and_sorted() {
    const DB: ServiceKey = ServiceKey::named("dyn Database");
    const CACHE: ServiceKey = ServiceKey::named("dyn Cache");
    const QUEUE: ServiceKey = ServiceKey::named("dyn Queue");
    let registrations = [
        registration("users", 30, None, &[CACHE, DB]),
        registration("channels", 10, None, &[QUEUE, DB]),
        registration("sqlite", 40, Some(DB), &[]),
        registration("postgres", 50, Some(DB), &[]),
        registration("channels", 20, None, &[]),
    ];
    let problems = |order: &[usize]| {
        let builder = order.iter().fold(Builder::empty(), |b, &i| b.register(registrations[i]));
        builder.resolve().unwrap_err().problems
    };
    let problems_forward = problems(&[0, 1, 2, 3, 4]);
    // The same registrations in another order give the same report.
    assert_eq!(problems(&[4, 3, 2, 1, 0]), problems_forward);

    let text: Vec<String> = problems_forward.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "duplicate component name `channels`: declared by `Thing` at src/app.rs:10 and \
             `Thing` at src/app.rs:20; give each component a unique `name`",
            "duplicate provider: `dyn Database` is provided by `postgres` (src/app.rs:50) and \
             `sqlite` (src/app.rs:40); a service has one provider: remove \
             `provides = dyn Database` from all but one of them",
            "missing provider: `channels` (src/app.rs:10) requires `dyn Queue`, which no \
             component provides; declare a component with `provides = dyn Queue`, or name the \
             crate that declares one in `weft::platform!(...)` so that it is linked",
            "missing provider: `users` (src/app.rs:30) requires `dyn Cache`, which no component \
             provides; declare a component with `provides = dyn Cache`, or name the crate that \
             declares one in `weft::platform!(...)` so that it is linked",
        ]
    );
}

#[test]
fn only_selects_the_transitive_requirements() {
    // c0 ← c1 ← c2, c3 alone, c4 requires c3.
    let scenario = Scenario::new(vec![vec![], vec![0], vec![1], vec![], vec![3]]);
    let graph = scenario.builder().only([scenario.names[2]]).resolve().unwrap();
    let names: Vec<_> = graph.names().collect();
    assert_eq!(names, &scenario.names[0..3]);
    assert_eq!(graph.dependencies(scenario.names[2]), Some(vec![scenario.names[1]]));
    assert_eq!(graph.dependents(scenario.names[0]), Some(vec![scenario.names[1]]));
}

#[test]
fn only_ignores_problems_outside_the_selection() {
    const MISSING: ServiceKey = ServiceKey::named("dyn Missing");
    let builder = Builder::empty()
        .register(registration("good", 1, None, &[]))
        .register(registration("broken", 2, None, &[MISSING]));
    assert!(builder.resolve().is_err());
    let graph = builder.only(["good"]).resolve().unwrap();
    assert_eq!(graph.init_order(), ["good"]);
}

#[test]
fn unknown_names_are_errors_with_a_suggestion() {
    let builder = Builder::empty()
        .register(registration("channels", 1, None, &[]))
        .register(registration("users", 2, None, &[]))
        .only(["chanels", "zzzz"])
        .timeout_for("user", std::time::Duration::from_secs(1));
    let error = builder.resolve().unwrap_err();
    let text: Vec<String> = error.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "unknown component `chanels` in `only`; did you mean `channels`?",
            "unknown component `zzzz` in `only`; the components are `channels`, `users`",
            "unknown component `user` in `timeout_for`; did you mean `users`?",
        ]
    );
}

#[test]
fn only_from_env_reads_a_comma_separated_list() {
    let scenario = Scenario::new(vec![vec![], vec![0], vec![]]);
    let var = "WEFT_TEST_ONLY_FROM_ENV";
    // SAFETY: no other test of this binary reads or writes this variable.
    unsafe { std::env::set_var(var, format!(" {} ,", scenario.names[1])) };
    let graph = scenario.builder().only_from_env(var).resolve().unwrap();
    assert_eq!(graph.names().collect::<Vec<_>>(), &scenario.names[0..2]);
    // SAFETY: as above.
    unsafe { std::env::set_var(var, "") };
    let graph = scenario.builder().only_from_env(var).resolve().unwrap();
    assert_eq!(graph.len(), 3);
}

#[test]
fn exports_dot_and_mermaid() {
    const DB: ServiceKey = ServiceKey::named("dyn Database<\"x\">");
    let graph = Builder::empty()
        .register(registration("db", 1, Some(DB), &[]))
        .register(registration("app", 2, None, &[DB]))
        .resolve()
        .unwrap();
    let dot = graph.to_dot();
    assert!(dot.starts_with("digraph weft {"), "{dot}");
    assert!(dot.contains(r#""app" -> "db" [label="dyn Database<\"x\">"];"#), "{dot}");
    let mermaid = graph.to_mermaid();
    assert!(mermaid.contains(r#"n0["app"]"#), "{mermaid}");
    assert!(mermaid.contains(r#"n0 -->|"dyn Database#lt;#quot;x#quot;#gt;"| n1"#), "{mermaid}");
}

#[test]
fn a_chain_of_100_000_components_resolves_without_overflowing_the_stack() {
    let len = 100_000;
    let deps: Vec<Vec<usize>> =
        (0..len).map(|i| if i == 0 { vec![] } else { vec![i - 1] }).collect();
    let scenario = Scenario::new(deps);
    let graph = scenario.builder().resolve().unwrap();
    assert_eq!(graph.init_order().first(), Some(&scenario.names[0]));

    // Closed into a ring, the whole ring is one cycle.
    let ring: Vec<Vec<usize>> = (0..len).map(|i| vec![(i + len - 1) % len]).collect();
    let scenario = Scenario::new(ring);
    let error = scenario.builder().resolve().unwrap_err();
    let [Problem::Cycle { path, .. }] = error.problems.as_slice() else { panic!("one cycle") };
    assert_eq!(path.len(), len + 1);
}
