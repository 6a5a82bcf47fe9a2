//! Items used by the code that `#[component]` and `platform!` generate. Not public API.

pub use crate::component::{
    BoxFuture, Erased, HookProbe, Hooks, HooksViaDefault, HooksViaLifecycle, InjectError, Injector,
    Service, ServiceKey, erase,
};
pub use crate::registry::Registration;
pub use ::inventory;
pub use ::std;
