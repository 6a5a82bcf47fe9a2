//! Collections: components declared `provides = one_of(T)` contribute to `T`; a consumer
//! declared `requires = [all_of(T)]` gets every member in component name order, each
//! initialized before it; an empty collection is valid; a second plain provider stays an error.

#![allow(missing_docs, reason = "test fixtures")]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use weft::prelude::*;

pub trait Plugin: Send + Sync {
    fn name(&self) -> &'static str;
    fn initialized(&self) -> bool {
        true
    }
}

macro_rules! plugin {
    ($ty:ident, $name:literal) => {
        #[component(name = $name, provides = one_of(dyn Plugin), local)]
        #[derive(Default)]
        pub struct $ty {
            initialized: AtomicBool,
        }

        impl Plugin for $ty {
            fn name(&self) -> &'static str {
                $name
            }

            fn initialized(&self) -> bool {
                self.initialized.load(Ordering::SeqCst)
            }
        }

        impl Lifecycle for $ty {
            async fn init(&mut self) -> anyhow::Result<()> {
                // Yield first: had the host not waited, it would see this member uninitialized.
                tokio::task::yield_now().await;
                self.initialized.store(true, Ordering::SeqCst);
                Ok(())
            }
        }
    };
}

plugin!(Zeta, "zeta");
plugin!(Alpha, "alpha");
plugin!(Mid, "mid");

pub trait Plugins: Send + Sync {
    fn names(&self) -> Vec<&'static str>;
    /// Whether every member was initialized when the host's `init` ran.
    fn all_initialized_first(&self) -> bool;
}

#[component(name = "host", provides = dyn Plugins, requires = [all_of(dyn Plugin)], local)]
pub struct Host {
    plugins: Vec<Arc<dyn Plugin>>,
    all_initialized: bool,
}

impl Plugins for Host {
    fn names(&self) -> Vec<&'static str> {
        self.plugins.iter().map(|plugin| plugin.name()).collect()
    }

    fn all_initialized_first(&self) -> bool {
        self.all_initialized
    }
}

impl Lifecycle for Host {
    async fn init(&mut self) -> anyhow::Result<()> {
        self.all_initialized = self.plugins.iter().all(|plugin| plugin.initialized());
        Ok(())
    }
}

#[tokio::test]
async fn every_member_in_name_order_each_initialized_first() {
    let builder =
        weft::Builder::empty().with::<Zeta>().with::<Host>().with::<Mid>().with::<Alpha>();
    let platform = builder.boot().await.unwrap();
    let host = platform.get::<dyn Plugins>().unwrap();
    assert_eq!(host.names(), ["alpha", "mid", "zeta"]);
    assert!(host.all_initialized_first());
    assert_eq!(platform.graph().dependencies("host").unwrap(), ["alpha", "mid", "zeta"]);
    let json = platform.graph().to_json();
    assert!(json.contains("\"role\": \"all_of\""), "{json}");
    platform.stop().await.unwrap();
}

#[tokio::test]
async fn an_empty_collection_is_valid() {
    let platform = weft::Builder::empty().with::<Host>().boot().await.unwrap();
    assert!(platform.get::<dyn Plugins>().unwrap().names().is_empty());
    platform.stop().await.unwrap();
}

#[tokio::test]
async fn only_brings_every_member() {
    let builder = weft::Builder::empty().with::<Zeta>().with::<Host>().with::<Alpha>();
    let platform = builder.only(["host"]).boot().await.unwrap();
    assert_eq!(platform.get::<dyn Plugins>().unwrap().names(), ["alpha", "zeta"]);
    platform.stop().await.unwrap();
}

#[tokio::test]
async fn without_leaves_a_member_out() {
    let builder = weft::Builder::empty().with::<Zeta>().with::<Host>().with::<Alpha>();
    let platform = builder.without(["zeta"]).boot().await.unwrap();
    assert_eq!(platform.get::<dyn Plugins>().unwrap().names(), ["alpha"]);
    platform.stop().await.unwrap();
}

#[component(name = "plain-plugin", provides = dyn Plugin, local)]
#[derive(Default)]
pub struct Plain;

impl Plugin for Plain {
    fn name(&self) -> &'static str {
        "plain"
    }
}

#[component(name = "other-plain-plugin", provides = dyn Plugin, local)]
#[derive(Default)]
pub struct OtherPlain;

impl Plugin for OtherPlain {
    fn name(&self) -> &'static str {
        "other"
    }
}

#[test]
fn a_second_plain_provider_is_still_a_duplicate() {
    let error = weft::Builder::empty().with::<Plain>().with::<OtherPlain>().resolve().unwrap_err();
    assert!(matches!(&error.problems[..], [weft::Problem::DuplicateProvider { .. }]), "{error}");
}

#[test]
fn a_plain_provider_among_members_is_refused() {
    let error = weft::Builder::empty().with::<Plain>().with::<Alpha>().resolve().unwrap_err();
    assert!(matches!(&error.problems[..], [weft::Problem::MixedProviders { .. }]), "{error}");
    assert!(error.to_string().contains("`provides = one_of(dyn Plugin)`"), "{error}");
}

#[tokio::test]
async fn a_lone_plain_provider_is_a_collection_of_one() {
    let platform = weft::Builder::empty().with::<Plain>().with::<Host>().boot().await.unwrap();
    assert_eq!(platform.get::<dyn Plugins>().unwrap().names(), ["plain"]);
    platform.stop().await.unwrap();
}

#[component(name = "one-plugin-user", requires = [optional(dyn Plugin)], local)]
pub struct OnePluginUser {
    #[allow(dead_code, reason = "the graph check refuses this component before it is built")]
    plugin: Option<Arc<dyn Plugin>>,
}

#[test]
fn a_collection_required_as_one_service_is_refused() {
    let error =
        weft::Builder::empty().with::<Alpha>().with::<OnePluginUser>().resolve().unwrap_err();
    assert!(
        matches!(
            &error.problems[..],
            [weft::Problem::CollectionRequiredAsOne { required_by: "one-plugin-user", .. }]
        ),
        "{error}"
    );
    assert!(error.to_string().contains("require `all_of(dyn Plugin)`"), "{error}");
}
