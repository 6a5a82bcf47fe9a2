//! The web controllers: each validates its inputs, calls the channels service and shapes the
//! answer.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use channels_api::{Author, Channel, ChannelName, Message, MessageText, NewMessage, Page};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::error::ApiError;
use super::extract::{Id, JsonBody, Pagination};

type Reply<T> = Result<(StatusCode, Json<T>), ApiError>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChannelBody {
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MessageBody {
    author: String,
    text: String,
}

#[derive(Serialize)]
pub(crate) struct Health {
    status: &'static str,
}

pub(crate) async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

pub(crate) async fn create_channel(
    State(app): State<AppState>,
    JsonBody(body): JsonBody<ChannelBody>,
) -> Reply<Channel> {
    let name = ChannelName::parse(&body.name)?;
    let channel = app.channels.create_channel(name).await?;
    Ok((StatusCode::CREATED, Json(channel)))
}

pub(crate) async fn list_channels(
    State(app): State<AppState>,
    Pagination(page): Pagination,
) -> Reply<Page<Channel>> {
    Ok((StatusCode::OK, Json(app.channels.list_channels(page).await?)))
}

pub(crate) async fn get_channel(State(app): State<AppState>, Id(id): Id) -> Reply<Channel> {
    Ok((StatusCode::OK, Json(app.channels.get_channel(id).await?)))
}

pub(crate) async fn rename_channel(
    State(app): State<AppState>,
    Id(id): Id,
    JsonBody(body): JsonBody<ChannelBody>,
) -> Reply<Channel> {
    let name = ChannelName::parse(&body.name)?;
    Ok((StatusCode::OK, Json(app.channels.rename_channel(id, name).await?)))
}

pub(crate) async fn delete_channel(
    State(app): State<AppState>,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    app.channels.delete_channel(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn post_message(
    State(app): State<AppState>,
    Id(channel_id): Id,
    JsonBody(body): JsonBody<MessageBody>,
) -> Reply<Message> {
    let message =
        NewMessage { author: Author::parse(&body.author)?, text: MessageText::parse(&body.text)? };
    // `post_message` returns after the commit: a 201 means the message is durable.
    let message = app.channels.post_message(channel_id, message).await?;
    Ok((StatusCode::CREATED, Json(message)))
}

pub(crate) async fn list_messages(
    State(app): State<AppState>,
    Id(channel_id): Id,
    Pagination(page): Pagination,
) -> Reply<Page<Message>> {
    Ok((StatusCode::OK, Json(app.channels.list_messages(channel_id, page).await?)))
}

pub(crate) async fn no_route() -> ApiError {
    ApiError::no_route()
}

pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}
