//! The smallest weft application.
//!
//! Two components live here (`clock`, and `uptime` which requires it); two more (`greeter` and
//! `welcome`) live in the `hello-greeter` crate, which this binary names only in
//! `weft::platform!`. Run it with `cargo run -p hello`: each component prints its lifecycle, a
//! dependency always before its dependents, then the platform runs until Ctrl-C and stops them in
//! reverse order.

use std::sync::Arc;
use std::time::{Duration, Instant};

use weft::prelude::*;

/// Tells how long the application has been running.
pub trait Clock: Send + Sync {
    /// The time since the clock was initialized.
    fn uptime(&self) -> Duration;
}

/// The `clock` component: provides [`Clock`].
#[component(name = "clock", provides = dyn Clock)]
#[derive(Default)]
pub struct MonotonicClock {
    started: Option<Instant>,
}

impl Clock for MonotonicClock {
    fn uptime(&self) -> Duration {
        self.started.map(|started| started.elapsed()).unwrap_or_default()
    }
}

impl Lifecycle for MonotonicClock {
    async fn init(&mut self) -> anyhow::Result<()> {
        self.started = Some(Instant::now());
        println!("init  clock");
        Ok(())
    }

    async fn start(&self) -> anyhow::Result<()> {
        println!("start clock");
        Ok(())
    }

    async fn stop(&self) -> anyhow::Result<()> {
        println!("stop  clock");
        Ok(())
    }
}

/// The `uptime` component: reports the uptime when the platform stops.
#[component(name = "uptime", requires = [dyn Clock])]
pub struct Uptime {
    clock: Arc<dyn Clock>,
}

impl Lifecycle for Uptime {
    async fn init(&mut self) -> anyhow::Result<()> {
        println!("init  uptime");
        Ok(())
    }

    async fn start(&self) -> anyhow::Result<()> {
        println!("start uptime");
        Ok(())
    }

    async fn stop(&self) -> anyhow::Result<()> {
        println!("stop  uptime: ran for {:.1?}", self.clock.uptime());
        Ok(())
    }
}

// `hello_greeter` holds components that nothing else in this binary refers to.
weft::platform!(hello_greeter);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let platform = platform::boot().await?;
    println!("running {} components; press Ctrl-C to stop", platform.states().len());
    let report = platform.run_until_shutdown().await?;
    println!("stopped: {report}");
    Ok(())
}
