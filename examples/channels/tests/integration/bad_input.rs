//! Bad inputs: each gets the right 4xx with a JSON error body, never a 500.

use reqwest::header::CONTENT_TYPE;
use serde_json::json;

use crate::common::{App, client, create_channel, json, settings};

/// Sends `request` and checks the status and the error code of the JSON answer.
async fn expect_error(request: reqwest::RequestBuilder, status: u16, code: &str) {
    let response = request.send().await.expect("the server answers");
    let content_type = response.headers().get(CONTENT_TYPE).cloned();
    let (got, body) = json(response).await;
    assert_eq!((got, body["error"]["code"].as_str()), (status, Some(code)), "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert_eq!(content_type.as_ref().and_then(|v| v.to_str().ok()), Some("application/json"));
}

#[tokio::test]
async fn bad_inputs_get_json_4xx() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut settings = settings(dir.path());
    settings.max_body_bytes = 8 * 1024;
    let app = App::boot(settings).await?;
    let c = client();
    let channel = create_channel(&app, "general").await;
    let messages = app.url(&format!("/channels/{channel}/messages"));
    let json_body = |body: &str| {
        c.post(&messages).header(CONTENT_TYPE, "application/json").body(body.to_owned())
    };

    // Bodies.
    expect_error(json_body("{\"author\": \"ann\", \"text\": "), 400, "malformed_json").await;
    expect_error(json_body("not json at all"), 400, "malformed_json").await;
    expect_error(
        c.post(&messages).body("{\"author\":\"a\",\"text\":\"b\"}"),
        415,
        "unsupported_media_type",
    )
    .await;
    expect_error(
        c.post(&messages)
            .header(CONTENT_TYPE, "text/plain")
            .body("{\"author\":\"a\",\"text\":\"b\"}"),
        415,
        "unsupported_media_type",
    )
    .await;
    expect_error(json_body("{\"author\": 5, \"text\": \"x\"}"), 422, "invalid_body").await;
    expect_error(json_body("{\"author\": \"ann\"}"), 422, "invalid_body").await;
    expect_error(json_body("[1, 2, 3]"), 422, "invalid_body").await;
    expect_error(
        json_body("{\"author\": \"a\", \"text\": \"b\", \"admin\": true}"),
        422,
        "invalid_body",
    )
    .await;
    let oversized = json!({ "author": "ann", "text": "x".repeat(9 * 1024) }).to_string();
    expect_error(json_body(&oversized), 413, "payload_too_large").await;
    let too_long = json!({ "author": "ann", "text": "x".repeat(4001) }).to_string();
    expect_error(json_body(&too_long), 422, "invalid_input").await;
    expect_error(json_body("{\"author\": \"   \", \"text\": \"x\"}"), 422, "invalid_input").await;
    expect_error(json_body("{\"author\": \"ann\", \"text\": \"\"}"), 422, "invalid_input").await;

    // Hostile bodies: deep nesting, invalid UTF-8, absurd numbers, duplicate keys.
    let deep = format!("{}{}", "[".repeat(3_000), "]".repeat(3_000));
    let response = json_body(&deep).send().await?;
    let (status, body) = json(response).await;
    assert!(matches!(status, 400 | 422), "{status} {body}");
    let invalid_utf8 = c
        .post(&messages)
        .header(CONTENT_TYPE, "application/json")
        .body(b"{\"author\": \"\xff\xfe\", \"text\": \"x\"}".to_vec());
    expect_error(invalid_utf8, 400, "malformed_json").await;
    expect_error(json_body("{\"author\": 1e400, \"text\": \"x\"}"), 400, "malformed_json").await;
    expect_error(
        json_body("{\"author\": \"a\", \"author\": \"b\", \"text\": \"x\"}"),
        422,
        "invalid_body",
    )
    .await;

    // Hostile strings: control characters and bidi overrides are refused...
    expect_error(json_body("{\"author\": \"a\\u0000b\", \"text\": \"x\"}"), 422, "invalid_input")
        .await;
    expect_error(
        json_body("{\"author\": \"ann\", \"text\": \"ring \\u0007\"}"),
        422,
        "invalid_input",
    )
    .await;
    expect_error(
        json_body("{\"author\": \"evil\\u202Egnp.exe\", \"text\": \"x\"}"),
        422,
        "invalid_input",
    )
    .await;
    expect_error(json_body("{\"author\": \"ann\", \"text\": \"\\ud800\"}"), 400, "malformed_json")
        .await;
    expect_error(
        c.post(app.url("/channels")).json(&json!({ "name": "two\nlines" })),
        422,
        "invalid_input",
    )
    .await;
    // ...while SQL and markup are stored verbatim, as data.
    let hostile = "'); DROP TABLE messages; -- <script>alert(1)</script> 🦀 %s %n ../../etc/passwd";
    let (status, stored) =
        json(c.post(&messages).json(&json!({ "author": "ann", "text": hostile })).send().await?)
            .await;
    assert_eq!((status, stored["text"].as_str()), (201, Some(hostile)));
    let (status, body) = json(c.get(&messages).send().await?).await;
    assert_eq!((status, body["items"][0]["text"].as_str()), (200, Some(hostile)));

    // Ids.
    expect_error(c.get(app.url("/channels/999999")), 404, "channel_not_found").await;
    expect_error(c.get(app.url("/channels/999999/messages")), 404, "channel_not_found").await;
    expect_error(
        c.post(app.url("/channels/999999/messages")).json(&json!({ "author": "a", "text": "b" })),
        404,
        "channel_not_found",
    )
    .await;
    expect_error(
        c.patch(app.url("/channels/999999")).json(&json!({ "name": "x" })),
        404,
        "channel_not_found",
    )
    .await;
    for bad in ["abc", "0", "-1", "1.5", "99999999999999999999", "%00", "1%20OR%201=1"] {
        expect_error(c.get(app.url(&format!("/channels/{bad}"))), 400, "invalid_id").await;
        expect_error(c.get(app.url(&format!("/channels/{bad}/messages"))), 400, "invalid_id").await;
    }

    // Pagination.
    for bad in ["limit=0", "limit=201", "limit=-1", "limit=abc", "cursor=-5", "cursor=x", "page=2"]
    {
        expect_error(c.get(format!("{messages}?{bad}")), 400, "invalid_query").await;
        expect_error(c.get(app.url(&format!("/channels?{bad}"))), 400, "invalid_query").await;
    }

    // Routes and methods.
    expect_error(c.get(app.url("/nope")), 404, "not_found").await;
    expect_error(c.put(app.url("/channels")), 405, "method_not_allowed").await;
    expect_error(c.delete(&messages), 405, "method_not_allowed").await;

    app.stop().await
}

