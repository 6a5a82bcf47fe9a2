//! A component added as a type costs no allocation per call; a closure costs one, whether its
//! rest finishes at once or is pending first, and whether it is added with `with_fn` or written
//! apart with `component_fn`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use weft::pipeline::{
    BoxFuture, Chain, Component, DynNext, Endpoint, Next, Pipeline, component_fn,
};

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

fn pass_fn<'a>(ctx: &'a mut u64, next: DynNext<'a, u64, u64>) -> BoxFuture<'a, u64> {
    Box::pin(async move { next.run(ctx).await + 1 })
}

struct Memory;

impl Endpoint<u64, u64> for Memory {
    async fn call(&self, ctx: &mut u64) -> u64 {
        *ctx
    }
}

/// An endpoint whose future is pending once (it wakes itself) before it answers.
struct Later;

impl Endpoint<u64, u64> for Later {
    fn call<'a>(&'a self, ctx: &'a mut u64) -> impl Future<Output = u64> + Send + 'a {
        YieldOnce { ctx, yielded: false }
    }
}

/// `Later`'s future: 16 bytes, so it is stored inline even in a debug build.
struct YieldOnce<'a> {
    ctx: &'a mut u64,
    yielded: bool,
}

impl Future for YieldOnce<'_> {
    type Output = u64;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        if std::mem::replace(&mut self.yielded, true) {
            Poll::Ready(*self.ctx)
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Allocations made by `f`'s future, run on a current-thread runtime built beforehand.
fn allocations<F: Future>(f: impl FnOnce() -> F) -> u64 {
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    rt.block_on(async {
        let future = f();
        let before = ALLOCATIONS.load(Ordering::SeqCst);
        std::hint::black_box(future.await);
        ALLOCATIONS.load(Ordering::SeqCst) - before
    })
}

// One test function: the counter is global, and tests of one binary run in parallel.
#[test]
fn typed_components_allocate_nothing_and_closures_one_each() {
    let typed = Pipeline::new(Memory).with(Pass).with(Pass).with(Pass).with(Pass).with(Pass);
    assert_eq!(allocations(|| async { typed.run(&mut 1).await }), 0);

    // Closures added with `with_fn`: `next` has the rest's type, so the rest's future lives
    // inside the closure's box, whatever its size.
    let closures = Pipeline::new(Memory)
        .with_fn(|n: &mut u64, next| Box::pin(async move { next.run(n).await + 1 }))
        .with_fn(|n: &mut u64, next| Box::pin(async move { next.run(n).await + 1 }))
        .with_fn(|n: &mut u64, next| Box::pin(async move { next.run(n).await + 1 }));
    assert_eq!(allocations(|| async { closures.run(&mut 1).await }), 3);
    let around_typed = Pipeline::new(Memory)
        .with(Pass)
        .with(Pass)
        .with_fn(|n: &mut u64, next| Box::pin(async move { next.run(n).await + 1 }));
    assert_eq!(allocations(|| async { around_typed.run(&mut 1).await }), 1);

    // Closures written apart (`component_fn`) reach the rest through a type-erased `DynNext`.
    let erased = Pipeline::new(Memory)
        .with(component_fn(pass_fn))
        .with(component_fn(pass_fn))
        .with(component_fn(pass_fn));
    // One box per closure; the typed endpoint behind the last `DynNext` is stored inline.
    assert_eq!(allocations(|| async { erased.run(&mut 1).await }), 3);

    // Pending on the first poll: each closure's box is kept as it is, not moved into another.
    let pending = Pipeline::new(Later)
        .with(component_fn(pass_fn))
        .with(component_fn(pass_fn))
        .with(component_fn(pass_fn));
    assert_eq!(allocations(|| async { pending.run(&mut 1).await }), 3);

    // Typed components outside the closures: the closures' boxes are all there is.
    let mixed = Pipeline::new(Memory)
        .with(component_fn(pass_fn))
        .with(component_fn(pass_fn))
        .with(Pass)
        .with(Pass);
    assert_eq!(allocations(|| async { mixed.run(&mut 1).await }), 2);

    // A typed rest whose future is larger than the inline slot (a component's, around the
    // endpoint's) is boxed behind a `DynNext`: one more allocation at that boundary, as
    // documented.
    let boundary = Pipeline::new(Memory).with(Pass).with(component_fn(pass_fn));
    assert_eq!(allocations(|| async { boundary.run(&mut 1).await }), 2);
}
