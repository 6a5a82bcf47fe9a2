//! RFC 6570 URI templates (all four levels) and request parameters.
//!
//! weft parses and expands templates itself rather than through `iri-string`: iri-string 0.7.14
//! panics on a prefix modifier over a non-ASCII value (`{greek:2}` with `Διονύσιος` slices a
//! `str` off a char boundary), so one request parameter could crash the caller's task. Here every
//! expansion is total: a template is checked once, when it is built, and expanding it never
//! panics, whatever the values. `tests/uri_conformance.rs` runs the uritemplate-test suite.

use std::collections::BTreeMap;
use std::fmt;

/// The value of one request parameter, as RFC 6570 sees it.
///
/// ```
/// use weft::http::ParamValue;
///
/// assert_eq!(ParamValue::from(7), ParamValue::String("7".into()));
/// assert_eq!(ParamValue::from(vec!["a", "b"]), ParamValue::List(vec!["a".into(), "b".into()]));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamValue {
    /// A single value.
    String(String),
    /// A list, expanded as `a,b` or, exploded (`{x*}`), as repeated values.
    List(Vec<String>),
    /// Key-value pairs, expanded as `k,v` or, exploded, as `k=v`.
    Assoc(Vec<(String, String)>),
}

impl ParamValue {
    /// RFC 6570 §2.3: an empty list or map is undefined, like a missing value.
    fn is_defined(&self) -> bool {
        match self {
            ParamValue::String(_) => true,
            ParamValue::List(items) => !items.is_empty(),
            ParamValue::Assoc(pairs) => !pairs.is_empty(),
        }
    }
}

macro_rules! param_from_display {
    ($($ty:ty),*) => {$(
        impl From<$ty> for ParamValue {
            fn from(value: $ty) -> Self {
                ParamValue::String(value.to_string())
            }
        }
    )*};
}
param_from_display!(
    &str, String, &String, char, bool, u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128,
    isize, f32, f64
);

impl<S: Into<String>> From<Vec<S>> for ParamValue {
    fn from(values: Vec<S>) -> Self {
        ParamValue::List(values.into_iter().map(Into::into).collect())
    }
}

/// Request parameters by name: the variables of a URI template.
pub type Parameters = BTreeMap<String, ParamValue>;

/// What to do with a parameter that is not a variable of the URI template.
///
/// ```
/// use weft::http::{ResourceService, UnusedParameters};
///
/// let service = ResourceService::new("127.0.0.1");
/// let search = service
///     .request_template("search")
///     .with_uri_template("/search")?
///     .on_unused_parameters(UnusedParameters::Query); // `?q=..` for every extra parameter
/// # let _ = search;
/// # Ok::<_, weft::http::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnusedParameters {
    /// An error (the default): a misspelt name fails loudly, naming a variable that differs
    /// only in case if there is one.
    #[default]
    Reject,
    /// Leave it out, as RFC 6570 expansion does.
    Ignore,
    /// Append it to the query string, percent-encoded (weft 0.1's behaviour).
    Query,
}

/// Why a URI template could not be parsed, or a value not expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UriTemplateError {
    /// The template is not valid RFC 6570.
    #[error("invalid URI template `{template}` at byte {at}: {reason}")]
    Invalid {
        /// The template as written.
        template: String,
        /// Where the problem starts (a byte offset into the template).
        at: usize,
        /// What is wrong.
        reason: String,
    },
    /// A variable outside `{?..}` and `{&..}` has no parameter.
    #[error("missing parameter `{name}` for URI template `{template}`{hint}")]
    MissingParameter {
        /// The variable's name.
        name: String,
        /// The template as written.
        template: String,
        /// A hint, e.g. a parameter whose name differs only in case.
        hint: String,
    },
    /// A parameter is not a variable of the template.
    #[error("parameter `{name}` is not a variable of URI template `{template}`{hint}")]
    UnusedParameter {
        /// The parameter's name.
        name: String,
        /// The template as written.
        template: String,
        /// A hint, e.g. a variable whose name differs only in case.
        hint: String,
    },
    /// A prefix modifier (`{var:3}`) was given a list or a map (RFC 6570 §2.4.1).
    #[error(
        "variable `{name}` of URI template `{template}` has a prefix modifier but its value is a list or a map"
    )]
    PrefixOfComposite {
        /// The variable's name.
        name: String,
        /// The template as written.
        template: String,
    },
}

