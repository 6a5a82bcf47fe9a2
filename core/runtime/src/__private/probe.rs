//! Every probe trait the code `#[component]` generates calls methods of, for one glob import
//! (`use __weft_p::probe::*;`) instead of a list per expansion: each expansion is re-read on
//! every build of the user's crate, so its size is build time.
//!
//! The traits are imported as `_`: in scope for method calls, never in the way of a user's name.

pub use super::{CannotErase as _, Erase as _, ProvidesNothing as _};
pub use super::{
    DefaultValue as _, HasLifecycle as _, InjectInto as _, InjectNot as _, NoDefaultValue as _,
    NoInherentInit as _, NoInherentStartStop as _, NoLifecycle as _, NotOptionalArc as _,
    NotServiceType as _, OptionalArc as _, OtherType as _, SameType as _, ServiceType as _,
};
pub use crate::component::{HooksViaDefault as _, HooksViaLifecycle as _, NoHooks as _};
