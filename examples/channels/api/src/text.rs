//! The text policy: what a channel name, an author and a message text may contain.
//!
//! Names and authors are single-line labels that people compare by eye, so:
//!
//! 1. they are normalized to **NFC** (a precomposed `é` and `e` + U+0301 are the same name);
//! 2. leading and trailing white space is trimmed, and they must not be empty;
//! 3. they must not contain a character that is invisible or that changes how the text around
//!    it displays:
//!    - control characters (general category `Cc`), line and paragraph separators (`Zl`, `Zp`:
//!      U+2028, U+2029);
//!    - format characters (`Cf`): zero-width space, joiners and non-joiners (U+200B–U+200D),
//!      word joiner (U+2060), byte order mark (U+FEFF), soft hyphen, and every bidirectional
//!      mark, embedding, override and isolate (U+061C, U+200E, U+200F, U+202A–U+202E,
//!      U+2066–U+2069);
//!    - the other default-ignorable code points, the fillers among them (U+115F, U+1160,
//!      U+3164 Hangul filler, U+FFA0, U+034F combining grapheme joiner, …), except variation
//!      selectors, which pick how an emoji is drawn;
//! 4. channel names are unique under **canonical caseless matching**: `General`, `GENERAL` and
//!    `general` are one name, so are `Straße` and `STRASSE` (full case folding), and so are the
//!    two spellings of `é` ([`caseless_key`]).
//!
//! Message texts are kept as written (no normalization): they may hold newlines and tabs, but no
//! other control character, and no bidirectional embedding, override or isolate (the marks
//! U+061C, U+200E and U+200F, which right-to-left text needs, are allowed).
//!
//! The character data comes from ICU4X (`icu_properties`, `icu_normalizer`, `icu_casemap`),
//! the Unicode Consortium's own Rust libraries, not from tables written here.

use icu_casemap::CaseMapper;
use icu_normalizer::ComposingNormalizer;
use icu_properties::props::{
    BidiClass, BidiControl, DefaultIgnorableCodePoint, GeneralCategory, VariationSelector,
};
use icu_properties::{CodePointMapData, CodePointSetData};

use crate::entities::InvalidInput;

/// Why `c` may not appear in a name or an author, if it may not.
fn refused_in_label(c: char) -> Option<&'static str> {
    // ASCII has no format, separator, bidi-control or default-ignorable character: only its
    // controls (`Cc`) are refused. Most labels are ASCII; this skips the property look-ups.
    if c.is_ascii() {
        return c.is_ascii_control().then_some("control characters");
    }
    let category = CodePointMapData::<GeneralCategory>::new().get(c);
    match category {
        GeneralCategory::Control => Some("control characters"),
        GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator => {
            Some("line or paragraph separators")
        }
        _ if CodePointSetData::new::<BidiControl>().contains(c) => Some("bidirectional controls"),
        GeneralCategory::Format => Some("invisible formatting characters"),
        _ if CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
            && !CodePointSetData::new::<VariationSelector>().contains(c) =>
        {
            Some("invisible characters")
        }
        _ => None,
    }
}

/// Why `c` may not appear in a message text, if it may not. `\n`, `\r` and `\t` may.
fn refused_in_text(c: char) -> Option<&'static str> {
    if matches!(c, '\n' | '\r' | '\t') {
        return None;
    }
    // In ASCII, only the controls (`Cc`) are refused; no ASCII character is a bidi control.
    if c.is_ascii() {
        return c.is_ascii_control().then_some("control characters");
    }
    if CodePointMapData::<GeneralCategory>::new().get(c) == GeneralCategory::Control {
        return Some("control characters");
    }
    let mark = matches!(
        CodePointMapData::<BidiClass>::new().get(c),
        BidiClass::LeftToRight | BidiClass::RightToLeft | BidiClass::ArabicLetter
    );
    if CodePointSetData::new::<BidiControl>().contains(c) && !mark {
        return Some("bidirectional embeddings, overrides or isolates");
    }
    None
}

