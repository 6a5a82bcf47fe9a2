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

/// The body of `/health`: `{"status":"ok"}` when healthy; otherwise the platform's readiness,
/// liveness, whether it is stopping, why it is unhealthy, and the components that are.
#[derive(Serialize)]
pub(crate) struct Health {
    status: &'static str,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    details: Option<HealthDetails>,
}

#[derive(Serialize)]
pub(crate) struct HealthDetails {
    ready: bool,
    live: bool,
    stopping: bool,
    reasons: String,
    unhealthy: Vec<UnhealthyComponent>,
}

#[derive(Serialize)]
pub(crate) struct UnhealthyComponent {
    component: &'static str,
    state: String,
    failed_tasks: Vec<String>,
}

/// `GET /health`: 200 when every component has started, none has failed and the platform is not
/// stopping; 503 with the reasons otherwise (from the moment stopping begins).
pub(crate) async fn health(State(app): State<AppState>) -> (StatusCode, Json<Health>) {
    let health = match &app.supervisor {
        Some(supervisor) => supervisor.health(),
        None if app.shutdown.is_cancelled() => {
            let details = HealthDetails {
                ready: false,
                live: true,
                stopping: true,
                reasons: "not ready: the server is stopping".to_owned(),
                unhealthy: Vec::new(),
            };
            return unavailable(details);
        }
        None => return (StatusCode::OK, Json(Health { status: "ok", details: None })),
    };
    if health.is_healthy() {
        return (StatusCode::OK, Json(Health { status: "ok", details: None }));
    }
    let unhealthy = health
        .unhealthy
        .iter()
        .map(|component| UnhealthyComponent {
            component: component.component,
            state: component.state.to_string(),
            failed_tasks: component.failed_tasks.clone(),
        })
        .collect();
    unavailable(HealthDetails {
        ready: health.ready,
        live: health.live,
        stopping: health.stopping,
        reasons: health.to_string(),
        unhealthy,
    })
}

fn unavailable(details: HealthDetails) -> (StatusCode, Json<Health>) {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(Health { status: "unavailable", details: Some(details) }),
    )
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
