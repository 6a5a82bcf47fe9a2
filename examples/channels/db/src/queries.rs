//! The SQL of each operation. Every value is a bound parameter; nothing is formatted into SQL.

use channels_api::{
    Channel, ChannelEvent, ChannelName, DbError, Message, NewMessage, Page, PageRequest,
    StoredEvent,
};
use rusqlite::{Connection, ErrorCode, OptionalExtension, Row, params};

/// The extended result code of a UNIQUE constraint failure.
const SQLITE_CONSTRAINT_UNIQUE: i32 = 2067;

fn other(error: rusqlite::Error) -> DbError {
    DbError::Other(error.into())
}

/// The extended result code of a FOREIGN KEY constraint failure.
const SQLITE_CONSTRAINT_FOREIGNKEY: i32 = 787;

fn is_foreign_key_violation(error: &rusqlite::Error) -> bool {
    matches!(error, rusqlite::Error::SqliteFailure(e, _)
        if e.code == ErrorCode::ConstraintViolation
            && e.extended_code == SQLITE_CONSTRAINT_FOREIGNKEY)
}

fn is_unique_violation(error: &rusqlite::Error) -> bool {
    matches!(error, rusqlite::Error::SqliteFailure(e, _)
        if e.code == ErrorCode::ConstraintViolation && e.extended_code == SQLITE_CONSTRAINT_UNIQUE)
}

fn channel(row: &Row<'_>) -> rusqlite::Result<Channel> {
    Ok(Channel {
        id: row.get(0)?,
        name: row.get(1)?,
        created_at: row.get(2)?,
        updated_at: row.get(3)?,
    })
}

fn message(row: &Row<'_>) -> rusqlite::Result<Message> {
    Ok(Message {
        id: row.get(0)?,
        channel_id: row.get(1)?,
        author: row.get(2)?,
        text: row.get(3)?,
        created_at: row.get(4)?,
    })
}

/// A page from `limit + 1` rows: the extra row only tells that there is a next page.
pub(crate) fn page<T>(mut items: Vec<T>, request: PageRequest, id: impl Fn(&T) -> i64) -> Page<T> {
    let limit = request.limit() as usize;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(id)
    } else {
        None
    };
    Page { items, next_cursor }
}

/// Takes the next id of the sequence that messages and events share (migration 4): the
/// messages' AUTOINCREMENT counter, which the next message insert continues from. In the
/// writer's transaction, so a write undone gives its id back.
fn next_event_id(c: &Connection) -> Result<i64, DbError> {
    let mut statement = c
        .prepare_cached(
            "UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'messages' RETURNING seq",
        )
        .map_err(other)?;
    statement
        .query_row([], |row| row.get(0))
        .optional()
        .map_err(other)?
        .ok_or_else(|| DbError::Other(anyhow::anyhow!("the event id sequence is missing")))
}

