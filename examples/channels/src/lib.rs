//! A Twake-style channels service built from weft components.
//!
//! A request follows Twake's backend journey: a web controller ([`web`]) validates it and
//! extracts its parameters, the channels service ([`service`]) does the work against the
//! database, and the entities ([`channels_api::entities`]) define the data. Every part is a weft
//! component:
//!
//! | component  | provides              | requires                        | crate |
//! |------------|-----------------------|---------------------------------|-------|
//! | `config`   | `dyn Config`          |                                 | `channels` |
//! | `database` | `dyn Database`        | `dyn Config`                    | `channels-db` |
//! | `realtime` | `dyn EventBus`        |                                 | `channels` |
//! | `channels` | `dyn ChannelService`  | `dyn Database`, `dyn EventBus`  | `channels` |
//! | `webhooks` |                       | `dyn Config`, `dyn EventBus`    | `channels-webhooks` |
//! | `web`      | `dyn HttpEndpoint`    | `dyn Config`, `dyn ChannelService`, `dyn EventBus` | `channels` |
//!
//! Nothing requires `webhooks`: it subscribes to the realtime bus, so the platform can be booted
//! without it.

pub mod config;
pub mod realtime;
pub mod service;
pub mod web;

pub use config::EnvConfig;
pub use realtime::Realtime;
pub use service::Channels;
pub use web::{HttpEndpoint, Web};