/// A parsed RFC 6570 URI template (up to level 4).
///
/// Values are percent-encoded as the RFC says: in a simple `{var}` expansion, only unreserved
/// characters stay as they are, so `a/b`, `?`, `#`, `%` and spaces cannot change the shape of the
/// URI. (`{+var}` and `{#var}` keep reserved characters on purpose: the template's author chose
/// them.) Non-ASCII characters in the template's literal text are percent-encoded as UTF-8.
///
/// ```
/// use weft::http::{Parameters, UriTemplate};
///
/// let template = UriTemplate::new("/todos/{id}{?fields*,page}")?;
/// let mut parameters = Parameters::new();
/// parameters.insert("id".into(), "1/../2?x#y".into());
/// parameters.insert("fields".into(), vec!["title", "done"].into());
/// parameters.insert("page".into(), 2.into());
/// assert_eq!(
///     template.expand(&parameters)?,
///     "/todos/1%2F..%2F2%3Fx%23y?fields=title&fields=done&page=2"
/// );
/// # Ok::<_, weft::http::UriTemplateError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct UriTemplate {
    source: String,
    parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    /// Literal text, already percent-encoded where needed.
    Literal(String),
    Expression(Operator, Vec<VarSpec>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct VarSpec {
    name: String,
    modifier: Modifier,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Modifier {
    None,
    /// `:n`, 1 ≤ n ≤ 9999: the first n characters (Unicode scalar values) of the value.
    Prefix(usize),
    Explode,
}

/// The operators of RFC 6570 §3.2.1, with their expansion table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operator {
    Simple,
    Reserved,
    Fragment,
    Label,
    Path,
    PathParam,
    Query,
    QueryContinuation,
}

impl Operator {
    fn of(c: char) -> Option<Operator> {
        Some(match c {
            '+' => Operator::Reserved,
            '#' => Operator::Fragment,
            '.' => Operator::Label,
            '/' => Operator::Path,
            ';' => Operator::PathParam,
            '?' => Operator::Query,
            '&' => Operator::QueryContinuation,
            _ => return None,
        })
    }

    fn first(self) -> &'static str {
        match self {
            Operator::Simple | Operator::Reserved => "",
            Operator::Fragment => "#",
            Operator::Label => ".",
            Operator::Path => "/",
            Operator::PathParam => ";",
            Operator::Query => "?",
            Operator::QueryContinuation => "&",
        }
    }

    fn separator(self) -> char {
        match self {
            Operator::Simple | Operator::Reserved | Operator::Fragment => ',',
            Operator::Label => '.',
            Operator::Path => '/',
            Operator::PathParam => ';',
            Operator::Query | Operator::QueryContinuation => '&',
        }
    }

    fn named(self) -> bool {
        matches!(self, Operator::PathParam | Operator::Query | Operator::QueryContinuation)
    }

    fn if_empty(self) -> &'static str {
        match self {
            Operator::Query | Operator::QueryContinuation => "=",
            _ => "",
        }
    }

    fn allows_reserved(self) -> bool {
        matches!(self, Operator::Reserved | Operator::Fragment)
    }

    /// Whether a missing value is fine: query parameters are optional, path parts are not.
    fn optional(self) -> bool {
        matches!(self, Operator::Query | Operator::QueryContinuation)
    }
}

impl UriTemplate {
    /// Parses `template`.
    ///
    /// ```
    /// use weft::http::UriTemplate;
    ///
    /// assert!(UriTemplate::new("/todos/{id}").is_ok());
    /// assert!(UriTemplate::new("/todos/{id").is_err());
    /// assert!(UriTemplate::new("/todos/{id:0}").is_err()); // a prefix is 1 to 9999
    /// ```
    pub fn new(template: &str) -> Result<Self, UriTemplateError> {
        Parser { template, parts: Vec::new(), literal: String::new() }.parse()
    }

