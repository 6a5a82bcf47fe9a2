//! Typed components add no allocation per call in the HTTP tiers.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

use weft::pipeline::{Chain, Component, DynNext, Next};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every method forwards to `System` unchanged; the counter has no effect on memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

struct Pass;

impl<C: Send, O: Send + 'static> Component<C, O> for Pass {
    async fn call<N: Chain<C, O>>(&self, ctx: &mut C, next: Next<'_, N>) -> O {
        let result = next.run(ctx).await;
        std::hint::black_box(&result);
        result
    }
}

/// Allocations made by `f`'s future, run on a current-thread runtime built beforehand.
fn allocations<F: std::future::Future>(f: impl FnOnce() -> F) -> u64 {
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    rt.block_on(async {
        let future = f();
        let before = ALLOCATIONS.load(Ordering::SeqCst);
        std::hint::black_box(future.await);
        ALLOCATIONS.load(Ordering::SeqCst) - before
    })
}

#[test]
fn http_tiers_add_no_allocation_per_typed_component() {
    use weft::http::{HttpResult, RequestContext, ResourceService, Response};

    // A service-level closure answers in memory, so no network is involved.
    let service = ResourceService::new("127.0.0.1").without_instrumentation().with_fn(
        |_ctx: &mut RequestContext, _next: DynNext<'_, RequestContext, HttpResult>| {
            Box::pin(async { Ok(Response::new(200, Default::default(), "in memory")) })
        },
    );
    let bare = service.request_template("bare");
    let layered = service
        .request_template("layered")
        .with_component(Pass)
        .with_component(Pass)
        .with_component(Pass)
        .with_component(Pass)
        .with_component(Pass);
    let bare_allocations =
        allocations(|| async { bare.create_request().execute().await.map(|r| r.status()).ok() });
    let layered_allocations = allocations(|| async {
        layered
            .create_request()
            .with_component(Pass)
            .with_component(Pass)
            .execute()
            .await
            .map(|r| r.status())
            .ok()
    });
    assert_eq!(layered_allocations, bare_allocations, "7 typed components, no extra allocation");
}
