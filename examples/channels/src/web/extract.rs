//! Extractors whose rejections are [`ApiError`]s, so that no request is ever answered with
//! axum's plain-text rejections.

use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use channels_api::PageRequest;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// A JSON body of type `T`. Requires `Content-Type: application/json`; the size limit is the
/// router's `DefaultBodyLimit`.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(request, state).await?;
        Ok(JsonBody(value))
    }
}

/// The `{id}` of a route: a positive integer.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state).await?;
        match raw.parse::<i64>() {
            Ok(id) if id > 0 => Ok(Id(id)),
            _ => Err(ApiError::invalid_id("the id must be a positive integer")),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    cursor: Option<i64>,
    limit: Option<u32>,
}

/// `?cursor=<id>&limit=<n>`, validated into a [`PageRequest`].
pub struct Pagination(pub PageRequest);

impl<S: Send + Sync> FromRequestParts<S> for Pagination {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(query) = Query::<PageQuery>::from_request_parts(parts, state).await?;
        PageRequest::new(query.cursor, query.limit)
            .map(Pagination)
            .map_err(|invalid| ApiError::invalid_query(invalid.to_string()))
    }
}
