//! The boot report: how long each component's hooks took, and the critical path.

use std::fmt;
use std::time::Duration;

use crate::graph::Graph;
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
    /// Every component, in name order.
    pub components: Vec<ComponentTimings>,
    /// The chain of hooks with the largest total duration, in execution order.
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
}

impl fmt::Display for BootReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "booted {} components in {:?}", self.components.len(), self.total)?;
        writeln!(f, "{:<24} {:>12} {:>12} {:>12}", "component", "construct", "init", "start")?;
        for c in &self.components {
            let (construct, init, start) = (c.construct, c.init, c.start);
            writeln!(f, "{:<24} {construct:>12?} {init:>12?} {start:>12?}", c.name)?;
        }
        write!(f, "critical path ({:?}):", self.critical_path_duration())?;
        for step in &self.critical_path {
            write!(f, " {}.{} ({:?})", step.component, step.phase, step.duration)?;
        }
        Ok(())
    }
}

/// The critical path of a boot where a component initializes once its dependencies are
/// initialized, and starts once it is initialized and its dependencies are started.
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
        let (mut ready, mut from) = (init_done[i], From::Init(node));
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
    use crate::graph::{Request, resolve};
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

    fn path(a_start: u64) -> Vec<(&'static str, Phase, Duration)> {
        static REGISTRATIONS: std::sync::OnceLock<[Registration; 3]> = std::sync::OnceLock::new();
        let [a, b, c] = REGISTRATIONS.get_or_init(|| {
            [
                registration("a", Some(A), &[]),
                registration("b", None, &[A]),
                registration("c", None, &[]),
            ]
        });
        let replaced = HashSet::new();
        let request = Request {
            registrations: vec![a, b, c],
            only: None,
            replaced: &replaced,
            named: vec![],
        };
        let graph = resolve(request).expect("a valid graph");
        let timings = [timings("a", 10, a_start), timings("b", 20, 5), timings("c", 25, 0)];
        critical_path(&graph, &timings)
            .into_iter()
            .map(|s| (s.component, s.phase, s.duration))
            .collect()
    }

    #[test]
    fn the_init_chain_is_critical_when_starts_are_short() {
        let ms = Duration::from_millis;
        assert_eq!(
            path(1),
            [("a", Phase::Init, ms(11)), ("b", Phase::Init, ms(21)), ("b", Phase::Start, ms(5))]
        );
    }

    #[test]
    fn a_long_start_of_a_dependency_becomes_critical() {
        let ms = Duration::from_millis;
        assert_eq!(
            path(50),
            [("a", Phase::Init, ms(11)), ("a", Phase::Start, ms(50)), ("b", Phase::Start, ms(5))]
        );
    }
}
