//! "Did you mean": the closest known name to a misspelt one, by the rule `weft-suggest` shares
//! with the macros.

/// The closest of `names` to `name`, if it is close enough to be a likely typo.
pub(crate) fn suggest(
    name: &str,
    names: impl Iterator<Item = &'static str>,
) -> Option<&'static str> {
    weft_suggest::suggest(name, names)
}
