//! Items used by the code that `#[component]` and `platform!` generate. Not public API.

pub use crate::component::{
    Erased, HookFuture, HookProbe, Hooks, HooksViaDefault, HooksViaLifecycle, InjectError,
    Injector, Inputs, NoHooks, Provide, Service, ServiceKey, erase, erase_many, erase_with,
};
pub use crate::registry::Registration;
pub use ::inventory;
pub use ::std;

// Compile-time checks emitted by `#[component]`. Each failing check is reported through a trait
// carrying `#[diagnostic::on_unimplemented]`, so that the message speaks weft's language and the
// span is the user's tokens the macro passed in.

use std::marker::PhantomData;
use std::sync::Arc;

pub mod probe;

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
/// whole life. `S` is [`Yes`] when every required service is `Send + Sync`; when one is not, that
/// service is reported instead (by [`assert_service`]), so the struct holding it is not.
pub trait ComponentBounds<C: ?Sized> {}

impl<C: Send + Sync + 'static> ComponentBounds<C> for Yes {}

impl<C: ?Sized> ComponentBounds<C> for No {}

/// Fails to compile unless `C` is `Send + Sync + 'static` (or a required service is not).
///
/// Every assertion takes the outcome as its argument and names it as the trait's `Self`, so that
/// the compiler knows the outcome before it looks at the impls (and reports the failed bound,
/// not a type mismatch).
pub fn assert_component<C: ?Sized, S: ComponentBounds<C>>(_services: S) {}

/// Holds for a service type that is `Send + Sync + 'static`.
#[diagnostic::on_unimplemented(
    message = "`{R}` cannot be a service: it is not `Send + Sync`",
    label = "add `Send + Sync` to the trait, as in `trait Database: Send + Sync {{ ... }}`",
    note = "the platform shares every service across threads"
)]
pub trait Shareable<R: ?Sized> {}

impl<R: ?Sized> Shareable<R> for Yes {}

/// Fails to compile, with weft's message, unless `outcome` is [`Yes`].
pub fn assert_service<R: ?Sized>(_outcome: impl Shareable<R>) {}

/// Holds when a required service is not the one the component provides.
#[diagnostic::on_unimplemented(
    message = "a component cannot require `{R}`, the service it provides itself",
    label = "remove this entry from `requires`",
    note = "a component reaches its own service as `self`"
)]
pub trait NotOwnService<R: ?Sized> {}

impl<R: ?Sized> NotOwnService<R> for No {}

/// Fails to compile unless `same` is [`No`].
pub fn assert_not_own_service<R: ?Sized>(_same: impl NotOwnService<R>) {}

/// Holds when two `requires` entries name different types.
#[diagnostic::on_unimplemented(
    message = "`{R}` is listed twice in `requires`, under two spellings",
    label = "this entry names the same type as an earlier one; remove it",
    note = "list each service once"
)]
pub trait DistinctEntry<R: ?Sized> {}

impl<R: ?Sized> DistinctEntry<R> for No {}

/// Fails to compile unless `same` is [`No`].
pub fn assert_distinct_entry<R: ?Sized>(_same: impl DistinctEntry<R>) {}

/// Holds when some field stores the required service `R`.
#[diagnostic::on_unimplemented(
    message = "no field stores the required service `{R}`",
    label = "add a field of type `Arc<...>` of this service, or remove the entry",
    note = "a required service is injected into the one field of type `Arc<S>`, where `S` is the \
            entry; a trait object with `+ Send + Sync` is another type than the bare trait"
)]
pub trait StoredSomewhere<R: ?Sized> {}

impl<R: ?Sized> StoredSomewhere<R> for One {}
impl<R: ?Sized> StoredSomewhere<R> for Many {}

/// Holds when at most one field stores the required service `R`.
#[diagnostic::on_unimplemented(
    message = "the required service `{R}` is stored in more than one field",
    label = "a required service is injected into exactly one field",
    note = "keep one field of type `Arc<...>` of this service"
)]
pub trait StoredOnce<R: ?Sized> {}

impl<R: ?Sized> StoredOnce<R> for Zero {}
impl<R: ?Sized> StoredOnce<R> for One {}

/// Fails to compile unless `count` is [`One`].
pub fn assert_stored_once<R: ?Sized>(_count: impl Copy + StoredSomewhere<R> + StoredOnce<R>) {}

