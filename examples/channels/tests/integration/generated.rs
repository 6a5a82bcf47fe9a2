//! Generated requests (proptest): arbitrary methods, paths, query strings, header sets and
//! bodies, well framed. Every answer is a 2xx or a 4xx, never a 5xx; every 4xx carries the JSON
//! error body; and the server still answers `/health` afterwards.

use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::Method;
use serde_json::Value;

use crate::common::{App, client, settings};

/// One generated request.
#[derive(Debug, Clone)]
struct Case {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

/// Percent-encodes everything but the unreserved characters.
fn encode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        Just(Method::GET),
        Just(Method::POST),
        Just(Method::PATCH),
        Just(Method::DELETE),
        Just(Method::PUT),
        Just(Method::OPTIONS),
        Just(Method::HEAD),
    ]
}

/// Something in the place of an id: numbers in every spelling, or any text.
fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        (1i64..5).prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("0".to_owned()),
        Just("+1".to_owned()),
        Just("0001".to_owned()),
        Just("99999999999999999999".to_owned()),
        ".{0,12}",
    ]
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("/health".to_owned()),
        Just("/channels".to_owned()),
        Just("/events".to_owned()),
        id().prop_map(|id| format!("/channels/{}", encode(&id))),
        id().prop_map(|id| format!("/channels/{}/messages", encode(&id))),
        id().prop_map(|id| format!("/channels/{}/events", encode(&id))),
        prop::collection::vec(".{0,8}", 0..4)
            .prop_map(|segments| segments.iter().map(|s| format!("/{}", encode(s))).collect()),
    ]
}

fn query() -> impl Strategy<Value = Vec<(String, String)>> {
    let key = prop_oneof![Just("cursor".to_owned()), Just("limit".to_owned()), ".{0,8}"];
    let value = prop_oneof![
        4 => any::<i64>().prop_map(|n| n.to_string()),
        4 => ".{0,10}",
        1 => (0usize..12_000).prop_map(|n| "q".repeat(n)),
    ];
    prop::collection::vec((key, value), 0..4)
}

/// Header sets: names that do not change the framing (that is hyper's business, tested apart),
/// any visible value, and every kind of content type.
fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let framing = [
        "content-length",
        "transfer-encoding",
        "host",
        "connection",
        "upgrade",
        "te",
        "trailer",
        "expect",
        "keep-alive",
        "proxy-connection",
    ];
    let name = "[a-z][a-z0-9-]{0,15}"
        .prop_filter("not a framing header", move |name| !framing.contains(&name.as_str()));
    let content_type = prop_oneof![
        Just("application/json".to_owned()),
        Just("application/json; charset=utf-8".to_owned()),
        Just("text/plain".to_owned()),
        Just("application/x-www-form-urlencoded".to_owned()),
        "[ -~]{0,20}",
    ];
    let value = "[!-~]([ -~]{0,30}[!-~])?";
    let set = prop_oneof![
        4 => prop::collection::vec((name.clone(), value), 0..6),
        1 => prop::collection::vec((name, value), 90..150),
    ];
    (set, prop::option::of(content_type)).prop_map(|(mut headers, content_type)| {
        if let Some(content_type) = content_type {
            headers.push(("content-type".to_owned(), content_type));
        }
        headers
    })
}

/// JSON values of any shape, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("name".to_owned()),
                    Just("author".to_owned()),
                    Just("text".to_owned()),
                    ".{0,6}"
                ],
                inner,
                0..4
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn body() -> impl Strategy<Value = Option<Vec<u8>>> {
    prop::option::of(prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        json_value().prop_map(|value| value.to_string().into_bytes()),
        (any::<String>(), any::<String>()).prop_map(|(author, text)| {
            serde_json::json!({ "author": author, "text": text }).to_string().into_bytes()
        }),
        any::<String>()
            .prop_map(|name| serde_json::json!({ "name": name }).to_string().into_bytes()),
    ])
}

fn case() -> impl Strategy<Value = Case> {
    (method(), path(), query(), headers(), body()).prop_map(
        |(method, path, query, headers, body)| Case { method, path, query, headers, body },
    )
}

/// Sends `case`; returns what is wrong with the answer, if anything.
async fn check(app: &App, http: &reqwest::Client, case: &Case) -> Result<(), String> {
    let mut url = app.url(&case.path);
    if !case.query.is_empty() {
        let pairs: Vec<String> =
            case.query.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
        url = format!("{url}?{}", pairs.join("&"));
    }
    let mut request = http.request(case.method.clone(), &url);
    for (name, value) in &case.headers {
        request = request.header(name, value);
    }
    if let Some(body) = &case.body {
        request = request.body(body.clone());
    }
    let response = request.send().await.map_err(|error| format!("no answer: {error}"))?;
    let status = response.status().as_u16();
    if !(200..300).contains(&status) && !(400..500).contains(&status) {
        return Err(format!("status {status}"));
    }
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if content_type == "text/event-stream" {
        return Ok(()); // a stream that stays open: its head is the answer
    }
    let text = response.text().await.map_err(|error| format!("status {status}: {error}"))?;
    if (400..500).contains(&status) && case.method != Method::HEAD {
        if content_type != "application/json" {
            return Err(format!("status {status} with content type `{content_type}`: {text:?}"));
        }
        let body: Value = serde_json::from_str(&text)
            .map_err(|error| format!("status {status}, body not JSON ({error}): {text:?}"))?;
        let shaped = body["error"]["code"].as_str().is_some_and(|c| !c.is_empty())
            && body["error"]["message"].as_str().is_some_and(|m| !m.is_empty());
        if !shaped {
            return Err(format!("status {status}, not the error body: {body}"));
        }
    }
    Ok(())
}

#[test]
fn generated_requests_get_2xx_or_json_4xx_and_the_server_stays_up() -> anyhow::Result<()> {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let dir = tempfile::tempdir()?;
    let app = Arc::new(runtime.block_on(App::boot_without_webhooks(settings(dir.path())))?);
    let http = client();
    runtime.block_on(async {
        for name in ["general", "random"] {
            crate::common::create_channel(&app, name).await;
        }
    });
    let mut runner =
        TestRunner::new(Config { cases: 400, failure_persistence: None, ..Config::default() });
    let result = runner.run(&case(), |case| {
        let outcome = runtime.block_on(async {
            tokio::time::timeout(Duration::from_secs(10), check(&app, &http, &case)).await
        });
        match outcome {
            Ok(Ok(())) => Ok(()),
            Ok(Err(problem)) => Err(TestCaseError::fail(problem)),
            Err(_) => Err(TestCaseError::fail("no answer within 10 s")),
        }
    });
    runtime.block_on(async {
        let health = client().get(app.url("/health")).send().await;
        assert_eq!(health.map(|r| r.status().as_u16()).ok(), Some(200), "`/health` still answers");
    });
    if let Err(error) = result {
        panic!("{error}");
    }
    let app = Arc::into_inner(app).ok_or_else(|| anyhow::anyhow!("the app is shared"))?;
    runtime.block_on(app.stop())
}
