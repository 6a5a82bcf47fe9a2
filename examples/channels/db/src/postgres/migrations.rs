//! The PostgreSQL schema: the same tables as SQLite's, as migrations applied in order and
//! tracked in `schema_version`. Replicas that start together take turns through an advisory lock.

use anyhow::Context as _;
use deadpool_postgres::Object;

/// The advisory lock that serializes migrations across processes.
const MIGRATION_LOCK: i64 = 0x6368_616e_6e65_6c31; // "channel1"

/// Migration `i` moves the schema from version `i` to `i + 1`. Append only.
const MIGRATIONS: &[&str] = &[
    // 1: channels and messages. Identity columns never reuse an id, so a pagination cursor
    // never points into another channel's history. Names are unique under canonical caseless
    // matching, through `name_key` computed in Rust (`ChannelName::key`), as on SQLite; the
    // database's collation plays no part.
    "CREATE TABLE channels (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name TEXT NOT NULL,
        name_key TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
    );
    CREATE UNIQUE INDEX channels_name_key ON channels (name_key);
    CREATE TABLE messages (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
        author TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at BIGINT NOT NULL
    );
    CREATE INDEX messages_channel ON messages (channel_id, id);",
    // 2: the outbox; see the SQLite migration of the same number. Ids are in commit order
    // because every write transaction takes one advisory lock before it inserts anything.
    "CREATE TABLE events (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        channel_id BIGINT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at BIGINT NOT NULL
    );
    -- How far the cluster's relay has published, so that a new leader resumes there.
    CREATE TABLE relay (
        singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
        published_id BIGINT NOT NULL
    );
    INSERT INTO relay (published_id) VALUES (0);",
    // 3: webhook deliveries, a queue that every webhooks worker of the cluster claims from
    // (`FOR UPDATE SKIP LOCKED`, with a lease on the server's clock). Rows are enqueued from the
    // outbox's `message_posted` events after `webhook_cursor`, which starts at the newest event
    // so that an existing history is not delivered on upgrade; a delivered row is deleted.
    "CREATE TABLE webhook_deliveries (
        event_id BIGINT PRIMARY KEY,
        lease_until TIMESTAMPTZ,
        attempts INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE webhook_cursor (
        singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
        last_event_id BIGINT NOT NULL
    );
    INSERT INTO webhook_cursor (last_event_id) SELECT coalesce(max(id), 0) FROM events;",
];

/// Brings the schema up to date, one transaction per migration.
pub(crate) async fn migrate(client: &mut Object) -> anyhow::Result<()> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_version (
                singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
                version BIGINT NOT NULL
            );
            INSERT INTO schema_version (version) VALUES (0) ON CONFLICT DO NOTHING;",
        )
        .await
        .or_else(|error| {
            // Two replicas creating the table at once: one of them loses; the table is there.
            if error.code().is_some_and(|code| {
                *code == tokio_postgres::error::SqlState::UNIQUE_VIOLATION
                    || *code == tokio_postgres::error::SqlState::DUPLICATE_TABLE
            }) {
                Ok(())
            } else {
                Err(error)
            }
        })
        .context("cannot create `schema_version`")?;
    loop {
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await?;
        let current: i64 = tx.query_one("SELECT version FROM schema_version", &[]).await?.get(0);
        let current = usize::try_from(current)?;
        anyhow::ensure!(
            current <= MIGRATIONS.len(),
            "the database has schema version {current}, newer than this program's {}",
            MIGRATIONS.len()
        );
        let Some(sql) = MIGRATIONS.get(current) else { return Ok(()) };
        tx.batch_execute(sql).await.with_context(|| format!("migration {} failed", current + 1))?;
        let next = i64::try_from(current + 1)?;
        tx.execute("UPDATE schema_version SET version = $1", &[&next]).await?;
        tx.commit().await?;
        tracing::info!(version = next, "database migrated");
    }
}
