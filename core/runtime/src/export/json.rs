//! The JSON export of a graph: a stable document for tools, built with `serde`.

use serde::Serialize;

use super::Overlay;
use crate::component::Role;
use crate::graph::{Graph, Source};
use crate::lifecycle::Phase;

/// The whole document. Field names are part of the format; add fields, never rename them.
#[derive(Serialize)]
struct Document {
    components: Vec<Component>,
    init_order: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    boot: Option<Boot>,
}

#[derive(Serialize)]
struct Component {
    name: &'static str,
    #[serde(rename = "type")]
    type_name: &'static str,
    module: &'static str,
    file: &'static str,
    line: u32,
    provides: Option<&'static str>,
    /// Every service provided, with how, when that is more than one plain service.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    services: Vec<Provided>,
    requires: Vec<Requirement>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timings: Option<Timings>,
}

#[derive(Serialize)]
struct Provided {
    service: &'static str,
    /// `one`, `one_of` (a collection member) or `wraps` (a decorator).
    role: &'static str,
}

#[derive(Serialize)]
struct Requirement {
    service: &'static str,
    /// The providing component; `None` when the builder replaced the service, when an optional
    /// requirement has no provider, and for collections (see `providers`).
    provider: Option<&'static str>,
    replaced: bool,
    /// `optional`, `all_of` or `config`; absent for a plain requirement.
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<&'static str>,
    /// The members of an `all_of` collection, in injection order.
    #[serde(skip_serializing_if = "Option::is_none")]
    providers: Option<Vec<&'static str>>,
}

#[derive(Serialize)]
struct Timings {
    construct_us: u128,
    init_us: u128,
    start_us: u128,
    initialized_at_us: u128,
    started_at_us: u128,
    /// The phases of this component on the critical path: `"init"`, `"start"`.
    critical: Vec<String>,
}

#[derive(Serialize)]
struct Boot {
    total_us: u128,
    critical_path_us: u128,
}

pub(super) fn render(graph: &Graph, live: Option<Overlay<'_>>) -> String {
    let components = graph
        .registrations
        .iter()
        .enumerate()
        .map(|(node, registration)| {
            let node = node as u32;
            let requires = graph
                .sources(node)
                .map(|(key, source)| {
                    let replaced = source == Source::Replaced;
                    let provider = match source {
                        Source::Component(provider) => Some(graph.name(provider)),
                        _ => None,
                    };
                    let providers = match source {
                        Source::Collection(start, end) => {
                            Some(graph.members(start, end).iter().map(|&m| graph.name(m)).collect())
                        }
                        _ => None,
                    };
                    let role = (key.role() != Role::One).then(|| key.role().as_str());
                    Requirement { service: key.name(), provider, replaced, role, providers }
                })
                .collect();
            let name = registration.name;
            let state = live.and_then(|live| live.states.get(name)).map(|s| s.to_string());
            let timings = live.and_then(|live| {
                let t = live.report.get(name)?;
                let critical = live
                    .report
                    .critical_path
                    .iter()
                    .filter(|step| step.component == name)
                    .map(|step| match step.phase {
                        Phase::Start => "start".to_owned(),
                        _ => "init".to_owned(),
                    })
                    .collect();
                Some(Timings {
                    construct_us: t.construct.as_micros(),
                    init_us: t.init.as_micros(),
                    start_us: t.start.as_micros(),
                    initialized_at_us: t.initialized_at.as_micros(),
                    started_at_us: t.started_at.as_micros(),
                    critical,
                })
            });
            Component {
                name,
                type_name: registration.type_name,
                module: registration.module_path,
                file: registration.file,
                line: registration.line,
                provides: registration.provides.map(|key| key.name()),
                services: match registration.services().all(|key| key.role() == Role::One)
                    && registration.services().count() <= 1
                {
                    true => Vec::new(),
                    false => registration
                        .services()
                        .map(|key| Provided { service: key.name(), role: key.role().as_str() })
                        .collect(),
                },
                requires,
                state,
                timings,
            }
        })
        .collect();
    let boot = live.map(|live| Boot {
        total_us: live.report.total.as_micros(),
        critical_path_us: live.report.critical_path_duration().as_micros(),
    });
    let document = Document { components, init_order: graph.init_order(), boot };
    // Serializing plain structs of strings and numbers into a String cannot fail.
    let mut out = serde_json::to_string_pretty(&document).unwrap_or_default();
    out.push('\n');
    out
}
