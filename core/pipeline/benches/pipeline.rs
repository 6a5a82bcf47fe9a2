//! Per-call overhead of N pass-through components (N = 0, 1, 5, 10, 20) around an in-memory
//! endpoint: weft typed components, weft closures, tower (`ServiceBuilder` with async layers) and
//! reqwest-middleware (a final middleware returns a canned response). Each component reads a
//! field before `next` and the result after it.
//!
//! Before criterion runs, the bench prints allocations per call for each case, counted by a
//! `#[global_allocator]` wrapper, and the minimum time per call over 40 interleaved rounds of
//! 2,000 calls (every case once per round), which a shared machine's changing load disturbs
//! least.
//!
//! Run: `cargo bench -p weft-pipeline --bench pipeline -- --warm-up-time 1 --measurement-time 2`

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use criterion::{BenchmarkId, Criterion};
use tower::{Layer, Service, ServiceBuilder, ServiceExt};
use weft::pipeline::{
    BoxFuture, Chain, Component, DynNext, Endpoint, Next, Pipeline, component_fn,
};

// ---------------------------------------------------------------------------------------------
// Counting allocator

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every method forwards to `System` unchanged; the counter has no effect on memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

// ---------------------------------------------------------------------------------------------
// weft

struct Req {
    value: u64,
}

type Out = Result<u64, ()>;

struct Pass;

impl Component<Req, Out> for Pass {
    async fn call<N: Chain<Req, Out>>(&self, ctx: &mut Req, next: Next<'_, N>) -> Out {
        black_box(ctx.value);
        let result = next.run(ctx).await;
        black_box(&result);
        result
    }
}

fn pass_fn<'a>(ctx: &'a mut Req, next: DynNext<'a, Req, Out>) -> BoxFuture<'a, Out> {
    Box::pin(async move {
        black_box(ctx.value);
        let result = next.run(ctx).await;
        black_box(&result);
        result
    })
}

struct Memory;

impl Endpoint<Req, Out> for Memory {
    async fn call(&self, ctx: &mut Req) -> Out {
        Ok(ctx.value + 1)
    }
}

// ---------------------------------------------------------------------------------------------
// tower: the async-layer style (clone the inner service, box an `async move` block)

#[derive(Clone)]
struct PassLayer;

impl<S> Layer<S> for PassLayer {
    type Service = PassService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        PassService { inner }
    }
}

#[derive(Clone)]
struct PassService<S> {
    inner: S,
}

impl<S> Service<Req> for PassService<S>
where
    S: Service<Req, Response = u64, Error = ()> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = u64;
    type Error = ();
    type Future = Pin<Box<dyn Future<Output = Result<u64, ()>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ()>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Req) -> Self::Future {
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            black_box(req.value);
            let result = inner.call(req).await;
            black_box(&result);
            result
        })
    }
}

#[derive(Clone)]
struct MemoryService;

impl Service<Req> for MemoryService {
    type Response = u64;
    type Error = ();
    type Future = std::future::Ready<Result<u64, ()>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), ()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Req) -> Self::Future {
        std::future::ready(Ok(req.value + 1))
    }
}

// ---------------------------------------------------------------------------------------------
// reqwest-middleware

struct RmPass;

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for RmPass {
    async fn handle(
        &self,
        req: reqwest::Request,
        extensions: &mut http::Extensions,
        next: reqwest_middleware::Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        black_box(req.method());
        let result = next.run(req, extensions).await;
        black_box(&result);
        result
    }
}

struct RmMemory;

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for RmMemory {
    async fn handle(
        &self,
        _req: reqwest::Request,
        _extensions: &mut http::Extensions,
        _next: reqwest_middleware::Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        Ok(reqwest::Response::from(http::Response::new("canned")))
    }
}

// ---------------------------------------------------------------------------------------------
// Builders for N = 0, 1, 5, 10, 20 (each N is a different type for weft and tower)

