//! Looking at a platform without running it: validating its graph, exporting it, and the
//! command-line flags that do both.
//!
//! Every weft application can answer two questions before it constructs anything: *is my
//! graph sound?* and *what does it look like?* [`Builder::validate`](crate::Builder::validate)
//! answers the first, [`Graph::export`](crate::Graph::export) the second. [`handle_args`] wires
//! both to flags, so that an application gets them in one line:
//!
//! ```no_run
//! weft::platform!();
//!
//! #[tokio::main]
//! async fn main() -> anyhow::Result<std::process::ExitCode> {
//!     let builder = platform::builder();
//!     // `--graph dot|mermaid|json` prints the graph, `--check` validates it; both exit.
//!     if let Some(code) = weft::introspect::handle_args(&builder, std::env::args().skip(1)) {
//!         return Ok(code);
//!     }
//!     let platform = builder.boot().await?;
//!     println!("{}", platform.report());
//!     platform.run_until_shutdown().await?;
//!     Ok(std::process::ExitCode::SUCCESS)
//! }
//! ```
//!
//! An application with a parser of its own takes the flags out first with [`Flags::take`], then
//! runs them once its builder is composed (e.g. after `--components` applied
//! [`only`](crate::Builder::only)).
//!
//! [`readme`] keeps a Mermaid picture of the graph in a Markdown file up to date.

mod flags;
pub mod readme;

pub use crate::builder::{Validation, Warning};
pub use flags::{Action, Flags, handle_args};