    /// The template as written.
    ///
    /// ```
    /// let template = weft::http::UriTemplate::new("/todos/{id}")?;
    /// assert_eq!(template.as_str(), "/todos/{id}");
    /// # Ok::<_, weft::http::UriTemplateError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the template has a variable named `name` (names are case-sensitive).
    ///
    /// ```
    /// let template = weft::http::UriTemplate::new("/todos/{id}{?q}")?;
    /// assert!(template.uses("id") && template.uses("q") && !template.uses("page"));
    /// # Ok::<_, weft::http::UriTemplateError>(())
    /// ```
    pub fn uses(&self, name: &str) -> bool {
        self.variables().any(|(v, _)| v == name)
    }

    /// The template's variables in order, each with whether it may be left out (the variables
    /// of `{?..}` and `{&..}` may).
    ///
    /// ```
    /// let template = weft::http::UriTemplate::new("/todos/{id}{?q}")?;
    /// assert_eq!(template.variables().collect::<Vec<_>>(), [("id", false), ("q", true)]);
    /// # Ok::<_, weft::http::UriTemplateError>(())
    /// ```
    pub fn variables(&self) -> impl Iterator<Item = (&str, bool)> + '_ {
        self.parts
            .iter()
            .flat_map(|part| match part {
                Part::Literal(_) => &[][..],
                Part::Expression(_, vars) => &vars[..],
            })
            .map(|var| (var.name.as_str(), self.is_optional(&var.name)))
    }

    /// Whether every occurrence of `name` is in a query expression.
    fn is_optional(&self, name: &str) -> bool {
        self.parts.iter().all(|part| match part {
            Part::Literal(_) => true,
            Part::Expression(op, vars) => op.optional() || vars.iter().all(|v| v.name != name),
        })
    }

    /// Expands the template with `parameters`, as RFC 6570 says, with two checks of weft's: a
    /// variable outside `{?..}`/`{&..}` without a value is
    /// [`MissingParameter`](UriTemplateError::MissingParameter), and a parameter that is not a
    /// variable of the template is [`UnusedParameter`](UriTemplateError::UnusedParameter)
    /// (both name a parameter that differs only in case, if there is one). See
    /// [`expand_lenient`](Self::expand_lenient) for the RFC's behaviour alone.
    ///
    /// See [`UriTemplate`] for an example.
    pub fn expand(&self, parameters: &Parameters) -> Result<String, UriTemplateError> {
        self.expand_with(parameters, UnusedParameters::Reject)
    }

    /// Expands the template with `parameters` as [`expand`](Self::expand) does, doing with the
    /// parameters the template does not use what `unused` says.
    ///
    /// ```
    /// use weft::http::{Parameters, UnusedParameters, UriTemplate};
    ///
    /// let template = UriTemplate::new("/todos/{id}")?;
    /// let mut parameters = Parameters::new();
    /// parameters.insert("id".into(), 1.into());
    /// parameters.insert("page".into(), 2.into());
    /// assert!(template.expand(&parameters).is_err());
    /// assert_eq!(template.expand_with(&parameters, UnusedParameters::Ignore)?, "/todos/1");
    /// assert_eq!(template.expand_with(&parameters, UnusedParameters::Query)?, "/todos/1?page=2");
    /// # Ok::<_, weft::http::UriTemplateError>(())
    /// ```
    pub fn expand_with(
        &self,
        parameters: &Parameters,
        unused: UnusedParameters,
    ) -> Result<String, UriTemplateError> {
        self.check_missing(parameters)?;
        match unused {
            UnusedParameters::Reject => {
                if let Some(name) = parameters.keys().find(|name| !self.uses(name)) {
                    return Err(UriTemplateError::UnusedParameter {
                        name: name.clone(),
                        template: self.source.clone(),
                        hint: case_hint(name, self.variables().map(|(v, _)| v), "variable"),
                    });
                }
                self.expand_lenient(parameters)
            }
            UnusedParameters::Ignore => self.expand_lenient(parameters),
            UnusedParameters::Query => {
                let mut uri = self.expand_lenient(parameters)?;
                append_query(&mut uri, parameters.iter().filter(|(name, _)| !self.uses(name)));
                Ok(uri)
            }
        }
    }

    /// The empty template: the service's root.
    pub(crate) fn root() -> Self {
        UriTemplate { source: String::new(), parts: Vec::new() }
    }

    fn check_missing(&self, parameters: &Parameters) -> Result<(), UriTemplateError> {
        for (name, optional) in self.variables() {
            if !optional && !parameters.contains_key(name) {
                return Err(UriTemplateError::MissingParameter {
                    name: name.to_owned(),
                    template: self.source.clone(),
                    hint: case_hint(name, parameters.keys().map(String::as_str), "parameter"),
                });
            }
        }
        Ok(())
    }

    /// Expands the template exactly as RFC 6570 says: a missing variable (or an empty list or
    /// map) is undefined and left out, and parameters the template does not use are ignored.
    /// It fails only for a prefix modifier on a list or map value.
    ///
    /// ```
    /// use weft::http::{Parameters, UriTemplate};
    ///
    /// let template = UriTemplate::new("/todos{/id}{?q}")?;
    /// let mut parameters = Parameters::new();
    /// parameters.insert("unused".into(), "x".into());
    /// assert_eq!(template.expand_lenient(&parameters)?, "/todos");
    /// # Ok::<_, weft::http::UriTemplateError>(())
    /// ```
    pub fn expand_lenient(&self, parameters: &Parameters) -> Result<String, UriTemplateError> {
        let mut out = String::with_capacity(self.source.len() + 16);
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Expression(op, vars) => {
                    self.expand_expression(&mut out, *op, vars, parameters)?
                }
            }
        }
        Ok(out)
    }

    fn expand_expression(
        &self,
        out: &mut String,
        op: Operator,
        vars: &[VarSpec],
        parameters: &Parameters,
    ) -> Result<(), UriTemplateError> {
        let mut first = true;
        for var in vars {
            let Some(value) = parameters.get(&var.name).filter(|v| v.is_defined()) else {
                continue;
            };
            out.push_str(if first { op.first() } else { "" });
            if !first {
                out.push(op.separator());
            }
            first = false;
            let reserved = op.allows_reserved();
            match (value, var.modifier) {
                (ParamValue::String(s), modifier) => {
                    if op.named() {
                        out.push_str(&var.name);
                        out.push_str(if s.is_empty() { op.if_empty() } else { "=" });
                    }
                    let s = match modifier {
                        Modifier::Prefix(n) => prefix(s, n),
                        Modifier::None | Modifier::Explode => s,
                    };
                    encode_into(out, s, reserved);
                }
                (_, Modifier::Prefix(_)) => {
                    return Err(UriTemplateError::PrefixOfComposite {
                        name: var.name.clone(),
                        template: self.source.clone(),
                    });
                }
                (ParamValue::List(items), Modifier::None) => {
                    if op.named() {
                        out.push_str(&var.name);
                        out.push('=');
                    }
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        encode_into(out, item, reserved);
                    }
                }
                (ParamValue::Assoc(pairs), Modifier::None) => {
                    if op.named() {
                        out.push_str(&var.name);
                        out.push('=');
                    }
                    for (i, (key, value)) in pairs.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        encode_into(out, key, reserved);
                        out.push(',');
                        encode_into(out, value, reserved);
                    }
                }
                (ParamValue::List(items), Modifier::Explode) => {
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            out.push(op.separator());
                        }
                        if op.named() {
                            out.push_str(&var.name);
                            out.push_str(if item.is_empty() { op.if_empty() } else { "=" });
                        }
                        encode_into(out, item, reserved);
                    }
                }
                (ParamValue::Assoc(pairs), Modifier::Explode) => {
                    for (i, (key, value)) in pairs.iter().enumerate() {
                        if i > 0 {
                            out.push(op.separator());
                        }
                        encode_into(out, key, reserved);
                        out.push_str(if op.named() && value.is_empty() {
                            op.if_empty()
                        } else {
                            "="
                        });
                        encode_into(out, value, reserved);
                    }
                }
            }
        }
        Ok(())
    }
}