/// Holds ([`Yes`]) when a field is built: the struct is built with its own `Default`, the field is
/// injected, or it has a `Default`.
#[diagnostic::on_unimplemented(
    message = "field of type `{F}` is not injected, and it has no `Default`",
    label = "weft builds this field with `Default`",
    note = "implement `Default` for the field's type (or for the whole struct), or, if the field \
            holds a service, list the service in `requires`"
)]
pub trait FieldBuilt<F> {}

impl<F> FieldBuilt<F> for Yes {}

/// Fails to compile unless the field of type `F` can be built.
pub fn assert_field_built<F>(_built: impl FieldBuilt<F>) {}

/// Holds ([`Yes`]) for a field that is injected, or that is not `Option<Arc<T>>`.
#[diagnostic::on_unimplemented(
    message = "field of type `{F}` would stay `None`: no `optional(...)` entry of `requires` fills it",
    label = "weft injects an `Option<Arc<...>>` field only for an optional dependency",
    note = "add `optional(T)` to `requires` for the service `T` this field holds; for data of \
            the component's own, set in `init`, use another type (e.g. `OnceLock<Arc<...>>`)"
)]
pub trait NotOptional<F> {}

impl<F> NotOptional<F> for Yes {}

/// Fails to compile unless the field is injected or is not optional.
pub fn assert_not_optional<F>(_injected_or_not_optional: impl NotOptional<F>) {}

/// As [`StoredSomewhere`], for an `optional(R)` entry.
#[diagnostic::on_unimplemented(
    message = "no field stores the optional service `{R}`",
    label = "add a field of type `Option<Arc<...>>` of this service, or remove the entry",
    note = "an optional service is injected into the one field of type `Option<Arc<S>>`, where \
            `S` is the entry"
)]
pub trait OptionalStoredSomewhere<R: ?Sized> {}

impl<R: ?Sized> OptionalStoredSomewhere<R> for One {}
impl<R: ?Sized> OptionalStoredSomewhere<R> for Many {}

/// Fails to compile unless `count` is [`One`] (an `optional(R)` entry).
pub fn assert_optional_stored_once<R: ?Sized>(
    _count: impl Copy + OptionalStoredSomewhere<R> + StoredOnce<R>,
) {
}

/// As [`StoredSomewhere`], for an `all_of(R)` entry.
#[diagnostic::on_unimplemented(
    message = "no field stores the collection `{R}`",
    label = "add a field of type `Vec<Arc<...>>` of this service, or remove the entry",
    note = "every member of a collection is injected into the one field of type `Vec<Arc<S>>`, \
            where `S` is the entry"
)]
pub trait AllStoredSomewhere<R: ?Sized> {}

impl<R: ?Sized> AllStoredSomewhere<R> for One {}
impl<R: ?Sized> AllStoredSomewhere<R> for Many {}

/// Fails to compile unless `count` is [`One`] (an `all_of(R)` entry).
pub fn assert_all_stored_once<R: ?Sized>(
    _count: impl Copy + AllStoredSomewhere<R> + StoredOnce<R>,
) {
}

/// Marks an optional requirement of `T` in a [`Pair`]: a field `Option<Arc<T>>` stores it.
pub struct Optional<T: ?Sized>(PhantomData<fn() -> Arc<T>>);

/// Marks a collection requirement of `T` in a [`Pair`]: a field `Vec<Arc<T>>` stores it.
pub struct All<T: ?Sized>(PhantomData<fn() -> Arc<T>>);

impl<T: ?Sized + 'static> InjectInto<Option<Arc<T>>> for Pair<Option<Arc<T>>, Optional<T>> {
    fn __weft_inject(
        &self,
        injector: &Injector<'_>,
        _: &'static str,
    ) -> Option<Result<Option<Arc<T>>, InjectError>> {
        Some(Ok(injector.get_optional::<T>()))
    }
}

impl<T: ?Sized + 'static> InjectInto<Vec<Arc<T>>> for Pair<Vec<Arc<T>>, All<T>> {
    fn __weft_inject(
        &self,
        injector: &Injector<'_>,
        _: &'static str,
    ) -> Option<Result<Vec<Arc<T>>, InjectError>> {
        Some(Ok(injector.get_all::<T>()))
    }
}

/// Holds when the component has no hook written outside `impl Lifecycle` (the pair is
/// `(implements Lifecycle, what `init` resolves to)`).
#[diagnostic::on_unimplemented(
    message = "`{C}` has an `init` method outside `impl Lifecycle`, so weft would never call it",
    label = "`{C}` does not implement `weft::Lifecycle`",
    note = "move the method into `impl weft::Lifecycle for {C} {{ ... }}`"
)]
pub trait InitHook<C> {}

