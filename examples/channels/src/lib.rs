//! A Twake-style channels service built from weft components.
//!
//! A request follows Twake's backend journey: a web controller ([`web`]) validates it and
//! extracts its parameters, the channels service ([`service`]) does the work against the
//! database, and the entities ([`channels_api::entities`]) define the data. Every part is a weft
//! component:
//!
//! | component  | provides              | requires                        | crate |
//! |------------|-----------------------|---------------------------------|-------|
//! | `config`   | `dyn Config`          | `config(Settings)`              | `channels` |
//! | `database` | `dyn Database`        | `dyn Config`                    | `channels-db` |
//! | `realtime` | `dyn EventBus`        | `dyn Database`                  | `channels` |
//! | `channels` | `dyn ChannelService`  | `dyn Database`                  | `channels` |
//! | `webhooks` |                       | `dyn Config`, `dyn EventBus`    | `channels-webhooks` |
//! | `web`      | `dyn HttpEndpoint`    | `dyn Config`, `dyn ChannelService`, `dyn EventBus` | `channels` |
//!
//! Boot it with [`platform::boot`], or choose components and replace services with
//! [`platform::builder`]:
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! use std::sync::Arc;
//! use channels_api::{Config, Settings};
//!
//! let settings = Settings { bind: "127.0.0.1:0".parse()?, ..Settings::default() };
//! let platform = channels::platform::builder()
//!     .only(["web"]) // and what it requires: everything but `webhooks`
//!     .replace::<dyn Config>(Arc::new(settings))
//!     .boot()
//!     .await?;
//! let addr = platform.get::<dyn channels::HttpEndpoint>().and_then(|web| web.local_addr());
//! println!("listening on {addr:?}");
//! platform.stop().await?;
//! # Ok(()) }
//! ```
//!
//! Every write stores its event in the database's outbox in the same transaction; the `realtime`
//! component's relay publishes the outbox, in commit order, on the bus (see [`realtime`]).
//! Nothing requires `webhooks`: it subscribes to the realtime bus, so the platform can be booted
//! without it.

#![forbid(unsafe_code)]

// Links the component crates that nothing here names in code; generates `platform::builder()`
// and `platform::boot()`.
weft::platform!(channels_db, channels_webhooks);

pub mod config;
pub mod realtime;
pub mod service;
pub mod web;

pub use config::SettingsConfig;
pub use realtime::Realtime;
pub use service::Channels;
pub use web::{HttpEndpoint, Web};