impl fmt::Debug for UriTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UriTemplate").field(&self.source).finish()
    }
}

impl fmt::Display for UriTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// `" (a parameter `id` differs only in case)"` when one of `candidates` matches `name` but for
/// case: Twine matched `{ID}` to `id`; weft follows RFC 6570 (names are case-sensitive) and says so.
fn case_hint<'a>(name: &str, mut candidates: impl Iterator<Item = &'a str>, what: &str) -> String {
    match candidates.find(|c| *c != name && c.eq_ignore_ascii_case(name)) {
        Some(c) => format!(" (the {what} `{c}` differs only in case; names are case-sensitive)"),
        None => String::new(),
    }
}

/// The first `n` Unicode scalar values of `s` (never splits a character).
fn prefix(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((end, _)) => &s[..end],
        None => s,
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

fn is_reserved(byte: u8) -> bool {
    matches!(
        byte,
        b':' | b'/' | b'?' | b'#' | b'[' | b']' | b'@' // gen-delims
            | b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' // sub-delims
    )
}

fn push_encoded(out: &mut String, byte: u8) {
    out.push('%');
    out.push(char::from(HEX[usize::from(byte >> 4)]));
    out.push(char::from(HEX[usize::from(byte & 0xF)]));
}

/// Appends `parameters` to `uri`'s query string, percent-encoded.
fn append_query<'p>(
    uri: &mut String,
    parameters: impl Iterator<Item = (&'p String, &'p ParamValue)>,
) {
    let mut separator = if uri.contains('?') { '&' } else { '?' };
    for (name, value) in parameters {
        let pairs: Vec<(&str, &str)> = match value {
            ParamValue::String(v) => vec![(name.as_str(), v.as_str())],
            ParamValue::List(vs) => vs.iter().map(|v| (name.as_str(), v.as_str())).collect(),
            ParamValue::Assoc(kvs) => kvs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
        };
        for (key, value) in pairs {
            uri.push(separator);
            separator = '&';
            encode_into(uri, key, false);
            uri.push('=');
            encode_into(uri, value, false);
        }
    }
}

