//! Graph check and ordering for 1,000 / 10,000 / 100,000 synthetic components with about three
//! requirements each: time, and memory through a counting global allocator.

#![allow(missing_docs, reason = "criterion generates the entry point")]

mod synthetic;

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use synthetic::{leak, xorshift};
use weft::__private::{Hooks, erase};
use weft::{Builder, Registration, ServiceKey};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static TOTAL: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        TOTAL.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on as is.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[derive(Default)]
struct Nothing;

/// `len` components; component `i` requires three services of random earlier components,
/// registered in shuffled order, as `inventory` would hand them over.
fn synthetic(len: usize) -> Builder {
    let mut random = xorshift(0x2545_f491_4f6c_dd1du64);
    let keys: Vec<ServiceKey> =
        (0..len).map(|i| ServiceKey::named(leak(format!("svc{i}")))).collect();
    let mut registrations: Vec<&'static Registration> = (0..len)
        .map(|i| {
            let mut requires: Vec<ServiceKey> = Vec::new();
            if i > 0 {
                for _ in 0..3 {
                    requires.push(keys[random(i)]);
                }
            }
            &*Box::leak(Box::new(Registration {
                name: leak(format!("component-{i}")),
                type_name: "Nothing",
                module_path: module_path!(),
                file: file!(),
                line: 1,
                provides: Some(keys[i]),
                requires: Box::leak(requires.into_boxed_slice()),
                build: |_| Ok(erase(Nothing, Hooks::none(), None)),
            }))
        })
        .collect();
    for i in (1..registrations.len()).rev() {
        registrations.swap(i, random(i + 1));
    }
    registrations.into_iter().fold(Builder::empty(), Builder::register)
}

fn check(c: &mut Criterion) {
    let mut group = c.benchmark_group("graph_check");
    for len in [1_000, 10_000, 100_000] {
        let builder = synthetic(len);
        let base = CURRENT.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let total = TOTAL.load(Ordering::Relaxed);
        let graph = builder.resolve().expect("a synthetic DAG has no problem");
        let order = graph.init_order();
        let peak = PEAK.load(Ordering::Relaxed) - base;
        let allocated = TOTAL.load(Ordering::Relaxed) - total;
        println!(
            "graph_check/{len}: {} edges; memory: peak {:.1} MiB above baseline, {:.1} MiB allocated in total ({} bytes/component)",
            graph.edge_count(),
            peak as f64 / (1 << 20) as f64,
            allocated as f64 / (1 << 20) as f64,
            allocated / len,
        );
        drop((order, graph));
        group.throughput(Throughput::Elements(len as u64));
        group.bench_with_input(BenchmarkId::from_parameter(len), &builder, |b, builder| {
            b.iter(|| {
                let graph = builder.resolve().expect("no problem");
                black_box(graph.init_order());
            })
        });
    }
    group.finish();
}

/// `len` components beyond one provider per service: every tenth one contributes to one of
/// ten collections instead of providing its own service, every component has two plain
/// requirements and one optional one (a third of them absent), and every twentieth one
/// requires a whole collection.
fn synthetic_beyond(len: usize) -> Builder {
    let mut random = xorshift(0x9e37_79b9_7f4a_7c15u64);
    let keys: Vec<ServiceKey> =
        (0..len).map(|i| ServiceKey::named(leak(format!("svc{i}")))).collect();
    let groups: Vec<ServiceKey> =
        (0..10).map(|k| ServiceKey::named(leak(format!("group{k}")))).collect();
    let member = |i: usize| i.is_multiple_of(10);
    let mut registrations: Vec<&'static Registration> = (0..len)
        .map(|i| {
            let mut requires: Vec<ServiceKey> = Vec::new();
            if i > 0 {
                for _ in 0..2 {
                    let j = random(i);
                    if !member(j) && !requires.contains(&keys[j]) {
                        requires.push(keys[j]);
                    }
                }
                let j = random(i);
                let key = match j % 3 {
                    0 => ServiceKey::named(leak(format!("absent{i}"))),
                    _ => keys[j],
                };
                if !member(j) && !requires.contains(&key) {
                    requires.push(key.optional());
                }
            }
            // Members of collection `k` are the components `i % 10 == 0`; a consumer comes
            // after all of them (the last tenth of the graph), so the graph stays acyclic.
            if i % 20 == 5 && i > len * 9 / 10 {
                requires.push(groups[random(10)].all());
            }
            let provides = match member(i) {
                true => groups[(i / 10) % 10].one_of(),
                false => keys[i],
            };
            &*Box::leak(Box::new(Registration {
                name: leak(format!("component-{i}")),
                type_name: "Nothing",
                module_path: module_path!(),
                file: file!(),
                line: 1,
                provides: Some(provides),
                requires: Box::leak(requires.into_boxed_slice()),
                build: |_| Ok(erase(Nothing, Hooks::none(), None)),
            }))
        })
        .collect();
    for i in (1..registrations.len()).rev() {
        registrations.swap(i, random(i + 1));
    }
    registrations.into_iter().fold(Builder::empty(), Builder::register)
}

fn check_beyond(c: &mut Criterion) {
    let mut group = c.benchmark_group("graph_check_beyond");
    let len = 10_000;
    let builder = synthetic_beyond(len);
    let graph = builder.resolve().expect("a synthetic DAG has no problem");
    println!("graph_check_beyond/{len}: {} edges", graph.edge_count());
    drop(graph);
    group.throughput(Throughput::Elements(len as u64));
    group.bench_with_input(BenchmarkId::from_parameter(len), &builder, |b, builder| {
        b.iter(|| {
            let graph = builder.resolve().expect("no problem");
            black_box(graph.init_order());
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = check, check_beyond
}
criterion_main!(benches);
