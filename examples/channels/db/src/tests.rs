use super::*;
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
    again.delete_channel(general.id).await?;
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
