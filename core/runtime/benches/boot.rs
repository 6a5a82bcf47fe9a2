//! Boot of a 1,000-component DAG whose `init` and `start` hooks each sleep 1 ms, booted in two
//! waves, against two references: the two waves' critical paths (the same sleeps along the
//! longest chain, once for the init wave and once for the start wave, one after the other: the
//! physical limit of a two-wave boot) and all the hooks one at a time in dependency order.

#![allow(missing_docs, reason = "criterion generates the entry point")]

mod synthetic;

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use synthetic::{leak, xorshift};
use weft::__private::{Hooks, erase};
use weft::{Builder, Lifecycle, Registration, ServiceKey};

const LEN: usize = 1_000;
const HOOK: Duration = Duration::from_millis(1);

#[derive(Default)]
struct Sleeper;

impl Lifecycle for Sleeper {
    async fn init(&mut self) -> anyhow::Result<()> {
        tokio::time::sleep(HOOK).await;
        Ok(())
    }

    async fn start(&self) -> anyhow::Result<()> {
        tokio::time::sleep(HOOK).await;
        Ok(())
    }
}

/// Component `i` requires the services of up to three random earlier components.
fn dag() -> (Vec<&'static Registration>, usize) {
    let mut random = xorshift(0x9e37_79b9_7f4a_7c15u64);
    let keys: Vec<ServiceKey> =
        (0..LEN).map(|i| ServiceKey::named(leak(format!("svc{i}")))).collect();
    let mut depth = vec![1usize; LEN];
    let mut registrations = Vec::new();
    for i in 0..LEN {
        let mut requires = Vec::new();
        if i > 0 {
            for _ in 0..3 {
                let d = random(i);
                depth[i] = depth[i].max(depth[d] + 1);
                requires.push(keys[d]);
            }
        }
        registrations.push(&*Box::leak(Box::new(Registration {
            name: leak(format!("component-{i:04}")),
            type_name: "Sleeper",
            module_path: module_path!(),
            file: file!(),
            line: 1,
            provides: Some(keys[i]),
            requires: Box::leak(requires.into_boxed_slice()),
            build: |_| Ok(erase(Sleeper, Hooks::lifecycle(), None)),
        })));
    }
    let longest = depth.into_iter().max().unwrap_or(0);
    (registrations, longest)
}

fn builder(registrations: &[&'static Registration]) -> Builder {
    registrations.iter().fold(Builder::empty(), |builder, r| builder.register(r))
}

async fn sleeps(count: usize) {
    for _ in 0..count {
        tokio::time::sleep(HOOK).await;
    }
}

fn boot(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let (registrations, depth) = dag();
    // A few boots measured by their own report: the boot time against the sum of the two
    // waves' measured critical paths.
    let mut ratios = Vec::new();
    for _ in 0..10 {
        let platform = runtime.block_on(builder(&registrations).boot()).expect("boots");
        let report = platform.report();
        let waves = report.init_critical_path() + report.start_critical_path();
        ratios.push(report.total.as_secs_f64() / waves.as_secs_f64());
        println!(
            "boot_1000: longest chain {depth} components; boot {:?} (init wave {:?}), measured critical paths: init {:?} + start {:?} = {waves:?}; ratio {:.3}",
            report.total,
            report.init_wave,
            report.init_critical_path(),
            report.start_critical_path(),
            ratios.last().unwrap_or(&0.0),
        );
        runtime.block_on(platform.stop()).expect("stops");
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "boot_1000: boot / (init + start critical paths), median of 10 boots: {:.3}",
        ratios[5]
    );

    let mut group = c.benchmark_group("boot_1000");
    group.sample_size(10);
    group.bench_function("weft_boot", |b| {
        b.to_async(&runtime).iter_custom(|iterations| {
            let registrations = registrations.clone();
            async move {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    let builder = builder(&registrations);
                    let began = Instant::now();
                    let platform = builder.boot().await.expect("boots");
                    total += began.elapsed();
                    platform.stop().await.expect("stops");
                }
                total
            }
        })
    });
    // The init wave's longest chain, then the start wave's: the physical limit.
    group.bench_function("waves_critical_path_sleeps", |b| {
        b.to_async(&runtime).iter(|| sleeps(2 * depth))
    });
    group.bench_function("sequential_sleeps", |b| b.to_async(&runtime).iter(|| sleeps(2 * LEN)));
    group.finish();
}

criterion_group!(benches, boot);
criterion_main!(benches);
