//! Test-local registration: a component declared `local` joins only the platforms that add it
//! with `Builder::with`, never `Builder::new()`'s; a plain `#[component]` in the same binary does.

#![allow(missing_docs, reason = "test fixtures")]

use weft::prelude::*;

#[component(name = "local-fake", local)]
#[derive(Default)]
pub struct LocalFake;

#[component(name = "global-one")]
#[derive(Default)]
pub struct GlobalOne;

#[test]
fn a_local_component_stays_out_of_other_platforms() {
    let names: Vec<&str> = weft::Builder::new().resolve().unwrap().names().collect();
    assert!(names.contains(&"global-one"), "{names:?}");
    assert!(!names.contains(&"local-fake"), "{names:?}");
}

#[test]
fn a_local_component_joins_the_platform_that_adds_it() {
    let graph = weft::testing::platform().with::<LocalFake>().resolve().unwrap();
    assert_eq!(graph.names().collect::<Vec<_>>(), ["local-fake"]);
    // Adding a component that `Builder::new` already collected does not add it twice.
    let graph = weft::Builder::new().with::<GlobalOne>().with::<LocalFake>().resolve().unwrap();
    assert_eq!(graph.names().filter(|name| *name == "global-one").count(), 1);
}

#[test]
fn without_names_are_checked() {
    let error = weft::Builder::new().without(["globl-one"]).resolve().unwrap_err();
    assert_eq!(
        error.problems[0].to_string(),
        "unknown component `globl-one` in `without`; did you mean `global-one`?"
    );
}

#[test]
fn a_component_both_selected_and_excluded_is_a_problem() {
    let error = weft::Builder::new()
        .only(["global-one"])
        .without(["global-one", "global-one"])
        .resolve()
        .unwrap_err();
    assert_eq!(
        error.problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["component `global-one` is both selected by `only` and excluded by `without`; \
          remove it from one of them"]
    );
    // Excluding a component that is not named by `only` stays valid.
    let graph = weft::Builder::new().with::<LocalFake>().without(["global-one"]).resolve().unwrap();
    assert!(!graph.names().any(|name| name == "global-one"));
}
