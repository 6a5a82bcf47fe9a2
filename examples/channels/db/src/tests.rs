use super::*;
use channels_api::handoff::Handed;
use channels_api::{Author, MessageText, Settings};

fn settings(dir: &Path) -> Settings {
    Settings { data_dir: dir.to_path_buf(), ..Settings::default() }
}

fn new_message(text: &str) -> NewMessage {
    NewMessage {
        author: Author::parse("ann").expect("valid author"),
        text: MessageText::parse(text).expect("valid text"),
    }
}

#[tokio::test]
async fn stores_pages_and_survives_reopen() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let config: Arc<dyn Config> = Arc::new(settings(dir.path()));
    let mut db = Sqlite::new(config.clone());
    db.init().await?;
    let general = db.create_channel(ChannelName::parse("general")?, 1).await?;
    assert!(matches!(
        db.create_channel(ChannelName::parse("GENERAL")?, 2).await,
        Err(DbError::DuplicateName(_))
    ));
    for i in 0..5 {
        db.insert_message(general.id, new_message(&format!("m{i}")), 3).await?;
    }
    let first = db.list_messages(general.id, PageRequest::new(None, Some(2))?).await?;
    assert_eq!(first.items.len(), 2);
    let cursor = first.next_cursor;
    let rest = db.list_messages(general.id, PageRequest::new(cursor, Some(10))?).await?;
    assert_eq!(rest.items.len(), 3);
    assert_eq!(rest.next_cursor, None);
    assert!(matches!(
        db.insert_message(999, new_message("x"), 4).await,
        Err(DbError::ChannelNotFound(999))
    ));
    db.stop().await?;
    assert!(matches!(db.get_channel(general.id).await, Err(DbError::Closed)));

    let mut again = Sqlite::new(config);
    again.init().await?;
    let all = again.list_messages(general.id, PageRequest::new(None, Some(100))?).await?;
    assert_eq!(
        all.items.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(),
        ["m0", "m1", "m2", "m3", "m4"]
    );
    again.delete_channel(general.id, 5).await?;
    assert!(matches!(
        again.list_messages(general.id, PageRequest::first()).await,
        Err(DbError::ChannelNotFound(_))
    ));
    again.stop().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_write_does_not_undo_its_group() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut db = Sqlite::new(Arc::new(settings(dir.path())));
    db.init().await?;
    let db = Arc::new(db);
    let channel = db.create_channel(ChannelName::parse("general")?, 1).await?;
    let mut tasks = Vec::new();
    for i in 0..200 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            match i % 4 {
                // Fails inside the group: no such channel.
                0 => db.insert_message(i64::MAX, new_message("lost"), 2).await.is_err(),
                // Fails inside the group: a duplicate name.
                1 => db
                    .create_channel(ChannelName::parse("GENERAL").expect("valid"), 2)
                    .await
                    .is_err(),
                _ => db
                    .insert_message(channel.id, new_message(&format!("kept {i}")), 2)
                    .await
                    .is_ok(),
            }
        }));
    }
    for task in tasks {
        assert!(task.await?, "every write got its own outcome");
    }
    let page = db.list_messages(channel.id, PageRequest::new(None, Some(200))?).await?;
    assert_eq!(page.items.len(), 100);
    db.stop().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_appends_its_event_in_commit_order() -> anyhow::Result<()> {
    use channels_api::ChannelEvent;

    let dir = tempfile::tempdir()?;
    let config: Arc<dyn Config> = Arc::new(settings(dir.path()));
    let mut db = Sqlite::new(config.clone());
    db.init().await?;
    assert_eq!(db.last_event_id().await?, 0);
    let mut committed = db.committed();
    let general = db.create_channel(ChannelName::parse("general")?, 1).await?;
    // The writer announced the commit, without anyone asking.
    assert_eq!(*committed.borrow_and_update(), 1);
    // Failed writes append nothing.
    assert!(db.create_channel(ChannelName::parse("GENERAL")?, 2).await.is_err());
    assert!(db.insert_message(999, new_message("lost"), 2).await.is_err());
    let message = db.insert_message(general.id, new_message("hello"), 3).await?;
    // What the insert answers is what was stored.
    let stored = db.list_messages(general.id, PageRequest::first()).await?.items;
    assert_eq!(stored, std::slice::from_ref(&message));
    let renamed = db.rename_channel(general.id, ChannelName::parse("main")?, 4).await?;
    db.delete_channel(general.id, 5).await?;
    let events = db.events_after(0, 100).await?;
    let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
    assert_eq!(ids, [1, 2, 3, 4]);
    assert_eq!(
        events.into_iter().map(|e| e.event).collect::<Vec<_>>(),
        [
            ChannelEvent::ChannelCreated { channel: general.clone() },
            ChannelEvent::MessagePosted { message },
            ChannelEvent::ChannelRenamed { channel: renamed },
            ChannelEvent::ChannelDeleted { channel_id: general.id },
        ]
    );
    assert_eq!(db.events_after(2, 1).await?.iter().map(|e| e.id).collect::<Vec<_>>(), [3]);
    assert_eq!(*committed.borrow_and_update(), 4);

    // Many writers at once: one event per successful write, ids dense and in order.
    let db = Arc::new(db);
    let channel = db.create_channel(ChannelName::parse("busy")?, 6).await?;
    let mut tasks = Vec::new();
    for i in 0..100 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            db.insert_message(channel.id, new_message(&format!("m{i}")), 7).await
        }));
    }
    for task in tasks {
        task.await??;
    }
    let events = db.events_after(5, 200).await?;
    assert_eq!(events.len(), 100);
    let mut message_ids = Vec::new();
    for (n, event) in events.iter().enumerate() {
        assert_eq!(event.id, 6 + n as i64);
        let ChannelEvent::MessagePosted { message } = &event.event else {
            panic!("a message_posted event")
        };
        message_ids.push(message.id);
    }
    assert!(message_ids.windows(2).all(|w| w[0] < w[1]), "message ids in event order");
    assert_eq!(db.last_event_id().await?, 105);
    // The writer handed every committed event to the relay in memory, failed writes none: the
    // same events, with the same ids, as the outbox holds.
    assert_eq!(db.handed_after(0), Handed::Events(db.events_after(0, 200).await?));
    assert_eq!(db.handed_after(105), Handed::Events(Vec::new()));
    db.stop().await?;

    // The outbox survives a restart, and the watch starts at its head.
    let mut again = Sqlite::new(config);
    again.init().await?;
    assert_eq!((again.last_event_id().await?, *again.committed().borrow()), (105, 105));
    again.stop().await?;
    Ok(())
}

