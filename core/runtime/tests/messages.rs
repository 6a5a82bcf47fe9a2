//! Every runtime error as a user reads it: the full rendered message, with the components and
//! services as written, file:line, cycle paths and a hint how to fix it.

use std::time::Duration;

use weft::__private::{Erased, Hooks, InjectError, Injector, erase};
use weft::{BootError, Builder, Lifecycle, Registration, ServiceKey};

const DB: ServiceKey = ServiceKey::named("dyn Database");
const CACHE: ServiceKey = ServiceKey::named("dyn Cache");
const WEB: ServiceKey = ServiceKey::named("dyn Web");

// Faults, chosen per registration through const generics so that tests running in parallel
// share no state. PHASE: 0 none, 1 init, 2 start, 3 stop. FAULT: 0 error, 1 panic, 2 hang.
struct Faulty {
    phase: u8,
    fault: u8,
}

impl Faulty {
    async fn hook(&self, phase: u8) -> anyhow::Result<()> {
        if self.phase != phase {
            return Ok(());
        }
        match self.fault {
            0 => Err(anyhow::anyhow!("disk on fire").context("cannot open `/var/db`")),
            1 => panic!("port 80 is taken"),
            _ => std::future::pending().await,
        }
    }
}

impl Lifecycle for Faulty {
    async fn init(&mut self) -> anyhow::Result<()> {
        self.hook(1).await
    }
    async fn start(&self) -> anyhow::Result<()> {
        self.hook(2).await
    }
    async fn stop(&self) -> anyhow::Result<()> {
        self.hook(3).await
    }
}

fn build<const PHASE: u8, const FAULT: u8>(_: &Injector<'_>) -> Result<Erased, InjectError> {
    Ok(erase(Faulty { phase: PHASE, fault: FAULT }, Hooks::lifecycle(), None))
}

type Build = fn(&Injector<'_>) -> Result<Erased, InjectError>;

fn component(
    name: &'static str,
    type_name: &'static str,
    file: &'static str,
    line: u32,
    provides: Option<ServiceKey>,
    requires: &'static [ServiceKey],
    build: Build,
) -> &'static Registration {
    Box::leak(Box::new(Registration {
        name,
        type_name,
        module_path: "app",
        file,
        line,
        provides,
        requires,
        build,
    }))
}

fn plain(
    name: &'static str,
    provides: Option<ServiceKey>,
    requires: &'static [ServiceKey],
) -> &'static Registration {
    component(name, "Plain", "src/lib.rs", 1, provides, requires, build::<0, 0>)
}

fn graph_message(builder: Builder) -> String {
    builder.validate().expect_err("the graph has problems").to_string()
}

#[test]
fn missing_provider() {
    let app = component("app", "App", "src/app.rs", 10, None, &[DB], build::<0, 0>);
    assert_eq!(
        graph_message(Builder::empty().register(app)),
        "the component graph has 1 problem:\n  \
         - missing provider: `app` (src/app.rs:10) requires `dyn Database`, which no component \
         provides; declare a component with `provides = dyn Database`, or name the crate that \
         declares one in `weft::platform!(...)` so that it is linked"
    );
}

#[test]
fn duplicate_name() {
    let sqlite = component("db", "Sqlite", "src/sqlite.rs", 3, None, &[], build::<0, 0>);
    let postgres = component("db", "Postgres", "src/postgres.rs", 5, None, &[], build::<0, 0>);
    assert_eq!(
        graph_message(Builder::empty().register(sqlite).register(postgres)),
        "the component graph has 1 problem:\n  \
         - duplicate component name `db`: declared by `Postgres` at src/postgres.rs:5 and \
         `Sqlite` at src/sqlite.rs:3; give each component a unique `name`"
    );
}

#[test]
fn duplicate_provider() {
    let sqlite = component("sqlite", "Sqlite", "src/sqlite.rs", 3, Some(DB), &[], build::<0, 0>);
    let postgres =
        component("postgres", "Postgres", "src/postgres.rs", 5, Some(DB), &[], build::<0, 0>);
    let app = component("app", "App", "src/app.rs", 10, None, &[DB], build::<0, 0>);
    assert_eq!(
        graph_message(Builder::empty().register(sqlite).register(postgres).register(app)),
        "the component graph has 1 problem:\n  \
         - duplicate provider: `dyn Database` is provided by `postgres` (src/postgres.rs:5) and \
         `sqlite` (src/sqlite.rs:3); a service has one provider: remove \
         `provides = dyn Database` from all but one of them"
    );
}

