//! The registry of components declared with `#[component]`, collected through `inventory`.

use crate::component::{Erased, InjectError, Injector, ServiceKey};

/// One component declaration, submitted to `inventory` by `#[component]`.
///
/// The macro generates this; writing it by hand is equivalent (see the
/// [`component`](crate::component) docs).
pub struct Registration {
    /// The component's unique name.
    pub name: &'static str,
    /// The struct's name as written.
    pub type_name: &'static str,
    /// `module_path!()` of the declaration.
    pub module_path: &'static str,
    /// `file!()` of the declaration.
    pub file: &'static str,
    /// `line!()` of the declaration.
    pub line: u32,
    /// The service the component provides, if any.
    pub provides: Option<ServiceKey>,
    /// The services the component requires.
    pub requires: &'static [ServiceKey],
    /// Builds the component from its injected services.
    pub build: fn(&Injector<'_>) -> Result<Erased, InjectError>,
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("name", &self.name)
            .field("type_name", &self.type_name)
            .field("file", &self.file)
            .field("line", &self.line)
            .field("provides", &self.provides)
            .field("requires", &self.requires)
            .finish_non_exhaustive()
    }
}

impl Registration {
    /// Every service the component provides, in the order of its `provides` list.
    ///
    /// ```
    /// # use weft::__private::{Hooks, erase};
    /// use weft::{Registration, ServiceKey};
    ///
    /// trait A {}
    /// trait B {}
    /// # #[derive(Default)] struct Both;
    /// static BOTH: Registration = Registration {
    ///     name: "both", type_name: "Both", module_path: "app", file: "src/both.rs", line: 1,
    ///     provides: Some(ServiceKey::of::<dyn A>("dyn A").and(&[ServiceKey::of::<dyn B>("dyn B")])),
    ///     requires: &[],
    ///     build: |_| Ok(erase(Both, Hooks::none(), None)),
    /// };
    /// let names: Vec<&str> = BOTH.services().map(|key| key.name()).collect();
    /// assert_eq!(names, ["dyn A", "dyn B"]);
    /// ```
    pub fn services(&self) -> impl Iterator<Item = &ServiceKey> {
        self.provides.iter().flat_map(ServiceKey::services)
    }
}

/// A struct declared with `#[component]`: its registration, to add it to a
/// [`Builder`](crate::Builder) by type with [`Builder::with`](crate::Builder::with).
///
/// `#[component]` implements it for every component; a component declared with `local` is
/// *only* reachable this way, so it joins no platform but the ones that add it.
///
/// ```
/// use weft::{Declared, prelude::*};
///
/// #[component(name = "clock", local)]
/// #[derive(Default)]
/// struct Clock;
///
/// assert_eq!(Clock::registration().name, "clock");
/// ```
pub trait Declared {
    /// The component's registration.
    fn registration() -> &'static Registration;
}

inventory::collect!(Registration);

/// Every registration linked into the binary, sorted by name (then file and line) so that
/// everything downstream is deterministic.
pub(crate) fn registrations() -> Vec<&'static Registration> {
    let mut all: Vec<&'static Registration> = inventory::iter::<Registration>.into_iter().collect();
    all.sort_by(|a, b| (a.name, a.file, a.line).cmp(&(b.name, b.file, b.line)));
    all
}
