//! Procedural macros for weft: [`#[component]`](macro@component) and [`platform!`].
//!
//! Use them through the `weft` crate (`weft::component`, `weft::platform!`); the code they
//! generate refers to `::weft` (or to the path given with `crate = ...`).

mod ast;
mod attr;
mod check;
mod errors;
mod expand;
mod lifecycle;
mod names;
mod platform;

use proc_macro::TokenStream;

/// Declares a platform component: a struct that the platform constructs, injects and runs
/// through its lifecycle.
///
/// ```
/// use std::sync::Arc;
/// use weft::prelude::*;
///
/// pub trait Database: Send + Sync {
///     fn query(&self, sql: &str) -> Vec<String>;
/// }
///
/// pub trait ChannelService: Send + Sync {
///     fn channels(&self) -> Vec<String>;
/// }
///
/// #[component(name = "database", provides = dyn Database)]
/// #[derive(Default)]
/// pub struct Sqlite;
///
/// impl Database for Sqlite {
///     fn query(&self, _sql: &str) -> Vec<String> {
///         vec!["general".to_owned()]
///     }
/// }
///
/// #[component(name = "channels", provides = dyn ChannelService, requires = [dyn Database])]
/// pub struct Channels {
///     db: Arc<dyn Database>,        // injected: `dyn Database` is in `requires`
///     cache: Vec<String>,           // any other field is built with `Default`
/// }
///
/// impl ChannelService for Channels {
///     fn channels(&self) -> Vec<String> {
///         self.cache.clone()
///     }
/// }
///
/// impl Lifecycle for Channels {     // optional: without it the hooks do nothing
///     async fn init(&mut self) -> anyhow::Result<()> {
///         self.cache = self.db.query("select name from channels");
///         Ok(())
///     }
/// }
/// ```
///
/// # Arguments
///
/// - `name = "..."` (required): the component's unique name, made of lowercase letters, digits,
///   `_` and `-`.
/// - `provides = Type` (optional): the service the component offers to others, either
///   `dyn Trait` (the struct must implement every trait in it) or the struct's own type.
/// - `requires = [Type, ...]` (optional): the services the component uses. Each one is injected
///   into the one field of type `Arc<Type>`.
/// - `crate = path` (optional): where weft is, for crates that re-export it.
/// - `local` (optional): the component joins no platform by itself; a test adds it with
///   `Builder::with::<Type>()` (see `weft::testing`), so that it stays out of the other tests'
///   platforms.
///
/// # Beyond one provider per service
///
/// | you write | it means | the field |
/// |---|---|---|
/// | `requires = [optional(T)]` | injected when a component provides `T` (and initialized first), `None` otherwise | `Option<Arc<T>>` |
/// | `requires = [all_of(T)]` | every component that provides `one_of(T)`, in component name order, each initialized first; possibly none | `Vec<Arc<T>>` |
/// | `requires = [config(T)]` | the configuration section `T` (`weft::config::Section`), loaded and checked before any hook | `Arc<T>` |
/// | `provides = one_of(T)` | this component is one member of the collection `T`; a second plain `provides = T` stays an error | |
/// | `provides = [A, B]` | one instance, shared behind each service (entries may be `one_of(...)`) | |
/// | `provides = wraps(T)` | a decorator: it receives the `T` below it and serves its own in its place | `Arc<T>` (the wrapped one) |
///
/// Decorators of one service compose in component name order: the first by name wraps the
/// provider, each next one wraps the one before, and consumers (and `Platform::get`) get the
/// last. A collection consumer also accepts a single plain provider, as a collection of one.
///
/// ```
/// use std::sync::Arc;
/// use weft::prelude::*;
///
/// pub trait Metrics: Send + Sync {}
/// pub trait HealthCheck: Send + Sync {}
/// pub trait Store: Send + Sync {}
///
/// #[component(name = "store", provides = [dyn Store, one_of(dyn HealthCheck)])]
/// #[derive(Default)]
/// pub struct Memory;
/// impl Store for Memory {}
/// impl HealthCheck for Memory {}
///
/// #[component(name = "cache", provides = wraps(dyn Store), requires = [optional(dyn Metrics)])]
/// pub struct Cache {
///     inner: Arc<dyn Store>,              // the store it wraps
///     metrics: Option<Arc<dyn Metrics>>,  // no component provides it: `None`
/// }
/// impl Store for Cache {}
///
/// #[component(name = "health", requires = [all_of(dyn HealthCheck), dyn Store])]
/// pub struct Health {
///     checks: Vec<Arc<dyn HealthCheck>>,  // `store`'s
///     store: Arc<dyn Store>,              // `cache`, wrapping `store`
/// }
/// ```
///
/// Types are matched by identity, not by spelling: `requires = [dyn crate::db::Database]`
/// pairs with a field `Arc<dyn Database>`, a field whose type is an alias of it
/// (`type DbRef = Arc<dyn Database>`), or one written with a renamed `Arc`; `+ 'static` and
/// the paths of generic arguments do not matter either. The compiler decides, through checks the
/// macro generates.
///
/// The struct may have named fields, tuple fields or none. A component that requires nothing
/// and implements [`Default`] (derived or its own) is built with it; otherwise the fields that
/// are not injected are built with [`Default`] one by one. A component cannot be generic or
/// borrow, and must be `Send + Sync`.
///
/// Nothing compiles and then silently does something else. These are compile errors, at the
/// tokens at fault and all reported at once:
///
/// - a missing or invalid `name`, an unknown or repeated key;
/// - a `requires` entry without a field, or with two, or listed twice (under any spelling); a
///   field that is neither injected nor `Default`;
/// - requiring the service the component provides;
/// - a `provides` the struct does not implement; a service trait without `Send + Sync`;
/// - `dyn Trait + Send + Sync` in `provides`, `requires` or a field: it is another type than
///   `dyn Trait`, so put `Send + Sync` on the trait instead ([`Platform::get`] accepts both);
/// - a field of type `Option<Arc<T>>`, which would stay `None` (optional dependencies are not
///   supported yet);
/// - a component that requires services and has a `Default` of its own (which could not run:
///   such a component is built field by field);
/// - `init`, `start` or `stop` written as inherent methods of a component that does not
///   implement [`Lifecycle`], which would never run;
/// - generics, and the attribute on anything but a struct.
///
/// [`Platform::get`]: ../weft/struct.Platform.html#method.get
/// [`Lifecycle`]: ../weft/trait.Lifecycle.html
///
/// # What it expands to
///
/// The struct is kept as written. Beside it, the macro registers the component with
/// `inventory`. For `Channels` above, that is equivalent to this hand-written code (which uses
/// weft's hidden, unstable `__private` items):
///
/// ```
/// # use std::sync::Arc;
/// # pub trait Database: Send + Sync {}
/// # pub trait ChannelService: Send + Sync {}
/// pub struct Channels {
///     db: Arc<dyn Database>,
///     cache: Vec<String>,
/// }
/// # impl ChannelService for Channels {}
///
/// const _: () = {
///     use weft::__private as __weft_p;
///
///     fn __weft_build(
///         injector: &__weft_p::Injector<'_>,
///     ) -> Result<__weft_p::Erased, __weft_p::InjectError> {
///         let component = Channels {
///             db: injector.get::<dyn Database>("dyn Database")?,
///             cache: Default::default(),
///         };
///         // `Hooks::lifecycle()` when `Channels: Lifecycle`, no-op hooks otherwise.
///         let hooks = {
///             use __weft_p::{HooksViaDefault as _, HooksViaLifecycle as _};
///             (&__weft_p::HookProbe::<Channels>::new()).hooks()
///         };
///         fn provide(component: Arc<Channels>) -> __weft_p::Service {
///             __weft_p::Service::new::<dyn ChannelService>(component)
///         }
///         Ok(__weft_p::erase(component, hooks, Some(provide)))
///     }
///
///     __weft_p::inventory::submit! {
///         __weft_p::Registration {
///             name: "channels",
///             type_name: "Channels",
///             module_path: module_path!(),
///             file: file!(),
///             line: line!(),
///             provides: Some(__weft_p::ServiceKey::of::<dyn ChannelService>("dyn ChannelService")),
///             requires: &[__weft_p::ServiceKey::of::<dyn Database>("dyn Database")],
///             build: __weft_build,
///         }
///     }
/// };
/// ```
///
/// It also implements `weft::Declared` for the struct (the same registration, for
/// `Builder::with`); with `local`, that is the only way to reach it.
///
/// The generated code differs only in what matters when the declaration is wrong, or spelled
/// differently. Beside the constructor it emits a function that is never called, whose
/// assertions the compiler checks: each required service is `Send + Sync` and stored in exactly
/// one field (comparing types, not tokens), the struct is `Send + Sync`, it implements each trait
/// of `provides`, and so on. Fields whose type is not spelled like an entry are injected when
/// the compiler finds them equal to `Arc<entry>`. The hooks, the erasure and `provide` go through
/// autoref probes, so that a failed check is the only error a mistake causes.
#[proc_macro_attribute]
pub fn component(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    match expand::component(attr.into(), item.clone()) {
        Ok(tokens) => tokens.into(),
        Err(error) => {
            let mut tokens = expand::item_on_error(item);
            tokens.extend(error.into_compile_error());
            tokens.into()
        }
    }
}