#[test]
fn cycle() {
    let builder = Builder::empty().register(plain("database", Some(DB), &[CACHE])).register(plain(
        "cache",
        Some(CACHE),
        &[DB],
    ));
    assert_eq!(
        graph_message(builder),
        "the component graph has 1 problem:\n  \
         - dependency cycle `cache → database → cache`: `cache` requires `dyn Database` from \
         `database`, `database` requires `dyn Cache` from `cache`; remove one of these \
         `requires`, or move what they share into a component of its own"
    );
}

fn channels_platform() -> Builder {
    Builder::empty().register(plain("channels", None, &[DB])).register(plain(
        "database",
        Some(DB),
        &[],
    ))
}

#[test]
fn unknown_selected_name_suggests_the_closest() {
    assert_eq!(
        graph_message(channels_platform().only(["chanels"])),
        "the component graph has 1 problem:\n  \
         - unknown component `chanels` in `only`; did you mean `channels`?"
    );
    assert_eq!(
        graph_message(channels_platform().timeout_for("databse", Duration::from_secs(1))),
        "the component graph has 1 problem:\n  \
         - unknown component `databse` in `timeout_for`; did you mean `database`?"
    );
}

#[test]
fn a_name_from_the_environment_names_the_variable() {
    let var = "WEFT_MESSAGES_TEST_COMPONENTS";
    // SAFETY: no other test of this binary reads the environment concurrently.
    unsafe { std::env::set_var(var, "database, chanels") };
    assert_eq!(
        graph_message(channels_platform().only_from_env(var)),
        "the component graph has 1 problem:\n  \
         - unknown component `chanels` in `WEFT_MESSAGES_TEST_COMPONENTS`; did you mean \
         `channels`?"
    );
    // `only` afterwards replaces the list, and the message follows.
    assert_eq!(
        graph_message(channels_platform().only_from_env(var).only(["chanels"])),
        "the component graph has 1 problem:\n  \
         - unknown component `chanels` in `only`; did you mean `channels`?"
    );
}

#[test]
fn unknown_name_without_a_close_match_lists_the_components() {
    assert_eq!(
        graph_message(channels_platform().only(["web"])),
        "the component graph has 1 problem:\n  \
         - unknown component `web` in `only`; the components are `channels`, `database`"
    );
}

#[test]
fn every_problem_at_once_one_per_line() {
    let builder = Builder::empty()
        .register(plain("a", Some(DB), &[CACHE]))
        .register(plain("b", Some(CACHE), &[DB]))
        .register(component("c", "C", "src/c.rs", 7, None, &[WEB], build::<0, 0>))
        .only(["a", "c", "d"]);
    assert_eq!(
        graph_message(builder),
        "the component graph has 3 problems:\n  \
         - unknown component `d` in `only`; the components are `a`, `b`, `c`\n  \
         - missing provider: `c` (src/c.rs:7) requires `dyn Web`, which no component provides; \
         declare a component with `provides = dyn Web`, or name the crate that declares one in \
         `weft::platform!(...)` so that it is linked\n  \
         - dependency cycle `a → b → a`: `a` requires `dyn Cache` from `b`, `b` requires \
         `dyn Database` from `a`; remove one of these `requires`, or move what they share into \
         a component of its own"
    );
}

/// Replaces each duration after "after " with `<t>`: elapsed times vary from run to run.
fn without_elapsed(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(at) = rest.find("after ") {
        let (head, tail) = rest.split_at(at + "after ".len());
        out.push_str(head);
        let end = tail
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | 'n' | 's' | 'm' | 'µ')))
            .unwrap_or(tail.len());
        assert!(end > 0, "a duration after `after ` in {message:?}");
        out.push_str("<t>");
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn the_elapsed_time_normalizer_only_touches_durations() {
    assert_eq!(
        without_elapsed("boot failed after 41.3ms: x failed after 850ns: later"),
        "boot failed after <t>: x failed after <t>: later"
    );
}

