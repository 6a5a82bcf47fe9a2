//! Running one hook: inside a `tracing` span, under a time limit, with panics caught.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use futures::FutureExt;
use tracing::Instrument;

use crate::error::{HookCause, HookError};
use crate::lifecycle::Phase;

/// Runs `hook` for `component`, turning a panic or a timeout into a [`HookError`]. An error the
/// hook itself returns is left in `Ok` for the caller, which knows the hook's output type.
pub(crate) async fn guard<F: Future>(
    component: &'static str,
    phase: Phase,
    limit: Duration,
    hook: F,
) -> (Duration, Result<F::Output, HookError>) {
    let span = tracing::info_span!("weft.hook", component, phase = %phase);
    let began = Instant::now();
    let outcome = tokio::time::timeout(limit, AssertUnwindSafe(hook).catch_unwind())
        .instrument(span.clone())
        .await;
    let elapsed = began.elapsed();
    let cause = match outcome {
        Ok(Ok(output)) => return (elapsed, Ok(output)),
        Ok(Err(payload)) => HookCause::Panic(panic_message(payload.as_ref())),
        Err(_) => HookCause::Timeout(limit),
    };
    span.in_scope(|| tracing::warn!(%cause, ?elapsed, "hook failed"));
    (elapsed, Err(HookError { component, phase, elapsed, cause }))
}

/// Turns a hook's `anyhow::Result` into a [`HookError`].
pub(crate) fn check(
    component: &'static str,
    phase: Phase,
    elapsed: Duration,
    result: anyhow::Result<()>,
) -> Result<(), HookError> {
    result.map_err(|error| {
        tracing::warn!(component, phase = %phase, error = format!("{error:#}"), "hook failed");
        HookError { component, phase, elapsed, cause: HookCause::Error(error.into()) }
    })
}

/// The message of a panic payload (`&str` or `String`, as `panic!` makes them).
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic payload that is not a string".to_owned()
    }
}
