//! Exporting the graph as Graphviz DOT, Mermaid and JSON, before boot or with a running
//! platform's live states and hook durations.
//!
//! This layer sits above the graph and the platform it reads: neither of them imports it.

use std::fmt::{self, Write};
use std::str::FromStr;

use crate::component::Role;
use crate::graph::{Graph, Source};
use crate::human::Human;
use crate::lifecycle::State;
use crate::platform::{BootReport, Platform};
use crate::states::States;

mod json;

/// A text format for a component graph, as accepted by `--graph` (see
/// [`introspect`](crate::introspect)).
///
/// ```
/// use weft::GraphFormat;
///
/// assert_eq!("mermaid".parse::<GraphFormat>(), Ok(GraphFormat::Mermaid));
/// let error = "png".parse::<GraphFormat>().unwrap_err();
/// assert_eq!(error.to_string(), "unknown graph format `png`; expected `dot`, `mermaid` or `json`");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GraphFormat {
    /// Graphviz DOT: `dot -Tsvg graph.dot > graph.svg`.
    Dot,
    /// A Mermaid flowchart, which GitHub renders in Markdown.
    Mermaid,
    /// JSON, for tools: see [`Graph::to_json`].
    Json,
}

/// A string that names no [`GraphFormat`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown graph format `{0}`; expected `dot`, `mermaid` or `json`")]
pub struct UnknownFormat(pub String);

impl FromStr for GraphFormat {
    type Err = UnknownFormat;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "dot" | "graphviz" => Ok(GraphFormat::Dot),
            "mermaid" => Ok(GraphFormat::Mermaid),
            "json" => Ok(GraphFormat::Json),
            _ => Err(UnknownFormat(text.to_owned())),
        }
    }
}

impl fmt::Display for GraphFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GraphFormat::Dot => "dot",
            GraphFormat::Mermaid => "mermaid",
            GraphFormat::Json => "json",
        })
    }
}

impl Platform {
    /// The graph in `format` with what is live: each component's state and boot durations, and
    /// the critical path (see [`Graph::to_json`] for the JSON fields).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> anyhow::Result<()> {
    /// use weft::GraphFormat;
    ///
    /// let platform = weft::Builder::empty().boot().await?;
    /// let json: serde_json::Value = serde_json::from_str(&platform.export(GraphFormat::Json))?;
    /// assert!(json["boot"]["total_us"].is_u64());
    /// platform.stop().await?;
    /// # Ok(()) }
    /// ```
    pub fn export(&self, format: GraphFormat) -> String {
        let states = self.states();
        self.graph().render(format, Some(Overlay { states: &states, report: self.report() }))
    }
}

/// What a running platform adds to an export: each component's state and hook durations.
#[derive(Clone, Copy)]
struct Overlay<'a> {
    states: &'a States,
    report: &'a BootReport,
}

impl Overlay<'_> {
    fn state(&self, name: &str) -> Option<State> {
        self.states.get(name)
    }

    /// `started · init 1.2ms · start 40µs`, the line a live node adds to its label.
    fn summary(&self, name: &str) -> String {
        let mut line = self.state(name).map(|state| state.to_string()).unwrap_or_default();
        if let Some(t) = self.report.get(name) {
            let _ =
                write!(line, " · init {} · start {}", Human(t.construct + t.init), Human(t.start));
        }
        line
    }
}

impl Graph {
    /// The graph in `format`, before boot: see [`to_dot`](Graph::to_dot),
    /// [`to_mermaid`](Graph::to_mermaid) and [`to_json`](Graph::to_json).
    ///
    /// ```
    /// use weft::GraphFormat;
    ///
    /// let graph = weft::Builder::empty().resolve()?;
    /// assert_eq!(graph.export(GraphFormat::Mermaid), graph.to_mermaid());
    /// # Ok::<(), weft::GraphError>(())
    /// ```
    pub fn export(&self, format: GraphFormat) -> String {
        self.render(format, None)
    }

    fn render(&self, format: GraphFormat, live: Option<Overlay<'_>>) -> String {
        match format {
            GraphFormat::Dot => self.dot(live),
            GraphFormat::Mermaid => self.mermaid(live),
            GraphFormat::Json => json::render(self, live),
        }
    }

