//! Integration tests of the channels example: each boots the real platform (SQLite in a
//! temporary directory, the web server on port 0) and talks to it with reqwest over 127.0.0.1.

mod api;
mod bad_input;
mod binary;
mod common;
mod durability;
mod events;
mod generated;
mod limits;
mod shutdown;
mod slow_clients;
mod sse;
mod webhooks;
