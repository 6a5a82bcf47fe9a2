//! Two spellings of one type are one service: paths, aliases, `+ 'static`, generic arguments, a
//! renamed `Arc` and a renamed trait import all pair a `requires` entry with its field. The
//! platform boots, every field holds the provider's service, and `Platform::get` finds it
//! under each spelling, `dyn Trait + Send + Sync` included.
use std::sync::Arc;
use std::sync::Arc as Shared;

use weft::component;

pub mod api {
    pub trait Database: Send + Sync {
        fn url(&self) -> String;
    }
    pub trait Repo<T>: Send + Sync {
        fn kind(&self) -> &'static str;
    }
    pub struct User;
}

use api::{Database, Repo, User};
use api::Database as Db;

pub type DbRef = Arc<dyn Database>;

#[component(name = "database", provides = dyn crate::api::Database)]
pub struct Sqlite;

impl Database for Sqlite {
    fn url(&self) -> String {
        "sqlite://".to_owned()
    }
}

#[component(name = "users", provides = dyn Repo<User> + 'static)]
pub struct Users;

impl Repo<User> for Users {
    fn kind(&self) -> &'static str {
        "users"
    }
}

#[component(name = "by-path", provides = ByPath, requires = [dyn crate::api::Database])]
pub struct ByPath {
    db: Arc<dyn Database>,
}

#[component(name = "by-alias", provides = ByAlias, requires = [dyn Database])]
pub struct ByAlias {
    db: DbRef,
    hits: u32,
}

#[component(name = "by-static", provides = ByStatic, requires = [dyn Database + 'static])]
pub struct ByStatic {
    db: Arc<dyn Database>,
}

#[component(name = "by-generic", provides = ByGeneric, requires = [dyn Repo<crate::api::User>])]
pub struct ByGeneric {
    users: Arc<dyn Repo<User>>,
}

#[component(name = "by-renamed", provides = ByRenamed, requires = [dyn Db])]
pub struct ByRenamed {
    db: Shared<dyn Database>,
    next: Option<Box<Self>>,
}

weft::platform!();

#[tokio::main]
async fn main() {
    let platform = platform::boot().await.expect("boots");
    let by_path = platform.get::<ByPath>().expect("by-path");
    assert_eq!(by_path.db.url(), "sqlite://");
    let by_alias = platform.get::<ByAlias>().expect("by-alias");
    assert_eq!((by_alias.db.url(), by_alias.hits), ("sqlite://".to_owned(), 0));
    assert_eq!(platform.get::<ByStatic>().expect("by-static").db.url(), "sqlite://");
    assert_eq!(platform.get::<ByGeneric>().expect("by-generic").users.kind(), "users");
    let by_renamed = platform.get::<ByRenamed>().expect("by-renamed");
    assert_eq!(by_renamed.db.url(), "sqlite://");
    assert!(by_renamed.next.is_none());
    // `Platform::get` too: the same service, however it is written.
    assert!(platform.get::<dyn crate::api::Database>().is_some());
    assert!(platform.get::<dyn Db + 'static>().is_some());
    assert!(platform.get::<dyn Repo<crate::api::User>>().is_some());
    // `+ Send + Sync` finds the provider of the bare trait (on which the bounds are).
    assert_eq!(platform.get::<dyn Database + Send + Sync>().expect("+ Send + Sync").url(), "sqlite://");
    assert!(platform.get::<dyn Database + Send>().is_some());
    assert!(platform.get::<dyn Db + Sync>().is_some());
    platform.stop().await.expect("stops");
}