#[tokio::test]
async fn names_are_unique_under_case_folding_and_normalization() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut db = Sqlite::new(Arc::new(settings(dir.path())));
    db.init().await?;
    db.create_channel(ChannelName::parse("Straße")?, 1).await?;
    let cafe = db.create_channel(ChannelName::parse("caf\u{e9}")?, 1).await?;
    for same in ["STRASSE", "strasse", "CAFE\u{301}", "Caf\u{c9}"] {
        assert!(
            matches!(
                db.create_channel(ChannelName::parse(same)?, 2).await,
                Err(DbError::DuplicateName(_))
            ),
            "{same}"
        );
    }
    assert!(matches!(
        db.rename_channel(cafe.id, ChannelName::parse("strasse")?, 3).await,
        Err(DbError::DuplicateName(_))
    ));
    // Renaming to another case of its own name is allowed.
    assert_eq!(db.rename_channel(cafe.id, ChannelName::parse("CAFÉ")?, 4).await?.name, "CAFÉ");
    db.stop().await?;
    Ok(())
}

/// Writes a database as an earlier version of this crate left it, from its `schema` and rows.
fn old_database(dir: &Path, schema: &str) -> anyhow::Result<()> {
    rusqlite::Connection::open(dir.join(DATABASE_FILE))?.execute_batch(schema)?;
    Ok(())
}

#[tokio::test]
async fn the_name_key_migration_keeps_channels_that_now_collide() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    // A database at schema version 2, whose NOCASE index let these two names in.
    old_database(
        dir.path(),
        "CREATE TABLE channels (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,
                 created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
             CREATE UNIQUE INDEX channels_name ON channels (name COLLATE NOCASE);
             CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT,
                 channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
                 author TEXT NOT NULL, text TEXT NOT NULL, created_at INTEGER NOT NULL);
             CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT,
                 channel_id INTEGER NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL,
                 created_at INTEGER NOT NULL);
             INSERT INTO channels (name, created_at, updated_at) VALUES ('Straße', 1, 1);
             INSERT INTO channels (name, created_at, updated_at) VALUES ('STRASSE', 1, 1);
             INSERT INTO channels (name, created_at, updated_at) VALUES ('other', 1, 1);
             PRAGMA user_version = 2;",
    )?;
    let mut db = Sqlite::new(Arc::new(settings(dir.path())));
    db.init().await?;
    let names: Vec<String> =
        db.list_channels(PageRequest::first()).await?.items.into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["Straße", "STRASSE", "other"]);
    assert!(matches!(
        db.create_channel(ChannelName::parse("strasse")?, 2).await,
        Err(DbError::DuplicateName(_))
    ));
    assert!(matches!(
        db.create_channel(ChannelName::parse("OTHER")?, 2).await,
        Err(DbError::DuplicateName(_))
    ));
    db.create_channel(ChannelName::parse("new")?, 2).await?;
    db.stop().await?;
    Ok(())
}

