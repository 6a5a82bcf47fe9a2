//! The events a database's writer has just committed, handed to the relay in memory.
//!
//! The outbox table stays the log: every event is committed in the same transaction as its
//! write, and the relay can always read it back ([`Database::events_after`]). But the writer
//! already holds each event it committed, so reading them back after every commit would only
//! repeat work. The writer pushes them here after its commit; the relay takes them from here
//! when they follow, id for id, the last event it published, and reads the table otherwise
//! (events of another process, or more events than the handoff keeps).
//!
//! [`Database::events_after`]: crate::Database::events_after

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use crate::entities::StoredEvent;

/// How many committed events the handoff keeps for a relay that has not taken them; past it
/// the oldest are dropped (and the relay reads them from the outbox). While nobody listens the
/// relay takes nothing, so the handoff stays full: as many events as the realtime bus keeps for
/// a slow subscriber bounds that memory the same way (messages of 4,000 characters included).
pub const HANDOFF_CAPACITY: usize = 1024;

/// What [`Handoff::take_after`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Handed {
    /// The events following `after` id for id, oldest first: every event after `after` that
    /// this process committed and still holds (none if it holds nothing newer).
    Events(Vec<StoredEvent>),
    /// The handoff does not hold the event right after `after` (another process committed it,
    /// it was dropped, or its id was never committed): read the outbox.
    Gap,
}

/// Committed events in id order, from the writer to the relay.
#[derive(Debug, Default)]
pub struct Handoff {
    events: Mutex<VecDeque<StoredEvent>>,
}

impl Handoff {
    /// Adds events that were just committed, in id order (called by the writer after its
    /// commit, never before).
    pub fn push(&self, committed: impl IntoIterator<Item = StoredEvent>) {
        let mut events = self.events.lock().unwrap_or_else(PoisonError::into_inner);
        events.extend(committed);
        let excess = events.len().saturating_sub(HANDOFF_CAPACITY);
        events.drain(..excess);
    }

    /// Takes the events that follow `after` id for id: the first has the id `after + 1`, and
    /// each next one the id after it. Events at or below `after` are dropped; events after a
    /// gap stay for a later call (which answers [`Handed::Gap`]).
    ///
    /// ```
    /// use channels_api::handoff::{Handed, Handoff};
    /// use channels_api::{ChannelEvent, StoredEvent};
    ///
    /// let event = |id| StoredEvent { id, event: ChannelEvent::ChannelDeleted { channel_id: 1 } };
    /// let handoff = Handoff::default();
    /// handoff.push([event(3), event(4), event(6)]);
    /// assert_eq!(handoff.take_after(1), Handed::Gap); // 2 is not here
    /// assert_eq!(handoff.take_after(2), Handed::Events(vec![event(3), event(4)]));
    /// assert_eq!(handoff.take_after(4), Handed::Gap); // nor 5
    /// assert_eq!(handoff.take_after(5), Handed::Events(vec![event(6)]));
    /// assert_eq!(handoff.take_after(6), Handed::Events(vec![]));
    /// ```
    pub fn take_after(&self, after: i64) -> Handed {
        let mut events = self.events.lock().unwrap_or_else(PoisonError::into_inner);
        while events.front().is_some_and(|event| event.id <= after) {
            events.pop_front();
        }
        let mut next = after.saturating_add(1);
        if events.front().is_some_and(|event| event.id != next) {
            return Handed::Gap;
        }
        let mut taken = Vec::new();
        while let Some(event) = events.pop_front() {
            if event.id != next {
                events.push_front(event);
                break;
            }
            next = next.saturating_add(1);
            taken.push(event);
        }
        Handed::Events(taken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::ChannelEvent;

    fn event(id: i64) -> StoredEvent {
        StoredEvent { id, event: ChannelEvent::ChannelDeleted { channel_id: id } }
    }

    #[test]
    fn takes_what_follows_and_reports_gaps() {
        let handoff = Handoff::default();
        assert_eq!(handoff.take_after(0), Handed::Events(vec![]));
        handoff.push([event(1), event(2)]);
        handoff.push([event(3)]);
        assert_eq!(handoff.take_after(0), Handed::Events(vec![event(1), event(2), event(3)]));
        assert_eq!(handoff.take_after(3), Handed::Events(vec![]));
        // Taken by a read of the outbox meanwhile: dropped, not handed twice.
        handoff.push([event(4), event(5)]);
        assert_eq!(handoff.take_after(4), Handed::Events(vec![event(5)]));
    }

    #[test]
    fn keeps_at_most_its_capacity_and_then_reports_the_gap() {
        let handoff = Handoff::default();
        let count = i64::try_from(HANDOFF_CAPACITY).expect("small") + 10;
        handoff.push((1..=count).map(event));
        // The 10 oldest were dropped: the relay must read them from the outbox.
        assert_eq!(handoff.take_after(0), Handed::Gap);
        match handoff.take_after(10) {
            Handed::Events(events) => {
                assert_eq!(events.len(), HANDOFF_CAPACITY);
                assert_eq!(events.first().map(|e| e.id), Some(11));
                assert_eq!(events.last().map(|e| e.id), Some(count));
            }
            Handed::Gap => panic!("11.. are held"),
        }
    }
}
