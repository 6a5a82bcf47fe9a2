//! The schema, as a list of migrations applied in order and tracked in `PRAGMA user_version`.

use anyhow::Context as _;
use rusqlite::Connection;

/// Migration `i` moves the schema from version `i` to `i + 1`. Append only.
const MIGRATIONS: &[&str] = &[
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
    // 2: the outbox. Every write appends its event here in its own transaction; the row id is
    // the event id, in commit order (one writer). No foreign key: a channel's events outlive it
    // (`channel_deleted` is one of them). AUTOINCREMENT: an id is never reused, so a client's
    // last seen id stays meaningful.
    "CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        channel_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );",
];

/// Brings the schema up to date, one transaction per migration.
pub(crate) fn migrate(connection: &mut Connection) -> anyhow::Result<()> {
    let current: usize =
        connection.query_row("PRAGMA user_version", [], |row| row.get::<_, i64>(0))?.try_into()?;
    anyhow::ensure!(
        current <= MIGRATIONS.len(),
        "the database has schema version {current}, newer than this program's {}",
        MIGRATIONS.len()
    );
    for (version, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = connection.transaction()?;
        tx.execute_batch(sql).with_context(|| format!("migration {} failed", version + 1))?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
        tracing::info!(version = version + 1, "database migrated");
    }
    Ok(())
}