/// Checkpoints run on their own thread, long before SQLite's own threshold (1,000 WAL pages)
/// would make the writer run one; and the writer's connection still closes last, removing the
/// WAL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wal_is_checkpointed_off_the_writer_thread() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut db = Sqlite::new(Arc::new(settings_normal(dir.path())));
    db.init().await?;
    let file = db.path();
    let wal = file.with_extension("sqlite3-wal");
    let size = |path: &Path| std::fs::metadata(path).map_or(0, |m| m.len());
    let empty = size(&file);
    let channel = db.create_channel(ChannelName::parse("checkpoints")?, 1).await?;
    // One commit each, well past `COMMITS_PER_CHECKPOINT`, about 100 pages in all.
    let text = "x".repeat(2_000);
    for _ in 0..2 * crate::checkpoint::COMMITS_PER_CHECKPOINT {
        db.insert_message(channel.id, new_message(&text), 2).await?;
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while size(&file) < empty + 100_000 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        size(&file) >= empty + 100_000,
        "the database file grew by checkpoints: {} bytes, from {empty}",
        size(&file)
    );
    assert!(wal.exists());
    db.stop().await?;
    assert!(!wal.exists(), "the last connection to close checkpointed and removed the WAL");
    let mut again = Sqlite::new(Arc::new(settings_normal(dir.path())));
    again.init().await?;
    let page = again.list_messages(channel.id, PageRequest::new(None, Some(200))?).await?;
    assert_eq!(page.items.len() as u64, 2 * crate::checkpoint::COMMITS_PER_CHECKPOINT);
    again.stop().await?;
    Ok(())
}

/// With `synchronous = FULL` no thread checkpoints: the WAL takes the same writes, and the
/// database file does not grow until SQLite's own threshold, or the close.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_full_sync_sqlite_checkpoints_by_itself() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut db = Sqlite::new(Arc::new(Settings { sync: SyncMode::Full, ..settings(dir.path()) }));
    db.init().await?;
    let file = db.path();
    let size = |path: &Path| std::fs::metadata(path).map_or(0, |m| m.len());
    let empty = size(&file);
    let channel = db.create_channel(ChannelName::parse("checkpoints")?, 1).await?;
    let text = "x".repeat(2_000);
    for _ in 0..2 * crate::checkpoint::COMMITS_PER_CHECKPOINT {
        db.insert_message(channel.id, new_message(&text), 2).await?;
    }
    // Longer than the thread takes to checkpoint with `NORMAL` (the test above).
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(size(&file), empty, "nothing was checkpointed before SQLite's threshold");
    db.stop().await?;
    assert!(size(&file) >= empty + 100_000, "closing checkpointed the WAL");
    Ok(())
}

fn settings_normal(dir: &Path) -> Settings {
    Settings { sync: SyncMode::Normal, ..settings(dir) }
}

/// Counts the rows of `events` of one kind, through a connection of the test's own.
fn event_rows(db: &Sqlite, kind: &str) -> anyhow::Result<i64> {
    let connection = rusqlite::Connection::open(db.path())?;
    Ok(connection
        .query_row("SELECT count(*) FROM events WHERE kind = ?1", [kind], |row| row.get(0))?)
}

