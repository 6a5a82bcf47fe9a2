//! Several services, each in its own field, however `Arc` is spelled; generic service traits and
//! concrete service types too.

use std::sync::Arc;

use weft::component;

pub trait Database: Send + Sync {}
pub trait Cache: Send + Sync {}
pub trait Repository<T>: Send + Sync {}
pub struct User;

#[component(name = "settings", provides = Settings)]
#[derive(Default)]
pub struct Settings;

#[component(
    name = "users",
    provides = dyn Repository<User>,
    requires = [dyn Database, dyn Cache, Settings, dyn Repository<Vec<User>>],
)]
pub struct Users {
    db: Arc<dyn Database>,
    cache: std::sync::Arc<dyn Cache>,
    settings: ::std::sync::Arc<Settings>,
    archive: Arc<dyn Repository<Vec<User>>>,
    hits: std::sync::atomic::AtomicU64,
}

impl Repository<User> for Users {}

fn main() {
    let users = weft::__private::inventory::iter::<weft::Registration>
        .into_iter()
        .find(|r| r.name == "users")
        .expect("`users` is registered");
    let required: Vec<&str> = users.requires.iter().map(|key| key.name()).collect();
    assert_eq!(
        required,
        ["dyn Database", "dyn Cache", "Settings", "dyn Repository<Vec<User>>"]
    );
    assert_eq!(users.provides.map(|key| key.name()), Some("dyn Repository<User>"));
}
