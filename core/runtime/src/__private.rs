//! Items used by the code that `#[component]` and `platform!` generate. Not public API.

pub use crate::component::{
    BoxFuture, Erased, HookProbe, Hooks, HooksViaDefault, HooksViaLifecycle, InjectError, Injector,
    Service, ServiceKey, erase,
};
pub use crate::registry::Registration;
pub use ::inventory;
pub use ::std;

// Compile-time checks emitted by `#[component]`. Each failing check is reported through a trait
// carrying `#[diagnostic::on_unimplemented]`, so that the message speaks weft's language and the
// span is the user's tokens the macro passed in.

use std::marker::PhantomData;

/// A zero-sized stand-in for type `C`, for autoref-based checks in generated code: the macro
/// implements a local trait for `Probe<C>` when `C` has a property and another one for
/// `&Probe<C>`, and method resolution picks the first that applies.
pub struct Probe<C: ?Sized>(PhantomData<fn() -> C>);

impl<C: ?Sized> Probe<C> {
    /// A probe for `C`.
    #[allow(clippy::new_without_default, reason = "a marker only generated code builds")]
    pub const fn new() -> Self {
        Probe(PhantomData)
    }
}

/// The outcome of a probe whose property holds.
pub struct Implemented;

/// The outcome of a probe whose property does not hold.
pub struct NotImplemented;

/// Holds when the component `C` implements every trait of the service type `S` it provides.
#[diagnostic::on_unimplemented(
    message = "component `{C}` does not implement `{S}`, which it `provides`",
    label = "`{C}` does not implement this trait",
    note = "implement the trait for `{C}`, or change `provides`"
)]
pub trait ProvidesTrait<C: ?Sized, S: ?Sized> {}

impl<C: ?Sized, S: ?Sized> ProvidesTrait<C, S> for Implemented {}

/// Fails to compile, with weft's message, unless `outcome` is [`Implemented`].
pub fn assert_provides<C: ?Sized, S: ?Sized>(_outcome: impl ProvidesTrait<C, S>) {}

/// Holds when the concrete service type `Self` a component provides is the component `C` itself.
#[diagnostic::on_unimplemented(
    message = "`provides` names the concrete type `{Self}`, which is not the component `{C}`",
    label = "use `provides = {C}`, or a `dyn Trait` that `{C}` implements",
    note = "a component can provide itself, or a trait object it implements"
)]
pub trait ProvidesOwnType<C> {}

impl<C> ProvidesOwnType<C> for C {}

/// Fails to compile, with weft's message, unless `S` is `C`.
pub const fn assert_provides_own_type<C, S: ProvidesOwnType<C>>() {}

/// What every component type needs: the runtime shares it across threads for the platform's
/// whole life.
pub trait ComponentBounds: Send + Sync + 'static {}

impl<C: Send + Sync + 'static> ComponentBounds for C {}

/// Fails to compile unless `C` is `Send + Sync + 'static`, pointing at the struct's name.
pub const fn assert_component<C: ComponentBounds>() {}
