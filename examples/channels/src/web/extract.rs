//! Extractors whose rejections are [`ApiError`]s, so that no request is ever answered with
//! axum's plain-text rejections.

use std::fmt;
use std::marker::PhantomData;

use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use channels_api::PageRequest;
use serde::de::value::MapAccessDeserializer;
use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::error::ApiError;
use super::server::BodyDeadline;

/// A JSON body of type `T`, which must be a JSON object (serde would otherwise also accept an
/// array of the fields' values). Requires `Content-Type: application/json`; the size limit is
/// the router's `DefaultBodyLimit`; the time limit is the request's [`BodyDeadline`], if the
/// server set one (`408` past it).
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let deadline = request.extensions().get::<BodyDeadline>().copied();
        let read = axum::Json::<Object<T>>::from_request(request, state);
        let axum::Json(Object(value)) = match deadline {
            Some(BodyDeadline(deadline)) => tokio::time::timeout_at(deadline, read)
                .await
                .map_err(|_| ApiError::body_timeout())??,
            None => read.await?,
        };
        Ok(JsonBody(value))
    }
}

/// A `T` that deserializes from a JSON object only.
struct Object<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for Visit<T> {
            type Value = Object<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(Object)
            }
        }

        deserializer.deserialize_map(Visit(PhantomData))
    }
}

/// Parses a canonical decimal integer: ASCII digits only, no sign, no leading zero (but `0`
/// itself), so that each number has exactly one spelling.
pub fn parse_canonical<T: std::str::FromStr>(raw: &str) -> Option<T> {
    let canonical = match raw.as_bytes() {
        [b'0'] => true,
        [first, rest @ ..] => (b'1'..=b'9').contains(first) && rest.iter().all(u8::is_ascii_digit),
        [] => false,
    };
    if canonical { raw.parse().ok() } else { None }
}

/// The `{id}` of a route: a positive integer in canonical form (`1`, not `+1` or `0001`).
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state).await?;
        match parse_canonical::<i64>(&raw) {
            Some(id) if id > 0 => Ok(Id(id)),
            _ => Err(ApiError::invalid_id(
                "the id must be a positive integer, in decimal digits without sign or leading zero",
            )),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    cursor: Option<String>,
    limit: Option<String>,
}

/// `?cursor=<id>&limit=<n>`, in canonical decimal, validated into a [`PageRequest`].
pub struct Pagination(pub PageRequest);

impl<S: Send + Sync> FromRequestParts<S> for Pagination {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(query) = Query::<PageQuery>::from_request_parts(parts, state).await?;
        let cursor = query_number("cursor", query.cursor)?;
        let limit = query_number("limit", query.limit)?;
        PageRequest::new(cursor, limit)
            .map(Pagination)
            .map_err(|invalid| ApiError::invalid_query(invalid.to_string()))
    }
}

/// A query parameter that, if present, must be a canonical number.
fn query_number<T: std::str::FromStr>(
    field: &str,
    raw: Option<String>,
) -> Result<Option<T>, ApiError> {
    match raw {
        None => Ok(None),
        Some(raw) => parse_canonical(&raw).map(Some).ok_or_else(|| {
            ApiError::invalid_query(format!(
                "`{field}` must be a number in decimal digits without sign or leading zero"
            ))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_one_spelling() {
        assert_eq!(parse_canonical::<i64>("1"), Some(1));
        assert_eq!(parse_canonical::<i64>("0"), Some(0));
        assert_eq!(parse_canonical::<i64>("9223372036854775807"), Some(i64::MAX));
        for bad in
            ["", "+1", "-1", "0001", "00", "1 ", " 1", "1e3", "0x1", "١", "9223372036854775808"]
        {
            assert_eq!(parse_canonical::<i64>(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn bodies_are_objects() {
        #[derive(Deserialize, Debug, PartialEq)]
        struct Pair {
            a: String,
            b: String,
        }
        let object: Result<Object<Pair>, _> = serde_json::from_str(r#"{"a": "x", "b": "y"}"#);
        assert_eq!(object.map(|o| o.0).ok(), Some(Pair { a: "x".into(), b: "y".into() }));
        // Plain serde accepts the array; `Object` does not.
        assert!(serde_json::from_str::<Pair>(r#"["x", "y"]"#).is_ok());
        assert!(serde_json::from_str::<Object<Pair>>(r#"["x", "y"]"#).is_err());
        assert!(serde_json::from_str::<Object<Pair>>("\"xy\"").is_err());
    }
}