/// A name or an author: NFC, trimmed, `1..=max` characters, none of them refused.
pub(crate) fn label(field: &'static str, value: &str, max: usize) -> Result<String, InvalidInput> {
    // ASCII is its own NFC: no normalizer (and no copy) for it.
    let normalized = if value.is_ascii() {
        std::borrow::Cow::Borrowed(value)
    } else {
        ComposingNormalizer::new_nfc().normalize(value)
    };
    let value = normalized.trim();
    if value.is_empty() {
        return Err(InvalidInput::new(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(InvalidInput::new(field, format!("must be at most {max} characters")));
    }
    if let Some((c, what)) = value.chars().find_map(|c| refused_in_label(c).map(|why| (c, why))) {
        return Err(InvalidInput::new(
            field,
            format!("must not contain {what} (found U+{:04X})", u32::from(c)),
        ));
    }
    Ok(value.to_owned())
}

/// Checks the characters of a message text.
pub(crate) fn check_text(field: &'static str, value: &str) -> Result<(), InvalidInput> {
    if let Some((c, what)) = value.chars().find_map(|c| refused_in_text(c).map(|why| (c, why))) {
        return Err(InvalidInput::new(
            field,
            format!("must not contain {what} (found U+{:04X})", u32::from(c)),
        ));
    }
    Ok(())
}

/// The key under which channel names are unique: NFC of the full case folding of NFC
/// (canonical caseless matching, Unicode §3.13). Two names with the same key are the same name.
///
/// ```
/// use channels_api::text::caseless_key;
///
/// assert_eq!(caseless_key("General"), caseless_key("gENERAL"));
/// assert_eq!(caseless_key("Straße"), caseless_key("STRASSE"));
/// assert_eq!(caseless_key("caf\u{e9}"), caseless_key("cafe\u{301}"));
/// assert_ne!(caseless_key("general"), caseless_key("generals"));
/// ```
pub fn caseless_key(name: &str) -> String {
    let nfc = ComposingNormalizer::new_nfc();
    let folded = CaseMapper::new().fold_string(&nfc.normalize(name)).into_owned();
    nfc.normalize(&folded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_normalized_and_trimmed() {
        assert_eq!(label("name", "  cafe\u{301} ", 80), Ok("caf\u{e9}".to_owned()));
        assert_eq!(label("name", "\u{3000}general\u{a0}", 80), Ok("general".to_owned()));
        assert!(label("name", " \u{3000} ", 80).is_err());
        // The limit counts characters after normalization.
        assert!(label("name", &"e\u{301}".repeat(80), 80).is_ok());
    }

    #[test]
    fn invisible_and_layout_characters_are_refused_in_labels() {
        for c in [
            '\u{0}',
            '\u{7}',
            '\n',
            '\u{85}',
            '\u{2028}',
            '\u{2029}', // controls, separators
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{2060}',
            '\u{FEFF}',
            '\u{AD}', // format
            '\u{200E}',
            '\u{200F}',
            '\u{061C}',
            '\u{202A}',
            '\u{202E}',
            '\u{2066}',
            '\u{2069}',
            '\u{3164}',
            '\u{115F}',
            '\u{1160}',
            '\u{FFA0}',
            '\u{34F}',
            '\u{E0001}', // fillers
        ] {
            let value = format!("gen{c}eral");
            assert!(label("name", &value, 80).is_err(), "U+{:04X} is refused", u32::from(c));
        }
        // Visible text of every script, emoji with a variation selector, and punctuation pass.
        for ok in ["général", "日本語", "עברית", "مرحبا", "❤\u{FE0F} fans", "a-b_c.d", "🦀"]
        {
            assert!(label("name", ok, 80).is_ok(), "{ok}");
        }
    }

    #[test]
    fn texts_keep_layout_but_no_controls_or_overrides() {
        assert!(check_text("text", "line one\nline two\tend\r\n").is_ok());
        assert!(check_text("text", "שלום \u{200F}(1)").is_ok());
        assert!(check_text("text", "bell\u{7}").is_err());
        assert!(check_text("text", "evil\u{202E}gnp.exe").is_err());
        assert!(check_text("text", "isolate\u{2067}x\u{2069}").is_err());
    }

    /// The ASCII shortcuts give what the Unicode properties give.
    #[test]
    fn ascii_shortcuts_agree_with_the_properties() {
        for c in (0u8..=127).map(char::from) {
            let category = CodePointMapData::<GeneralCategory>::new().get(c);
            let control = category == GeneralCategory::Control;
            let other = matches!(
                category,
                GeneralCategory::Format
                    | GeneralCategory::LineSeparator
                    | GeneralCategory::ParagraphSeparator
            ) || CodePointSetData::new::<BidiControl>().contains(c)
                || CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c);
            assert!(!other, "U+{:04X} needs more than the ASCII shortcut", u32::from(c));
            assert_eq!(refused_in_label(c).is_some(), control, "U+{:04X}", u32::from(c));
            let allowed = matches!(c, '\n' | '\r' | '\t');
            assert_eq!(refused_in_text(c).is_some(), control && !allowed, "U+{:04X}", u32::from(c));
            let nfc = ComposingNormalizer::new_nfc();
            assert_eq!(nfc.normalize(&c.to_string()), c.to_string());
        }
    }

    #[test]
    fn caseless_keys() {
        assert_eq!(caseless_key("ǅungla"), caseless_key("ǆungla"));
        assert_eq!(caseless_key("ΣΊΣΥΦΟΣ"), caseless_key("σίσυφος"));
        assert_ne!(caseless_key("general"), caseless_key("genera1"));
    }
}
