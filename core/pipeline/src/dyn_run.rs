//! [`DynRun`]: the future of a type-erased rest of a pipeline, stored inline when it is small.
//!
//! A closure component reaches the rest of its pipeline through `dyn DynChain`, whose future has
//! a type the closure cannot name. Boxing it would cost a second allocation per closure call on
//! top of the closure's own box. Instead a small future is stored inline in a
//! [`StackFuture`](stackfuture::StackFuture), which lives inside the closure's (already boxed)
//! future; a closure's own boxed future passes through as is, and only a larger typed remainder
//! is boxed.
//!
//! The rest is started on the first poll rather than when `next.run(ctx)` is called, so that
//! nothing larger than two words is returned by value: a `DynRun` returned from a virtual call
//! and moved into the closure's future cost a third of a closure's time (issue #8).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use stackfuture::StackFuture;

use super::chain::DynChain;

/// A boxed, `Send` future borrowing for `'a`: what closure components return.
pub type BoxFuture<'a, O> = Pin<Box<dyn Future<Output = O> + Send + 'a>>;

/// Bytes of inline storage: enough for a small endpoint's future. Larger buffers make every
/// closure call slower (the buffer lives in each closure's future) for little gain, since typed
/// components' futures are larger anyway (see BENCHMARKS.md).
const INLINE_BYTES: usize = 32;

pin_project_lite::pin_project! {
    /// The future returned by [`Next::run`](super::Next::run) on a type-erased
    /// [`DynNext`](super::DynNext).
    ///
    /// It starts the rest of the pipeline when first polled, with one virtual call. When the rest
    /// starts with a closure, that call hands back the closure's boxed future (in registers, not
    /// copied through this future), which is polled at once and kept only if it is pending.
    /// Otherwise the rest's future is stored inline when it fits in 32 bytes (e.g. a small
    /// endpoint's), and boxed if larger: that is the one case where a closure costs a second
    /// allocation.
    ///
    /// ```
    /// use weft::pipeline::{DynNext, Next, Terminal, endpoint_fn};
    ///
    /// let end = Terminal::new(endpoint_fn(|n: &mut u32| {
    ///     let n = *n;
    ///     Box::pin(async move { n })
    /// }));
    /// let next: DynNext<'_, u32, u32> = Next::new(&end).into_dyn();
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// assert_eq!(next.run(&mut 9).await, 9); // awaits a `DynRun`
    /// # });
    /// ```
    pub struct DynRun<'a, C, O> {
        // The rest of the pipeline and its context, until the first poll starts it.
        start: Option<(&'a (dyn DynChain<C, O> + 'a), &'a mut C)>,
        #[pin]
        running: Running<'a, O>,
    }
}

pin_project_lite::pin_project! {
    #[project = RunningProj]
    enum Running<'a, O> {
        // Not started, finished, or finished on its first poll.
        Idle,
        // A closure's future, pending after its first poll.
        Boxed { future: BoxFuture<'a, O> },
        // A typed rest's future, or a box of it when it is larger than the buffer.
        Inline { #[pin] future: StackFuture<'a, O, INLINE_BYTES> },
    }
}

impl<'a, C, O> DynRun<'a, C, O> {
    /// A future that runs `rest` on `ctx` when first polled.
    pub(crate) fn new(rest: &'a (dyn DynChain<C, O> + 'a), ctx: &'a mut C) -> Self {
        DynRun { start: Some((rest, ctx)), running: Running::Idle }
    }

    /// Stores a typed rest's `future` inline if it fits, boxed otherwise.
    pub(crate) fn store_inline<F: Future<Output = O> + Send + 'a>(self: Pin<&mut Self>, future: F) {
        // A future too large for the buffer is boxed, and the box is stored inline.
        self.project().running.set(Running::Inline { future: StackFuture::from_or_box(future) });
    }
}

impl<C, O> Future for DynRun<'_, C, O> {
    type Output = O;

    // Always inlined into the closure's own future: a separate function would add a stack frame
    // per closure, which costs more than the call itself once pipelines are deep.
    #[inline(always)]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<O> {
        if let Some((rest, ctx)) = self.as_mut().project().start.take()
            && let Some(mut future) = rest.start(ctx, self.as_mut())
        {
            // A closure's future: kept only if it does not finish at once.
            let poll = future.as_mut().poll(cx);
            if poll.is_pending() {
                self.project().running.set(Running::Boxed { future });
            }
            return poll;
        }
        poll_running(self.project().running, cx)
    }
}

