//! Restart durability: what was acknowledged is read back after a stop and a new boot.

use std::collections::BTreeSet;

use crate::common::{App, all_messages, create_channel, post_message, settings};

#[tokio::test]
async fn messages_survive_a_restart() -> anyhow::Result<()> {
    const N: usize = 120;
    let dir = tempfile::tempdir()?;
    let app = App::boot(settings(dir.path())).await?;
    let channel = create_channel(&app, "durable").await;
    let mut written = BTreeSet::new();
    for i in 0..N {
        let message = post_message(&app, channel, &format!("message {i}")).await;
        written.insert((message["id"].as_i64(), message["text"].as_str().map(str::to_owned)));
    }
    app.stop().await?;

    let app = App::boot(settings(dir.path())).await?;
    let read: BTreeSet<_> = all_messages(&app, channel)
        .await
        .iter()
        .map(|m| (m["id"].as_i64(), m["text"].as_str().map(str::to_owned)))
        .collect();
    assert_eq!(read.len(), N);
    assert_eq!(read, written);
    app.stop().await
}
