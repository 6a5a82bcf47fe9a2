//! Synthetic components for runtime tests: leaked registrations over named services, whose
//! hooks record every call and fail on demand.

#![allow(dead_code, reason = "each test file uses a different part of the support module")]
#![allow(unreachable_pub, reason = "a module shared by test crates")]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use weft::__private::{Erased, Hooks, InjectError, Injector, erase};
use weft::{Builder, Lifecycle, Phase, Registration, ServiceKey};

/// How a hook misbehaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    Error,
    Panic,
    Hang,
}

/// What a tracked task does once spawned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task {
    /// Runs until its component's stop signal fires, then ends.
    Quiet,
    /// Returns an error once released (see `Behaviour::release`), or at once without a release.
    Error,
    /// Panics once released, or at once without a release.
    Panic,
    /// Never ends, whatever the stop signal says.
    Stubborn,
}

/// What one component's hooks do.
#[derive(Clone, Default)]
pub struct Behaviour {
    pub fault: Option<(Phase, Fault)>,
    /// The hook of this phase spawns a tracked task named `worker` that does this.
    pub task: Option<(Phase, Task)>,
    /// What a failing task waits for before it fails.
    pub release: Option<Arc<tokio::sync::Semaphore>>,
    /// Every hook of this phase waits on the barrier first.
    pub barrier: Option<(Phase, Arc<tokio::sync::Barrier>)>,
    pub sleep: Option<(Phase, Duration)>,
    pub timeout: Option<Duration>,
}

/// One hook call, as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub component: &'static str,
    pub phase: Phase,
    pub done: bool,
}

#[derive(Default)]
pub struct Log(Mutex<Vec<Event>>, AtomicUsize, Mutex<Vec<(&'static str, usize)>>);

impl Log {
    fn push(&self, component: &'static str, phase: Phase, done: bool) {
        self.0.lock().unwrap().push(Event { component, phase, done });
    }

    /// Records that `component`'s task ended, at the current position among the hook events.
    fn task_ended(&self, component: &'static str) {
        let events = self.0.lock().unwrap();
        self.2.lock().unwrap().push((component, events.len()));
    }

    /// For each task that ended, its component and how many hook events came before its end.
    pub fn tasks_ended(&self) -> Vec<(&'static str, usize)> {
        self.2.lock().unwrap().clone()
    }

    /// How many components were dropped.
    pub fn dropped(&self) -> usize {
        self.1.load(Ordering::SeqCst)
    }

    pub fn events(&self) -> Vec<Event> {
        self.0.lock().unwrap().clone()
    }

    /// The components whose `phase` hook finished, in order.
    pub fn finished(&self, phase: Phase) -> Vec<&'static str> {
        self.events()
            .into_iter()
            .filter(|e| e.phase == phase && e.done)
            .map(|e| e.component)
            .collect()
    }

    /// The components whose `phase` hook began, in order.
    pub fn began(&self, phase: Phase) -> Vec<&'static str> {
        self.events()
            .into_iter()
            .filter(|e| e.phase == phase && !e.done)
            .map(|e| e.component)
            .collect()
    }
}

struct Spec {
    name: &'static str,
    behaviour: Behaviour,
    log: Arc<Log>,
}

fn specs() -> &'static Mutex<HashMap<&'static str, Arc<Spec>>> {
    static SPECS: OnceLock<Mutex<HashMap<&'static str, Arc<Spec>>>> = OnceLock::new();
    SPECS.get_or_init(Default::default)
}

struct Probe(Arc<Spec>);

impl Probe {
    async fn hook(&self, phase: Phase) -> anyhow::Result<()> {
        let spec = &self.0;
        spec.log.push(spec.name, phase, false);
        if let Some((at, barrier)) = &spec.behaviour.barrier
            && *at == phase
        {
            // Generous: the test fails on a missing overlap, not on a slow machine.
            tokio::time::timeout(Duration::from_secs(20), barrier.wait())
                .await
                .map_err(|_| anyhow::anyhow!("no other hook reached the barrier"))?;
        }
        if let Some((at, duration)) = spec.behaviour.sleep
            && at == phase
        {
            tokio::time::sleep(duration).await;
        }
        if let Some((at, task)) = spec.behaviour.task
            && at == phase
        {
            spawn_worker(spec, task)?;
        }
        match spec.behaviour.fault {
            Some((at, Fault::Error)) if at == phase => {
                let root = anyhow::anyhow!("disk on fire");
                return Err(root.context(format!("{} cannot {phase}", spec.name)));
            }
            Some((at, Fault::Panic)) if at == phase => panic!("{} panicked in {phase}", spec.name),
            Some((at, Fault::Hang)) if at == phase => std::future::pending::<()>().await,
            _ => {}
        }
        spec.log.push(spec.name, phase, true);
        Ok(())
    }
}

