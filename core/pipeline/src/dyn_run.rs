//! [`DynRun`]: the future of a type-erased rest of a pipeline, stored inline when it is small.
//!
//! A closure component reaches the rest of its pipeline through `dyn DynChain`, whose future has
//! a type the closure cannot name. Boxing it would cost a second allocation per closure call on
//! top of the closure's own box. Instead a small future is stored inline in a
//! [`StackFuture`](stackfuture::StackFuture), which lives inside the closure's (already boxed)
//! future; a closure's own boxed future passes through as is, and only a larger typed remainder
//! is boxed.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use stackfuture::StackFuture;

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
    /// When the rest of the pipeline starts with a closure, it holds that closure's boxed future.
    /// Otherwise it holds the rest's future inline when it fits in 32 bytes (e.g. a small
    /// endpoint's), and boxes it if larger: that is the one case where a closure costs a second
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
    pub struct DynRun<'a, O> {
        #[pin]
        inner: Inner<'a, O>,
    }
}

pin_project_lite::pin_project! {
    #[project = InnerProj]
    enum Inner<'a, O> {
        // A future that was boxed already (a closure's).
        Boxed { future: BoxFuture<'a, O> },
        // A typed rest's future, or a box of it when it is larger than the buffer.
        Inline { #[pin] future: StackFuture<'a, O, INLINE_BYTES> },
    }
}

impl<'a, O> DynRun<'a, O> {
    /// Stores `future` inline if it fits, boxes it otherwise.
    pub(crate) fn new<F: Future<Output = O> + Send + 'a>(future: F) -> Self {
        // A future too large for the buffer is boxed, and the box is stored inline.
        DynRun { inner: Inner::Inline { future: StackFuture::from_or_box(future) } }
    }

    /// Wraps a future that is boxed already (a closure's): nothing is stored inline.
    pub(crate) fn from_box(future: BoxFuture<'a, O>) -> Self {
        DynRun { inner: Inner::Boxed { future } }
    }
}

impl<O> Future for DynRun<'_, O> {
    type Output = O;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<O> {
        match self.project().inner.project() {
            InnerProj::Boxed { future } => future.as_mut().poll(cx),
            InnerProj::Inline { future } => future.poll(cx),
        }
    }
}

impl<O> fmt::Debug for DynRun<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inline = matches!(self.inner, Inner::Inline { .. });
        f.debug_struct("DynRun").field("inline", &inline).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct CountDrop(Arc<AtomicUsize>);

    impl Drop for CountDrop {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().build().expect("runtime").block_on(f)
    }

    #[test]
    fn small_futures_are_inline_large_ones_boxed_and_both_run_and_drop_once() {
        let drops = Arc::new(AtomicUsize::new(0));
        let guard = CountDrop(drops.clone());
        let small = DynRun::new(async move {
            tokio::task::yield_now().await;
            let _guard = &guard;
            1u32
        });
        assert_eq!(block_on(small), 1);
        assert_eq!(drops.load(Ordering::SeqCst), 1);

        let guard = CountDrop(drops.clone());
        let big = [7u8; 1024];
        let large = DynRun::new(async move {
            tokio::task::yield_now().await;
            let _guard = &guard;
            u32::from(big[1023])
        });
        assert_eq!(block_on(large), 7);
        assert_eq!(drops.load(Ordering::SeqCst), 2);

        // Dropped without being polled, and dropped after one poll.
        let guard = CountDrop(drops.clone());
        drop(DynRun::new(async move {
            let _guard = &guard;
        }));
        assert_eq!(drops.load(Ordering::SeqCst), 3);
        let guard = CountDrop(drops.clone());
        let mut pending = Box::pin(DynRun::new(async move {
            let _guard = &guard;
            std::future::pending::<()>().await;
        }));
        let waker = std::task::Waker::noop();
        assert!(pending.as_mut().poll(&mut Context::from_waker(waker)).is_pending());
        drop(pending);
        assert_eq!(drops.load(Ordering::SeqCst), 4);
    }
}
