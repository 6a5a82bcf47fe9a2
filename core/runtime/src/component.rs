//! Type erasure of components and services: what the `#[component]` macro generates against.
//!
//! Everything here is reached by generated code through [`crate::__private`]; the runtime only
//! sees [`Erased`] components and [`Service`] values.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::lifecycle::Lifecycle;

/// A boxed, `Send`, `'static` future.
pub type HookFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Identifies a service type (`dyn Trait` or a concrete type) in a `const` context.
///
/// Two keys are equal when they name the same Rust type. A key made with
/// [`ServiceKey::named`] has no Rust type; it is equal to the keys with the same name, which lets
/// tests and benchmarks build synthetic component graphs of any size.
///
/// ```
/// use weft::ServiceKey;
///
/// trait Database {}
/// const DB: ServiceKey = ServiceKey::of::<dyn Database>("dyn Database");
/// assert_eq!(DB.name(), "dyn Database");
/// assert_eq!(DB, ServiceKey::of::<dyn Database>("written differently"));
/// assert_ne!(DB, ServiceKey::named("dyn Database"));
/// ```
///
/// A key also says how the service is required or provided (its [`Role`]): equality and hashing
/// compare the service alone, so `ServiceKey::of::<dyn Db>("dyn Db").optional()` is the same
/// service as the plain key.
#[derive(Clone, Copy)]
pub struct ServiceKey {
    type_id: Option<fn() -> TypeId>,
    name: &'static str,
    role: Role,
    also: &'static [ServiceKey],
    load: Option<LoadSection>,
}

/// Loads a configuration section for a [`Role::Config`] requirement.
pub(crate) type LoadSection =
    fn(&crate::config::Sources) -> Result<Service, Vec<crate::config::ConfigProblem>>;

/// How a component requires or provides a service: the part of `#[component]`'s `requires`
/// and `provides` entries around the type.
///
/// ```
/// use weft::{Role, ServiceKey};
///
/// trait Plugin {}
/// const ALL: ServiceKey = ServiceKey::of::<dyn Plugin>("dyn Plugin").all();
/// assert_eq!(ALL.role(), Role::All);
/// assert_eq!(ALL, ServiceKey::of::<dyn Plugin>("dyn Plugin"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Role {
    /// `requires = [T]`: exactly one provider; `provides = T`: the one provider.
    One,
    /// `requires = [optional(T)]`: injected when a component provides `T`, `None` otherwise.
    Optional,
    /// `requires = [all_of(T)]`: every component that provides `one_of(T)`, possibly none.
    All,
    /// `provides = one_of(T)`: one of several contributions to the collection `T`.
    Member,
    /// `provides = wraps(T)`: takes the `T` another component provides and serves a wrapped
    /// one in its place.
    Decorator,
    /// `requires = [config(T)]`: the configuration section `T`, loaded before any hook runs.
    Config,
}

impl Role {
    /// How `#[component]` spells the role: `one` (a plain entry), `optional`, `all_of`,
    /// `one_of`, `wraps` or `config`.
    ///
    /// ```
    /// assert_eq!(weft::Role::Optional.as_str(), "optional");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Role::One => "one",
            Role::Optional => "optional",
            Role::All => "all_of",
            Role::Member => "one_of",
            Role::Decorator => "wraps",
            Role::Config => "config",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ServiceKey {
    /// The key of service type `T`; `name` is `T` as the user wrote it.
    pub const fn of<T: ?Sized + 'static>(name: &'static str) -> Self {
        ServiceKey { type_id: Some(TypeId::of::<T>), name, role: Role::One, also: &[], load: None }
    }

    /// The configuration section `T` (see [`crate::config`]), as a requirement.
    pub const fn config<T: crate::config::Section>(name: &'static str) -> Self {
        ServiceKey {
            type_id: Some(TypeId::of::<T>),
            name,
            role: Role::Config,
            also: &[],
            load: Some(crate::config::load_section::<T>),
        }
    }

    /// This service, required as optional: see [`Role::Optional`].
    pub const fn optional(self) -> Self {
        ServiceKey { role: Role::Optional, ..self }
    }

    /// This service, required as a collection: see [`Role::All`].
    pub const fn all(self) -> Self {
        ServiceKey { role: Role::All, ..self }
    }

    /// This service, provided as one member of a collection: see [`Role::Member`].
    pub const fn one_of(self) -> Self {
        ServiceKey { role: Role::Member, ..self }
    }