fn spawn_worker(spec: &Arc<Spec>, task: Task) -> anyhow::Result<()> {
    let supervisor = weft::Supervisor::current()?;
    let stop = supervisor.stop_token();
    let (name, log, release) = (spec.name, spec.log.clone(), spec.behaviour.release.clone());
    supervisor.spawn("worker", async move {
        if matches!(task, Task::Error | Task::Panic)
            && let Some(release) = release
        {
            let _permit = release.acquire().await;
        }
        match task {
            Task::Quiet => stop.cancelled().await,
            Task::Error => {
                log.task_ended(name);
                return Err(
                    anyhow::anyhow!("lost its connection").context(format!("{name} worker"))
                );
            }
            Task::Panic => {
                log.task_ended(name);
                panic!("{name} worker panicked");
            }
            Task::Stubborn => std::future::pending::<()>().await,
        }
        log.task_ended(name);
        Ok(())
    })?;
    Ok(())
}

impl Drop for Probe {
    fn drop(&mut self) {
        self.0.log.1.fetch_add(1, Ordering::SeqCst);
    }
}

impl Lifecycle for Probe {
    async fn init(&mut self) -> anyhow::Result<()> {
        self.hook(Phase::Init).await
    }
    async fn start(&self) -> anyhow::Result<()> {
        self.hook(Phase::Start).await
    }
    async fn stop(&self) -> anyhow::Result<()> {
        self.hook(Phase::Stop).await
    }
    fn timeout(&self) -> Option<Duration> {
        self.0.behaviour.timeout
    }
}

fn build(injector: &Injector<'_>) -> Result<Erased, InjectError> {
    let spec = specs().lock().unwrap().get(injector.component()).cloned();
    let Some(spec) = spec else {
        return Err(InjectError::Unavailable { component: injector.component(), service: "spec" });
    };
    spec.log.push(spec.name, Phase::Construct, true);
    Ok(erase(Probe(spec), Hooks::lifecycle(), None))
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// A graph of probes: component `i` provides service `i` and requires the services of `deps[i]`.
pub struct Scenario {
    pub names: Vec<&'static str>,
    pub deps: Vec<Vec<usize>>,
    pub registrations: Vec<&'static Registration>,
    pub log: Arc<Log>,
}

impl Scenario {
    pub fn new(deps: Vec<Vec<usize>>) -> Self {
        Scenario::with(deps, |_| Behaviour::default())
    }

    pub fn with(deps: Vec<Vec<usize>>, behaviour: impl Fn(usize) -> Behaviour) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        let log = Arc::new(Log::default());
        let names: Vec<&'static str> =
            (0..deps.len()).map(|i| leak(format!("s{id}-c{i:04}"))).collect();
        let keys: Vec<ServiceKey> =
            (0..deps.len()).map(|i| ServiceKey::named(leak(format!("s{id}-svc{i}")))).collect();
        let mut registrations = Vec::new();
        for (i, requires) in deps.iter().enumerate() {
            let requires: Vec<ServiceKey> = requires.iter().map(|&d| keys[d]).collect();
            let registration: &'static Registration = Box::leak(Box::new(Registration {
                name: names[i],
                type_name: "Probe",
                module_path: module_path!(),
                file: file!(),
                line: i as u32 + 1,
                provides: Some(keys[i]),
                requires: Box::leak(requires.into_boxed_slice()),
                build,
            }));
            registrations.push(registration);
            let spec = Spec { name: names[i], behaviour: behaviour(i), log: log.clone() };
            specs().lock().unwrap().insert(names[i], Arc::new(spec));
        }
        Scenario { names, deps, registrations, log }
    }

    pub fn builder(&self) -> Builder {
        self.registrations.iter().fold(Builder::empty(), |builder, r| builder.register(r))
    }

    pub fn index(&self, name: &str) -> usize {
        self.names.iter().position(|n| *n == name).unwrap()
    }
}

/// Dependencies of a random DAG over `len` nodes: node `i` may require only nodes `< i`.
pub fn dag(len: usize, picks: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let mut deps = vec![Vec::new(); len];
    for &(a, b) in picks {
        let (a, b) = (a % len, b % len);
        if a != b {
            let (from, to) = (a.max(b), a.min(b));
            if !deps[from].contains(&to) {
                deps[from].push(to);
            }
        }
    }
    deps
}

/// Whether `later` comes after `earlier` in `order` (both present).
pub fn before(order: &[&str], earlier: &str, later: &str) -> bool {
    let position = |name| order.iter().position(|n| *n == name);
    matches!((position(earlier), position(later)), (Some(a), Some(b)) if a < b)
}
