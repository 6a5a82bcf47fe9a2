//! Order, short-circuit and error propagation of the generic pipeline.

use weft::pipeline::{Chain, Component, Endpoint, Extensions, Next, Pipeline, endpoint_fn};

#[derive(Default)]
struct Ctx {
    log: Vec<String>,
    fail: bool,
    extensions: Extensions,
}

type Out = Result<u32, String>;

/// Logs its before and after phases, and what the after phase saw.
struct Log(&'static str);

impl Component<Ctx, Out> for Log {
    async fn call<N: Chain<Ctx, Out>>(&self, ctx: &mut Ctx, next: Next<'_, N>) -> Out {
        ctx.log.push(format!("{} before", self.0));
        let result = next.run(ctx).await;
        ctx.log.push(format!("{} after {result:?}", self.0));
        result
    }
}

/// Answers without calling `next`.
struct Stop(u32);

impl Component<Ctx, Out> for Stop {
    async fn call<N: Chain<Ctx, Out>>(&self, ctx: &mut Ctx, _next: Next<'_, N>) -> Out {
        ctx.log.push("stop".into());
        Ok(self.0)
    }
}

/// Turns an error into a value in its after phase.
struct Recover;

impl Component<Ctx, Out> for Recover {
    async fn call<N: Chain<Ctx, Out>>(&self, ctx: &mut Ctx, next: Next<'_, N>) -> Out {
        next.run(ctx).await.or_else(|e| {
            ctx.log.push(format!("recovered {e}"));
            Ok(0)
        })
    }
}

struct Work;

impl Endpoint<Ctx, Out> for Work {
    async fn call(&self, ctx: &mut Ctx) -> Out {
        ctx.log.push("endpoint".into());
        if ctx.fail { Err("boom".into()) } else { Ok(42) }
    }
}

async fn run<T: Chain<Ctx, Out>>(
    pipeline: &Pipeline<Ctx, Out, T>,
    fail: bool,
) -> (Out, Vec<String>) {
    let mut ctx = Ctx { fail, ..Ctx::default() };
    let out = pipeline.run(&mut ctx).await;
    (out, ctx.log)
}

#[tokio::test]
async fn last_added_runs_first_and_after_phases_unwind_in_reverse() {
    let pipeline = Pipeline::new(Work)
        .with(Log("a"))
        .with_fn(|ctx: &mut Ctx, next| {
            Box::pin(async move {
                ctx.log.push("closure before".into());
                let result = next.run(ctx).await;
                ctx.log.push("closure after".into());
                result
            })
        })
        .with(Log("c"));
    let (out, log) = run(&pipeline, false).await;
    assert_eq!(out, Ok(42));
    assert_eq!(
        log,
        [
            "c before",
            "closure before",
            "a before",
            "endpoint",
            "a after Ok(42)",
            "closure after",
            "c after Ok(42)"
        ]
    );
}

#[tokio::test]
async fn a_component_that_skips_next_ends_the_pipeline_and_its_result_stands() {
    let pipeline = Pipeline::new(Work).with(Log("inner")).with(Stop(7)).with(Log("outer"));
    let (out, log) = run(&pipeline, false).await;
    assert_eq!(out, Ok(7));
    assert_eq!(log, ["outer before", "stop", "outer after Ok(7)"]);
}

#[tokio::test]
async fn a_closure_can_short_circuit_too() {
    let pipeline = Pipeline::new(Work)
        .with(Log("inner"))
        .with_fn(|_ctx: &mut Ctx, _next| Box::pin(async { Err("denied".to_string()) }));
    let (out, log) = run(&pipeline, false).await;
    assert_eq!(out, Err("denied".into()));
    assert!(log.is_empty(), "{log:?}");
}

#[tokio::test]
async fn errors_propagate_outward_through_every_after_phase() {
    let pipeline = Pipeline::new(Work).with(Log("inner")).with(Log("outer"));
    let (out, log) = run(&pipeline, true).await;
    assert_eq!(out, Err("boom".into()));
    assert_eq!(
        log,
        [
            "outer before",
            "inner before",
            "endpoint",
            "inner after Err(\"boom\")",
            "outer after Err(\"boom\")"
        ]
    );
}

#[tokio::test]
async fn an_after_phase_can_recover_and_outer_components_see_the_recovery() {
    let pipeline = Pipeline::new(Work).with(Log("inner")).with(Recover).with(Log("outer"));
    let (out, log) = run(&pipeline, true).await;
    assert_eq!(out, Ok(0));
    assert_eq!(
        log,
        [
            "outer before",
            "inner before",
            "endpoint",
            "inner after Err(\"boom\")",
            "recovered boom",
            "outer after Ok(0)"
        ]
    );
}

#[tokio::test]
async fn components_share_typed_extensions() {
    #[derive(Debug, PartialEq)]
    struct User(&'static str);

    let pipeline = Pipeline::new(endpoint_fn(|ctx: &mut Ctx| {
        let user = ctx.extensions.get::<User>().map(|u| u.0.len() as u32);
        Box::pin(async move { user.ok_or_else(|| "no user".to_string()) })
    }))
    .with_fn(|ctx: &mut Ctx, next| {
        Box::pin(async move {
            ctx.extensions.insert(User("alice"));
            next.run(ctx).await
        })
    });
    let (out, _) = run(&pipeline, false).await;
    assert_eq!(out, Ok(5));
}

#[tokio::test]
async fn a_pipeline_is_reusable_and_its_future_is_send() {
    fn assert_send<F: Send>(f: F) -> F {
        f
    }
    let pipeline = std::sync::Arc::new(Pipeline::new(Work).with(Log("a")));
    let p = pipeline.clone();
    let out = tokio::spawn(async move {
        let mut ctx = Ctx::default();
        assert_send(p.run(&mut ctx)).await
    })
    .await
    .expect("task");
    assert_eq!(out, Ok(42));
    assert_eq!(run(&pipeline, false).await.0, Ok(42));
}
