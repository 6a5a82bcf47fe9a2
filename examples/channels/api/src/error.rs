//! The errors of the database and of the channels service.

use crate::entities::InvalidInput;

/// Why a [`Database`](crate::Database) operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    /// The channel does not exist.
    #[error("channel {0} not found")]
    ChannelNotFound(i64),
    /// Another channel already has this name.
    #[error(
        "a channel named `{0}` already exists (names are compared after Unicode normalization and case folding)"
    )]
    DuplicateName(String),
    /// The database is not open: not initialized yet, or stopped.
    #[error("the database is closed")]
    Closed,
    /// The database server cannot be reached now (down, restarting, or the connection broke);
    /// the operation may succeed later. A write that fails this way may or may not have been
    /// committed, and it was not acknowledged.
    #[error("the database is unavailable: {0:#}")]
    Unavailable(anyhow::Error),
    /// SQLite or the blocking pool failed.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Why a [`ChannelService`](crate::ChannelService) operation failed; the web layer maps each
/// variant to an HTTP status.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// An input failed validation.
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// The channel does not exist.
    #[error("channel {0} not found")]
    ChannelNotFound(i64),
    /// The request conflicts with the current state, e.g. a duplicate name.
    #[error("{0}")]
    Conflict(String),
    /// The service cannot serve now, e.g. during shutdown.
    #[error("{0}")]
    Unavailable(String),
    /// Anything else: a bug or a failing dependency.
    #[error(transparent)]
    Internal(anyhow::Error),
}

impl From<DbError> for ServiceError {
    fn from(error: DbError) -> Self {
        match error {
            DbError::ChannelNotFound(id) => ServiceError::ChannelNotFound(id),
            DbError::DuplicateName(_) => ServiceError::Conflict(error.to_string()),
            DbError::Closed | DbError::Unavailable(_) => {
                ServiceError::Unavailable(error.to_string())
            }
            DbError::Other(error) => ServiceError::Internal(error),
        }
    }
}
