//! `cargo run -p channels`: boots the channels platform, prints the boot report and the address,
//! and serves until Ctrl-C (a second Ctrl-C exits at once).
//!
//! ```text
//! channels [--components web,channels,...] [--graph dot|mermaid|json] [--check]
//! ```
//!
//! `--components` (or `WEFT_COMPONENTS`) boots the named components and what they require, e.g.
//! `--components web` runs everything but webhooks. Settings come from `CHANNELS_*` variables
//! and the TOML file named by `CHANNELS_CONFIG`; see the `config` module. `--graph` prints the
//! component graph and `--check` validates it and the settings (exit status 1 on problems);
//! neither constructs a component.

use std::process::ExitCode;

use channels::HttpEndpoint;
use tracing_subscriber::EnvFilter;

/// The environment variable that selects components, like `--components`.
const COMPONENTS_VAR: &str = "WEFT_COMPONENTS";

const USAGE: &str = "usage: channels [--components NAME,NAME,...] [--graph FORMAT] [--check]

Boots the channels service. Components: config, database, realtime, channels, webhooks, web.
Settings: CHANNELS_CONFIG (TOML file), CHANNELS_DATA_DIR, CHANNELS_BIND, CHANNELS_WEBHOOK_URLS,
CHANNELS_WEBHOOK_TIMEOUT_MS, CHANNELS_WEBHOOK_RETRIES, CHANNELS_MAX_BODY_BYTES, CHANNELS_SYNC,
CHANNELS_SHUTDOWN_GRACE_MS, CHANNELS_HEADER_TIMEOUT_MS, CHANNELS_BODY_TIMEOUT_MS,
CHANNELS_MAX_CONNECTIONS. WEFT_COMPONENTS works like --components.";

/// What the command line asks for.
enum Command {
    Run { components: Option<Vec<String>> },
    Help,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Command, String> {
    let mut components = None;
    while let Some(arg) = args.next() {
        let list = match arg.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--components" => args.next().ok_or("`--components` needs a list of names")?,
            other => match other.strip_prefix("--components=") {
                Some(list) => list.to_owned(),
                None => return Err(format!("unknown argument `{other}`")),
            },
        };
        let names: Vec<String> = list
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
            .collect();
        if names.is_empty() {
            return Err("`--components` needs at least one name".into());
        }
        components = Some(names);
    }
    Ok(Command::Run { components })
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    // `--graph` and `--check` look at the wiring without constructing any component.
    let introspection = weft::introspect::Flags::take(&mut args);
    let components = match parse(args.into_iter()) {
        Ok(Command::Run { components }) => components,
        Ok(Command::Help) => {
            println!("{USAGE}\n{}", weft::introspect::Flags::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            eprintln!("error: {error}\n\n{USAGE}\n{}", weft::introspect::Flags::USAGE);
            return ExitCode::from(2);
        }
    };
    let mut builder = channels::platform::builder()
        .only_from_env(COMPONENTS_VAR)
        .config(channels::config::sources());
    if let Some(names) = components {
        builder = builder.only(names);
    }
    if let Some(code) = introspection.run(&builder) {
        return code;
    }
    match run(builder).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(builder: weft::Builder) -> anyhow::Result<()> {
    let platform = builder.boot().await?;
    // Calling `run_until_shutdown` installs the SIGINT/SIGTERM handlers, so a signal sent as
    // soon as the address is announced still stops the platform gracefully.
    let shutdown = platform.run_until_shutdown();
    println!("{}", platform.report());
    match platform.get::<dyn HttpEndpoint>().and_then(|web| web.local_addr()) {
        Some(addr) => println!("listening on http://{addr} (Ctrl-C to stop)"),
        None => println!("running without the `web` component (Ctrl-C to stop)"),
    }
    match shutdown.await {
        Ok(report) => {
            println!("{report}");
            Ok(())
        }
        Err(weft::ShutdownError::TaskFailed { tasks, report }) => {
            // A supervised task died while serving: the error names each one (component and
            // task), and `main` exits with status 1.
            println!("{report}");
            let tasks: Vec<String> = tasks.iter().map(ToString::to_string).collect();
            anyhow::bail!("a supervised task failed, so the platform stopped: {}", tasks.join("; "))
        }
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use weft::Supervisor;
    use weft::prelude::*;

    /// A test-only component whose task `watchdog` fails once the platform has booted.
    #[component(name = "fails-after-boot")]
    #[derive(Default)]
    struct FailsAfterBoot;

    impl Lifecycle for FailsAfterBoot {
        async fn start(&self) -> anyhow::Result<()> {
            let supervisor = Supervisor::current()?;
            let watched = supervisor.clone();
            supervisor.spawn("watchdog", async move {
                // Every component has started; give `boot` time to return.
                while !watched.health().ready {
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                }
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                anyhow::bail!("lost the lease it watches")
            })?;
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_task_failing_after_boot_fails_the_run_naming_component_and_task() {
        let builder = channels::platform::builder().only(["fails-after-boot"]);
        let run = tokio::time::timeout(std::time::Duration::from_secs(10), run(builder));
        let error = run.await.expect("the run ends").expect_err("the failed task fails the run");
        let message = format!("{error:#}");
        assert!(message.starts_with("a supervised task failed"), "{message}");
        assert!(message.contains("task `watchdog` of component `fails-after-boot`"), "{message}");
        assert!(message.contains("lost the lease it watches"), "{message}");
    }

    fn args(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>().into_iter()
    }

    #[test]
    fn parses_components() {
        let Ok(Command::Run { components }) = parse(args(&["--components", "web, channels"]))
        else {
            panic!("a valid command line")
        };
        assert_eq!(components, Some(vec!["web".to_owned(), "channels".to_owned()]));
        assert!(matches!(parse(args(&["--components=web"])), Ok(Command::Run { .. })));
        assert!(matches!(parse(args(&[])), Ok(Command::Run { components: None })));
        assert!(matches!(parse(args(&["--help"])), Ok(Command::Help)));
        assert!(parse(args(&["--components"])).is_err());
        assert!(parse(args(&["--components", " , "])).is_err());
        assert!(parse(args(&["--verbose"])).is_err());
    }
}
