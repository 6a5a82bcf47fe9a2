//! Testing with weft: a platform of exactly the components and fakes one test names.
//!
//! A `#[component]` declared in a test file joins every platform built with
//! [`Builder::new`](crate::Builder::new) in that test binary. Declare test components `local`
//! instead: they join no platform but the ones that add them with
//! [`Builder::with`](crate::Builder::with). Serve fakes with
//! [`Builder::replace`](crate::Builder::replace), and configuration with
//! [`Sources::toml`](crate::config::Sources::toml).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> anyhow::Result<()> {
//! use std::sync::Arc;
//! use weft::prelude::*;
//!
//! pub trait Clock: Send + Sync {
//!     fn now(&self) -> u64;
//! }
//!
//! pub trait Greeting: Send + Sync {
//!     fn text(&self) -> String;
//! }
//!
//! #[component(name = "greeting", provides = dyn Greeting, requires = [dyn Clock], local)]
//! struct Hello {
//!     clock: Arc<dyn Clock>,
//! }
//!
//! impl Greeting for Hello {
//!     fn text(&self) -> String {
//!         format!("hello at {}", self.clock.now())
//!     }
//! }
//!
//! struct FixedClock;
//! impl Clock for FixedClock {
//!     fn now(&self) -> u64 {
//!         42
//!     }
//! }
//!
//! let platform = weft::testing::platform()
//!     .with::<Hello>()
//!     .replace::<dyn Clock>(Arc::new(FixedClock))
//!     .boot()
//!     .await?;
//! assert_eq!(platform.get::<dyn Greeting>().unwrap().text(), "hello at 42");
//! platform.stop().await?;
//! # Ok(()) }
//! ```

use crate::builder::Builder;

/// A builder with no component at all, not even those registered in the binary: add them with
/// [`Builder::with`], fakes with [`Builder::replace`].
///
/// ```
/// assert!(weft::testing::platform().resolve()?.is_empty());
/// # Ok::<(), weft::GraphError>(())
/// ```
pub fn platform() -> Builder {
    Builder::empty()
}
