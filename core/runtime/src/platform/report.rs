//! The reports of a platform's life: what boot measured (how long each component's hooks took,
//! and the critical path) and what stopping did.

use std::fmt;
use std::time::Duration;

use super::hook::{HookError, TaskError};
use crate::graph::Graph;
use crate::human::{Human, quoted};
use crate::lifecycle::Phase;

/// How long one component's boot hooks took, and when they finished.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ComponentTimings {
    /// The component's name.
    pub name: &'static str,
    /// Building the component and injecting its services.
    pub construct: Duration,
    /// The `init` hook.
    pub init: Duration,
    /// The `start` hook.
    pub start: Duration,
    /// When `init` finished, from the beginning of boot.
    pub initialized_at: Duration,
    /// When `start` finished, from the beginning of boot.
    pub started_at: Duration,
}

/// One step of the critical path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CriticalStep {
    /// The component.
    pub component: &'static str,
    /// [`Phase::Init`] (which includes construction) or [`Phase::Start`].
    pub phase: Phase,
    /// How long the step took.
    pub duration: Duration,
}

/// What a successful boot measured.
///
/// The critical path is the chain of hooks that bounds boot time: even with unlimited
/// parallelism, boot cannot finish sooner than the sum of its steps. Comparing
/// [`critical_path_duration`](BootReport::critical_path_duration) with
/// [`total`](BootReport::total) shows how much time scheduling added.
///
/// ```
/// # async fn demo() -> Result<(), weft::BootError> {
/// let platform = weft::Builder::empty().boot().await?;
/// let report = platform.report();
/// println!("{report}");
/// assert!(report.critical_path_duration() <= report.total);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct BootReport {
    /// From the beginning of boot until every component started.
    pub total: Duration,
    /// From the beginning of boot until every component was initialized: the barrier after
    /// which the start wave began.
    pub init_wave: Duration,
    /// Every component, in name order.
    pub components: Vec<ComponentTimings>,
    /// The chain of hooks with the largest total duration, in execution order: the longest
    /// chain of the init wave, then the longest chain of the start wave.
    pub critical_path: Vec<CriticalStep>,
}

impl BootReport {
    /// The timings of component `name`.
    pub fn get(&self, name: &str) -> Option<&ComponentTimings> {
        let i = self.components.binary_search_by(|c| c.name.cmp(name)).ok()?;
        self.components.get(i)
    }

    /// The sum of the critical path's steps: the shortest boot possible with these hooks.
    pub fn critical_path_duration(&self) -> Duration {
        self.critical_path.iter().map(|step| step.duration).sum()
    }

    /// The init wave's part of the critical path: its longest chain of construction and
    /// `init` hooks.
    ///
    /// ```
    /// use std::time::Duration;
    /// use weft::{BootReport, CriticalStep, Phase};
    ///
    /// let ms = Duration::from_millis;
    /// let step = |component, phase, duration| CriticalStep { component, phase, duration };
    /// let report = BootReport {
    ///     critical_path: vec![step("db", Phase::Init, ms(30)), step("web", Phase::Start, ms(2))],
    ///     ..BootReport::default()
    /// };
    /// assert_eq!(report.init_critical_path(), ms(30));
    /// assert_eq!(report.start_critical_path(), ms(2));
    /// ```
    pub fn init_critical_path(&self) -> Duration {
        self.critical_path.iter().filter(|s| s.phase != Phase::Start).map(|s| s.duration).sum()
    }

    /// The start wave's part of the critical path: its longest chain of `start` hooks.
    pub fn start_critical_path(&self) -> Duration {
        self.critical_path.iter().filter(|s| s.phase == Phase::Start).map(|s| s.duration).sum()
    }

    /// The phases of component `name` that lie on the critical path: [`Phase::Init`] (which
    /// includes construction), [`Phase::Start`], both, or none.
    ///
    /// ```
    /// use std::time::Duration;
    /// use weft::{BootReport, CriticalStep, Phase};
    ///
    /// let step = |component, phase| CriticalStep { component, phase, duration: Duration::ZERO };
    /// let report = BootReport {
    ///     critical_path: vec![step("db", Phase::Init), step("app", Phase::Init), step("app", Phase::Start)],
    ///     ..BootReport::default()
    /// };
    /// assert_eq!(report.critical_phases("db"), [Phase::Init]);
    /// assert_eq!(report.critical_phases("app"), [Phase::Init, Phase::Start]);
    /// assert!(report.critical_phases("cache").is_empty());
    /// ```
    pub fn critical_phases(&self, name: &str) -> Vec<Phase> {
        self.critical_path.iter().filter(|s| s.component == name).map(|s| s.phase).collect()
    }
}

