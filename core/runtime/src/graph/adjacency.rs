//! A compact adjacency list (compressed sparse rows): one allocation per graph, not per node.

/// Directed edges between nodes `0..len`, each edge with a label.
#[derive(Clone, Debug, Default)]
pub(crate) struct Adjacency {
    // Row `i` is `targets[offsets[i]..offsets[i + 1]]`.
    offsets: Vec<u32>,
    targets: Vec<u32>,
    labels: Vec<&'static str>,
}

impl Adjacency {
    /// Builds the rows from `(from, to, label)` edges, in linear time (a counting sort that keeps
    /// the edges' order within each row).
    #[cfg(test)]
    pub(crate) fn from_edges(len: usize, edges: &[(u32, u32, &'static str)]) -> Self {
        let mut offsets = vec![0u32; len + 1];
        for &(from, _, _) in edges {
            offsets[from as usize + 1] += 1;
        }
        for i in 0..len {
            offsets[i + 1] += offsets[i];
        }
        let mut next: Vec<u32> = offsets[..len].to_vec();
        let mut targets = vec![0u32; edges.len()];
        let mut labels = vec![""; edges.len()];
        for &(from, to, label) in edges {
            let slot = &mut next[from as usize];
            targets[*slot as usize] = to;
            labels[*slot as usize] = label;
            *slot += 1;
        }
        Adjacency { offsets, targets, labels }
    }

    /// Rows already laid out: row `i` is `targets[offsets[i]..offsets[i + 1]]`, labelled by
    /// `labels` alike.
    pub(crate) fn from_rows(
        offsets: Vec<u32>,
        targets: Vec<u32>,
        labels: Vec<&'static str>,
    ) -> Self {
        debug_assert_eq!(targets.len(), labels.len());
        debug_assert_eq!(offsets.last().copied().unwrap_or(0) as usize, targets.len());
        Adjacency { offsets, targets, labels }
    }

    /// The same edges, reversed, without labels (nothing reads them).
    pub(crate) fn reversed(&self) -> Self {
        let len = self.len();
        let mut offsets = vec![0u32; len + 1];
        for &to in &self.targets {
            offsets[to as usize + 1] += 1;
        }
        for i in 0..len {
            offsets[i + 1] += offsets[i];
        }
        let mut next: Vec<u32> = offsets[..len].to_vec();
        let mut targets = vec![0u32; self.targets.len()];
        for from in 0..len as u32 {
            for &to in self.row(from) {
                let slot = &mut next[to as usize];
                targets[*slot as usize] = from;
                *slot += 1;
            }
        }
        Adjacency { offsets, targets, labels: Vec::new() }
    }

    /// The number of nodes.
    pub(crate) fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// The number of edges.
    pub(crate) fn edge_count(&self) -> usize {
        self.targets.len()
    }

    /// The targets of `node`'s edges.
    pub(crate) fn row(&self, node: u32) -> &[u32] {
        let node = node as usize;
        &self.targets[self.offsets[node] as usize..self.offsets[node + 1] as usize]
    }

    /// The labels of `node`'s edges, parallel to [`row`](Adjacency::row); empty for a
    /// [`reversed`](Adjacency::reversed) adjacency.
    pub(crate) fn labels(&self, node: u32) -> &[&'static str] {
        let node = node as usize;
        let range = self.offsets[node] as usize..self.offsets[node + 1] as usize;
        self.labels.get(range).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_edge_order_and_reverse() {
        let adjacency = Adjacency::from_edges(3, &[(2, 0, "x"), (0, 1, "y"), (2, 1, "z")]);
        assert_eq!(adjacency.row(0), &[1]);
        assert_eq!(adjacency.row(1), &[] as &[u32]);
        assert_eq!(adjacency.row(2), &[0, 1]);
        assert_eq!(adjacency.labels(2), &["x", "z"]);
        let reversed = adjacency.reversed();
        assert_eq!(reversed.row(0), &[2]);
        assert_eq!(reversed.row(1), &[0, 2]);
        assert!(reversed.labels(1).is_empty());
        assert_eq!(reversed.edge_count(), 3);
        let rows = Adjacency::from_rows(vec![0, 1, 1, 3], vec![1, 0, 1], vec!["y", "x", "z"]);
        assert_eq!(rows.row(2), adjacency.row(2));
        assert_eq!(rows.labels(0), adjacency.labels(0));
    }
}
