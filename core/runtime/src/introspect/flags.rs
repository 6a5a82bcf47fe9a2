//! `--graph FORMAT` and `--check`: the introspection flags every weft application can accept.

use std::io::Write;
use std::process::ExitCode;

use crate::builder::Builder;
use crate::export::GraphFormat;

/// What the introspection flags ask for.
///
/// ```
/// use weft::GraphFormat;
/// use weft::introspect::{Flags, Action};
///
/// assert_eq!(Flags::parse(["--check"]).action(), Ok(Some(Action::Check)));
/// assert_eq!(Flags::parse(["--graph=dot"]).action(), Ok(Some(Action::Graph(GraphFormat::Dot))));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// `--graph FORMAT`: print the resolved graph and exit.
    Graph(GraphFormat),
    /// `--check`: validate the graph and the configuration without constructing any
    /// component, and exit.
    Check,
}

/// The introspection flags found on a command line: `--graph dot|mermaid|json` (or
/// `--graph=FORMAT`) and `--check`.
///
/// ```
/// use weft::GraphFormat;
/// use weft::introspect::{Flags, Action};
///
/// let mut args: Vec<String> = ["--port", "80", "--graph", "json"].map(String::from).into();
/// let flags = Flags::take(&mut args);
/// assert_eq!(flags.action(), Ok(Some(Action::Graph(GraphFormat::Json))));
/// assert_eq!(args, ["--port", "80"]); // what is left is the application's
///
/// let flags = Flags::parse(["--graph", "png"]);
/// assert_eq!(
///     flags.action(),
///     Err("unknown graph format `png`; expected `dot`, `mermaid` or `json`")
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    action: Option<Action>,
    error: Option<String>,
}

impl Flags {
    /// The flags' help text, to append to an application's usage.
    pub const USAGE: &'static str = "  --graph dot|mermaid|json  print the component graph and exit\n  \
         --check                   check the component graph and the configuration without \
         constructing anything, and exit (status 1 on problems)";