/// The report as a table, one row per component, in name order. Durations are rounded for
/// reading (`1.2ms`, `340µs`); the fields hold the exact values.
///
/// ```text
/// booted 3 components in 41.3ms (critical path 40.9ms: database.init → greeter.init → greeter.start)
/// component  construct  init    start   critical path
/// clock      3µs        12µs    2µs
/// database   5µs        40.1ms  4µs     init
/// greeter    4µs        800µs   9µs     init, start
/// ```
impl fmt::Display for BootReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.components.len();
        write!(
            f,
            "booted {count} component{} in {} (critical path {}",
            if count == 1 { "" } else { "s" },
            Human(self.total),
            Human(self.critical_path_duration())
        )?;
        for (i, step) in self.critical_path.iter().enumerate() {
            let separator = if i == 0 { ": " } else { " → " };
            write!(f, "{separator}{}.{}", step.component, step.phase)?;
        }
        f.write_str(")")?;
        let header = ["component", "construct", "init", "start", "critical path"];
        let rows: Vec<[String; 5]> = self
            .components
            .iter()
            .map(|c| {
                let critical = self.critical_phases(c.name);
                let critical: Vec<String> = critical.iter().map(ToString::to_string).collect();
                [
                    c.name.to_owned(),
                    Human(c.construct).to_string(),
                    Human(c.init).to_string(),
                    Human(c.start).to_string(),
                    critical.join(", "),
                ]
            })
            .collect();
        let mut widths = header.map(|h| h.chars().count());
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut line = |cells: [&str; 5]| -> fmt::Result {
            let mut text = String::new();
            for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
                if i > 0 {
                    text.push_str("  ");
                }
                text.push_str(cell);
                text.extend(std::iter::repeat_n(' ', width - cell.chars().count()));
            }
            write!(f, "\n{}", text.trim_end())
        };
        line(header)?;
        for row in &rows {
            line(row.each_ref().map(String::as_str))?;
        }
        Ok(())
    }
}

/// What stopping a set of components did.
///
/// ```
/// let report = weft::StopReport::default();
/// assert!(report.is_clean());
/// assert_eq!(report.to_string(), "stopped 0 components");
/// ```
#[derive(Clone, Debug, Default)]
pub struct StopReport {
    /// The components whose `stop` succeeded, in the order they finished.
    pub stopped: Vec<&'static str>,
    /// The components whose `stop` failed, panicked or timed out. They count as stopped for the
    /// order: their dependencies still stop.
    pub failed: Vec<HookError>,
    /// The components that were not stopped because the time budget ran out.
    pub not_stopped: Vec<&'static str>,
    /// The tracked tasks that failed once their component began to stop, or did not end
    /// within its time limit once cancelled (those were aborted). Their components are
    /// `Failed`; they still count as stopped for the order.
    pub tasks: Vec<TaskError>,
}

impl StopReport {
    /// Whether every component and every tracked task stopped without error.
    pub fn is_clean(&self) -> bool {
        self.failed.is_empty() && self.not_stopped.is_empty() && self.tasks.is_empty()
    }
}

impl fmt::Display for StopReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.stopped.len();
        write!(f, "stopped {count} component{}", if count == 1 { "" } else { "s" })?;
        if !self.stopped.is_empty() {
            write!(f, " ({})", quoted(&self.stopped))?;
        }
        for failure in &self.failed {
            write!(f, "; {failure}")?;
        }
        for task in &self.tasks {
            write!(f, "; {task}")?;
        }
        if !self.not_stopped.is_empty() {
            write!(f, "; not stopped, time budget exhausted: {}", quoted(&self.not_stopped))?;
        }
        Ok(())
    }
}