    /// This service, provided by wrapping another provider's: see [`Role::Decorator`].
    pub const fn wraps(self) -> Self {
        ServiceKey { role: Role::Decorator, ..self }
    }

    /// A `provides` key that also provides the services `more`, from the same instance.
    ///
    /// ```
    /// use weft::ServiceKey;
    ///
    /// trait A {}
    /// trait B {}
    /// const BOTH: ServiceKey =
    ///     ServiceKey::of::<dyn A>("dyn A").and(&[ServiceKey::of::<dyn B>("dyn B")]);
    /// assert_eq!(BOTH.services().count(), 2);
    /// ```
    pub const fn and(self, more: &'static [ServiceKey]) -> Self {
        ServiceKey { also: more, ..self }
    }

    /// How the service is required or provided.
    pub fn role(&self) -> Role {
        self.role
    }

    /// This key followed by the ones added with [`and`](ServiceKey::and).
    pub fn services(&self) -> impl Iterator<Item = &ServiceKey> {
        std::iter::once(self).chain(self.also)
    }

    /// For a [`Role::Config`] key, how to load the section.
    pub(crate) fn loader(&self) -> Option<LoadSection> {
        self.load
    }

    /// A key identified by its name alone, with no Rust type behind it.
    ///
    /// No value can be injected for such a key; it exists so that tests and benchmarks can
    /// declare graphs of synthetic services.
    ///
    /// ```
    /// use weft::ServiceKey;
    ///
    /// assert_eq!(ServiceKey::named("svc-1"), ServiceKey::named("svc-1"));
    /// assert_eq!(ServiceKey::named("svc-1").type_id(), None);
    /// ```
    pub const fn named(name: &'static str) -> Self {
        ServiceKey { type_id: None, name, role: Role::One, also: &[], load: None }
    }

    /// The `TypeId` of the service type, or `None` for a [`named`](ServiceKey::named) key.
    pub fn type_id(&self) -> Option<TypeId> {
        self.type_id.map(|type_id| type_id())
    }

    /// The service type as the user wrote it, e.g. `dyn Database`.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl PartialEq for ServiceKey {
    fn eq(&self, other: &Self) -> bool {
        match (self.type_id(), other.type_id()) {
            (Some(a), Some(b)) => a == b,
            // Keys copied from one constant share their text: skip reading it.
            (None, None) => std::ptr::eq(self.name, other.name) || self.name == other.name,
            _ => false,
        }
    }
}

impl Eq for ServiceKey {}

impl std::hash::Hash for ServiceKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self.type_id() {
            Some(type_id) => type_id.hash(state),
            None => self.name.hash(state),
        }
    }
}

impl fmt::Debug for ServiceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// A type-erased `Arc<T>` for some service type `T`.
#[derive(Clone)]
pub struct Service {
    main: Entry,
    // The same service under the other types it answers to: `dyn Trait + Send + Sync` for a
    // provider of `dyn Trait`, so that `Platform::get` finds it however it is written.
    variants: Vec<Entry>,
}

#[derive(Clone)]
struct Entry {
    type_id: TypeId,
    // What `cast` turns into the `Arc<T>`: the `Arc<T>` itself, or the component with the
    // function that coerces it.
    value: Arc<dyn Any + Send + Sync>,
    cast: fn(&(dyn Any + Send + Sync)) -> Option<Box<dyn Any>>,
}

impl Entry {
    fn of_component<C: Send + Sync + 'static, S: ?Sized + 'static>(
        component: Arc<C>,
        coerce: fn(Arc<C>) -> Arc<S>,
    ) -> Self {
        type Parts<C, S> = (Arc<C>, fn(Arc<C>) -> Arc<S>);
        fn cast<C: Send + Sync + 'static, S: ?Sized + 'static>(
            value: &(dyn Any + Send + Sync),
        ) -> Option<Box<dyn Any>> {
            let (component, coerce) = value.downcast_ref::<Parts<C, S>>()?;
            Some(Box::new(coerce(component.clone())))
        }
        let parts: Parts<C, S> = (component, coerce);
        Entry { type_id: TypeId::of::<S>(), value: Arc::new(parts), cast: cast::<C, S> }
    }

    fn downcast<T: ?Sized + 'static>(&self) -> Option<Arc<T>> {
        if self.type_id != TypeId::of::<T>() {
            return None;
        }
        (self.cast)(&*self.value)?.downcast::<Arc<T>>().ok().map(|arc| *arc)
    }
}