/// Whether `bytes[i..]` starts with a percent-encoded triplet.
fn is_pct_triplet(bytes: &[u8], i: usize) -> bool {
    bytes.get(i) == Some(&b'%')
        && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
        && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
}

/// Percent-encodes `value` as UTF-8: everything but unreserved characters, or, with `reserved`,
/// everything but unreserved and reserved characters and existing `%XX` triplets.
fn encode_into(out: &mut String, value: &str, reserved: bool) {
    let bytes = value.as_bytes();
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if is_unreserved(byte) || (reserved && is_reserved(byte)) {
            out.push(char::from(byte));
        } else if reserved && is_pct_triplet(bytes, i) {
            out.push_str(&value[i..i + 3]);
            i += 2;
        } else {
            push_encoded(out, byte);
        }
        i += 1;
    }
}

/// Parses a template into literal parts and expressions.
struct Parser<'t> {
    template: &'t str,
    parts: Vec<Part>,
    literal: String,
}

impl Parser<'_> {
    fn error(&self, at: usize, reason: impl Into<String>) -> UriTemplateError {
        UriTemplateError::Invalid { template: self.template.to_owned(), at, reason: reason.into() }
    }

    fn parse(mut self) -> Result<UriTemplate, UriTemplateError> {
        let bytes = self.template.as_bytes();
        let mut i = 0;
        while let Some(&byte) = bytes.get(i) {
            match byte {
                b'{' => {
                    let Some(len) = self.template[i + 1..].find('}') else {
                        return Err(self.error(i, "`{` is never closed by `}`"));
                    };
                    let body = &self.template[i + 1..i + 1 + len];
                    let expression = self.expression(i + 1, body)?;
                    if !self.literal.is_empty() {
                        self.parts.push(Part::Literal(std::mem::take(&mut self.literal)));
                    }
                    self.parts.push(expression);
                    i += len + 2;
                    continue;
                }
                b'}' => return Err(self.error(i, "`}` without a `{` before it")),
                b'%' if is_pct_triplet(bytes, i) => {
                    self.literal.push_str(&self.template[i..i + 3]);
                    i += 3;
                    continue;
                }
                b'%' => {
                    return Err(
                        self.error(i, "`%` must start a percent-encoded byte such as `%20`")
                    );
                }
                0..=0x20 | 0x7F => {
                    return Err(self.error(
                        i,
                        "control characters and spaces are not allowed; write `%20` for a space",
                    ));
                }
                _ if is_unreserved(byte) || is_reserved(byte) => {
                    self.literal.push(char::from(byte))
                }
                // `"`, `<`, `>`, `\`, `^`, `` ` ``, `|` and every non-ASCII byte: RFC 6570 §3.1
                // has them percent-encoded in literal text.
                _ => push_encoded(&mut self.literal, byte),
            }
            i += 1;
        }
        if !self.literal.is_empty() {
            self.parts.push(Part::Literal(std::mem::take(&mut self.literal)));
        }
        Ok(UriTemplate { source: self.template.to_owned(), parts: self.parts })
    }

    /// Parses the body of `{..}` starting at byte `at`.
    fn expression(&self, at: usize, body: &str) -> Result<Part, UriTemplateError> {
        if body.contains('{') {
            return Err(self.error(at - 1, "`{` inside an expression"));
        }
        let mut chars = body.chars();
        let (op, list, offset) = match chars.next() {
            None => return Err(self.error(at, "empty expression `{}`")),
            Some(c) => match Operator::of(c) {
                Some(op) => (op, &body[1..], 1),
                None if matches!(c, '=' | ',' | '!' | '@' | '|' | '$' | '(' | ')') => {
                    return Err(self.error(at, format!("`{c}` is a reserved operator")));
                }
                None => (Operator::Simple, body, 0),
            },
        };
        let mut vars = Vec::new();
        let mut start = at + offset;
        for spec in list.split(',') {
            vars.push(self.varspec(start, spec)?);
            start += spec.len() + 1;
        }
        Ok(Part::Expression(op, vars))
    }

    fn varspec(&self, at: usize, spec: &str) -> Result<VarSpec, UriTemplateError> {
        let (name, modifier) = match spec.find([':', '*']) {
            None => (spec, Modifier::None),
            Some(i) if &spec[i..] == "*" => (&spec[..i], Modifier::Explode),
            Some(i) if spec.as_bytes()[i] == b':' => {
                let digits = &spec[i + 1..];
                let valid = (1..=4).contains(&digits.len())
                    && digits.bytes().all(|b| b.is_ascii_digit())
                    && !digits.starts_with('0');
                match digits.parse::<usize>() {
                    Ok(n) if valid => (&spec[..i], Modifier::Prefix(n)),
                    _ => {
                        return Err(self.error(
                            at + i,
                            format!("the prefix `:{digits}` must be a number from 1 to 9999 without a leading zero"),
                        ));
                    }
                }
            }
            Some(i) => return Err(self.error(at + i, "`*` must end the variable")),
        };
        self.varname(at, name)?;
        Ok(VarSpec { name: name.to_owned(), modifier })
    }

    /// `varchar *( ["."] varchar )`, varchar = ALPHA / DIGIT / "_" / pct-encoded.
    fn varname(&self, at: usize, name: &str) -> Result<(), UriTemplateError> {
        let bytes = name.as_bytes();
        if bytes.is_empty() {
            return Err(self.error(at, "empty variable name"));
        }
        let mut i = 0;
        let mut after_dot = true; // a name cannot start with `.`
        while let Some(&byte) = bytes.get(i) {
            match byte {
                b'.' if !after_dot => after_dot = true,
                b'%' if is_pct_triplet(bytes, i) => {
                    after_dot = false;
                    i += 2;
                }
                _ if byte.is_ascii_alphanumeric() || byte == b'_' => after_dot = false,
                b'-' => {
                    let hint = name.replace('-', "_");
                    return Err(self.error(
                        at + i,
                        format!("`-` is not allowed in a variable name (RFC 6570); write `{hint}`"),
                    ));
                }
                _ => {
                    return Err(self.error(
                        at + i,
                        format!("`{}` is not allowed in a variable name; use letters, digits, `_`, `.` or `%XX`", char::from(byte).escape_default()),
                    ));
                }
            }
            i += 1;
        }
        if after_dot {
            return Err(self.error(at + name.len(), "a variable name cannot end with `.`"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_variables_are_optional_and_path_variables_required() {
        let template = UriTemplate::new("/a/{id}/{+rest}{?q,page:3}{&x*}").expect("valid");
        let vars: Vec<_> = template.variables().collect();
        assert_eq!(
            vars,
            [("id", false), ("rest", false), ("q", true), ("page", true), ("x", true)]
        );
    }

    #[test]
    fn a_prefix_never_splits_a_character() {
        assert_eq!(prefix("Διονύσιος", 2), "Δι");
        assert_eq!(prefix("𝄞stave", 1), "𝄞");
        assert_eq!(prefix("ab", 9999), "ab");
    }
}
