//! A pipeline as a tower `Service`, under real tower middleware (feature `tower`).
#![cfg(feature = "tower")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tower::{BoxError, ServiceBuilder, ServiceExt};
use weft::pipeline::{Pipeline, endpoint_fn};

#[tokio::test]
async fn tower_s_timeout_layer_bounds_a_pipeline_run() {
    let pipeline = Pipeline::new(endpoint_fn(|ms: &mut u64| {
        let ms = *ms;
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok::<u64, BoxError>(ms)
        })
    }));
    let service =
        ServiceBuilder::new().timeout(Duration::from_millis(200)).service(pipeline.into_service());
    assert_eq!(service.clone().oneshot(1).await.expect("in time"), 1);
    let err = service.oneshot(5_000).await.expect_err("too slow");
    assert!(err.is::<tower::timeout::error::Elapsed>(), "{err}");
}

#[tokio::test]
async fn tower_s_concurrency_limit_holds_pipeline_runs_to_one_at_a_time() {
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (r, m) = (running.clone(), most.clone());
    let pipeline = Pipeline::new(endpoint_fn(move |n: &mut u32| {
        let (running, most, n) = (r.clone(), m.clone(), *n);
        Box::pin(async move {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(10)).await;
            running.fetch_sub(1, Ordering::SeqCst);
            Ok::<u32, BoxError>(n)
        })
    }));
    let service = ServiceBuilder::new().concurrency_limit(1).service(pipeline.into_service());
    let calls: Vec<_> = (0..4).map(|n| tokio::spawn(service.clone().oneshot(n))).collect();
    for (n, call) in calls.into_iter().enumerate() {
        assert_eq!(call.await.expect("task").expect("ok"), n as u32);
    }
    assert_eq!(most.load(Ordering::SeqCst), 1);
}
