//! The smallest weft application: a few components, one of them in a crate of its own, that
//! boot, greet, run until Ctrl-C, and stop.
//!
//! ```text
//! hello [--once] [--graph dot|mermaid|json] [--check]
//! ```
//!
//! - `--once` stops right after boot instead of waiting for Ctrl-C.
//! - `--graph FORMAT` prints the component graph and exits; `--check` validates it and exits
//!   with status 1 on problems. Neither constructs a component.
//! - `WEFT_COMPONENTS=greeter` boots only the named components and what they require.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use hello_greeter::Greet;
use weft::introspect::Flags;
use weft::prelude::*;

weft::platform!(hello_greeter);

/// Tells the time.
pub trait Clock: Send + Sync {
    /// Seconds since the Unix epoch.
    fn now(&self) -> u64;
}

/// The system clock.
#[component(name = "clock", provides = dyn Clock)]
#[derive(Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs())
    }
}

/// The application: greets the world when it starts, and says goodbye when it stops.
#[component(name = "app", requires = [dyn Greet, dyn Clock])]
pub struct App {
    greeter: Arc<dyn Greet>,
    clock: Arc<dyn Clock>,
}

impl Lifecycle for App {
    async fn init(&mut self) -> anyhow::Result<()> {
        // Something to measure in the boot report.
        tokio::time::sleep(Duration::from_millis(5)).await;
        Ok(())
    }

    async fn start(&self) -> anyhow::Result<()> {
        println!("{} (at {})", self.greeter.greet("world"), self.clock.now());
        Ok(())
    }

    async fn stop(&self) -> anyhow::Result<()> {
        println!("goodbye");
        Ok(())
    }
}

const USAGE: &str = "usage: hello [--once] [--graph dot|mermaid|json] [--check]

  --once                    stop right after boot";

#[tokio::main]
async fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
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
        println!("running (Ctrl-C to stop)");
        platform.run_until_shutdown().await?
    };
    println!("{report}");
    Ok(())
}