impl<C, H> InitHook<C> for (Yes, H) {}
impl<C> InitHook<C> for (No, NoInherentHook) {}

/// Fails to compile when `C` has an inherent `init` and does not implement `Lifecycle`.
pub fn assert_init_hook<C, P: InitHook<C>>(_lifecycle_and_init: P) {}

/// As [`InitHook`], for `start`.
#[diagnostic::on_unimplemented(
    message = "`{C}` has a `start` method outside `impl Lifecycle`, so weft would never call it",
    label = "`{C}` does not implement `weft::Lifecycle`",
    note = "move the method into `impl weft::Lifecycle for {C} {{ ... }}`"
)]
pub trait StartHook<C> {}

impl<C, H> StartHook<C> for (Yes, H) {}
impl<C> StartHook<C> for (No, NoInherentHook) {}

/// Fails to compile when `C` has an inherent `start` and does not implement `Lifecycle`.
pub fn assert_start_hook<C, P: StartHook<C>>(_lifecycle_and_start: P) {}

/// As [`InitHook`], for `stop`.
#[diagnostic::on_unimplemented(
    message = "`{C}` has a `stop` method outside `impl Lifecycle`, so weft would never call it",
    label = "`{C}` does not implement `weft::Lifecycle`",
    note = "move the method into `impl weft::Lifecycle for {C} {{ ... }}`"
)]
pub trait StopHook<C> {}

impl<C, H> StopHook<C> for (Yes, H) {}
impl<C> StopHook<C> for (No, NoInherentHook) {}

/// Fails to compile when `C` has an inherent `stop` and does not implement `Lifecycle`.
pub fn assert_stop_hook<C, P: StopHook<C>>(_lifecycle_and_stop: P) {}

/// Holds when a component that requires services has no `Default` of its own to ignore.
#[diagnostic::on_unimplemented(
    message = "`{C}` implements `Default`, which weft would not call: a component that requires \
               services is built field by field",
    label = "`{C}` implements `Default`",
    note = "set these values in `Lifecycle::init`, or give each field a type whose `Default` is \
            the value you want"
)]
pub trait NoOwnDefault<C> {}

impl<C> NoOwnDefault<C> for No {}

/// Fails to compile unless `has_default` is [`No`].
pub fn assert_no_own_default<C>(_has_default: impl NoOwnDefault<C>) {}

// Type-level answers that the checks combine. A probe answers `Yes` or `No` by autoref: the
// impl for `Probe<T>` (or `Pair<A, B>`) applies when the property holds, the one for `&Probe<T>`
// otherwise. `#[component]` calls them on concrete types, so the compiler decides, not the macro.

/// The property a probe asked about holds.
#[derive(Clone, Copy)]
pub struct Yes;

/// The property a probe asked about does not hold.
#[derive(Clone, Copy)]
pub struct No;

/// A zero-sized stand-in for two types `A` and `B`, to ask whether they are one type.
pub struct Pair<A: ?Sized, B: ?Sized>(PhantomData<fn(&A, &B)>);

impl<A: ?Sized, B: ?Sized> Pair<A, B> {
    /// A probe for `A` and `B`.
    #[allow(clippy::new_without_default, reason = "a marker only generated code builds")]
    pub const fn new() -> Self {
        Pair(PhantomData)
    }
}

/// Selected when the two types of a [`Pair`] are one type.
pub trait SameType {
    /// [`Yes`].
    fn __weft_same(&self) -> Yes {
        Yes
    }
}

impl<T: ?Sized> SameType for Pair<T, T> {}

/// Selected when the two types of a [`Pair`] differ.
pub trait OtherType {
    /// [`No`].
    fn __weft_same(&self) -> No {
        No
    }
}

impl<A: ?Sized, B: ?Sized> OtherType for &Pair<A, B> {}

/// Selected when the field type `Arc<T>` stores the required service `T`: injects it.
pub trait InjectInto<F> {
    /// The service, or why it is unavailable.
    fn __weft_inject(
        &self,
        injector: &Injector<'_>,
        name: &'static str,
    ) -> Option<Result<F, InjectError>>;
}

impl<T: ?Sized + 'static> InjectInto<Arc<T>> for Pair<Arc<T>, T> {
    fn __weft_inject(
        &self,
        injector: &Injector<'_>,
        name: &'static str,
    ) -> Option<Result<Arc<T>, InjectError>> {
        Some(injector.get::<T>(name))
    }
}