    /// The graph in Graphviz DOT. An edge `a -> b` labelled with a service means that `a`
    /// requires that service from `b`. Each node shows the component's name and type; its
    /// tooltip is the declaration's `file:line`. A running platform's
    /// [`Platform::export`](crate::Platform::export) adds states and durations.
    ///
    /// ```
    /// let graph = weft::Builder::empty().resolve()?;
    /// assert_eq!(graph.to_dot(), "digraph weft {\n  rankdir=BT;\n  node [shape=box];\n}\n");
    /// # Ok::<(), weft::GraphError>(())
    /// ```
    pub fn to_dot(&self) -> String {
        self.dot(None)
    }

    /// The graph as a Mermaid flowchart. An edge `a --> b` labelled with a service means that
    /// `a` requires that service from `b`. A running platform's
    /// [`Platform::export`](crate::Platform::export) adds states and durations.
    ///
    /// ```
    /// let graph = weft::Builder::empty().resolve()?;
    /// assert_eq!(graph.to_mermaid(), "flowchart BT\n");
    /// # Ok::<(), weft::GraphError>(())
    /// ```
    pub fn to_mermaid(&self) -> String {
        self.mermaid(None)
    }

    /// The graph as JSON, for tools: one object per component, in name order, with the service
    /// it provides, what it requires and from whom, and where it is declared; then an
    /// `init_order`. A running platform's [`Platform::export`](crate::Platform::export) adds
    /// each component's `state` and `timings` (microseconds, and the phases on the critical
    /// path), and a `boot` summary.
    ///
    /// ```
    /// use weft::__private::{Hooks, erase};
    /// use weft::{Registration, ServiceKey};
    ///
    /// #[derive(Default)]
    /// struct Clock;
    /// const TIME: ServiceKey = ServiceKey::named("dyn Time");
    /// static CLOCK: Registration = Registration {
    ///     name: "clock",
    ///     type_name: "Clock",
    ///     module_path: "app::clock",
    ///     file: "src/clock.rs",
    ///     line: 7,
    ///     provides: Some(TIME),
    ///     requires: &[],
    ///     build: |_| Ok(erase(Clock, Hooks::none(), None)),
    /// };
    /// static APP: Registration = Registration {
    ///     name: "app",
    ///     type_name: "App",
    ///     module_path: "app",
    ///     file: "src/main.rs",
    ///     line: 12,
    ///     provides: None,
    ///     requires: &[TIME],
    ///     build: |_| Ok(erase(Clock, Hooks::none(), None)),
    /// };
    ///
    /// let graph = weft::Builder::empty().register(&CLOCK).register(&APP).resolve()?;
    /// let json: serde_json::Value = serde_json::from_str(&graph.to_json()).unwrap();
    /// assert_eq!(json, serde_json::json!({
    ///     "components": [
    ///         {
    ///             "name": "app", "type": "App", "module": "app", "file": "src/main.rs", "line": 12,
    ///             "provides": null,
    ///             "requires": [{ "service": "dyn Time", "provider": "clock", "replaced": false }]
    ///         },
    ///         {
    ///             "name": "clock", "type": "Clock", "module": "app::clock", "file": "src/clock.rs",
    ///             "line": 7, "provides": "dyn Time", "requires": []
    ///         }
    ///     ],
    ///     "init_order": ["clock", "app"]
    /// }));
    /// # Ok::<(), weft::GraphError>(())
    /// ```
    pub fn to_json(&self) -> String {
        json::render(self, None)
    }

