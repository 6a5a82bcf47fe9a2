//! `config(T)` takes a configuration section: a type that implements `weft::config::Section`.

use std::sync::Arc;
use weft::component;

#[derive(serde::Deserialize)]
pub struct ApiSettings {
    pub port: u16,
}

#[component(name = "api", requires = [config(ApiSettings)])]
pub struct Api {
    settings: Arc<ApiSettings>,
}

fn main() {}
