//! Exporting the graph as Graphviz DOT and Mermaid text.

use std::fmt::Write;

use super::Graph;

impl Graph {
    /// The graph in Graphviz DOT. An edge `a -> b` labelled with a service means that `a`
    /// requires that service from `b`.
    ///
    /// ```
    /// let graph = weft::Builder::empty().resolve()?;
    /// assert_eq!(graph.to_dot(), "digraph weft {\n  rankdir=BT;\n}\n");
    /// # Ok::<(), weft::GraphError>(())
    /// ```
    pub fn to_dot(&self) -> String {
        let mut out = String::from("digraph weft {\n  rankdir=BT;\n");
        for registration in &self.registrations {
            let _ = writeln!(
                out,
                "  \"{}\" [label=\"{}\\n{}\"];",
                dot(registration.name),
                dot(registration.name),
                dot(registration.type_name)
            );
        }
        for from in 0..self.len() as u32 {
            for (to, service) in self.deps.row(from).iter().zip(self.deps.labels(from)) {
                let (from, to) = (dot(self.name(from)), dot(self.name(*to)));
                let _ = writeln!(out, "  \"{from}\" -> \"{to}\" [label=\"{}\"];", dot(service));
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

    /// The graph as a Mermaid flowchart. An edge `a --> b` labelled with a service means that
    /// `a` requires that service from `b`.
    ///
    /// ```
    /// let graph = weft::Builder::empty().resolve()?;
    /// assert_eq!(graph.to_mermaid(), "flowchart BT\n");
    /// # Ok::<(), weft::GraphError>(())
    /// ```
    pub fn to_mermaid(&self) -> String {
        let mut out = String::from("flowchart BT\n");
        for (i, registration) in self.registrations.iter().enumerate() {
            let _ = writeln!(out, "  n{i}[\"{}\"]", mermaid(registration.name));
        }
        for from in 0..self.len() as u32 {
            for (to, service) in self.deps.row(from).iter().zip(self.deps.labels(from)) {
                let _ = writeln!(out, "  n{from} -->|\"{}\"| n{to}", mermaid(service));
            }
        }
        for (i, &(from, service)) in self.replaced_edges.iter().enumerate() {
            let service = mermaid(service);
            let _ = writeln!(
                out,
                "  r{i}[/\"replaced: {service}\"/]\n  n{from} -->|\"{service}\"| r{i}"
            );
        }
        out
    }
}

fn dot(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

fn mermaid(text: &str) -> String {
    text.replace('"', "#quot;").replace('<', "#lt;").replace('>', "#gt;").replace('|', "#124;")
}
