//! What `#[component]` registers, and how the generated constructor injects services.

use std::sync::Arc;

use weft::__private::{Injector, Inputs, Service};
use weft::{InjectError, Registration, ServiceKey};

/// A required service.
pub trait Database: Send + Sync {
    /// Where the database is.
    fn url(&self) -> String;
}

/// A provided service.
pub trait Cache: Send + Sync {}

/// Requires one service, provides another.
#[weft::component(name = "store", provides = dyn Cache, requires = [dyn Database])]
pub struct Store {
    db: Arc<dyn Database>,
    hits: u64,
}

impl Store {
    /// Keeps the fields in use.
    pub fn describe(&self) -> String {
        format!("{} ({} hits)", self.db.url(), self.hits)
    }
}

impl Cache for Store {}

/// Provides itself.
#[weft::component(name = "settings", provides = Settings)]
#[derive(Default)]
pub struct Settings;

struct Postgres;

impl Database for Postgres {
    fn url(&self) -> String {
        "postgres://".to_owned()
    }
}

fn registration(name: &str) -> &'static Registration {
    weft::__private::inventory::iter::<Registration>
        .into_iter()
        .find(|registration| registration.name == name)
        .unwrap_or_else(|| panic!("`{name}` is not registered"))
}

#[test]
fn the_registration_describes_the_declaration() {
    let store = registration("store");
    assert_eq!(store.type_name, "Store");
    assert_eq!(store.module_path, "registration");
    assert!(store.file.ends_with("registration.rs"), "{}", store.file);
    assert_eq!(store.line, 18, "the line of the `#[component]` attribute");
    assert_eq!(store.provides, Some(ServiceKey::of::<dyn Cache>("")));
    assert_eq!(store.provides.map(|key| key.name()), Some("dyn Cache"));
    assert_eq!(store.requires, [ServiceKey::of::<dyn Database>("")]);
    assert_eq!(store.requires[0].name(), "dyn Database");

    let settings = registration("settings");
    assert_eq!(settings.provides, Some(ServiceKey::of::<Settings>("")));
    assert!(settings.requires.is_empty());
}

#[test]
fn the_constructor_asks_for_each_required_service() {
    let none = Inputs::default();
    let error = (registration("store").build)(&Injector::new("store", &none))
        .expect_err("`dyn Database` is missing");
    assert!(
        matches!(error, InjectError::Unavailable { component: "store", service: "dyn Database" }),
        "{error}"
    );

    let db: Arc<dyn Database> = Arc::new(Postgres);
    assert_eq!(db.url(), "postgres://");
    let services: Inputs = [Service::new(db)].into_iter().collect();
    assert!((registration("store").build)(&Injector::new("store", &services)).is_ok());
}