impl Service {
    /// Wraps `value` as the service `T`.
    pub fn new<T: ?Sized + Send + Sync + 'static>(value: Arc<T>) -> Self {
        fn cast<T: ?Sized + 'static>(value: &(dyn Any + Send + Sync)) -> Option<Box<dyn Any>> {
            value.downcast_ref::<Arc<T>>().map(|arc| Box::new(arc.clone()) as Box<dyn Any>)
        }
        let main = Entry { type_id: TypeId::of::<T>(), value: Arc::new(value), cast: cast::<T> };
        Service { main, variants: Vec::new() }
    }

    /// Wraps the shared component `component` as the service `S`, which `coerce` turns it into.
    ///
    /// `S` need not be `Send + Sync` here: the component is, and `#[component]` reports a
    /// service type that is not with a message of its own rather than through this bound.
    pub fn of_component<C: Send + Sync + 'static, S: ?Sized + 'static>(
        component: Arc<C>,
        coerce: fn(Arc<C>) -> Arc<S>,
    ) -> Self {
        Service { main: Entry::of_component(component, coerce), variants: Vec::new() }
    }

    /// Wraps the shared component `component` as the service `dyn Trait` (`main`), answering
    /// to `dyn Trait + Send + Sync`, `dyn Trait + Send` and `dyn Trait + Sync` too: one call per
    /// component, so that `#[component]` emits one coercion per spelling and nothing else.
    pub fn of_dyn<C, S, SendSync, SendOnly, SyncOnly>(
        component: Arc<C>,
        main: fn(Arc<C>) -> Arc<S>,
        send_sync: fn(Arc<C>) -> Arc<SendSync>,
        send: fn(Arc<C>) -> Arc<SendOnly>,
        sync: fn(Arc<C>) -> Arc<SyncOnly>,
    ) -> Self
    where
        C: Send + Sync + 'static,
        S: ?Sized + 'static,
        SendSync: ?Sized + 'static,
        SendOnly: ?Sized + 'static,
        SyncOnly: ?Sized + 'static,
    {
        let variants = vec![
            Entry::of_component(component.clone(), send_sync),
            Entry::of_component(component.clone(), send),
            Entry::of_component(component.clone(), sync),
        ];
        Service { main: Entry::of_component(component, main), variants }
    }

    /// The `TypeId` of the service type `T` this was created with.
    pub fn type_id(&self) -> TypeId {
        self.main.type_id
    }

    /// Returns the `Arc<T>` if this service is a `T`.
    pub fn downcast<T: ?Sized + 'static>(&self) -> Option<Arc<T>> {
        self.main.downcast()
    }

    /// Returns the `Arc<T>` if this service is a `T`, or answers to `T` as one of its variants.
    pub fn downcast_variant<T: ?Sized + 'static>(&self) -> Option<Arc<T>> {
        self.main.downcast().or_else(|| self.variants.iter().find_map(Entry::downcast))
    }
}

impl fmt::Debug for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Service").field("type_id", &self.main.type_id).finish_non_exhaustive()
    }
}

/// Why a component could not be constructed.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InjectError {
    /// The component asked for a service that it did not declare in `requires`, or that no
    /// component provides.
    #[error("component `{component}` requires `{service}`, which is not available to it")]
    Unavailable {
        /// The component being constructed.
        component: &'static str,
        /// The service type, as written by the user.
        service: &'static str,
    },
}

/// The services one component may reach, by service type: one for a plain or present optional
/// requirement, every member (in order) for a collection.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    by_type: HashMap<TypeId, Vec<Service>>,
}

/// Each service under its own type, in order (several of one type make a collection).
impl FromIterator<Service> for Inputs {
    fn from_iter<I: IntoIterator<Item = Service>>(services: I) -> Self {
        let mut inputs = Inputs::default();
        for service in services {
            inputs.insert(service.type_id(), Some(service));
        }
        inputs
    }
}

impl Inputs {
    /// Adds `services` under the service type `type_id` (after any already there).
    pub(crate) fn insert(&mut self, type_id: TypeId, services: impl IntoIterator<Item = Service>) {
        self.by_type.entry(type_id).or_default().extend(services);
    }
}

/// Hands a component the services it declared, and nothing else.
pub struct Injector<'a> {
    component: &'static str,
    services: &'a Inputs,
}

impl<'a> Injector<'a> {
    /// An injector for `component` that serves `services`.
    pub fn new(component: &'static str, services: &'a Inputs) -> Self {
        Injector { component, services }
    }