macro_rules! weft_typed {
    ($($x:ident)*) => { Pipeline::new(Memory)$(.with({ let $x = Pass; $x }))* };
}
// Closures written inline, as a user writes them: `next` has the rest's type (`FnLayer`).
macro_rules! weft_closures {
    ($($x:ident)*) => {
        Pipeline::new(Memory)$(.with_fn({
            let $x = ();
            black_box($x);
            |ctx: &mut Req, next| Box::pin(async move {
                black_box(ctx.value);
                let result = next.run(ctx).await;
                black_box(&result);
                result
            })
        }))*
    };
}
// One closure written apart and added to a pipeline with `component_fn`: `next` is type-erased.
macro_rules! weft_component_fn {
    ($($x:ident)*) => { Pipeline::new(Memory)$(.with(component_fn({ let $x = pass_fn; $x })))* };
}
macro_rules! tower_stack {
    ($($x:ident)*) => { ServiceBuilder::new()$(.layer({ let $x = PassLayer; $x }))*.service(MemoryService) };
}
macro_rules! rm_stack {
    ($($x:ident)*) => {
        reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
            $(.with({ let $x = RmPass; $x }))*
            .with(RmMemory)
            .build()
    };
}

/// Runs `$body` with `$p` bound to `$make!(..)` and `$n` to N, for each N.
macro_rules! for_each_n {
    ($make:ident, |$n:ident, $p:ident| $body:expr) => {{
        { let $n: usize = 0; let $p = $make!(); $body; }
        { let $n: usize = 1; let $p = $make!(a); $body; }
        { let $n: usize = 5; let $p = $make!(a a a a a); $body; }
        { let $n: usize = 10; let $p = $make!(a a a a a a a a a a); $body; }
        { let $n: usize = 20; let $p = $make!(a a a a a a a a a a a a a a a a a a a a); $body; }
    }};
}

async fn call_weft<T: Chain<Req, Out>>(pipeline: &Pipeline<Req, Out, T>) -> Out {
    let mut req = Req { value: black_box(1) };
    pipeline.run(&mut req).await
}

async fn call_tower<S>(service: &S) -> Result<u64, ()>
where
    S: Service<Req, Response = u64, Error = ()> + Clone,
{
    service.clone().oneshot(Req { value: black_box(1) }).await
}

