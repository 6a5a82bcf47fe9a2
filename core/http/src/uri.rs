//! RFC 6570 URI templates (through `iri-string`) and request parameters.

use std::collections::BTreeMap;
use std::fmt;

use iri_string::spec::UriSpec;
use iri_string::template::simple_context::{SimpleContext, Value};
use iri_string::template::{UriTemplateStr, UriTemplateString};

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

/// Request parameters by name: what URI templates expand, and what goes to the query string
/// when the template does not use it.
pub type Parameters = BTreeMap<String, ParamValue>;

/// A parsed RFC 6570 URI template (up to level 4).
///
/// Values are percent-encoded as the RFC says: in a simple `{var}` expansion, only unreserved
/// characters stay as they are, so `a/b`, `?`, `#`, `%` and spaces cannot change the shape of the
/// URI. (`{+var}` and `{#var}` keep reserved characters on purpose: the template's author chose
/// them.)
///
/// ```
/// use weft::http::{Parameters, UriTemplate};
///
/// let template = UriTemplate::new("/todos/{id}{?fields*}")?;
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
#[derive(Clone)]
pub struct UriTemplate {
    template: UriTemplateString,
    // (name, required): variables outside `{?..}`/`{&..}` must be given.
    variables: Vec<(String, bool)>,
}

/// Why a URI template could not be parsed or expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UriTemplateError {
    /// The template is not valid RFC 6570.
    #[error("invalid URI template `{template}`: {reason}")]
    Invalid {
        /// The template as written.
        template: String,
        /// What the parser said.
        reason: String,
    },
    /// A variable the path needs has no parameter.
    #[error("missing parameter `{name}` for URI template `{template}`")]
    MissingParameter {
        /// The variable's name.
        name: String,
        /// The template as written.
        template: String,
    },
}

impl UriTemplate {
    /// Parses `template`.
    ///
    /// ```
    /// use weft::http::UriTemplate;
    ///
    /// assert!(UriTemplate::new("/todos/{id}").is_ok());
    /// assert!(UriTemplate::new("/todos/{id").is_err());
    /// ```
    pub fn new(template: &str) -> Result<Self, UriTemplateError> {
        let parsed = UriTemplateStr::new(template).map_err(|e| UriTemplateError::Invalid {
            template: template.to_owned(),
            reason: e.to_string(),
        })?;
        let variables = expression_variables(template);
        Ok(UriTemplate { template: parsed.into(), variables })
    }

    /// The template as written.
    ///
    /// ```
    /// let template = weft::http::UriTemplate::new("/todos/{id}")?;
    /// assert_eq!(template.as_str(), "/todos/{id}");
    /// # Ok::<_, weft::http::UriTemplateError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        self.template.as_str()
    }

    /// Whether the template has a variable named `name`.
    ///
    /// ```
    /// let template = weft::http::UriTemplate::new("/todos/{id}{?q}")?;
    /// assert!(template.uses("id") && template.uses("q") && !template.uses("page"));
    /// # Ok::<_, weft::http::UriTemplateError>(())
    /// ```
    pub fn uses(&self, name: &str) -> bool {
        self.variables.iter().any(|(v, _)| v == name)
    }

    /// Expands the template with `parameters`; parameters it does not use are appended to the
    /// query string. See [`UriTemplate`] for an example.
    pub fn expand(&self, parameters: &Parameters) -> Result<String, UriTemplateError> {
        let mut context = SimpleContext::new();
        for (name, required) in &self.variables {
            match parameters.get(name) {
                Some(value) => {
                    context.insert(name.as_str(), to_value(value));
                }
                None if *required => {
                    return Err(UriTemplateError::MissingParameter {
                        name: name.clone(),
                        template: self.as_str().to_owned(),
                    });
                }
                None => {}
            }
        }
        let mut uri = self
            .template
            .expand::<UriSpec, _>(&context)
            .map(|expanded| expanded.to_string())
            .map_err(|e| UriTemplateError::Invalid {
                template: self.as_str().to_owned(),
                reason: e.to_string(),
            })?;
        append_query(&mut uri, parameters.iter().filter(|(name, _)| !self.uses(name)));
        Ok(uri)
    }
}

impl UriTemplate {
    /// The query string of `parameters`, for templates without a URI template.
    pub(crate) fn query_only(parameters: &Parameters) -> Result<String, UriTemplateError> {
        let mut uri = String::new();
        append_query(&mut uri, parameters.iter());
        Ok(uri)
    }
}

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
            percent_encode_into(uri, key);
            uri.push('=');
            percent_encode_into(uri, value);
        }
    }
}

impl fmt::Debug for UriTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UriTemplate").field(&self.as_str()).finish()
    }
}

fn to_value(value: &ParamValue) -> Value {
    match value {
        ParamValue::String(v) => Value::String(v.clone()),
        ParamValue::List(vs) => Value::List(vs.clone()),
        ParamValue::Assoc(kvs) => Value::Assoc(kvs.clone()),
    }
}

/// Names in each `{..}` expression, with whether the path needs them (not `?`/`&` operators).
/// Only called on templates `iri-string` has validated.
fn expression_variables(template: &str) -> Vec<(String, bool)> {
    let mut variables = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else { break };
        let expression = &rest[start + 1..start + len];
        rest = &rest[start + len + 1..];
        let (required, list) = match expression.chars().next() {
            Some('?' | '&') => (false, &expression[1..]),
            Some('+' | '#' | '.' | '/' | ';') => (true, &expression[1..]),
            _ => (true, expression),
        };
        for spec in list.split(',') {
            let name = spec.split([':', '*']).next().unwrap_or(spec);
            if !variables.iter().any(|(v, _)| v == name) {
                variables.push((name.to_owned(), required));
            }
        }
    }
    variables
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn percent_encode_into(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xF)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_variables_are_optional_and_path_variables_required() {
        let vars = expression_variables("/a/{id}/{+rest}{?q,page:3}{&x*}");
        assert_eq!(
            vars,
            [
                ("id".to_owned(), true),
                ("rest".to_owned(), true),
                ("q".to_owned(), false),
                ("page".to_owned(), false),
                ("x".to_owned(), false)
            ]
        );
    }
}
