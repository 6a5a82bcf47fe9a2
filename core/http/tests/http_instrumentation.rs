//! Each request runs in a `weft.http.request` span with its service, template, method, status,
//! duration and attempt count, unless instrumentation is off.

mod http_support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use weft::http::ResourceService;

type Spans = Arc<Mutex<Vec<(String, BTreeMap<String, String>)>>>;

/// Collects every span's name and fields.
struct Collect(Spans);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>> Layer<S>
    for Collect
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        fields.insert("#id".into(), id.into_u64().to_string());
        self.0.lock().expect("lock").push((attrs.metadata().name().to_owned(), fields));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _ctx: Context<'_, S>) {
        let mut spans = self.0.lock().expect("lock");
        let key = id.into_u64().to_string();
        if let Some((_, fields)) = spans.iter_mut().rev().find(|(_, f)| f.get("#id") == Some(&key))
        {
            values.record(&mut Fields(fields));
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_span_per_request_with_its_fields_and_none_when_turned_off() {
    let spans: Spans = Arc::default();
    let subscriber = tracing_subscriber::registry().with(Collect(spans.clone()));
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = http_support::start().await;
    let service = ResourceService::new("127.0.0.1").with_port(server.port()).named("todos");
    let template =
        service.request_template("get-todo").with_uri_template("/todos/{id}").expect("valid");
    template.create_request().with_parameter("id", 1).execute().await.expect("200");

    let recorded = spans.lock().expect("lock").clone();
    let requests: Vec<_> =
        recorded.iter().filter(|(name, _)| name == "weft.http.request").collect();
    assert_eq!(requests.len(), 1, "{recorded:?}");
    let fields = &requests[0].1;
    assert_eq!(fields.get("service").map(String::as_str), Some("todos"));
    assert_eq!(fields.get("template").map(String::as_str), Some("get-todo"));
    assert_eq!(fields.get("method").map(String::as_str), Some("GET"));
    assert_eq!(fields.get("status").map(String::as_str), Some("200"));
    assert_eq!(fields.get("attempts").map(String::as_str), Some("1"));
    assert!(fields.contains_key("duration_ms"), "{fields:?}");

    spans.lock().expect("lock").clear();
    let quiet = service
        .request_template("get-todo-quietly")
        .with_uri_template("/todos/{id}")
        .expect("valid")
        .without_instrumentation();
    quiet.create_request().with_parameter("id", 1).execute().await.expect("200");
    let recorded = spans.lock().expect("lock").clone();
    assert!(recorded.iter().all(|(name, _)| name != "weft.http.request"), "{recorded:?}");
}