async fn call_rm(client: &reqwest_middleware::ClientWithMiddleware, url: &reqwest::Url) -> u16 {
    let req = reqwest::Request::new(reqwest::Method::GET, url.clone());
    match client.execute(req).await {
        Ok(response) => response.status().as_u16(),
        Err(_) => 0,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_current_thread().build() {
        Ok(rt) => rt,
        Err(e) => panic!("cannot build a tokio runtime: {e}"),
    }
}

/// Allocations per call, averaged over `CALLS` calls after one warm-up call.
fn allocations_per_call<F: Future>(
    rt: &tokio::runtime::Runtime,
    mut call: impl FnMut() -> F,
) -> f64 {
    const CALLS: u64 = 1_000;
    rt.block_on(async {
        call().await;
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        for _ in 0..CALLS {
            black_box(call().await);
        }
        (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / CALLS as f64
    })
}

fn print_allocations() {
    let rt = runtime();
    let url = reqwest::Url::parse("http://127.0.0.1/").ok();
    let mut rows: Vec<(&str, usize, f64)> = Vec::new();
    for_each_n!(weft_typed, |n, p| rows.push((
        "weft-typed",
        n,
        allocations_per_call(&rt, || call_weft(&p))
    )));
    for_each_n!(weft_closures, |n, p| rows.push((
        "weft-closures",
        n,
        allocations_per_call(&rt, || call_weft(&p))
    )));
    for_each_n!(weft_component_fn, |n, p| rows.push((
        "weft-component-fn",
        n,
        allocations_per_call(&rt, || call_weft(&p))
    )));
    for_each_n!(tower_stack, |n, s| rows.push((
        "tower",
        n,
        allocations_per_call(&rt, || call_tower(&s))
    )));
    if let Some(url) = &url {
        for_each_n!(rm_stack, |n, c| rows.push((
            "reqwest-middleware",
            n,
            allocations_per_call(&rt, || call_rm(&c, url))
        )));
    }
    println!("allocations per call");
    println!("| implementation | N | allocations/call |");
    println!("|---|---:|---:|");
    for (name, n, allocs) in rows {
        println!("| {name} | {n} | {allocs:.2} |");
    }
}

/// Nanoseconds per call, averaged over one batch of calls.
fn ns_per_call<F: Future>(rt: &tokio::runtime::Runtime, mut call: impl FnMut() -> F) -> f64 {
    const BATCH: u32 = 2_000;
    rt.block_on(async {
        let start = std::time::Instant::now();
        for _ in 0..BATCH {
            black_box(call().await);
        }
        start.elapsed().as_nanos() as f64 / f64::from(BATCH)
    })
}

/// Measures one batch of one case: nanoseconds per call.
type Measure<'a> = Box<dyn FnMut() -> f64 + 'a>;

/// Time per call, interleaved: each round measures every case once, in turn, so that a change
/// of load on a shared machine hits every case alike; the minimum over rounds is the figure
/// least disturbed by other processes.
fn print_interleaved_minimums() {
    const ROUNDS: usize = 40;
    let rt = runtime();
    let url = reqwest::Url::parse("http://127.0.0.1/").ok();
    let mut cases: Vec<(&str, usize, Measure<'_>)> = Vec::new();
    for_each_n!(weft_typed, |n, p| cases.push((
        "weft-typed",
        n,
        Box::new({
            let rt = &rt;
            move || ns_per_call(rt, || call_weft(&p))
        })
    )));
    for_each_n!(weft_closures, |n, p| cases.push((
        "weft-closures",
        n,
        Box::new({
            let rt = &rt;
            move || ns_per_call(rt, || call_weft(&p))
        })
    )));
    for_each_n!(weft_component_fn, |n, p| cases.push((
        "weft-component-fn",
        n,
        Box::new({
            let rt = &rt;
            move || ns_per_call(rt, || call_weft(&p))
        })
    )));
    for_each_n!(tower_stack, |n, s| cases.push((
        "tower",
        n,
        Box::new({
            let rt = &rt;
            move || ns_per_call(rt, || call_tower(&s))
        })
    )));
    if let Some(url) = &url {
        for_each_n!(rm_stack, |n, c| cases.push((
            "reqwest-middleware",
            n,
            Box::new({
                let rt = &rt;
                move || ns_per_call(rt, || call_rm(&c, url))
            })
        )));
    }
    let mut best = vec![f64::INFINITY; cases.len()];
    for _ in 0..ROUNDS {
        for (i, (_, _, measure)) in cases.iter_mut().enumerate() {
            best[i] = best[i].min(measure());
        }
    }
    println!("time per call, minimum of {ROUNDS} interleaved rounds");
    println!("| implementation | N | ns/call |");
    println!("|---|---:|---:|");
    for ((name, n, _), ns) in cases.iter().zip(&best) {
        println!("| {name} | {n} | {ns:.1} |");
    }
    // Least-squares slope over N = 0, 1, 5, 10, 20 for each implementation.
    let mut slopes = Vec::new();
    for name in ["weft-typed", "weft-closures", "weft-component-fn", "tower", "reqwest-middleware"]
    {
        let points: Vec<(f64, f64)> = cases
            .iter()
            .zip(&best)
            .filter(|((case, _, _), _)| *case == name)
            .map(|((_, n, _), ns)| (*n as f64, *ns))
            .collect();
        if points.is_empty() {
            continue;
        }
        let len = points.len() as f64;
        let mean_x = points.iter().map(|p| p.0).sum::<f64>() / len;
        let mean_y = points.iter().map(|p| p.1).sum::<f64>() / len;
        let cov: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
        let var: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
        slopes.push((name, cov / var));
    }
    println!("| implementation | per component (least squares, ns) |");
    println!("|---|---:|");
    for (name, slope) in &slopes {
        println!("| {name} | {slope:.2} |");
    }
}

fn bench(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("per-call");
    for_each_n!(weft_typed, |n, p| {
        group.bench_with_input(BenchmarkId::new("weft-typed", n), &p, |b, p| {
            b.to_async(&rt).iter(|| call_weft(p))
        });
    });
    for_each_n!(weft_closures, |n, p| {
        group.bench_with_input(BenchmarkId::new("weft-closures", n), &p, |b, p| {
            b.to_async(&rt).iter(|| call_weft(p))
        });
    });
    for_each_n!(weft_component_fn, |n, p| {
        group.bench_with_input(BenchmarkId::new("weft-component-fn", n), &p, |b, p| {
            b.to_async(&rt).iter(|| call_weft(p))
        });
    });
    for_each_n!(tower_stack, |n, s| {
        group.bench_with_input(BenchmarkId::new("tower", n), &s, |b, s| {
            b.to_async(&rt).iter(|| call_tower(s))
        });
    });
    if let Ok(url) = reqwest::Url::parse("http://127.0.0.1/") {
        for_each_n!(rm_stack, |n, c| {
            group.bench_with_input(BenchmarkId::new("reqwest-middleware", n), &c, |b, c| {
                b.to_async(&rt).iter(|| call_rm(c, &url))
            });
        });
    }
    group.finish();
}

fn main() {
    print_allocations();
    print_interleaved_minimums();
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
}