    /// The name of the component being constructed.
    pub fn component(&self) -> &'static str {
        self.component
    }

    /// The service `T`, which must be one of the component's declared requirements.
    pub fn get<T: ?Sized + 'static>(&self, name: &'static str) -> Result<Arc<T>, InjectError> {
        self.get_optional::<T>()
            .ok_or(InjectError::Unavailable { component: self.component, service: name })
    }

    /// The service `T` if the platform has it: an optional requirement.
    pub fn get_optional<T: ?Sized + 'static>(&self) -> Option<Arc<T>> {
        self.services.by_type.get(&TypeId::of::<T>())?.first().and_then(Service::downcast::<T>)
    }

    /// Every member of the collection `T`, in the platform's order (possibly none).
    pub fn get_all<T: ?Sized + 'static>(&self) -> Vec<Arc<T>> {
        self.services
            .by_type
            .get(&TypeId::of::<T>())
            .map(|all| all.iter().filter_map(Service::downcast::<T>).collect())
            .unwrap_or_default()
    }
}

/// An `init` hook: takes the component and gives it back with the hook's result.
type InitFn<C> = fn(Box<C>) -> HookFuture<(Box<C>, anyhow::Result<()>)>;

/// The hooks of component type `C`, as plain function pointers.
pub struct Hooks<C> {
    init: InitFn<C>,
    start: fn(Arc<C>) -> HookFuture<anyhow::Result<()>>,
    stop: fn(Arc<C>) -> HookFuture<anyhow::Result<()>>,
    timeout: fn(&C) -> Option<Duration>,
}

impl<C: Lifecycle> Hooks<C> {
    /// The hooks of `C`'s [`Lifecycle`] implementation.
    pub fn lifecycle() -> Self {
        fn init<C: Lifecycle>(mut c: Box<C>) -> HookFuture<(Box<C>, anyhow::Result<()>)> {
            Box::pin(async move {
                let result = c.init().await;
                (c, result)
            })
        }
        fn start<C: Lifecycle>(c: Arc<C>) -> HookFuture<anyhow::Result<()>> {
            Box::pin(async move { c.start().await })
        }
        fn stop<C: Lifecycle>(c: Arc<C>) -> HookFuture<anyhow::Result<()>> {
            Box::pin(async move { c.stop().await })
        }
        Hooks { init: init::<C>, start: start::<C>, stop: stop::<C>, timeout: C::timeout }
    }
}

impl<C: Send + Sync + 'static> Hooks<C> {
    /// No-op hooks, for components that do not implement [`Lifecycle`].
    pub fn none() -> Self {
        fn init<C: Send + 'static>(c: Box<C>) -> HookFuture<(Box<C>, anyhow::Result<()>)> {
            Box::pin(async move { (c, Ok(())) })
        }
        fn noop<C: Send + Sync + 'static>(_: Arc<C>) -> HookFuture<anyhow::Result<()>> {
            Box::pin(async { Ok(()) })
        }
        Hooks { init: init::<C>, start: noop::<C>, stop: noop::<C>, timeout: |_| None }
    }
}

/// Picks [`Hooks::lifecycle`] when `C: Lifecycle` and [`Hooks::none`] otherwise, by autoref
/// specialization: generated code calls `(&HookProbe::<C>::new()).hooks()` on a concrete type.
pub struct HookProbe<C>(PhantomData<fn() -> C>);

impl<C> HookProbe<C> {
    /// A probe for `C`.
    #[allow(clippy::new_without_default, reason = "a marker only generated code builds")]
    pub const fn new() -> Self {
        HookProbe(PhantomData)
    }
}

/// Selected when the component implements [`Lifecycle`].
pub trait HooksViaLifecycle<C> {
    /// The component's hooks.
    fn hooks(&self) -> Hooks<C>;
}

impl<C: Lifecycle> HooksViaLifecycle<C> for HookProbe<C> {
    fn hooks(&self) -> Hooks<C> {
        Hooks::lifecycle()
    }
}

/// Selected when the component does not implement [`Lifecycle`].
pub trait HooksViaDefault<C> {
    /// No-op hooks.
    fn hooks(&self) -> Hooks<C>;
}

impl<C: Send + Sync + 'static> HooksViaDefault<C> for &HookProbe<C> {
    fn hooks(&self) -> Hooks<C> {
        Hooks::none()
    }
}

/// Selected when the component is not `Send + Sync`, which `#[component]` reports at compile
/// time: so that nothing else fails with it, the hooks fall back to this.
pub trait NoHooks<C> {
    /// Never called in a program that compiles.
    fn hooks(&mut self) -> Hooks<C> {
        unreachable!("a component that is not `Send + Sync` fails to compile")
    }
}

