//! The channels example scaled out: PostgreSQL instead of SQLite, NATS instead of the
//! in-process bus, several replicas and a separate webhooks worker, each a real process. Every
//! test starts its own PostgreSQL and NATS servers on 127.0.0.1, on free ports, in temporary
//! directories (see `support/servers.rs`), and removes them when it ends.

#[path = "../support/servers.rs"]
mod servers;

// The API suite of `tests/integration`, run again with the PostgreSQL backend (the tests that
// boot one platform; those that restart one on the same data stay with SQLite).
#[path = "../integration/api.rs"]
mod api;
#[path = "../integration/bad_input.rs"]
mod bad_input;
#[allow(dead_code, reason = "the shared helpers serve several suites")]
#[path = "../integration/common.rs"]
mod base;
mod common;
#[path = "../integration/events.rs"]
mod events;
#[path = "../integration/webhooks.rs"]
mod integration_webhooks;
#[path = "../integration/sse.rs"]
mod sse;

mod cluster;
mod harness;
mod misconfigured;
mod outage;
mod replicas;
mod webhooks;