/// The critical path of a boot in two waves: a component initializes once its dependencies are
/// initialized; once every component is initialized, a component starts once its dependencies
/// are started. The path is the init wave's longest chain, then the start wave's.
pub(crate) fn critical_path(graph: &Graph, timings: &[ComponentTimings]) -> Vec<CriticalStep> {
    #[derive(Clone, Copy)]
    enum From {
        Nothing,
        Init(u32),
        Start(u32),
    }
    let len = graph.len();
    let mut init_done = vec![Duration::ZERO; len];
    let mut init_from = vec![From::Nothing; len];
    let mut start_done = vec![Duration::ZERO; len];
    let mut start_from = vec![From::Nothing; len];
    for &node in &graph.order {
        let i = node as usize;
        let (mut ready, mut from) = (Duration::ZERO, From::Nothing);
        for &dep in graph.deps.row(node) {
            if init_done[dep as usize] > ready || matches!(from, From::Nothing) {
                (ready, from) = (init_done[dep as usize], From::Init(dep));
            }
        }
        init_done[i] = ready + timings[i].construct + timings[i].init;
        init_from[i] = from;
    }
    // The barrier: the start wave begins when the last `init` finishes.
    let last_init = (0..len).max_by_key(|&i| (init_done[i], std::cmp::Reverse(i)));
    let barrier = last_init.map_or(Duration::ZERO, |i| init_done[i]);
    for &node in &graph.order {
        let i = node as usize;
        let mut ready = barrier;
        let mut from = last_init.map_or(From::Nothing, |last| From::Init(last as u32));
        for &dep in graph.deps.row(node) {
            if start_done[dep as usize] > ready {
                (ready, from) = (start_done[dep as usize], From::Start(dep));
            }
        }
        start_done[i] = ready + timings[i].start;
        start_from[i] = from;
    }
    let last = (0..len).max_by_key(|&i| (start_done[i], std::cmp::Reverse(i)));
    let mut path = Vec::new();
    let mut at = match last {
        Some(i) => From::Start(i as u32),
        None => From::Nothing,
    };
    loop {
        at = match at {
            From::Nothing => break,
            From::Start(node) => {
                let t = &timings[node as usize];
                path.push(CriticalStep {
                    component: t.name,
                    phase: Phase::Start,
                    duration: t.start,
                });
                start_from[node as usize]
            }
            From::Init(node) => {
                let t = &timings[node as usize];
                let duration = t.construct + t.init;
                path.push(CriticalStep { component: t.name, phase: Phase::Init, duration });
                init_from[node as usize]
            }
        };
    }
    path.reverse();
    path
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::component::ServiceKey;
    use crate::graph::{Composition, resolve};
    use crate::registry::Registration;

    const A: ServiceKey = ServiceKey::named("a");

    fn registration(
        name: &'static str,
        provides: Option<ServiceKey>,
        requires: &'static [ServiceKey],
    ) -> Registration {
        Registration {
            name,
            type_name: name,
            module_path: "test",
            file: "test.rs",
            line: 1,
            provides,
            requires,
            build: |_| unreachable!("the report is computed from timings only"),
        }
    }

    fn timings(name: &'static str, init: u64, start: u64) -> ComponentTimings {
        let ms = Duration::from_millis;
        ComponentTimings {
            name,
            construct: ms(1),
            init: ms(init),
            start: ms(start),
            ..Default::default()
        }
    }

    /// `b` requires `a`; `c` stands alone. Construction takes 1 ms each.
    fn path(c_init: u64, a_start: u64) -> Vec<(&'static str, Phase, Duration)> {
        static REGISTRATIONS: std::sync::OnceLock<[Registration; 3]> = std::sync::OnceLock::new();
        let [a, b, c] = REGISTRATIONS.get_or_init(|| {
            [
                registration("a", Some(A), &[]),
                registration("b", None, &[A]),
                registration("c", None, &[]),
            ]
        });
        let replaced = HashSet::new();
        let request = Composition {
            registrations: vec![a, b, c],
            only: None,
            without: &[],
            replaced: &replaced,
            only_setting: "only",
            named: vec![],
        };
        let graph = resolve(request).expect("a valid graph");
        let timings = [timings("a", 10, a_start), timings("b", 20, 5), timings("c", c_init, 0)];
        critical_path(&graph, &timings)
            .into_iter()
            .map(|s| (s.component, s.phase, s.duration))
            .collect()
    }

    #[test]
    fn the_longest_init_chain_then_the_longest_start_chain() {
        let ms = Duration::from_millis;
        // The init wave ends with b (11 + 21 = 32 ms); a's start then bounds b's.
        assert_eq!(
            path(25, 1),
            [
                ("a", Phase::Init, ms(11)),
                ("b", Phase::Init, ms(21)),
                ("a", Phase::Start, ms(1)),
                ("b", Phase::Start, ms(5))
            ]
        );
        assert_eq!(path(25, 50)[2], ("a", Phase::Start, ms(50)));
    }

    #[test]
    fn a_slow_independent_init_holds_back_the_start_wave() {
        let ms = Duration::from_millis;
        // c's init (41 ms) ends the init wave, though nothing requires c.
        assert_eq!(
            path(40, 1),
            [("c", Phase::Init, ms(41)), ("a", Phase::Start, ms(1)), ("b", Phase::Start, ms(5))]
        );
    }

    #[test]
    fn the_report_is_a_table_with_the_critical_path() {
        let timings = |name, init| ComponentTimings {
            name,
            construct: Duration::from_micros(3),
            init: Duration::from_millis(init),
            start: Duration::from_micros(20),
            ..ComponentTimings::default()
        };
        let report = BootReport {
            total: Duration::from_millis(42),
            init_wave: Duration::from_millis(41),
            components: vec![timings("clock", 1), timings("database", 40)],
            critical_path: vec![
                CriticalStep {
                    component: "database",
                    phase: Phase::Init,
                    duration: Duration::from_millis(40),
                },
                CriticalStep {
                    component: "database",
                    phase: Phase::Start,
                    duration: Duration::from_micros(20),
                },
            ],
        };
        assert_eq!(
            report.to_string(),
            "booted 2 components in 42ms (critical path 40ms: database.init → database.start)\n\
             component  construct  init  start  critical path\n\
             clock      3µs        1ms   20µs\n\
             database   3µs        40ms  20µs   init, start"
        );
    }
}