/// Polls a started rest; once it is ready, frees what it held.
#[inline(always)]
fn poll_running<O>(mut running: Pin<&mut Running<'_, O>>, cx: &mut Context<'_>) -> Poll<O> {
    let poll = match running.as_mut().project() {
        RunningProj::Boxed { future } => future.as_mut().poll(cx),
        RunningProj::Inline { future } => future.poll(cx),
        RunningProj::Idle => panic!("`DynRun` polled after it completed"),
    };
    if poll.is_ready() {
        running.set(Running::Idle);
    }
    poll
}

impl<C, O> fmt::Debug for DynRun<'_, C, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match (&self.start, &self.running) {
            (Some(_), _) => "not started",
            (None, Running::Idle) => "done",
            (None, Running::Boxed { .. }) => "pending, boxed",
            (None, Running::Inline { .. }) => "pending, inline",
        };
        f.debug_struct("DynRun").field("state", &state).finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Waker;

    use super::*;
    use crate::{Chain, DynNext, Endpoint, Next, Pipeline, Terminal, component_fn, endpoint_fn};

    /// Counts its drops in the shared counter.
    struct CountDrop(Arc<AtomicUsize>);

    impl Drop for CountDrop {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// An endpoint whose future holds a drop counter and `PAD` bytes, and yields once.
    struct Guarded<const PAD: usize>(Arc<AtomicUsize>);

    impl<const PAD: usize> Endpoint<u32, u32> for Guarded<PAD> {
        async fn call(&self, ctx: &mut u32) -> u32 {
            let guard = CountDrop(self.0.clone());
            let pad = std::hint::black_box([1u8; PAD]);
            tokio::task::yield_now().await;
            let _guard = &guard;
            *ctx + u32::from(pad[PAD - 1])
        }
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().build().expect("runtime").block_on(f)
    }

    fn run_dyn<T: Chain<u32, u32>>(chain: &T, ctx: u32) -> u32 {
        let next: DynNext<'_, u32, u32> = Next::new(chain).into_dyn();
        block_on(async move {
            let mut ctx = ctx;
            next.run(&mut ctx).await
        })
    }

    /// Polls `future` once with a waker that does nothing.
    fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
        future.poll(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn small_typed_futures_are_inline_large_ones_boxed_and_both_run_and_drop_once() {
        let drops = Arc::new(AtomicUsize::new(0));
        let small = Terminal::new(Guarded::<1>(drops.clone()));
        assert_eq!(run_dyn(&small, 1), 2);
        assert_eq!(drops.load(Ordering::SeqCst), 1);

        let large = Terminal::new(Guarded::<1024>(drops.clone()));
        assert_eq!(run_dyn(&large, 1), 2);
        assert_eq!(drops.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_closure_rest_pending_at_first_is_kept_and_finishes_later() {
        let drops = Arc::new(AtomicUsize::new(0));
        let pipeline = Pipeline::new(Guarded::<1>(drops.clone())).with(component_fn(
            |n: &mut u32, next: DynNext<'_, u32, u32>| {
                Box::pin(async move { next.run(n).await * 10 })
            },
        ));
        assert_eq!(run_dyn(pipeline.chain(), 1), 20);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_run_starts_when_first_polled_and_drops_what_it_holds() {
        let calls = AtomicUsize::new(0);
        let end = Terminal::new(endpoint_fn(|n: &mut u32| {
            calls.fetch_add(1, Ordering::SeqCst);
            let n = *n;
            Box::pin(async move {
                std::future::pending::<()>().await;
                n
            })
        }));
        let next: DynNext<'_, u32, u32> = Next::new(&end).into_dyn();
        let mut ctx = 1;

        // Dropped before its first poll: nothing ran.
        drop(next.run(&mut ctx));
        assert_eq!(calls.load(Ordering::SeqCst), 0);

        // Pending: the closure ran once, its future is kept, and polling again does not rerun it.
        let mut run = Box::pin(DynRun::new(&end, &mut ctx));
        assert!(format!("{run:?}").contains("not started"));
        assert!(poll_once(run.as_mut()).is_pending());
        assert!(poll_once(run.as_mut()).is_pending());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(format!("{run:?}").contains("pending, boxed"));
        drop(run);

        // A typed rest that is pending keeps its future inline; dropping it drops that future.
        let drops = Arc::new(AtomicUsize::new(0));
        let typed = Terminal::new(Guarded::<1>(drops.clone()));
        let mut run = Box::pin(DynRun::new(&typed, &mut ctx));
        assert!(poll_once(run.as_mut()).is_pending());
        assert!(format!("{run:?}").contains("pending, inline"));
        drop(run);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }
}
