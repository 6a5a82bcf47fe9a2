//! Throwaway PostgreSQL and NATS servers for tests and benchmarks: each runs on 127.0.0.1, on a
//! free port, with its files in a temporary directory, and is stopped and removed when its
//! guard is dropped.
//!
//! Both come from the distribution's packages (`.ci/run` installs them). PostgreSQL refuses to
//! run as root, so when the tests run as root (as CI does) the server runs as `nobody` through
//! `setpriv`. Every server is also started with `setpriv --pdeathsig`, from a thread that lives
//! as long as the test process: if the process dies without dropping a guard (a panic with
//! `panic = abort`, a SIGKILL), the server is terminated with it rather than left running.

#![allow(dead_code, reason = "each test binary uses its own part of the harness")]

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context as _;

/// How long a server may take to accept connections.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// The unprivileged user servers run as when the tests run as root.
const UNPRIVILEGED: (&str, &str) = ("nobody", "nogroup");

/// A free TCP port on 127.0.0.1, found by binding port 0 and letting it go.
pub(crate) fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

/// Whether this process runs as root, read from the owner of a file it creates.
fn running_as_root(dir: &Path) -> anyhow::Result<bool> {
    Ok(std::fs::metadata(dir)?.uid() == 0)
}

/// Spawns `command` on a thread that lives until the process exits, so that the child's
/// `--pdeathsig` fires only when the whole test process ends (it fires when the *thread* that
/// spawned the child ends).
fn spawn(command: Command) -> anyhow::Result<Child> {
    type Request = (Command, mpsc::Sender<std::io::Result<Child>>);
    static SPAWNER: OnceLock<mpsc::Sender<Request>> = OnceLock::new();
    let spawner = SPAWNER.get_or_init(|| {
        let (requests, incoming) = mpsc::channel::<Request>();
        std::thread::Builder::new()
            .name("test-server-spawner".into())
            .spawn(move || {
                for (mut command, reply) in incoming {
                    let _ = reply.send(command.spawn());
                }
                // Keep the thread (and so its children) alive until the process exits.
                loop {
                    std::thread::park();
                }
            })
            .map(drop)
            .unwrap_or_else(|error| eprintln!("cannot start the spawner thread: {error}"));
        requests
    });
    let (reply, replied) = mpsc::channel();
    spawner.send((command, reply)).context("the spawner thread is gone")?;
    Ok(replied.recv().context("the spawner thread is gone")??)
}

/// A command that runs `program` as the unprivileged user if `as_root`, and receives SIGTERM
/// when the test process dies.
fn server_command(program: &Path, as_root: bool) -> Command {
    let mut command = Command::new("setpriv");
    command.arg("--pdeathsig").arg("TERM");
    if as_root {
        command
            .args(["--reuid", UNPRIVILEGED.0, "--regid", UNPRIVILEGED.1, "--clear-groups"])
            .args(["--reset-env"]);
    }
    command.arg("--").arg(program);
    command.stdin(Stdio::null());
    command
}

/// Sends `signal` (e.g. `-INT`) to `child` with `kill(1)`.
fn signal(child: &Child, signal: &str) -> anyhow::Result<()> {
    let status = Command::new("kill").arg(signal).arg(child.id().to_string()).status()?;
    anyhow::ensure!(status.success(), "kill {signal} {} failed", child.id());
    Ok(())
}

/// Signals `child`, waits up to `grace` for it to exit, then kills it.
fn stop_child(child: &mut Child, first: &str, grace: Duration) {
    if matches!(child.try_wait(), Ok(Some(_))) {
        return;
    }
    let _ = signal(child, first);
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Waits until `addr` accepts TCP connections and `ready` says so, or the child exits.
fn wait_ready(
    child: &mut Child,
    addr: SocketAddr,
    what: &str,
    ready: impl Fn() -> bool,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        if let Some(status) = child.try_wait()? {
            anyhow::bail!("{what} exited during startup ({status})");
        }
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() && ready() {
            return Ok(());
        }
        anyhow::ensure!(Instant::now() < deadline, "{what} not ready after {READY_TIMEOUT:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A temporary directory that the unprivileged user may write when the tests run as root.
fn server_dir(prefix: &str) -> anyhow::Result<(tempfile::TempDir, bool)> {
    let dir = tempfile::Builder::new().prefix(prefix).tempdir()?;
    let as_root = running_as_root(dir.path())?;
    if as_root {
        chown_unprivileged(dir.path())?;
    }
    Ok((dir, as_root))
}

fn chown_unprivileged(path: &Path) -> anyhow::Result<()> {
    let status = Command::new("chown")
        .arg(format!("{}:{}", UNPRIVILEGED.0, UNPRIVILEGED.1))
        .arg(path)
        .status()?;
    anyhow::ensure!(status.success(), "cannot chown `{}`", path.display());
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))?;
    Ok(())
}

/// The directory of PostgreSQL's server programs: `$PG_BIN`, else the newest
/// `/usr/lib/postgresql/*/bin` (Debian's layout), else wherever `PATH` finds `initdb`.
fn postgres_bin() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("postgres").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .find(|dir| dir.join("initdb").exists())
        .context("PostgreSQL not found: install it (`.ci/run` does) or set PG_BIN")
}

/// A PostgreSQL server of its own: a fresh cluster in a temporary directory, listening on
/// 127.0.0.1 on a free port, with a `postgres` superuser that needs no password.
pub(crate) struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    as_root: bool,
    port: u16,
    settings: Vec<(String, String)>,
    child: Option<Child>,
}

