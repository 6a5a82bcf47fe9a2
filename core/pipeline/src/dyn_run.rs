//! [`DynRun`]: the future of a type-erased rest of a pipeline, stored inline when it is small.
//!
//! A closure component reaches the rest of its pipeline through `dyn DynChain`, whose future has
//! a type the closure cannot name. Boxing it would cost a second allocation per closure call on
//! top of the closure's own box. Instead the future is written into a fixed buffer inside
//! `DynRun`, which itself lives inside the closure's (already boxed) future; only futures too
//! large for the buffer are boxed.

use std::fmt;
use std::future::Future;
use std::marker::{PhantomData, PhantomPinned};
use std::mem::{MaybeUninit, align_of, size_of};
use std::pin::Pin;
use std::task::{Context, Poll};

use super::chain::BoxFuture;

/// Bytes of inline storage: enough for a small endpoint's future. Measured: 256 and 64 bytes made
/// every closure call slower (the buffer lives in each closure's future) for little gain, since
/// typed components' futures are larger anyway.
const INLINE_BYTES: usize = 32;
const INLINE_ALIGN: usize = 16;

#[repr(C, align(16))]
struct Storage([MaybeUninit<u8>; INLINE_BYTES]);

/// Stands for the erased future: it borrows for `'a` and yields `O`.
type FutureMarker<'a, O> = PhantomData<(&'a (), fn() -> O)>;

/// The future returned by [`Next::run`](super::Next::run) on a type-erased [`DynNext`](super::DynNext).
///
/// When the rest of the pipeline starts with a closure, it holds that closure's boxed future.
/// Otherwise it holds the rest's future inline when it fits in 32 bytes (e.g. a small endpoint's),
/// and boxes it if larger: that is the one case where a closure costs a second allocation.
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
    storage: Storage,
    // `Some` when the future did not fit and was boxed; then `storage` is unused.
    boxed: Option<BoxFuture<'a, O>>,
    // Both only called on a future of the type `DynRun::new` wrote into `storage`.
    poll: unsafe fn(*mut (), &mut Context<'_>) -> Poll<O>,
    drop: unsafe fn(*mut ()),
    // The stored future borrows for `'a` and is `Send`; once polled it must not move.
    _future: FutureMarker<'a, O>,
    _pinned: PhantomPinned,
}

impl<'a, O> DynRun<'a, O> {
    pub(crate) fn new<F: Future<Output = O> + Send + 'a>(future: F) -> Self {
        if size_of::<F>() <= INLINE_BYTES && align_of::<F>() <= INLINE_ALIGN {
            let mut storage = Storage([const { MaybeUninit::uninit() }; INLINE_BYTES]);
            // SAFETY: the buffer is large and aligned enough for `F` (checked above), and is
            // uninitialized, so nothing is overwritten. Moving `DynRun` (and so `F`) before the
            // first poll is fine: a future may move until it is pinned.
            unsafe { storage.0.as_mut_ptr().cast::<F>().write(future) };
            DynRun {
                storage,
                boxed: None,
                poll: poll_inline::<F>,
                drop: drop_inline::<F>,
                _future: PhantomData,
                _pinned: PhantomPinned,
            }
        } else {
            DynRun {
                storage: Storage([const { MaybeUninit::uninit() }; INLINE_BYTES]),
                boxed: Some(Box::pin(future)),
                poll: poll_never,
                drop: drop_never,
                _future: PhantomData,
                _pinned: PhantomPinned,
            }
        }
    }
}

impl<'a, O> DynRun<'a, O> {
    /// Wraps a future that is boxed already (a closure's): nothing is stored inline.
    pub(crate) fn from_box(future: BoxFuture<'a, O>) -> Self {
        DynRun {
            storage: Storage([const { MaybeUninit::uninit() }; INLINE_BYTES]),
            boxed: Some(future),
            poll: poll_never,
            drop: drop_never,
            _future: PhantomData,
            _pinned: PhantomPinned,
        }
    }
}

/// # Safety
/// `ptr` points to a live, pinned `F`.
unsafe fn poll_inline<F: Future>(ptr: *mut (), cx: &mut Context<'_>) -> Poll<F::Output> {
    // SAFETY: per the contract, `ptr` is a live `F` that never moves again (it sits in a pinned
    // `DynRun`).
    unsafe { Pin::new_unchecked(&mut *ptr.cast::<F>()) }.poll(cx)
}

/// # Safety
/// `ptr` points to a live `F`, dropped exactly once here.
unsafe fn drop_inline<F>(ptr: *mut ()) {
    // SAFETY: per the contract.
    unsafe { ptr.cast::<F>().drop_in_place() }
}

fn poll_never<O>(_: *mut (), _: &mut Context<'_>) -> Poll<O> {
    unreachable!("a boxed `DynRun` never polls its inline storage")
}

fn drop_never(_: *mut ()) {}

impl<O> Future for DynRun<'_, O> {
    type Output = O;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<O> {
        // SAFETY: nothing is moved out of `this`; the inline future stays where it is.
        let this = unsafe { self.get_unchecked_mut() };
        match &mut this.boxed {
            Some(boxed) => boxed.as_mut().poll(cx),
            // SAFETY: without a box, `new` wrote an `F` matching `poll` into `storage`, and it
            // is pinned because `self` is.
            None => unsafe { (this.poll)(this.storage.0.as_mut_ptr().cast(), cx) },
        }
    }
}

impl<O> Drop for DynRun<'_, O> {
    fn drop(&mut self) {
        if self.boxed.is_none() {
            // SAFETY: without a box, `storage` holds the live `F` that `drop` expects, and this
            // is the only place it is dropped.
            unsafe { (self.drop)(self.storage.0.as_mut_ptr().cast()) }
        }
    }
}

impl<O> fmt::Debug for DynRun<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynRun").field("inline", &self.boxed.is_none()).finish()
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
        assert!(small.boxed.is_none());
        assert_eq!(block_on(small), 1);
        assert_eq!(drops.load(Ordering::SeqCst), 1);

        let guard = CountDrop(drops.clone());
        let big = [7u8; 1024];
        let large = DynRun::new(async move {
            tokio::task::yield_now().await;
            let _guard = &guard;
            u32::from(big[1023])
        });
        assert!(large.boxed.is_some());
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
