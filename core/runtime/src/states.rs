//! The live state of every component, observable through a `tokio::sync::watch` channel: plain
//! data below the platform that updates it and the exports and errors that show it.

use std::sync::Arc;

use tokio::sync::watch;

use crate::lifecycle::State;

/// A snapshot of every component's [`State`], in name order.
///
/// ```
/// # async fn demo(platform: weft::Platform) {
/// let states = platform.states();
/// for (name, state) in states.iter() {
///     println!("{name}: {state}");
/// }
/// # }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct States {
    names: Arc<[&'static str]>,
    states: Vec<State>,
}

impl States {
    /// The state of component `name`.
    pub fn get(&self, name: &str) -> Option<State> {
        let node = self.names.binary_search(&name).ok()?;
        self.states.get(node).copied()
    }

    /// Every component with its state, in name order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&'static str, State)> + '_ {
        self.names.iter().copied().zip(self.states.iter().copied())
    }

    /// The number of components.
    pub fn len(&self) -> usize {
        self.states.len()
    }

    /// Whether there are no components.
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// Whether every component is in `state`.
    pub fn all(&self, state: State) -> bool {
        self.states.iter().all(|&s| s == state)
    }
}

/// Owns the state table and publishes every change.
pub(crate) struct StateCell(watch::Sender<States>);

impl StateCell {
    /// Every component `Ready`. `names` must be sorted.
    pub(crate) fn new(names: Arc<[&'static str]>) -> Self {
        let states = vec![State::Ready; names.len()];
        StateCell(watch::Sender::new(States { names, states }))
    }

    /// Moves component `node` to `state`. `Failed` is final: a component that failed stays
    /// failed whatever runs after (its rollback `stop`, its tasks ending).
    pub(crate) fn set(&self, node: u32, state: State) {
        self.0.send_if_modified(|table| {
            let Some(slot) = table.states.get_mut(node as usize) else { return false };
            if *slot == State::Failed || *slot == state {
                return false;
            }
            tracing::debug!(component = table.names[node as usize], from = %slot, to = %state, "state");
            *slot = state;
            true
        });
    }

    pub(crate) fn snapshot(&self) -> States {
        self.0.borrow().clone()
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<States> {
        self.0.subscribe()
    }
}
