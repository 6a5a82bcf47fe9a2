//! The schema, as a list of migrations applied in order and tracked in `PRAGMA user_version`.

use anyhow::Context as _;
use channels_api::text::caseless_key;
use rusqlite::{Connection, Transaction};

/// One step of the schema: SQL, or a function for what SQL alone cannot compute.
enum Migration {
    Sql(&'static str),
    Code(fn(&Transaction<'_>) -> anyhow::Result<()>),
}

use Migration::{Code, Sql};

/// Migration `i` moves the schema from version `i` to `i + 1`. Append only.
const MIGRATIONS: &[Migration] = &[
    Sql(
        // 1: channels and messages. AUTOINCREMENT keeps ids from being reused after a delete, so a
        // pagination cursor never points into another channel's history.
        "CREATE TABLE channels (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX channels_name ON channels (name COLLATE NOCASE);
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
        author TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX messages_channel ON messages (channel_id, id);",
    ),
    // 2: the outbox. Every write appends its event here in its own transaction; the row id is
    // the event id, in commit order (one writer). No foreign key: a channel's events outlive it
    // (`channel_deleted` is one of them). Events are never deleted, so the newest row stays and
    // a plain INTEGER PRIMARY KEY never reuses an id (AUTOINCREMENT would cost a write to
    // `sqlite_sequence` per event, on the writer thread).
    Sql("CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        channel_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );"),
    // 3: names are unique under canonical caseless matching (NFC + full case folding), not
    // SQLite's ASCII-only NOCASE: a `name_key` column, computed in Rust.
    Code(add_name_keys),
    // 4: a message is its own `message_posted` event. Messages and the other events share one
    // id sequence, the messages' AUTOINCREMENT counter in `sqlite_sequence`, which a channel
    // event advances by one (see `queries::next_event_id`): with one writer, ids follow commit
    // order across both tables, and the outbox is `messages` and `events` read together by id.
    // The `events` table keeps the channel events, and the `message_posted` events of messages
    // deleted with their channel before the relay published them. The counter starts above
    // every id either table has used: the relay starts at the newest id, so the rows of the old
    // numbering are never read again, and the `message_posted` ones, which the messages
    // table now holds, go.
    Sql("UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT max(id) FROM events), 0))
        WHERE name = 'messages';
    INSERT INTO sqlite_sequence (name, seq)
        SELECT 'messages', max(coalesce((SELECT max(id) FROM events), 0),
                               coalesce((SELECT max(id) FROM messages), 0))
        WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'messages');
    DELETE FROM events WHERE kind = 'message_posted';"),
];

/// Adds `channels.name_key`, fills it, and makes it the unique index. A name stored before this
/// migration whose key another name already has keeps a key of its own (the key, NUL, its id),
/// which no valid name can have: the two channels stay, and neither name can be taken again.
fn add_name_keys(tx: &Transaction<'_>) -> anyhow::Result<()> {
    tx.execute_batch("ALTER TABLE channels ADD COLUMN name_key TEXT NOT NULL DEFAULT ''")?;
    let names = tx
        .prepare("SELECT id, name FROM channels ORDER BY id")?
        .query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut taken = std::collections::HashSet::new();
    for (id, name) in names {
        let mut key = caseless_key(&name);
        if !taken.insert(key.clone()) {
            tracing::warn!(id, name, "two channels have the same name under case folding");
            key = format!("{key}\u{0}{id}");
        }
        tx.execute("UPDATE channels SET name_key = ?1 WHERE id = ?2", rusqlite::params![key, id])?;
    }
    tx.execute_batch(
        "DROP INDEX channels_name;
         CREATE UNIQUE INDEX channels_name_key ON channels (name_key);",
    )?;
    Ok(())
}

/// Brings the schema up to date, one transaction per migration.
pub(crate) fn migrate(connection: &mut Connection) -> anyhow::Result<()> {
    let current: usize =
        connection.query_row("PRAGMA user_version", [], |row| row.get::<_, i64>(0))?.try_into()?;
    anyhow::ensure!(
        current <= MIGRATIONS.len(),
        "the database has schema version {current}, newer than this program's {}",
        MIGRATIONS.len()
    );
    for (version, migration) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = connection.transaction()?;
        match migration {
            Sql(sql) => tx.execute_batch(sql).map_err(anyhow::Error::from),
            Code(step) => step(&tx),
        }
        .with_context(|| format!("migration {} failed", version + 1))?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
        tracing::info!(version = version + 1, "database migrated");
    }
    Ok(())
}
