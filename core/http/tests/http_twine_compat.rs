//! One test per row of the Twine compatibility table (crate docs of `weft-http`), run against an
//! in-memory transport that records the final request: no server.

use std::sync::{Arc, Mutex};

use weft::http::{
    ErrorKind, FinalRequest, HttpResult, Method, RequestContext, ResourceService, Response,
    UnusedParameters,
};
use weft::pipeline::{Chain, Component, Endpoint, Next};

/// Records the final request of each attempt and answers 200.
#[derive(Clone, Default)]
struct Record(Arc<Mutex<Vec<FinalRequest>>>);

impl Record {
    fn last(&self) -> FinalRequest {
        self.0.lock().expect("lock").pop().expect("a request was sent")
    }
}

impl Endpoint<RequestContext, HttpResult> for Record {
    async fn call(&self, ctx: &mut RequestContext) -> HttpResult {
        let request = ctx.final_request.take().expect("prepared");
        self.0.lock().expect("lock").push(request);
        Ok(Response::new(200, Default::default(), ""))
    }
}

fn service(record: &Record) -> ResourceService<weft::pipeline::Terminal<Record>> {
    ResourceService::new("api.test").with_transport(record.clone())
}

fn cause(err: &weft::http::Error) -> String {
    std::error::Error::source(err).map(ToString::to_string).unwrap_or_default()
}

#[tokio::test]
async fn tokens_are_case_sensitive_and_a_case_mismatch_is_named() {
    let record = Record::default();
    let template =
        service(&record).request_template("get").with_uri_template("/users/{ID}").expect("valid");
    let err = template.create_request().with_parameter("id", 1).execute().await.expect_err("no ID");
    assert_eq!(err.kind(), &ErrorKind::Parameters);
    assert!(cause(&err).contains("the parameter `id` differs only in case"), "{}", cause(&err));
    template.create_request().with_parameter("ID", 1).execute().await.expect("same case");
    assert_eq!(record.last().uri().path(), "/users/1");
}

#[tokio::test]
async fn a_dash_in_a_variable_name_is_a_template_error_with_a_fix() {
    let record = Record::default();
    let err = service(&record)
        .request_template("get")
        .with_uri_template("/users/{user-id}")
        .expect_err("RFC 6570 names have no `-`");
    assert_eq!(err.kind(), &ErrorKind::InvalidUriTemplate);
    assert!(cause(&err).contains("write `user_id`"), "{}", cause(&err));
}

#[tokio::test]
async fn unused_parameters_are_an_error_unless_the_template_says_otherwise() {
    let record = Record::default();
    let service = service(&record);
    let strict = service.request_template("get").with_uri_template("/todos/{id}").expect("valid");
    let err = strict
        .create_request()
        .with_parameter("id", 1)
        .with_parameter("page", 2)
        .execute()
        .await
        .expect_err("`page` is not a variable");
    assert!(cause(&err).contains("parameter `page` is not a variable"), "{}", cause(&err));

    let ignore = service
        .request_template("get")
        .with_uri_template("/todos/{id}")
        .expect("valid")
        .on_unused_parameters(UnusedParameters::Ignore);
    ignore
        .create_request()
        .with_parameter("id", 1)
        .with_parameter("page", 2)
        .execute()
        .await
        .expect("ok");
    assert_eq!(record.last().uri().to_string(), "http://api.test:80/todos/1");

    let query = service
        .request_template("get")
        .with_uri_template("/todos/{id}")
        .expect("valid")
        .on_unused_parameters(UnusedParameters::Query);
    query
        .create_request()
        .with_parameter("id", 1)
        .with_parameter("page", 2)
        .execute()
        .await
        .expect("ok");
    assert_eq!(record.last().uri().to_string(), "http://api.test:80/todos/1?page=2");
}

#[tokio::test]
async fn a_missing_path_parameter_is_an_error_and_a_missing_query_parameter_is_left_out() {
    let record = Record::default();
    let template = service(&record)
        .request_template("get")
        .with_uri_template("/todos/{id}{?page}")
        .expect("valid");
    let err = template.create_request().execute().await.expect_err("no id");
    assert!(cause(&err).contains("missing parameter `id`"), "{}", cause(&err));
    template.create_request().with_parameter("id", 1).execute().await.expect("page is optional");
    assert_eq!(record.last().uri().to_string(), "http://api.test:80/todos/1");
}

#[tokio::test]
async fn a_setter_called_twice_keeps_the_last_value_and_the_request_beats_the_template() {
    let record = Record::default();
    let template = service(&record)
        .request_template("put")
        .with_method(Method::GET)
        .with_method(Method::PUT)
        .with_uri_template("/old/{id}")
        .expect("valid")
        .with_uri_template("/new/{id}")
        .expect("valid")
        .with_header("x-mode", "first")
        .expect("valid")
        .with_header("x-mode", "second")
        .expect("valid")
        .with_header("x-tenant", "template")
        .expect("valid");
    template
        .create_request()
        .with_parameter("id", 1)
        .with_parameter("id", 2)
        .with_header("x-tenant", "request")
        .execute()
        .await
        .expect("ok");
    let sent = record.last();
    assert_eq!(sent.method(), Method::PUT);
    assert_eq!(sent.uri().path(), "/new/2");
    assert_eq!(sent.headers()["x-mode"], "second");
    assert_eq!(sent.headers()["x-tenant"], "request");
}

#[tokio::test]
async fn values_are_percent_encoded_and_reserved_expansion_keeps_them_raw() {
    let record = Record::default();
    let template = service(&record)
        .request_template("get")
        .with_uri_template("/files/{name}/{+path}")
        .expect("valid");
    template
        .create_request()
        .with_parameter("name", "a/b c?")
        .with_parameter("path", "docs/read me.txt")
        .execute()
        .await
        .expect("ok");
    assert_eq!(record.last().uri().path(), "/files/a%2Fb%20c%3F/docs/read%20me.txt");
}

/// Captures what the context holds when it runs: before `next`, and after it.
struct Observe(Arc<Mutex<Vec<String>>>);

impl Component<RequestContext, HttpResult> for Observe {
    async fn call<N: Chain<RequestContext, HttpResult>>(
        &self,
        ctx: &mut RequestContext,
        next: Next<'_, N>,
    ) -> HttpResult {
        let seen = |ctx: &RequestContext| format!("{} {:?}", ctx.method, ctx.request_path);
        self.0.lock().expect("lock").push(format!("before: {}", seen(ctx)));
        let result = next.run(ctx).await;
        self.0.lock().expect("lock").push(format!("after: {}", seen(ctx)));
        result
    }
}

#[tokio::test]
async fn built_ins_are_components_in_twine_order_and_the_expanded_path_is_in_the_context() {
    let record = Record::default();
    let inner = Arc::new(Mutex::new(Vec::new()));
    let outer = Arc::new(Mutex::new(Vec::new()));
    let template = service(&record)
        .request_template("delete")
        .with_component(Observe(inner.clone())) // added before: runs after the built-ins
        .with_method(Method::DELETE)
        .with_uri_template("/todos/{id}")
        .expect("valid")
        .with_component(Observe(outer.clone())); // added after: runs first
    template.create_request().with_parameter("id", 3).execute().await.expect("ok");
    // The inner component sees the method in its before phase; the path is expanded below it.
    assert_eq!(
        *inner.lock().expect("lock"),
        ["before: DELETE None", "after: DELETE Some(\"/todos/3\")"]
    );
    // The outer one sees their effect in its after phase.
    assert_eq!(
        *outer.lock().expect("lock"),
        ["before: GET None", "after: DELETE Some(\"/todos/3\")"]
    );
}
