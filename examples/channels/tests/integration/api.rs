//! The whole API, through the happy paths.

use serde_json::json;

use crate::common::{App, all_messages, client, create_channel, json, post_message, settings};

#[tokio::test]
async fn channels_and_messages_round_trip() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let app = App::boot(settings(dir.path())).await?;
    let client = client();

    let (status, body) = json(client.get(app.url("/health")).send().await?).await;
    assert_eq!((status, body), (200, json!({ "status": "ok" })));

    let general = create_channel(&app, "general").await;
    let random = create_channel(&app, "random").await;
    let (status, body) =
        json(client.post(app.url("/channels")).json(&json!({ "name": "General" })).send().await?)
            .await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("conflict")));

    let (status, body) = json(client.get(app.url("/channels")).send().await?).await;
    assert_eq!(status, 200);
    let names: Vec<_> =
        body["items"].as_array().into_iter().flatten().map(|c| c["name"].clone()).collect();
    assert_eq!(names, [json!("general"), json!("random")]);
    assert_eq!(body["next_cursor"], json!(null));

    let (status, body) = json(client.get(app.url("/channels?limit=1")).send().await?).await;
    assert_eq!((status, body["items"].as_array().map(Vec::len)), (200, Some(1)));
    assert_eq!(body["next_cursor"], json!(general));

    let (status, body) =
        json(client.get(app.url(&format!("/channels/{random}"))).send().await?).await;
    assert_eq!((status, body["name"].as_str()), (200, Some("random")));

    let (status, body) = json(
        client
            .patch(app.url(&format!("/channels/{random}")))
            .json(&json!({ "name": "  off-topic  " }))
            .send()
            .await?,
    )
    .await;
    assert_eq!((status, body["name"].as_str()), (200, Some("off-topic")));

    for i in 0..5 {
        let message = post_message(&app, general, &format!("hello {i}")).await;
        assert_eq!(message["channel_id"], json!(general));
        assert_eq!(message["author"], json!("ann"));
    }
    post_message(&app, random, "elsewhere").await;

    // Pages of 2: 2 + 2 + 1, each cursor the last id of its page.
    let mut cursor: Option<i64> = None;
    let mut pages = Vec::new();
    loop {
        let query = cursor.map_or(String::new(), |c| format!("&cursor={c}"));
        let url = app.url(&format!("/channels/{general}/messages?limit=2{query}"));
        let (status, body) = json(client.get(url).send().await?).await;
        assert_eq!(status, 200, "{body}");
        let texts: Vec<String> = body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["text"].as_str().map(str::to_owned))
            .collect();
        pages.push(texts);
        match body["next_cursor"].as_i64() {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, [vec!["hello 0", "hello 1"], vec!["hello 2", "hello 3"], vec!["hello 4"]]);
    assert_eq!(all_messages(&app, random).await.len(), 1);

    let response = client.delete(app.url(&format!("/channels/{general}"))).send().await?;
    assert_eq!(response.status().as_u16(), 204);
    let (status, body) =
        json(client.get(app.url(&format!("/channels/{general}/messages"))).send().await?).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("channel_not_found")));
    let (status, _) =
        json(client.delete(app.url(&format!("/channels/{general}"))).send().await?).await;
    assert_eq!(status, 404);

    app.stop().await
}

#[tokio::test]
async fn runs_without_webhooks() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut settings = settings(dir.path());
    settings.webhook_urls = vec!["http://127.0.0.1:9/unused".into()];
    let app = App::boot_without_webhooks(settings).await?;
    let platform = app.platform();
    // `webhooks` is not selected; `config` is replaced by the test's settings.
    assert_eq!((platform.state("webhooks"), platform.state("config")), (None, None));
    for name in ["database", "realtime", "channels", "web"] {
        assert_eq!(platform.state(name), Some(weft::State::Started), "{name}");
    }
    let channel = create_channel(&app, "quiet").await;
    post_message(&app, channel, "no webhooks here").await;
    assert_eq!(all_messages(&app, channel).await.len(), 1);
    app.stop().await
}