/// A message is stored once, as its own `message_posted` event; deleting its channel keeps the
/// events that the relay has not published yet, and only those.
#[tokio::test]
async fn a_message_is_its_own_event_until_its_channel_is_deleted() -> anyhow::Result<()> {
    use channels_api::ChannelEvent;

    let dir = tempfile::tempdir()?;
    let mut db = Sqlite::new(Arc::new(settings(dir.path())));
    db.init().await?;
    let doomed = db.create_channel(ChannelName::parse("doomed")?, 1).await?;
    let texts = ["first", "second", "\"quoted\" \\ back \u{2028} \u{1F980} </script>"];
    let mut messages = Vec::new();
    for text in texts {
        messages.push(db.insert_message(doomed.id, new_message(text), 2).await?);
    }
    let kept = db.create_channel(ChannelName::parse("kept")?, 3).await?;
    let other = db.insert_message(kept.id, new_message("elsewhere"), 4).await?;
    assert_eq!(
        (doomed.id, messages.iter().map(|m| m.id).collect::<Vec<_>>(), other.id),
        (1, vec![2, 3, 4], 6),
        "messages and events share one id sequence"
    );
    // No second row per message.
    assert_eq!(event_rows(&db, "message_posted")?, 0);
    let before = db.events_after(0, 100).await?;
    assert_eq!(before.iter().map(|e| e.id).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6]);
    assert_eq!(before[3].event, ChannelEvent::MessagePosted { message: messages[2].clone() });

    // The relay has published up to the second message of `doomed`.
    db.relay_published(messages[1].id);
    db.delete_channel(doomed.id, 5).await?;
    assert_eq!(event_rows(&db, "message_posted")?, 1, "only the unpublished one is kept");
    let after = db.events_after(messages[1].id, 100).await?;
    assert_eq!(
        after.into_iter().map(|e| (e.id, e.event)).collect::<Vec<_>>(),
        [
            (4, ChannelEvent::MessagePosted { message: messages[2].clone() }),
            (5, ChannelEvent::ChannelCreated { channel: kept.clone() }),
            (6, ChannelEvent::MessagePosted { message: other }),
            (7, ChannelEvent::ChannelDeleted { channel_id: doomed.id }),
        ]
    );
    assert_eq!(db.last_event_id().await?, 7);
    db.stop().await?;
    Ok(())
}

/// A database of schema version 3 had a `message_posted` row per message, numbered apart from
/// the messages: migration 4 drops those rows and starts the shared sequence above every id
/// either table used, so new events follow the newest old one, id for id.
#[tokio::test]
async fn the_shared_sequence_migration_starts_above_every_old_id() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    old_database(
        dir.path(),
        "CREATE TABLE channels (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,
                 created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
                 name_key TEXT NOT NULL DEFAULT '');
             CREATE UNIQUE INDEX channels_name_key ON channels (name_key);
             CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT,
                 channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
                 author TEXT NOT NULL, text TEXT NOT NULL, created_at INTEGER NOT NULL);
             CREATE INDEX messages_channel ON messages (channel_id, id);
             CREATE TABLE events (id INTEGER PRIMARY KEY, channel_id INTEGER NOT NULL,
                 kind TEXT NOT NULL, payload TEXT NOT NULL, created_at INTEGER NOT NULL);
             INSERT INTO channels (name, name_key, created_at, updated_at)
                 VALUES ('old', 'old', 1, 1);
             INSERT INTO messages (channel_id, author, text, created_at) VALUES (1, 'a', 'x', 2);
             INSERT INTO messages (channel_id, author, text, created_at) VALUES (1, 'a', 'y', 2);
             INSERT INTO events (channel_id, kind, payload, created_at) VALUES
                 (1, 'channel_created', '{}', 1),
                 (1, 'message_posted', '{}', 2),
                 (1, 'message_posted', '{}', 2);
             PRAGMA user_version = 3;",
    )?;
    let mut db = Sqlite::new(Arc::new(settings(dir.path())));
    db.init().await?;
    assert_eq!(event_rows(&db, "message_posted")?, 0);
    assert_eq!(db.last_event_id().await?, 3, "the newest old id, from `events`");
    let message = db.insert_message(1, new_message("new"), 3).await?;
    let channel = db.create_channel(ChannelName::parse("new")?, 4).await?;
    assert_eq!(message.id, 4);
    let ids = |events: Vec<StoredEvent>| events.into_iter().map(|e| e.id).collect::<Vec<_>>();
    assert_eq!(ids(db.events_after(3, 100).await?), [4, 5]);
    let Handed::Events(handed) = db.handed_after(3) else { panic!("the handoff has them") };
    assert_eq!(ids(handed), [4, 5]);
    assert_eq!(channel.id, 2, "channel ids keep their own sequence");
    // The relay of this run starts at the newest old id: deleting the old channel keeps the
    // event of the message posted in this run only.
    db.delete_channel(1, 5).await?;
    assert_eq!(event_rows(&db, "message_posted")?, 1);
    db.stop().await?;
    Ok(())
}