impl Postgres {
    /// A cluster tuned for tests: no fsync (a crash of the machine loses the test, not data
    /// anyone keeps).
    pub(crate) fn start() -> anyhow::Result<Postgres> {
        Postgres::start_with(&[("fsync", "off"), ("synchronous_commit", "off")])
    }

    /// A cluster with PostgreSQL's durable defaults, for benchmarks that compare with SQLite's
    /// `synchronous = FULL`.
    pub(crate) fn start_durable() -> anyhow::Result<Postgres> {
        Postgres::start_with(&[])
    }

    /// A cluster with these extra `-c name=value` settings.
    pub(crate) fn start_with(settings: &[(&str, &str)]) -> anyhow::Result<Postgres> {
        let bin = postgres_bin()?;
        let (dir, as_root) = server_dir("channels-pg-")?;
        let data = dir.path().join("data");
        let output = server_command(&bin.join("initdb"), as_root)
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .context("cannot run initdb")?;
        anyhow::ensure!(
            output.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let settings =
            settings.iter().map(|(name, value)| (name.to_string(), value.to_string())).collect();
        let mut postgres =
            Postgres { dir, bin, as_root, port: free_port()?, settings, child: None };
        postgres.resume()?;
        Ok(postgres)
    }

    /// The URL to connect to the `postgres` database.
    pub(crate) fn url(&self) -> String {
        self.url_of("postgres")
    }

    /// The URL to connect to `database`.
    pub(crate) fn url_of(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// The port it listens on.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// The temporary directory that holds its data, removed on drop.
    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Creates an empty database.
    pub(crate) fn create_database(&self, name: &str) -> anyhow::Result<()> {
        let status = Command::new(self.bin.join("createdb"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "postgres", name])
            .stdout(Stdio::null())
            .status()?;
        anyhow::ensure!(status.success(), "createdb {name} failed");
        Ok(())
    }

    /// Stops the server (fast shutdown: open sessions are ended), keeping its data.
    pub(crate) fn pause(&mut self) {
        if let Some(mut child) = self.child.take() {
            stop_child(&mut child, "-INT", Duration::from_secs(20));
        }
    }

    /// Starts the server again on the same port and data (after [`pause`](Self::pause)).
    pub(crate) fn resume(&mut self) -> anyhow::Result<()> {
        anyhow::ensure!(self.child.is_none(), "PostgreSQL is already running");
        let mut command = server_command(&self.bin.join("postgres"), self.as_root);
        command
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-k")
            .arg(self.dir.path())
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"]);
        for (name, value) in &self.settings {
            command.arg("-c").arg(format!("{name}={value}"));
        }
        let log = std::fs::File::create(self.dir.path().join("server.log"))?;
        command.stdout(Stdio::null()).stderr(log);
        let mut child = spawn(command).context("cannot start postgres")?;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let port = self.port.to_string();
        let isready = self.bin.join("pg_isready");
        let ready = wait_ready(&mut child, addr, "PostgreSQL", || {
            Command::new(&isready)
                .args(["-q", "-h", "127.0.0.1", "-p", &port, "-U", "postgres"])
                .status()
                .is_ok_and(|status| status.success())
        });
        if let Err(error) = ready {
            stop_child(&mut child, "-KILL", Duration::ZERO);
            let log =
                std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
            return Err(error.context(log));
        }
        self.child = Some(child);
        Ok(())
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.pause();
    }
}

/// A NATS server of its own (core NATS, no JetStream), on 127.0.0.1 on a free port.
pub(crate) struct Nats {
    dir: tempfile::TempDir,
    as_root: bool,
    port: u16,
    child: Option<Child>,
}

impl Nats {
    /// Starts `nats-server` (from `PATH`, or `$NATS_SERVER`).
    pub(crate) fn start() -> anyhow::Result<Nats> {
        let (dir, as_root) = server_dir("channels-nats-")?;
        let mut nats = Nats { dir, as_root, port: free_port()?, child: None };
        nats.resume()?;
        Ok(nats)
    }

    /// The URL clients connect to.
    pub(crate) fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// The port it listens on.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// The temporary directory that holds its log, removed on drop.
    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Stops the server, keeping its port for [`resume`](Self::resume).
    pub(crate) fn pause(&mut self) {
        if let Some(mut child) = self.child.take() {
            stop_child(&mut child, "-TERM", Duration::from_secs(10));
        }
    }

    /// Starts the server again on the same port.
    pub(crate) fn resume(&mut self) -> anyhow::Result<()> {
        anyhow::ensure!(self.child.is_none(), "nats-server is already running");
        let program = std::env::var_os("NATS_SERVER")
            .map_or_else(|| find_in_path("nats-server"), |path| Ok(PathBuf::from(path)))?;
        let mut command = server_command(&program, self.as_root);
        command
            .args(["-a", "127.0.0.1", "-p", &self.port.to_string()])
            .arg("-l")
            .arg(self.dir.path().join("server.log"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = spawn(command).context("cannot start nats-server")?;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        if let Err(error) = wait_ready(&mut child, addr, "nats-server", || true) {
            stop_child(&mut child, "-KILL", Duration::ZERO);
            return Err(error);
        }
        self.child = Some(child);
        Ok(())
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        self.pause();
    }
}

/// `program` in `PATH` or in the directories Debian puts daemons in.
fn find_in_path(program: &str) -> anyhow::Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/usr/bin", "/usr/local/bin"].map(PathBuf::from))
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.exists())
        .with_context(|| format!("`{program}` not found: install it (`.ci/run` does)"))
}