/// Appends a channel `event` to the `events` table, in the caller's transaction; returns it
/// with its id. (A message is its own event: see [`insert_message`].)
fn append_event(c: &Connection, event: ChannelEvent, now: i64) -> Result<StoredEvent, DbError> {
    let payload = serde_json::to_string(&event).map_err(|error| {
        DbError::Other(anyhow::Error::new(error).context("cannot encode an event"))
    })?;
    let id = next_event_id(c)?;
    let mut statement = c
        .prepare_cached(
            "INSERT INTO events (id, channel_id, kind, payload, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(other)?;
    statement
        .execute(params![id, event.channel_id(), event.kind(), payload, now])
        .map_err(other)?;
    Ok(StoredEvent { id, event })
}

pub(crate) fn create_channel(
    c: &Connection,
    name: &ChannelName,
    now: i64,
) -> Result<(Channel, StoredEvent), DbError> {
    let mut statement = c
        .prepare_cached(
            "INSERT INTO channels (name, name_key, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)
             RETURNING id, name, created_at, updated_at",
        )
        .map_err(other)?;
    let (key, name) = (name.key(), name.as_str());
    let created = statement.query_row(params![name, key, now], channel).map_err(|error| {
        if is_unique_violation(&error) {
            DbError::DuplicateName(name.to_owned())
        } else {
            other(error)
        }
    })?;
    let event = append_event(c, ChannelEvent::ChannelCreated { channel: created.clone() }, now)?;
    Ok((created, event))
}

pub(crate) fn list_channels(
    c: &mut Connection,
    request: PageRequest,
) -> Result<Page<Channel>, DbError> {
    let mut statement = c
        .prepare_cached(
            "SELECT id, name, created_at, updated_at FROM channels WHERE id > ?1 ORDER BY id LIMIT ?2",
        )
        .map_err(other)?;
    let items = statement
        .query_map(params![request.after(), i64::from(request.limit()) + 1], channel)
        .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
        .map_err(other)?;
    Ok(page(items, request, |c| c.id))
}

pub(crate) fn get_channel(c: &mut Connection, id: i64) -> Result<Channel, DbError> {
    let mut statement = c
        .prepare_cached("SELECT id, name, created_at, updated_at FROM channels WHERE id = ?1")
        .map_err(other)?;
    statement
        .query_row(params![id], channel)
        .optional()
        .map_err(other)?
        .ok_or(DbError::ChannelNotFound(id))
}

pub(crate) fn rename_channel(
    c: &Connection,
    id: i64,
    name: &ChannelName,
    now: i64,
) -> Result<(Channel, StoredEvent), DbError> {
    let mut statement = c
        .prepare_cached(
            "UPDATE channels SET name = ?2, name_key = ?3, updated_at = ?4 WHERE id = ?1
             RETURNING id, name, created_at, updated_at",
        )
        .map_err(other)?;
    let (key, name) = (name.key(), name.as_str());
    let renamed = statement
        .query_row(params![id, name, key, now], channel)
        .optional()
        .map_err(|error| {
            if is_unique_violation(&error) {
                DbError::DuplicateName(name.to_owned())
            } else {
                other(error)
            }
        })?
        .ok_or(DbError::ChannelNotFound(id))?;
    let event = append_event(c, ChannelEvent::ChannelRenamed { channel: renamed.clone() }, now)?;
    Ok((renamed, event))
}

/// Deletes a channel and its messages. `published` is the newest event id the relay has
/// published: the `message_posted` events of the channel's messages after it, which the
/// messages table held, are first copied to the `events` table with their ids, so that the
/// relay still publishes them, before `channel_deleted`.
pub(crate) fn delete_channel(
    c: &Connection,
    id: i64,
    now: i64,
    published: i64,
) -> Result<((), StoredEvent), DbError> {
    let mut unpublished = c
        .prepare_cached(
            "INSERT INTO events (id, channel_id, kind, payload, created_at)
             SELECT id, channel_id, 'message_posted',
                 json_object('type', 'message_posted', 'message', json_object(
                     'id', id, 'channel_id', channel_id, 'author', author, 'text', text,
                     'created_at', created_at)),
                 created_at
             FROM messages WHERE channel_id = ?1 AND id > ?2",
        )
        .map_err(other)?;
    unpublished.execute(params![id, published]).map_err(other)?;
    // Messages go with the channel through `ON DELETE CASCADE`.
    let deleted = c.execute("DELETE FROM channels WHERE id = ?1", params![id]).map_err(other)?;
    if deleted == 0 {
        return Err(DbError::ChannelNotFound(id));
    }
    let event = append_event(c, ChannelEvent::ChannelDeleted { channel_id: id }, now)?;
    Ok(((), event))
}

fn channel_exists(c: &Connection, id: i64) -> Result<bool, DbError> {
    let mut statement = c.prepare_cached("SELECT 1 FROM channels WHERE id = ?1").map_err(other)?;
    statement.exists(params![id]).map_err(other)
}

pub(crate) fn insert_message(
    c: &Connection,
    channel_id: i64,
    new: &NewMessage,
    now: i64,
) -> Result<(Message, StoredEvent), DbError> {
    // Runs inside the writer's transaction, and the caller is answered only after the group
    // commit. A missing channel is the foreign key's violation: no separate look-up. Every
    // column but the id is known here, so a plain INSERT (no `RETURNING`, which makes SQLite
    // buffer the returned row) and the rowid are enough, on the thread every write waits for.
    // The row is its own `message_posted` event, with the message's id (migration 4): no
    // second row.
    let mut statement = c
        .prepare_cached(
            "INSERT INTO messages (channel_id, author, text, created_at) VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(other)?;
    let (author, text) = (new.author.as_str(), new.text.as_str());
    let id = statement.insert(params![channel_id, author, text, now]).map_err(|error| {
        if is_foreign_key_violation(&error) {
            DbError::ChannelNotFound(channel_id)
        } else {
            other(error)
        }
    })?;
    let posted = Message {
        id,
        channel_id,
        author: author.to_owned(),
        text: text.to_owned(),
        created_at: now,
    };
    let event = StoredEvent { id, event: ChannelEvent::MessagePosted { message: posted.clone() } };
    Ok((posted, event))
}

pub(crate) fn list_messages(
    c: &mut Connection,
    channel_id: i64,
    request: PageRequest,
) -> Result<Page<Message>, DbError> {
    // One read transaction, so the channel cannot vanish between the check and the query.
    let tx = c.transaction().map_err(other)?;
    if !channel_exists(&tx, channel_id)? {
        return Err(DbError::ChannelNotFound(channel_id));
    }
    let items = {
        let mut statement = tx
            .prepare_cached(
                "SELECT id, channel_id, author, text, created_at FROM messages
                 WHERE channel_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
            )
            .map_err(other)?;
        statement
            .query_map(
                params![channel_id, request.after(), i64::from(request.limit()) + 1],
                message,
            )
            .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
            .map_err(other)?
    };
    tx.commit().map_err(other)?;
    Ok(page(items, request, |m| m.id))
}

/// The events after `after`, oldest first: the messages (each its own `message_posted`) and
/// the rows of `events`, merged by their shared id.
pub(crate) fn events_after(
    c: &mut Connection,
    after: i64,
    limit: u32,
) -> Result<Vec<StoredEvent>, DbError> {
    // One read transaction: both tables at the same commit.
    let tx = c.transaction().map_err(other)?;
    let events = {
        let mut statement = tx
            .prepare_cached(
                "SELECT id, channel_id, author, text, created_at, NULL FROM messages WHERE id > ?1
                 UNION ALL
                 SELECT id, NULL, NULL, NULL, NULL, payload FROM events WHERE id > ?1
                 ORDER BY 1 LIMIT ?2",
            )
            .map_err(other)?;
        let rows = statement
            .query_map(params![after, limit], |row| {
                let id: i64 = row.get(0)?;
                Ok(match row.get::<_, Option<String>>(5)? {
                    Some(payload) => (id, Err(payload)),
                    None => (id, Ok(message(row)?)),
                })
            })
            .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
            .map_err(other)?;
        rows.into_iter()
            .map(|(id, row)| {
                let event = match row {
                    Ok(message) => ChannelEvent::MessagePosted { message },
                    Err(payload) => serde_json::from_str(&payload).map_err(|error| {
                        DbError::Other(
                            anyhow::Error::new(error).context(format!("event {id} is corrupt")),
                        )
                    })?,
                };
                Ok(StoredEvent { id, event })
            })
            .collect::<Result<Vec<_>, DbError>>()?
    };
    tx.commit().map_err(other)?;
    Ok(events)
}

/// The id of the newest event, `0` if there is none: where the shared sequence is.
pub(crate) fn last_event_id(c: &Connection) -> Result<i64, DbError> {
    let mut statement = c
        .prepare_cached(
            "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'messages'), 0)",
        )
        .map_err(other)?;
    statement.query_row([], |row| row.get(0)).map_err(other)
}
