//! The smallest weft application.
//!
//! Three components live here (`clock`; `uptime`, which requires it; and `uptime-server`, which
//! serves the uptime on a TCP socket from a supervised task); two more (`greeter` and `welcome`)
//! live in the `hello-greeter` crate, which this binary names only in `weft::platform!`. Run it
//! with `cargo run -p hello`: each component prints its lifecycle, a dependency always before
//! its dependents, every `init` before any `start`; then the platform runs until Ctrl-C and
//! stops them in reverse order. `nc 127.0.0.1 <port>` (the port is printed) reads the uptime.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
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

/// The `uptime-server` component: answers every TCP connection with the uptime.
///
/// The accept loop is a task tracked by the platform ([`weft::Supervisor`]): no
/// `Mutex<Option<JoinHandle>>`, no shutdown channel. When the platform stops this component, the
/// task's stop signal fires and the platform awaits the task before `stop` runs, and before
/// `clock` stops. If the loop fails (say the socket breaks), the platform shuts down and says
/// which component and which task failed.
#[component(name = "uptime-server", requires = [dyn Clock])]
pub struct UptimeServer {
    clock: Arc<dyn Clock>,
}

impl Lifecycle for UptimeServer {
    async fn init(&mut self) -> anyhow::Result<()> {
        println!("init  uptime-server");
        Ok(())
    }

    async fn start(&self) -> anyhow::Result<()> {
        // A port that is taken fails the boot, which rolls back: nothing was served yet.
        let address = std::env::var("HELLO_ADDRESS").unwrap_or_else(|_| "127.0.0.1:0".into());
        let listener = tokio::net::TcpListener::bind(&address).await?;
        println!("start uptime-server: listening on {}", listener.local_addr()?);
        let supervisor = weft::Supervisor::current()?;
        let stop = supervisor.stop_token();
        let clock = self.clock.clone();
        // The listener and the clock move into the task; `&self` keeps no handle.
        supervisor.spawn("accept", async move {
            while let Some(accepted) = stop.run_until_cancelled(listener.accept()).await {
                let (mut socket, _) = accepted?;
                let line = format!("up for {:.1?}\n", clock.uptime());
                socket.write_all(line.as_bytes()).await?;
            }
            Ok(())
        })?;
        Ok(())
    }

    async fn stop(&self) -> anyhow::Result<()> {
        // The accept task has ended by now: the platform awaited it before this hook.
        println!("stop  uptime-server");
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