#[tokio::test]
async fn shapes_ids_and_invisible_text_are_refused() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let app = App::boot_without_webhooks(settings(dir.path())).await?;
    let c = client();
    let channel = create_channel(&app, "general").await;
    let messages = app.url(&format!("/channels/{channel}/messages"));
    let json_body = |url: &str, body: &str| {
        c.post(url).header(CONTENT_TYPE, "application/json").body(body.to_owned())
    };

    // Bodies must be JSON objects: serde would take an array of the fields' values.
    expect_error(json_body(&messages, r#"["ann", "text"]"#), 422, "invalid_body").await;
    expect_error(json_body(&app.url("/channels"), r#"["name"]"#), 422, "invalid_body").await;
    expect_error(json_body(&messages, r#""ann""#), 422, "invalid_body").await;
    expect_error(json_body(&messages, "null"), 422, "invalid_body").await;

    // Ids and numbers have one spelling.
    for bad in ["+1", "0001", "01", "1%20", "%2B1", "١"] {
        let id = bad.replace('1', &channel.to_string());
        expect_error(c.get(app.url(&format!("/channels/{id}"))), 400, "invalid_id").await;
        expect_error(c.get(app.url(&format!("/channels/{id}/messages"))), 400, "invalid_id").await;
        expect_error(c.get(app.url(&format!("/channels/{id}/events"))), 400, "invalid_id").await;
    }
    for bad in ["cursor=%2B1", "cursor=007", "limit=%2B5", "limit=05", "cursor=", "limit=1.0"] {
        expect_error(c.get(format!("{messages}?{bad}")), 400, "invalid_query").await;
    }
    let (status, _) = json(c.get(format!("{messages}?cursor=0&limit=5")).send().await?).await;
    assert_eq!(status, 200);

    // Names and authors: no separators, invisible, format or bidi characters.
    for hostile in [
        "general\\u200b",
        "gen\\u200deral",
        "\\ufeffgeneral",
        "gen\\u2060eral",
        "\\u3164",
        "gen\\u3164eral",
        "general\\u200e",
        "general\\u200f",
        "\\u061cgeneral",
        "two\\u2028lines",
        "two\\u2029paras",
        "gen\\u00aderal",
    ] {
        let body = format!(r#"{{"name": "{hostile}"}}"#);
        expect_error(json_body(&app.url("/channels"), &body), 422, "invalid_input").await;
        let body = format!(r#"{{"author": "{hostile}", "text": "hi"}}"#);
        expect_error(json_body(&messages, &body), 422, "invalid_input").await;
    }
    // Unique under NFC and full case folding: each of these is `general`, `Straße` or `café`.
    create_channel(&app, "Straße").await;
    create_channel(&app, "caf\u{e9}").await;
    for same in ["GENERAL", "STRASSE", "strasse", "cafe\u{301}", "CAFE\u{301}"] {
        expect_error(c.post(app.url("/channels")).json(&json!({ "name": same })), 409, "conflict")
            .await;
    }
    // Names are stored NFC.
    let (status, body) = json(
        c.post(app.url("/channels"))
            .json(&json!({ "name": "re\u{301}sume\u{301}" }))
            .send()
            .await?,
    )
    .await;
    assert_eq!((status, body["name"].as_str()), (201, Some("r\u{e9}sum\u{e9}")));
    app.stop().await
}