    /// Finds the flags in `args` and leaves them there, for applications without a parser.
    pub fn parse<I>(args: I) -> Flags
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut args: Vec<String> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        Flags::take(&mut args)
    }

    /// Finds the flags in `args` and removes them, so that the application's own parser sees
    /// only its arguments. A later flag wins over an earlier one.
    pub fn take(args: &mut Vec<String>) -> Flags {
        let mut flags = Flags::default();
        let mut kept = Vec::with_capacity(args.len());
        let mut rest = std::mem::take(args).into_iter();
        while let Some(arg) = rest.next() {
            let format = match arg.as_str() {
                "--check" => {
                    flags.action = Some(Action::Check);
                    continue;
                }
                "--graph" => match rest.next() {
                    Some(format) => format,
                    None => {
                        flags.error =
                            Some("`--graph` needs a format: `dot`, `mermaid` or `json`".to_owned());
                        continue;
                    }
                },
                other => match other.strip_prefix("--graph=") {
                    Some(format) => format.to_owned(),
                    None => {
                        kept.push(arg);
                        continue;
                    }
                },
            };
            match format.parse() {
                Ok(format) => flags.action = Some(Action::Graph(format)),
                Err(error) => flags.error = Some(format!("{error}")),
            }
        }
        *args = kept;
        flags
    }

    /// What the flags ask for, `None` when there are none, or the usage error.
    pub fn action(&self) -> Result<Option<Action>, &str> {
        match &self.error {
            Some(error) => Err(error),
            None => Ok(self.action),
        }
    }

    /// Runs what the flags ask for against `builder`, printing to stdout (the graph, the
    /// validation summary) and stderr (problems). Returns the exit code to end the process with,
    /// or `None` when there was no flag and the application should go on.
    ///
    /// Exit codes: 0 when the graph is valid, 1 when it has problems, 2 for a usage error.
    pub fn run(&self, builder: &Builder) -> Option<ExitCode> {
        let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
        self.run_with(builder, &mut out, &mut err)
    }

    /// [`run`](Flags::run), writing to `out` and `err`: for tests, or to send the output
    /// elsewhere.
    ///
    /// ```
    /// use std::process::ExitCode;
    /// use weft::introspect::Flags;
    ///
    /// let builder = weft::Builder::empty();
    /// let (mut out, mut err) = (Vec::new(), Vec::new());
    /// let code = Flags::parse(["--graph", "mermaid"]).run_with(&builder, &mut out, &mut err);
    /// assert_eq!(code, Some(ExitCode::SUCCESS));
    /// assert_eq!(String::from_utf8(out)?, "flowchart BT\n");
    ///
    /// let (mut out, mut err) = (Vec::new(), Vec::new());
    /// let web_only = weft::Builder::empty().only(["web"]);
    /// let code = Flags::parse(["--check"]).run_with(&web_only, &mut out, &mut err);
    /// assert_eq!(code, Some(ExitCode::FAILURE));
    /// assert!(String::from_utf8(err)?.contains("unknown component `web` in `only`"));
    ///
    /// let (mut out, mut err) = (Vec::new(), Vec::new());
    /// let none = Flags::parse(["--port", "80"]).run_with(&builder, &mut out, &mut err);
    /// assert_eq!(none, None);
    /// assert!(out.is_empty() && err.is_empty());
    /// # Ok::<(), std::string::FromUtf8Error>(())
    /// ```
    pub fn run_with(
        &self,
        builder: &Builder,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> Option<ExitCode> {
        // Output errors (a closed pipe) cannot be reported anywhere better than the exit code.
        let request = match self.action() {
            Ok(request) => request?,
            Err(error) => {
                let _ = writeln!(err, "error: {error}\n\n{}", Flags::USAGE);
                return Some(ExitCode::from(2));
            }
        };
        let validation = match builder.validate() {
            Ok(validation) => validation,
            Err(error) => {
                let _ = writeln!(err, "error: {error}");
                return Some(ExitCode::FAILURE);
            }
        };
        let written = match request {
            Action::Graph(format) => {
                let graph = validation.graph().export(format);
                // A terminal prompt or a pipe into `dot` both want the last line ended.
                if graph.ends_with('\n') {
                    out.write_all(graph.as_bytes())
                } else {
                    writeln!(out, "{graph}")
                }
            }
            Action::Check => match builder.check_config() {
                Ok(()) => writeln!(out, "{validation}"),
                Err(error) => {
                    let _ = writeln!(err, "error: {error}");
                    return Some(ExitCode::FAILURE);
                }
            },
        };
        Some(if written.and_then(|()| out.flush()).is_ok() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    }
}

/// Handles `--graph dot|mermaid|json` and `--check` for `builder`: prints the graph or the
/// validation result and returns the exit code, or returns `None` when `args` has neither flag.
/// Other arguments are ignored. Nothing is constructed and no hook runs.
///
/// See the [module docs](crate::introspect) for a complete `main`.
///
/// ```
/// let builder = weft::Builder::empty();
/// assert_eq!(weft::introspect::handle_args(&builder, ["--verbose"]), None);
/// ```
pub fn handle_args<I>(builder: &Builder, args: I) -> Option<ExitCode>
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    Flags::parse(args).run(builder)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn take(args: &[&str]) -> (Flags, Vec<String>) {
        let mut args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        let flags = Flags::take(&mut args);
        (flags, args)
    }

    #[test]
    fn takes_only_its_own_flags() {
        let (flags, rest) = take(&["--components", "web", "--check", "-v"]);
        assert_eq!(flags.action(), Ok(Some(Action::Check)));
        assert_eq!(rest, ["--components", "web", "-v"]);
        let (flags, rest) = take(&["--graph=DOT"]);
        assert_eq!(flags.action(), Ok(Some(Action::Graph(GraphFormat::Dot))));
        assert!(rest.is_empty());
        let (flags, _) = take(&["--check", "--graph", "json"]);
        assert_eq!(flags.action(), Ok(Some(Action::Graph(GraphFormat::Json))), "the last wins");
        let (flags, rest) = take(&["web"]);
        assert_eq!((flags.action(), rest.len()), (Ok(None), 1));
    }

    #[test]
    fn a_missing_format_is_a_usage_error_with_exit_status_2() {
        let (flags, _) = take(&["--graph"]);
        assert_eq!(flags.action(), Err("`--graph` needs a format: `dot`, `mermaid` or `json`"));
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = flags.run_with(&Builder::empty(), &mut out, &mut err);
        assert_eq!(code, Some(ExitCode::from(2)));
        let err = String::from_utf8(err).unwrap_or_default();
        assert!(err.starts_with("error: `--graph` needs a format"), "{err}");
        assert!(err.contains(Flags::USAGE), "{err}");
        assert!(out.is_empty());
    }
}