/// Selected when the field does not store this required service.
pub trait InjectNot<F> {
    /// `None`.
    fn __weft_inject(&self, _: &Injector<'_>, _: &'static str) -> Option<Result<F, InjectError>> {
        None
    }
}

impl<F, R: ?Sized> InjectNot<F> for &Pair<F, R> {}

/// Selected when `T: Default`: builds it with `Default`.
pub trait DefaultValue<T> {
    /// `T::default()`.
    fn __weft_default(&self) -> T;
    /// [`Yes`].
    fn __weft_has_default(&self) -> Yes {
        Yes
    }
    /// The component built with its own `Default`; `_fields` is not called.
    fn __weft_construct(
        &self,
        _fields: impl FnOnce() -> Result<T, InjectError>,
    ) -> Result<T, InjectError> {
        Ok(self.__weft_default())
    }
}

impl<T: Default> DefaultValue<T> for Probe<T> {
    fn __weft_default(&self) -> T {
        T::default()
    }
}

/// Selected when `T` has no `Default`.
pub trait NoDefaultValue<T> {
    /// Never called in a program that compiles: `#[component]` reports a field that is neither
    /// injected nor `Default` at compile time.
    fn __weft_default(&self) -> T {
        unreachable!("a field without `Default` that is not injected fails to compile")
    }
    /// [`No`].
    fn __weft_has_default(&self) -> No {
        No
    }
    /// The component built field by field.
    fn __weft_construct(
        &self,
        fields: impl FnOnce() -> Result<T, InjectError>,
    ) -> Result<T, InjectError> {
        fields()
    }
}

impl<T> NoDefaultValue<T> for &Probe<T> {}

/// Selected when `T` is `Option<Arc<U>>`.
pub trait OptionalArc {
    /// [`Yes`].
    fn __weft_optional(&self) -> Yes {
        Yes
    }
}

impl<T: ?Sized> OptionalArc for Probe<Option<Arc<T>>> {}

/// Selected when `T` is not `Option<Arc<U>>`.
pub trait NotOptionalArc {
    /// [`No`].
    fn __weft_optional(&self) -> No {
        No
    }
}

impl<T> NotOptionalArc for &Probe<T> {}

/// Selected when `T` can be a service: `Send + Sync + 'static`.
pub trait ServiceType {
    /// [`Yes`].
    fn __weft_service(&self) -> Yes {
        Yes
    }
}

impl<T: ?Sized + Send + Sync + 'static> ServiceType for Probe<T> {}

/// Selected when `T` cannot be a service.
pub trait NotServiceType {
    /// [`No`].
    fn __weft_service(&self) -> No {
        No
    }
}

impl<T: ?Sized> NotServiceType for &Probe<T> {}

/// Selected when the component implements [`Lifecycle`](crate::Lifecycle).
pub trait HasLifecycle {
    /// [`Yes`].
    fn __weft_lifecycle(&self) -> Yes {
        Yes
    }
}

impl<C: crate::Lifecycle> HasLifecycle for Probe<C> {}

/// Selected when the component does not implement [`Lifecycle`](crate::Lifecycle).
pub trait NoLifecycle {
    /// [`No`].
    fn __weft_lifecycle(&self) -> No {
        No
    }
}

impl<C> NoLifecycle for &Probe<C> {}

/// What a hook-named method call resolves to when the component has no inherent method of
/// that name.
pub struct NoInherentHook;

/// Found by `component.init()` one autoref step after the component's own `init(&mut self)`
/// (inherent, or `Lifecycle`'s): so it is selected only when there is none.
pub trait NoInherentInit {
    /// [`NoInherentHook`].
    fn init(self) -> NoInherentHook;
}

impl<C: ?Sized> NoInherentInit for &&mut C {
    fn init(self) -> NoInherentHook {
        NoInherentHook
    }
}

/// As [`NoInherentInit`], for `start(&self)` and `stop(&self)`.
pub trait NoInherentStartStop {
    /// [`NoInherentHook`].
    fn start(self) -> NoInherentHook;
    /// [`NoInherentHook`].
    fn stop(self) -> NoInherentHook;
}

impl<C: ?Sized> NoInherentStartStop for &&C {
    fn start(self) -> NoInherentHook {
        NoInherentHook
    }
    fn stop(self) -> NoInherentHook {
        NoInherentHook
    }
}

macro_rules! outcomes {
    ($($outcome:ident),*) => {$(
        impl $outcome {
            /// Itself: generated code ends an assertion's argument with this call, so that the
            /// argument spans the user's tokens.
            pub fn __weft_at(self) -> $outcome {
                self
            }
        }
    )*};
}

