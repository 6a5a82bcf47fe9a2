//! Every form of `requires` and `provides` beyond one plain service, with fields spelled
//! differently from their entries (paths, aliases): the compiler matches them.

use std::sync::Arc;
use weft::prelude::*;

pub trait Metrics: Send + Sync {}
pub trait Plugin: Send + Sync {}
pub trait Store: Send + Sync {}
pub trait Reader: Send + Sync {}

type Plugins = Vec<Arc<dyn Plugin>>;

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct WebSettings {
    pub port: u16,
}

impl weft::config::Section for WebSettings {
    const KEY: &'static str = "web";
}

#[component(
    name = "web",
    requires = [optional(dyn crate::Metrics), all_of(dyn Plugin), config(WebSettings), dyn Store]
)]
pub struct Web {
    metrics: Option<Arc<dyn Metrics>>,
    plugins: Plugins,
    settings: Arc<WebSettings>,
    store: Arc<dyn Store>,
    hits: std::sync::atomic::AtomicU64,
}

#[component(name = "plugin-a", provides = one_of(dyn Plugin), local)]
#[derive(Default)]
pub struct PluginA;
impl Plugin for PluginA {}

#[component(name = "store", provides = [dyn Store, one_of(dyn Plugin), dyn Reader])]
#[derive(Default)]
pub struct Memory;
impl Store for Memory {}
impl Plugin for Memory {}
impl Reader for Memory {}

#[component(name = "cache", provides = wraps(dyn Store), requires = [optional(dyn Metrics)])]
pub struct Cache {
    inner: Arc<dyn crate::Store>,
    metrics: Option<Arc<dyn Metrics>>,
}
impl Store for Cache {}

fn main() {
    use weft::Declared as _;
    let _ = (Web::registration(), <PluginA as weft::Declared>::registration());
}