    fn dot(&self, live: Option<Overlay<'_>>) -> String {
        let mut out = String::from("digraph weft {\n  rankdir=BT;\n  node [shape=box];\n");
        for registration in &self.registrations {
            let name = registration.name;
            let mut label = format!("{}\\n{}", dot(name), dot(registration.type_name));
            let mut style = String::new();
            if let Some(live) = live {
                let _ = write!(label, "\\n{}", dot(&live.summary(name)));
                let fill = match live.state(name) {
                    Some(State::Ready) | None => "white",
                    Some(State::Initialized) => "lightyellow",
                    Some(State::Started) => "palegreen",
                    Some(State::Stopped) => "lightgrey",
                    Some(State::Failed) => "salmon",
                };
                let _ = write!(style, ", style=filled, fillcolor={fill}");
                if live.report.critical_path.iter().any(|step| step.component == name) {
                    style.push_str(", penwidth=2, color=red");
                }
            }
            let location = format!("{}:{}", registration.file, registration.line);
            let _ = writeln!(
                out,
                "  \"{}\" [label=\"{label}\", tooltip=\"{}\"{style}];",
                dot(name),
                dot(&location)
            );
        }
        for from in 0..self.len() as u32 {
            for (to, service) in self.deps.row(from).iter().zip(self.deps.labels(from)) {
                let optional = self.is_optional_edge(from, *to);
                let (from, to) = (dot(self.name(from)), dot(self.name(*to)));
                let (suffix, style) = match optional {
                    true => (" (optional)", ", style=dashed"),
                    false => ("", ""),
                };
                let _ = writeln!(
                    out,
                    "  \"{from}\" -> \"{to}\" [label=\"{}{suffix}\"{style}];",
                    dot(service)
                );
            }
        }
        for &(from, service) in &self.replaced_edges {
            let (from, service) = (dot(self.name(from)), dot(service));
            let _ = writeln!(
                out,
                "  \"replaced: {service}\" [shape=box, style=dashed];\n  \"{from}\" -> \"replaced: {service}\" [label=\"{service}\"];"
            );
        }
        out.push_str("}\n");
        out
    }

    fn mermaid(&self, live: Option<Overlay<'_>>) -> String {
        let mut out = String::from("flowchart BT\n");
        for (i, registration) in self.registrations.iter().enumerate() {
            let name = registration.name;
            match live {
                None => {
                    let _ = writeln!(out, "  n{i}[\"{}\"]", mermaid(name));
                }
                Some(live) => {
                    let summary = mermaid(&live.summary(name));
                    let _ = writeln!(out, "  n{i}[\"{}<br/>{summary}\"]", mermaid(name));
                }
            }
        }
        for from in 0..self.len() as u32 {
            for (to, service) in self.deps.row(from).iter().zip(self.deps.labels(from)) {
                match self.is_optional_edge(from, *to) {
                    true => {
                        writeln!(out, "  n{from} -.->|\"{} (optional)\"| n{to}", mermaid(service))
                    }
                    false => writeln!(out, "  n{from} -->|\"{}\"| n{to}", mermaid(service)),
                }
                .unwrap_or_default();
            }
        }
        for (i, &(from, service)) in self.replaced_edges.iter().enumerate() {
            let service = mermaid(service);
            let _ = writeln!(
                out,
                "  r{i}[/\"replaced: {service}\"/]\n  n{from} -->|\"{service}\"| r{i}"
            );
        }
        if let Some(live) = live {
            out.push_str(concat!(
                "  classDef ready fill:#fff,stroke:#999\n",
                "  classDef initialized fill:#ffd\n",
                "  classDef started fill:#cfc\n",
                "  classDef stopped fill:#ddd\n",
                "  classDef failed fill:#fcc\n",
            ));
            for (i, registration) in self.registrations.iter().enumerate() {
                if let Some(state) = live.state(registration.name) {
                    let _ = writeln!(out, "  class n{i} {state}");
                }
            }
        }
        out
    }
}

impl Graph {
    /// Whether every requirement of `from` served by `to` is optional: the edge is drawn dashed.
    fn is_optional_edge(&self, from: u32, to: u32) -> bool {
        let mut served = self.sources(from).filter(|(_, source)| match source {
            Source::Component(provider) => *provider == to,
            Source::Collection(start, end) => self.members(*start, *end).contains(&to),
            _ => false,
        });
        let first = served.next();
        first.is_some_and(|(key, _)| key.role() == Role::Optional)
            && served.all(|(key, _)| key.role() == Role::Optional)
    }
}

fn dot(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

fn mermaid(text: &str) -> String {
    text.replace('"', "#quot;").replace('<', "#lt;").replace('>', "#gt;").replace('|', "#124;")
}