outcomes!(Yes, No, Zero, One, Many);

// Type-level arithmetic for "each required service is stored in exactly one field".

/// No field so far.
#[derive(Clone, Copy)]
pub struct Zero;

/// One field so far.
#[derive(Clone, Copy)]
pub struct One;

/// Two fields or more.
#[derive(Clone, Copy)]
pub struct Many;

/// `Self + B`, where `B` is [`Yes`] (1) or [`No`] (0).
pub trait Add<B> {
    /// The sum.
    type Sum: Copy;
    /// The sum's value.
    const SUM: Self::Sum;
}

impl Add<No> for Zero {
    type Sum = Zero;
    const SUM: Zero = Zero;
}
impl Add<Yes> for Zero {
    type Sum = One;
    const SUM: One = One;
}
impl Add<No> for One {
    type Sum = One;
    const SUM: One = One;
}
impl Add<Yes> for One {
    type Sum = Many;
    const SUM: Many = Many;
}
impl<B> Add<B> for Many {
    type Sum = Many;
    const SUM: Many = Many;
}

/// `count + one`, at the type level.
pub fn add<A: Add<B>, B>(_count: A, _one: B) -> A::Sum {
    A::SUM
}

/// `Self || B`.
pub trait Or<B> {
    /// The disjunction.
    type Out: Copy;
    /// Its value.
    const OUT: Self::Out;
}

impl<B> Or<B> for Yes {
    type Out = Yes;
    const OUT: Yes = Yes;
}
impl Or<Yes> for No {
    type Out = Yes;
    const OUT: Yes = Yes;
}
impl Or<No> for No {
    type Out = No;
    const OUT: No = No;
}

/// `a || b`, at the type level.
pub fn or<A: Or<B>, B>(_a: A, _b: B) -> A::Out {
    A::OUT
}

/// `!self`, at the type level.
pub trait Not {
    /// The negation.
    type Out: Copy;
    /// Its value.
    const OUT: Self::Out;
}

impl Not for Yes {
    type Out = No;
    const OUT: No = No;
}
impl Not for No {
    type Out = Yes;
    const OUT: Yes = Yes;
}

/// `!a`, at the type level.
pub fn not<A: Not>(_a: A) -> A::Out {
    A::OUT
}

/// `Self && B`.
pub trait And<B> {
    /// The conjunction.
    type Out: Copy;
    /// Its value.
    const OUT: Self::Out;
}

impl<B> And<B> for No {
    type Out = No;
    const OUT: No = No;
}
impl And<Yes> for Yes {
    type Out = Yes;
    const OUT: Yes = Yes;
}
impl And<No> for Yes {
    type Out = No;
    const OUT: No = No;
}

/// `a && b`, at the type level.
pub fn and<A: And<B>, B>(_a: A, _b: B) -> A::Out {
    A::OUT
}

/// What a component's `provides` gives the runtime: how to turn the shared component into its
/// service, or `None` when the component does not implement it (which fails to compile).
pub type ProvideFn<C> = Option<fn(Arc<C>) -> Service>;

/// Selected when the component does not implement the service it provides, which
/// `#[component]` reports at compile time: `None`, so that nothing else fails with it.
pub trait ProvidesNothing<C> {
    /// `None`.
    fn __weft_provide(&self) -> ProvideFn<C> {
        None
    }
}

impl<C> ProvidesNothing<C> for &Probe<C> {}

/// Selected when the component is `Send + Sync`: erases it.
pub trait Erase<C> {
    /// The erased component.
    fn __weft_erase(&self, component: C, hooks: Hooks<C>, provide: Provide<C>) -> Erased;
}

impl<C: Send + Sync + 'static> Erase<C> for Probe<C> {
    fn __weft_erase(&self, component: C, hooks: Hooks<C>, provide: Provide<C>) -> Erased {
        erase_with(component, hooks, provide)
    }
}

/// Selected when the component is not `Send + Sync`, which `#[component]` reports at compile
/// time (once, by `assert_component`): so that nothing else fails with it.
pub trait CannotErase<C> {
    /// Never called in a program that compiles.
    fn __weft_erase(&self, _component: C, _hooks: Hooks<C>, _provide: Provide<C>) -> Erased {
        unreachable!("a component that is not `Send + Sync` fails to compile")
    }
}

impl<C> CannotErase<C> for &Probe<C> {}