/// Generates `mod platform`, the application's entry to its components.
///
/// `weft::platform!()` generates:
///
/// ```text
/// pub mod platform {
///     pub fn builder() -> weft::Builder { weft::Builder::new() }
///     pub async fn boot() -> Result<weft::Platform, weft::BootError> { builder().boot().await }
/// }
/// ```
///
/// Every crate the application depends on is linked, so that the components of a crate that
/// nothing else names are registered too: depending on a component crate is enough. Crates may
/// still be listed by their crate name (`my_components` for the package `my-components`):
/// `weft::platform!(crate_a, crate_b)` reports a listed crate that is not a dependency.
/// `weft::platform!(crate = ::my_app::weft)` names weft through a re-export. It is also in
/// the prelude: `use weft::prelude::*; platform!();`.
///
/// ```no_run
/// use weft::prelude::*;
///
/// #[component(name = "greeter")]
/// struct Greeter;
///
/// weft::platform!();
///
/// #[tokio::main]
/// async fn main() -> anyhow::Result<()> {
///     let platform = platform::boot().await?;
///     platform.run_until_shutdown().await?;
///     Ok(())
/// }
/// ```
#[proc_macro]
pub fn platform(input: TokenStream) -> TokenStream {
    match platform::expand(input.into()) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.into_compile_error().into(),
    }
}

/// `#[async_trait]` for service traits and their impls, as in the `async-trait` crate, which it
/// forwards to (arguments included, e.g. `#[weft::async_trait(?Send)]`).
///
/// ```
/// #[weft::async_trait]
/// pub trait Database: Send + Sync {
///     async fn ping(&self) -> anyhow::Result<()>;
/// }
///
/// struct Sqlite;
///
/// #[weft::async_trait]
/// impl Database for Sqlite {
///     async fn ping(&self) -> anyhow::Result<()> {
///         Ok(())
///     }
/// }
/// ```
///
/// [`Lifecycle`](../weft/trait.Lifecycle.html) needs no such attribute: its hooks are plain
/// `async fn`s, and `#[weft::async_trait] impl Lifecycle for ...` is a compile error that says so.
#[proc_macro_attribute]
pub fn async_trait(attr: TokenStream, item: TokenStream) -> TokenStream {
    lifecycle::async_trait(attr.into(), item.into()).into()
}
