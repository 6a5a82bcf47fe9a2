//! "Did you mean": the closest known name to a misspelt one.

/// The closest of `names` to `name`, if it is close enough to be a likely typo.
pub(crate) fn suggest(
    name: &str,
    names: impl Iterator<Item = &'static str>,
) -> Option<&'static str> {
    let length = name.chars().count();
    let limit = (length / 3).max(1);
    names
        .map(|candidate| (edit_distance(name, candidate), candidate))
        // A suggestion shares something with the name: `d` is not a typo of `a`.
        .filter(|&(distance, candidate)| {
            distance <= limit && distance < length.min(candidate.chars().count())
        })
        .min()
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
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
        assert_eq!(suggest("chanels", names.into_iter()), Some("channels"));
        assert_eq!(suggest("databse", names.into_iter()), Some("database"));
        assert_eq!(suggest("zzz", names.into_iter()), None);
        assert_eq!(suggest("d", ["a", "b"].into_iter()), None);
        assert_eq!(suggest("ab", ["a", "b"].into_iter()), None);
        assert_eq!(suggest("user", names.into_iter()), Some("users"));
    }
}
