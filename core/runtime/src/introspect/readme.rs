//! Keeping a generated Mermaid graph in a Markdown file current.
//!
//! The file holds the graph between two markers:
//!
//! ````markdown
//! <!-- weft:graph:begin -->
//! ```mermaid
//! flowchart BT
//!   ...
//! ```
//! <!-- weft:graph:end -->
//! ````
//!
//! A test of the application compares that block with the graph it generates now (e.g. the
//! output of `app --graph mermaid`) through [`check`], and fails when they differ. Rerunning the
//! test with `WEFT_BLESS=1` rewrites the block instead:
//!
//! ```no_run
//! // tests/readme_graph.rs of an application `app`
//! #[test]
//! fn the_readme_shows_the_current_graph() {
//!     let output = std::process::Command::new(env!("CARGO_BIN_EXE_app"))
//!         .args(["--graph", "mermaid"])
//!         .output()
//!         .unwrap();
//!     assert!(output.status.success());
//!     let mermaid = String::from_utf8(output.stdout).unwrap();
//!     let readme = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
//!     if let Err(error) = weft::introspect::readme::check(readme, &mermaid) {
//!         panic!("{error}");
//!     }
//! }
//! ```

use std::path::{Path, PathBuf};

/// The line that opens the generated block.
pub const BEGIN: &str = "<!-- weft:graph:begin -->";
/// The line that closes the generated block.
pub const END: &str = "<!-- weft:graph:end -->";
/// The environment variable that makes [`check`] rewrite a stale block: `WEFT_BLESS=1`.
pub const BLESS: &str = "WEFT_BLESS";

/// What [`check`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The block already shows the graph.
    Current,
    /// The block was stale and `WEFT_BLESS=1` rewrote it.
    Rewritten,
}

/// Why [`check`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadmeError {
    /// The file could not be read or written.
    #[error("cannot access `{}`", .path.display())]
    Io {
        /// The Markdown file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file lacks the markers, or has them out of order.
    #[error(
        "`{}` has no generated graph block; add a line `{BEGIN}` and, below it, a line `{END}`",
        .path.display()
    )]
    NoMarkers {
        /// The Markdown file.
        path: PathBuf,
    },
    /// The block differs from the graph generated now.
    #[error(
        "the graph in `{}` is out of date; rerun with `{BLESS}=1` to rewrite it. It should read:\n{expected}",
        .path.display()
    )]
    Stale {
        /// The Markdown file.
        path: PathBuf,
        /// The block as it should read.
        expected: String,
    },
}

/// The Markdown block, markers excluded, that shows `mermaid` (a Mermaid flowchart's text).
///
/// ```
/// assert_eq!(
///     weft::introspect::readme::block("flowchart BT\n"),
///     "```mermaid\nflowchart BT\n```\n"
/// );
/// ```
pub fn block(mermaid: &str) -> String {
    let mermaid = mermaid.trim_end();
    format!("```mermaid\n{mermaid}\n```\n")
}

/// Replaces the text between the markers of `markdown` with [`block`]`(mermaid)`; `None` when
/// the markers are missing.
///
/// ```
/// use weft::introspect::readme::splice;
///
/// let markdown = "# App\n<!-- weft:graph:begin -->\nold\n<!-- weft:graph:end -->\nmore\n";
/// assert_eq!(
///     splice(markdown, "flowchart BT\n").as_deref(),
///     Some("# App\n<!-- weft:graph:begin -->\n```mermaid\nflowchart BT\n```\n<!-- weft:graph:end -->\nmore\n")
/// );
/// assert_eq!(splice("no markers", "flowchart BT\n"), None);
/// ```
pub fn splice(markdown: &str, mermaid: &str) -> Option<String> {
    let begin = markdown.find(BEGIN)? + BEGIN.len();
    let inner_start = markdown[begin..].find('\n').map_or(markdown.len(), |i| begin + i + 1);
    let end = inner_start + markdown.get(inner_start..)?.find(END)?;
    Some(format!("{}{}{}", &markdown[..inner_start], block(mermaid), &markdown[end..]))
}

/// Checks that the block between the markers of the Markdown file at `path` shows `mermaid`.
/// When it does not and `WEFT_BLESS=1` is set, rewrites it.
pub fn check(path: impl AsRef<Path>, mermaid: &str) -> Result<Outcome, ReadmeError> {
    let bless = std::env::var_os(BLESS).is_some_and(|value| value == "1");
    check_or_bless(path.as_ref(), mermaid, bless)
}

fn check_or_bless(path: &Path, mermaid: &str, bless: bool) -> Result<Outcome, ReadmeError> {
    let io = |source| ReadmeError::Io { path: path.to_owned(), source };
    let markdown = std::fs::read_to_string(path).map_err(io)?;
    let Some(updated) = splice(&markdown, mermaid) else {
        return Err(ReadmeError::NoMarkers { path: path.to_owned() });
    };
    if updated == markdown {
        return Ok(Outcome::Current);
    }
    if bless {
        std::fs::write(path, updated).map_err(io)?;
        return Ok(Outcome::Rewritten);
    }
    Err(ReadmeError::Stale { path: path.to_owned(), expected: block(mermaid) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stale_block_fails_until_blessed_then_passes() {
        let path = std::env::temp_dir().join(format!("weft-readme-{}.md", std::process::id()));
        std::fs::write(&path, format!("# App\n{BEGIN}\nold picture\n{END}\ntail\n")).unwrap();
        let stale = check_or_bless(&path, "flowchart BT\n", false).unwrap_err();
        assert!(
            matches!(&stale, ReadmeError::Stale { expected, .. } if expected == &block("flowchart BT\n"))
        );
        assert!(
            stale.to_string().contains("is out of date; rerun with `WEFT_BLESS=1` to rewrite it")
        );
        assert_eq!(check_or_bless(&path, "flowchart BT\n", true).unwrap(), Outcome::Rewritten);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!("# App\n{BEGIN}\n```mermaid\nflowchart BT\n```\n{END}\ntail\n")
        );
        assert_eq!(check_or_bless(&path, "flowchart BT\n", false).unwrap(), Outcome::Current);
        std::fs::write(&path, "no markers\n").unwrap();
        let error = check_or_bless(&path, "flowchart BT\n", true).unwrap_err();
        assert!(matches!(error, ReadmeError::NoMarkers { .. }));
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn markers_out_of_order_are_not_a_block() {
        assert_eq!(splice(&format!("{END}\n{BEGIN}\n"), "flowchart BT\n"), None);
    }
}