/// `web` requires `database`; `web` and `database` are their behaviours.
async fn boot_failure(web: Build, database: Build, limit: Option<Duration>) -> String {
    let mut builder = Builder::empty()
        .register(component("database", "Sqlite", "src/db.rs", 4, Some(DB), &[], database))
        .register(component("web", "Web", "src/web.rs", 9, None, &[DB], web));
    if let Some(limit) = limit {
        builder = builder.timeout_for("database", limit).timeout_for("web", limit);
    }
    match builder.boot().await {
        Err(BootError::Hook(failure)) => without_elapsed(&failure.to_string()),
        Err(other) => panic!("expected a hook failure, got {other}"),
        Ok(_) => panic!("expected a hook failure, got a platform"),
    }
}

const OK: Build = build::<0, 0>;
const LIMIT: Option<Duration> = Some(Duration::from_millis(50));

#[tokio::test]
async fn init_error_with_its_cause_chain() {
    assert_eq!(
        boot_failure(OK, build::<1, 0>, None).await,
        "boot failed after <t>: component `database` failed in `init` after <t>: \
         cannot open `/var/db`: disk on fire\n  \
         rollback: nothing to stop, no component had finished `init`"
    );
}

#[tokio::test]
async fn init_panic() {
    assert_eq!(
        boot_failure(build::<1, 1>, OK, None).await,
        "boot failed after <t>: component `web` panicked in `init` after <t>: port 80 is taken\n  \
         rollback: stopped 1 component (`database`)"
    );
}

#[tokio::test]
async fn init_timeout() {
    assert_eq!(
        boot_failure(OK, build::<1, 2>, LIMIT).await,
        "boot failed after <t>: component `database` did not finish `init` within its time \
         limit of 50ms; if it needs longer, raise the limit with \
         `Builder::timeout_for(\"database\", ...)` or `Lifecycle::timeout`\n  \
         rollback: nothing to stop, no component had finished `init`"
    );
}

#[tokio::test]
async fn start_error() {
    assert_eq!(
        boot_failure(build::<2, 0>, OK, None).await,
        "boot failed after <t>: component `web` failed in `start` after <t>: \
         cannot open `/var/db`: disk on fire\n  \
         rollback: stopped 2 components (`web`, `database`)"
    );
}

#[tokio::test]
async fn start_panic() {
    assert_eq!(
        boot_failure(build::<2, 1>, OK, None).await,
        "boot failed after <t>: component `web` panicked in `start` after <t>: port 80 is taken\n  \
         rollback: stopped 2 components (`web`, `database`)"
    );
}

#[tokio::test]
async fn start_timeout() {
    assert_eq!(
        boot_failure(build::<2, 2>, OK, LIMIT).await,
        "boot failed after <t>: component `web` did not finish `start` within its time limit \
         of 50ms; if it needs longer, raise the limit with `Builder::timeout_for(\"web\", ...)` \
         or `Lifecycle::timeout`\n  \
         rollback: stopped 2 components (`web`, `database`)"
    );
}

#[tokio::test]
async fn stop_errors_are_all_reported() {
    let platform = Builder::empty()
        .register(component("database", "Sqlite", "src/db.rs", 4, Some(DB), &[], build::<3, 0>))
        .register(component("web", "Web", "src/web.rs", 9, None, &[DB], build::<3, 1>))
        .register(plain("metrics", None, &[]))
        .timeout_for("metrics", Duration::from_secs(5))
        .boot()
        .await
        .expect("boots");
    let error = platform.stop().await.expect_err("two stop hooks fail");
    // `metrics` and `web` stop concurrently, so their order in the report varies.
    let message = without_elapsed(&error.to_string());
    let web_failed = "component `web` panicked in `stop` after <t>: port 80 is taken";
    let database_failed = "component `database` failed in `stop` after <t>: \
                           cannot open `/var/db`: disk on fire";
    assert_eq!(
        message,
        format!(
            "stopping the platform failed: stopped 1 component (`metrics`); {web_failed}; \
             {database_failed}"
        )
    );
}
