//! The vocabulary shared by the components of the weft channels example.
//!
//! Twake's backend splits a request's journey into web controllers, services and entities. This
//! crate holds the parts every component agrees on:
//!
//! - [`entities`]: the data — [`Channel`], [`Message`] and the [`ChannelEvent`]s published about
//!   them;
//! - [`settings`]: the [`Settings`] every component reads through the [`Config`] service;
//! - [`text`]: the text policy of names, authors and messages;
//! - [`handoff`]: the events a database's writer hands to the realtime relay in memory;
//! - the service traits the components provide and require: [`Config`], [`Database`],
//!   [`EventBus`] and [`ChannelService`].
//!
//! Components live in other crates (`channels`, `channels-db`, `channels-webhooks`) and reach one
//! another only through these traits, so any of them can be replaced in a test.

#![forbid(unsafe_code)]

pub mod entities;
pub mod error;
pub mod handoff;
pub mod services;
pub mod settings;
pub mod text;

pub use entities::{
    Author, Channel, ChannelEvent, ChannelName, InvalidInput, Message, MessageText, NewMessage,
    Page, PageRequest, StoredEvent,
};
pub use error::{DbError, ServiceError};
pub use services::{ChannelService, Config, Database, EventBus};
pub use settings::{Settings, SyncMode};
