//! The ordering property beyond one provider per service: on random graphs with plain,
//! optional (present and absent) and collection requirements, `init` respects every present
//! edge (each provider, each collection member, before its consumer), and `stop` runs in reverse.
//!
//! `PROPTEST_CASES=2000 cargo test -p weft-tests --test order_property` runs more cases.

use std::collections::HashMap;
use std::sync::Mutex;

use proptest::prelude::*;
use weft::__private::{Hooks, Provide, erase_with};
use weft::{Builder, Lifecycle, Registration, ServiceKey};

/// Hooks observed, in order: `(true, name)` for an `init`, `(false, name)` for a `stop`.
static LOG: Mutex<Vec<(bool, &'static str)>> = Mutex::new(Vec::new());

struct Recorder(&'static str);

impl Lifecycle for Recorder {
    async fn init(&mut self) -> anyhow::Result<()> {
        tokio::task::yield_now().await;
        LOG.lock().unwrap().push((true, self.0));
        Ok(())
    }

    async fn stop(&self) -> anyhow::Result<()> {
        tokio::task::yield_now().await;
        LOG.lock().unwrap().push((false, self.0));
        Ok(())
    }
}

/// How component `i` provides: nothing, its own service `s{i}`, or a member of group `g{k}`.
#[derive(Clone, Copy, Debug)]
enum Gives {
    Nothing,
    Own,
    Member(usize),
}

/// One requirement, before it is checked against what the others provide.
#[derive(Clone, Copy, Debug)]
enum Wants {
    /// `s{j % i}` if that component provides its own service.
    Plain(usize),
    /// `optional(s{j % i})`, present or not; `j` past every component names a service nobody has.
    Optional(usize),
    /// `all_of(g{k})`, when every member of `g{k}` comes before.
    All(usize),
}

const GROUPS: usize = 3;

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

fn spec() -> impl Strategy<Value = Vec<(Gives, Vec<Wants>)>> {
    let gives =
        prop_oneof![Just(Gives::Nothing), Just(Gives::Own), (0..GROUPS).prop_map(Gives::Member),];
    let wants = prop_oneof![
        (0..64usize).prop_map(Wants::Plain),
        (0..80usize).prop_map(Wants::Optional),
        (0..GROUPS).prop_map(Wants::All),
    ];
    prop::collection::vec((gives, prop::collection::vec(wants, 0..4)), 1..24)
}

/// The registrations, and the edges `(consumer, provider)` the platform must respect.
fn build(spec: &[(Gives, Vec<Wants>)]) -> (Vec<&'static Registration>, Vec<(usize, usize)>) {
    let len = spec.len();
    let names: Vec<&'static str> = (0..len).map(|i| leak(format!("c{i:02}"))).collect();
    let own: Vec<ServiceKey> = (0..len).map(|i| ServiceKey::named(leak(format!("s{i}")))).collect();
    let groups: Vec<ServiceKey> =
        (0..GROUPS).map(|k| ServiceKey::named(leak(format!("g{k}")))).collect();
    let members = |k: usize| -> Vec<usize> {
        (0..len).filter(|&i| matches!(spec[i].0, Gives::Member(g) if g == k)).collect()
    };
    let mut edges = Vec::new();
    let mut registrations = Vec::new();
    for (i, (gives, wants)) in spec.iter().enumerate() {
        let mut requires = Vec::new();
        for want in wants {
            match *want {
                Wants::Plain(j) if i > 0 => {
                    let j = j % i;
                    if matches!(spec[j].0, Gives::Own) && !requires.contains(&own[j]) {
                        requires.push(own[j]);
                        edges.push((i, j));
                    }
                }
                Wants::Optional(j) if j < i && !requires.contains(&own[j]) => {
                    requires.push(own[j].optional());
                    if matches!(spec[j].0, Gives::Own) {
                        edges.push((i, j));
                    }
                }
                Wants::Optional(j) if j >= len => {
                    let nobody = ServiceKey::named(leak(format!("nobody{j}")));
                    if !requires.contains(&nobody) {
                        requires.push(nobody.optional());
                    }
                }
                Wants::All(k) => {
                    let all = members(k);
                    if all.iter().all(|&m| m < i) && !requires.contains(&groups[k]) {
                        requires.push(groups[k].all());
                        edges.extend(all.into_iter().map(|m| (i, m)));
                    }
                }
                _ => {}
            }
        }
        let provides = match gives {
            Gives::Nothing => None,
            Gives::Own => Some(own[i]),
            Gives::Member(k) => Some(groups[*k].one_of()),
        };
        registrations.push(&*Box::leak(Box::new(Registration {
            name: names[i],
            type_name: "Recorder",
            module_path: module_path!(),
            file: file!(),
            line: 1,
            provides,
            requires: Box::leak(requires.into_boxed_slice()),
            build: |injector| {
                Ok(erase_with(Recorder(injector.component()), Hooks::lifecycle(), Provide::Nothing))
            },
        })));
    }
    (registrations, edges)
}

proptest! {
    #[test]
    fn init_respects_every_present_edge_and_stop_reverses_it(spec in spec()) {
        let (registrations, edges) = build(&spec);
        LOG.lock().unwrap().clear();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let builder = registrations.iter().fold(Builder::empty(), |b, r| b.register(r));
            let platform = builder.boot().await.unwrap();
            platform.stop().await.unwrap();
        });
        let log = LOG.lock().unwrap().clone();
        let position = |init: bool| -> HashMap<&str, usize> {
            log.iter().filter(|(i, _)| *i == init).enumerate().map(|(at, (_, n))| (*n, at)).collect()
        };
        let (inits, stops) = (position(true), position(false));
        prop_assert_eq!(inits.len(), spec.len());
        prop_assert_eq!(stops.len(), spec.len());
        prop_assert_eq!(log.len(), 2 * spec.len(), "a hook ran twice");
        for (consumer, provider) in edges {
            let (consumer, provider) = (format!("c{consumer:02}"), format!("c{provider:02}"));
            prop_assert!(
                inits[provider.as_str()] < inits[consumer.as_str()],
                "{} initialized before {}, which it requires", consumer, provider
            );
            prop_assert!(
                stops[consumer.as_str()] < stops[provider.as_str()],
                "{} stopped before {}, which requires it", provider, consumer
            );
        }
    }
}
