//! The smallest weft application.
//!
//! Two components live here (`clock`, and `uptime` which requires it); two more (`greeter` and
//! `welcome`) live in the `hello-greeter` crate, which this binary names only in
//! `weft::platform!`. Run it with `cargo run -p hello`: each component prints its lifecycle, a
//! dependency always before its dependents, then the platform runs until Ctrl-C and stops them in
//! reverse order.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use weft::introspect::Flags;
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

const USAGE: &str = "usage: hello [--once] [--graph dot|mermaid|json] [--check]

  --once                    stop right after boot instead of waiting for Ctrl-C";

#[tokio::main]
async fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    // `--graph` and `--check` inspect the wiring without constructing any component.
    let introspection = Flags::take(&mut args);
    let once = match args.as_slice() {
        [] => false,
        [flag] if flag == "--once" => true,
        _ => {
            eprintln!("error: unexpected arguments {args:?}\n\n{USAGE}\n{}", Flags::USAGE);
            return ExitCode::from(2);
        }
    };
    let builder = platform::builder().only_from_env("WEFT_COMPONENTS");
    if let Some(code) = introspection.run(&builder) {
        return code;
    }
    match run(builder, once).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(builder: Builder, once: bool) -> anyhow::Result<()> {
    let platform = builder.boot().await?;
    println!("{}", platform.report());
    let report = if once {
        platform.stop().await?
    } else {
        println!("running {} components; press Ctrl-C to stop", platform.states().len());
        platform.run_until_shutdown().await?
    };
    println!("stopped: {report}");
    Ok(())
}