impl<C> NoHooks<C> for &HookProbe<C> {}

/// A constructed component whose type has been erased.
pub struct Erased(Box<dyn Uninit>);

impl fmt::Debug for Erased {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Erased").finish_non_exhaustive()
    }
}

/// Erases a constructed component. `provide` turns the shared component into its service.
pub fn erase<C: Send + Sync + 'static>(
    component: C,
    hooks: Hooks<C>,
    provide: Option<fn(Arc<C>) -> Service>,
) -> Erased {
    erase_with(component, hooks, Provide::from(provide))
}

/// Erases a constructed component that provides what `provide` says.
pub fn erase_with<C: Send + Sync + 'static>(
    component: C,
    hooks: Hooks<C>,
    provide: Provide<C>,
) -> Erased {
    Erased(Box::new(Typed { component: Box::new(component), hooks, provide }))
}

/// Erases a constructed component that provides several services: `provide` turns the one
/// shared instance into each of them, in the order of its `provides` list.
pub fn erase_many<C: Send + Sync + 'static>(
    component: C,
    hooks: Hooks<C>,
    provide: fn(Arc<C>) -> Vec<Service>,
) -> Erased {
    erase_with(component, hooks, Provide::Many(provide))
}

/// How a shared component becomes its services.
pub enum Provide<C> {
    /// It provides nothing.
    Nothing,
    /// It provides one service.
    One(fn(Arc<C>) -> Service),
    /// It provides several services, from the one instance.
    Many(fn(Arc<C>) -> Vec<Service>),
}

impl<C> From<Option<fn(Arc<C>) -> Service>> for Provide<C> {
    fn from(provide: Option<fn(Arc<C>) -> Service>) -> Self {
        match provide {
            Some(provide) => Provide::One(provide),
            None => Provide::Nothing,
        }
    }
}

impl<C> Clone for Provide<C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C> Copy for Provide<C> {}

impl Erased {
    /// The component's own time limit, if it overrides the platform's.
    pub(crate) fn timeout(&self) -> Option<Duration> {
        self.0.timeout()
    }

    /// Runs `init`, giving the component back with the hook's result.
    pub(crate) fn init(self) -> HookFuture<(Erased, anyhow::Result<()>)> {
        let fut = self.0.init();
        Box::pin(async move {
            let (inner, result) = fut.await;
            (Erased(inner), result)
        })
    }

    /// Shares the initialized component: its `start`/`stop` hooks and its service.
    pub(crate) fn share(self) -> Live {
        self.0.share()
    }
}

/// An initialized, shared component.
pub(crate) struct Live {
    pub(crate) start: Box<dyn Fn() -> HookFuture<anyhow::Result<()>> + Send + Sync>,
    pub(crate) stop: Box<dyn Fn() -> HookFuture<anyhow::Result<()>> + Send + Sync>,
    /// What the component provides, in the order of its `provides` list.
    pub(crate) services: Vec<Service>,
}

trait Uninit: Send {
    fn timeout(&self) -> Option<Duration>;
    fn init(self: Box<Self>) -> HookFuture<(Box<dyn Uninit>, anyhow::Result<()>)>;
    fn share(self: Box<Self>) -> Live;
}

struct Typed<C> {
    component: Box<C>,
    hooks: Hooks<C>,
    provide: Provide<C>,
}

impl<C: Send + Sync + 'static> Uninit for Typed<C> {
    fn timeout(&self) -> Option<Duration> {
        (self.hooks.timeout)(&self.component)
    }

    fn init(self: Box<Self>) -> HookFuture<(Box<dyn Uninit>, anyhow::Result<()>)> {
        let Typed { component, hooks, provide } = *self;
        let fut = (hooks.init)(component);
        Box::pin(async move {
            let (component, result) = fut.await;
            (Box::new(Typed { component, hooks, provide }) as Box<dyn Uninit>, result)
        })
    }

    fn share(self: Box<Self>) -> Live {
        let Typed { component, hooks, provide } = *self;
        let shared: Arc<C> = Arc::from(component);
        let services = match provide {
            Provide::Nothing => Vec::new(),
            Provide::One(provide) => vec![provide(shared.clone())],
            Provide::Many(provide) => provide(shared.clone()),
        };
        let (start, stop) = (hooks.start, hooks.stop);
        let for_start = shared.clone();
        Live {
            start: Box::new(move || start(for_start.clone())),
            stop: Box::new(move || stop(shared.clone())),
            services,
        }
    }
}
