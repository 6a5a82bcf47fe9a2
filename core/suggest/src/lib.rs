//! The "did you mean" of weft: the closest known name to a misspelt one.
//!
//! `weft-macros` (unknown keys, crate names in `platform!`) and `weft-runtime` (component names
//! in `only`/`without`) share this one rule, so a typo gets the same help at compile time and at
//! boot. It is a crate of its own because a proc-macro crate can export nothing but macros.
//!
//! ```
//! assert_eq!(weft_suggest::suggest("chanels", ["channels", "users"]), Some("channels"));
//! assert_eq!(weft_suggest::suggest("zzz", ["channels", "users"]), None);
//! ```

#![forbid(unsafe_code)]

/// The closest of `candidates` to `name`, if it is close enough to be a likely typo: at most
/// two edits, or a third of `name`'s length for longer names, and fewer edits than either name
/// has characters (`d` is not a typo of `a`). Ties go to the first candidate.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let length = name.chars().count();
    let limit = (length / 3).max(2);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let distance = edit_distance(name, candidate);
        let plausible = distance <= limit && distance < length.min(candidate.chars().count());
        if plausible && best.is_none_or(|(closest, _)| distance < closest) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// Levenshtein distance, in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("channels", "channels"), 0);
        assert_eq!(edit_distance("chanels", "channels"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn suggests_only_close_names() {
        let names = ["channels", "database", "users"];
        assert_eq!(suggest("chanels", names), Some("channels"));
        assert_eq!(suggest("databse", names), Some("database"));
        assert_eq!(suggest("zzz", names), None);
        assert_eq!(suggest("d", ["a", "b"]), None);
        assert_eq!(suggest("ab", ["a", "b"]), None);
        assert_eq!(suggest("user", names), Some("users"));
        // Short keys: two edits (a transposition) are still a typo.
        assert_eq!(suggest("nmae", ["name", "provides", "requires"]), Some("name"));
        assert_eq!(suggest("provide", ["name", "provides", "requires"]), Some("provides"));
        assert_eq!(suggest("timeout", ["name", "provides", "requires", "crate", "local"]), None);
    }
}
