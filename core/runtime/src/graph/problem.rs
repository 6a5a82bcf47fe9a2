//! What can be wrong with a component graph: every problem, each citing the declarations at
//! fault.

use std::fmt;

use crate::human::{list, quoted};

/// Where a component is declared: `file!()` and `line!()` of its `#[component]` attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// The source file.
    pub file: &'static str,
    /// The line in `file`.
    pub line: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A component's declaration, as a graph problem cites it.
///
/// ```
/// use weft::{Builder, Problem, Registration};
/// use weft::__private::{Hooks, erase};
///
/// #[derive(Default)]
/// struct Clock;
/// static A: Registration = Registration {
///     name: "clock", type_name: "Clock", module_path: "app", file: "src/a.rs", line: 3,
///     provides: None, requires: &[], build: |_| Ok(erase(Clock, Hooks::none(), None)),
/// };
/// static B: Registration = Registration { file: "src/b.rs", ..A };
///
/// let error = Builder::empty().register(&A).register(&B).resolve().unwrap_err();
/// let Problem::DuplicateName { declarations, .. } = &error.problems[0] else { panic!() };
/// assert_eq!(declarations[1].type_name, "Clock");
/// assert_eq!(declarations[1].location.to_string(), "src/b.rs:3");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Declaration {
    /// The component's name.
    pub name: &'static str,
    /// The struct's name as written.
    pub type_name: &'static str,
    /// Where the `#[component]` attribute is.
    pub location: Location,
}

/// One problem found while checking the component graph.
///
/// Every problem of a graph is reported at once, in a [`GraphError`]. Each message names the
/// components and services as the user wrote them, where they are declared, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// A name given to a builder setting (`only`, `timeout_for`) names no component.
    #[error("unknown component `{name}` in `{setting}`; {}", unknown_hint(.suggestion, .known))]
    UnknownComponent {
        /// The name as given.
        name: String,
        /// What named it: a builder setting (`only`, `timeout_for`) or the environment variable
        /// read by [`only_from_env`](crate::Builder::only_from_env), e.g. `WEFT_COMPONENTS`.
        setting: String,
        /// The closest existing component name, when one is close.
        suggestion: Option<&'static str>,
        /// Every component name, sorted.
        known: Vec<&'static str>,
    },
    /// A component is both selected (by `only`, or the environment variable read by
    /// [`only_from_env`](crate::Builder::only_from_env)) and excluded by `without`: one of the
    /// two settings would be silently ignored.
    #[error(
        "component `{name}` is both selected by `{setting}` and excluded by `without`; \
         remove it from one of them"
    )]
    SelectedAndExcluded {
        /// The component's name.
        name: String,
        /// The setting that selects it: `only`, or the environment variable.
        setting: String,
    },
    /// Two or more components share a name.
    #[error(
        "duplicate component name `{name}`: declared by {}; give each component a unique `name`",
        list(.declarations, |d| format!("`{}` at {}", d.type_name, d.location))
    )]
    DuplicateName {
        /// The shared name.
        name: &'static str,
        /// Every declaration with that name.
        declarations: Vec<Declaration>,
    },
    /// Two or more components provide the same service.
    #[error(
        "duplicate provider: `{service}` is provided by {}; a service has one provider: remove \
         `provides = {service}` from all but one of them",
        list(.providers, |d| format!("`{}` ({})", d.name, d.location))
    )]
    DuplicateProvider {
        /// The service type, as written.
        service: &'static str,
        /// Every component that provides it.
        providers: Vec<Declaration>,
    },
    /// A service is provided both as the one service (`provides = T`) and as a member of a
    /// collection (`provides = one_of(T)`).
    #[error(
        "`{service}` is provided both alone, by {}, and as a collection member, by {}; declare          every provider `provides = one_of({service})` and require `all_of({service})`, or keep          one plain provider",
        list(.sole, |d| format!("`{}` ({})", d.name, d.location)),
        list(.members, |d| format!("`{}` ({})", d.name, d.location))
    )]
    MixedProviders {
        /// The service type, as written.
        service: &'static str,
        /// The components that declare `provides = T`.
        sole: Vec<Declaration>,
        /// The components that declare `provides = one_of(T)`.
        members: Vec<Declaration>,
    },
    /// A component requires, as one service (plain or optional), a service that components
    /// provide only as collection members (`provides = one_of(T)`).
    #[error(
        "`{required_by}` ({location}) requires `{service}` as one service, but it is a \
         collection: its providers declare `provides = one_of({service})`; require \
         `all_of({service})` and store it in a `Vec<Arc<...>>`"
    )]
    CollectionRequiredAsOne {
        /// The service type, as written in `requires`.
        service: &'static str,
        /// The component that requires it.
        required_by: &'static str,
        /// Where that component is declared.
        location: Location,
    },
    /// A component requires a service that no component provides.
    #[error(
        "missing provider: `{required_by}` ({location}) requires `{service}`, which no component \
         provides; declare a component with `provides = {service}`, or name the crate that \
         declares one in `weft::platform!(...)` so that it is linked"
    )]
    MissingProvider {
        /// The service type, as written in `requires`.
        service: &'static str,
        /// The component that requires it.
        required_by: &'static str,
        /// Where that component is declared.
        location: Location,
    },
    /// Components that require each other in a circle. `path` starts and ends with the same
    /// component; each component requires the next one.
    #[error(
        "dependency cycle `{}`: {}; remove one of these `requires`, or move what they share \
         into a component of its own",
        .path.join(" → "),
        cycle_steps(.path, .services)
    )]
    Cycle {
        /// `a → b → c → a` as `["a", "b", "c", "a"]`.
        path: Vec<&'static str>,
        /// The service each step requires: `services[i]` is what `path[i]` requires from
        /// `path[i + 1]`.
        services: Vec<&'static str>,
    },
}

fn unknown_hint(suggestion: &Option<&'static str>, known: &[&'static str]) -> String {
    const SHOWN: usize = 12;
    if let Some(suggestion) = suggestion {
        return format!("did you mean `{suggestion}`?");
    }
    if known.is_empty() {
        return "the platform has no component at all: is `weft::platform!()` in the binary?"
            .to_owned();
    }
    let mut hint = format!("the components are {}", quoted(&known[..known.len().min(SHOWN)]));
    if known.len() > SHOWN {
        hint.push_str(&format!(" and {} more", known.len() - SHOWN));
    }
    hint
}

fn cycle_steps(path: &[&'static str], services: &[&'static str]) -> String {
    let steps = path.windows(2).zip(services);
    steps
        .map(|(pair, service)| format!("`{}` requires `{service}` from `{}`", pair[0], pair[1]))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every problem of a component graph. A platform with any problem starts nothing.
///
/// ```
/// use weft::{Builder, Problem};
///
/// let error = Builder::empty().only(["ghost"]).resolve().unwrap_err();
/// assert!(matches!(&error.problems[0], Problem::UnknownComponent { name, .. } if name == "ghost"));
/// assert_eq!(
///     error.to_string(),
///     "the component graph has 1 problem:\n  - unknown component `ghost` in `only`; the platform \
///      has no component at all: is `weft::platform!()` in the binary?"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct GraphError {
    /// The problems, grouped by kind and sorted by name.
    pub problems: Vec<Problem>,
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.problems.len();
        write!(f, "the component graph has {count} problem{}:", if count == 1 { "" } else { "s" })?;
        for problem in &self.problems {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}
