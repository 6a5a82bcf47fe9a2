//! The data of the channels service: channels, messages, pages of them, and the events published
//! when they change.
//!
//! Inputs that come from users are wrapped in types that can only be built by validating them
//! ([`ChannelName`], [`Author`], [`MessageText`], [`PageRequest`]), so a service that receives one
//! knows it has been checked.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::text;

/// A channel: a named stream of messages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Channel {
    /// The channel's id, positive, assigned by the database.
    pub id: i64,
    /// The channel's unique name.
    pub name: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_at: i64,
    /// Time of the last rename, milliseconds since the Unix epoch.
    pub updated_at: i64,
}

/// A message posted to a channel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The message's id, positive, increasing in posting order.
    pub id: i64,
    /// The channel the message belongs to.
    pub channel_id: i64,
    /// Who posted it.
    pub author: String,
    /// The message's text.
    pub text: String,
    /// Posting time, milliseconds since the Unix epoch.
    pub created_at: i64,
}

/// A validated message, ready to be stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMessage {
    /// Who posts it.
    pub author: Author,
    /// What it says.
    pub text: MessageText,
}

/// Something that happened to a channel, published on the [`EventBus`](crate::EventBus).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChannelEvent {
    /// A channel was created.
    ChannelCreated {
        /// The new channel.
        channel: Channel,
    },
    /// A channel was renamed.
    ChannelRenamed {
        /// The channel, with its new name.
        channel: Channel,
    },
    /// A channel and its messages were deleted.
    ChannelDeleted {
        /// The id of the deleted channel.
        channel_id: i64,
    },
    /// A message was posted and stored.
    MessagePosted {
        /// The stored message.
        message: Message,
    },
}

impl ChannelEvent {
    /// The channel this event is about.
    pub fn channel_id(&self) -> i64 {
        match self {
            ChannelEvent::ChannelCreated { channel } | ChannelEvent::ChannelRenamed { channel } => {
                channel.id
            }
            ChannelEvent::ChannelDeleted { channel_id } => *channel_id,
            ChannelEvent::MessagePosted { message } => message.channel_id,
        }
    }

    /// The event's name, as used for the `type` field and the SSE `event:` line.
    pub fn kind(&self) -> &'static str {
        match self {
            ChannelEvent::ChannelCreated { .. } => "channel_created",
            ChannelEvent::ChannelRenamed { .. } => "channel_renamed",
            ChannelEvent::ChannelDeleted { .. } => "channel_deleted",
            ChannelEvent::MessagePosted { .. } => "message_posted",
        }
    }
}

/// A [`ChannelEvent`] as stored in the outbox, with its id.
///
/// Every write records its event in the outbox in the transaction that makes the change, and
/// ids increase in commit order (see [`Database`](crate::Database) for what the outbox is on
/// each backend). The realtime relay publishes
/// stored events in id order; SSE streams send the id as the SSE `id:` field, and subscribers drop
/// an id they have already forwarded, so an event republished (e.g. by a relay that took over from
/// another) is not seen twice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEvent {
    /// The outbox id: positive, increasing in commit order.
    pub id: i64,
    /// What happened.
    pub event: ChannelEvent,
}

/// One page of a list, ordered by id, with the cursor of the next page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items of this page, in increasing id order.
    pub items: Vec<T>,
    /// Pass this as `cursor` to get the next page; `None` on the last page.
    pub next_cursor: Option<i64>,
}

/// Which page of a list to read: the items with an id greater than `after`, at most `limit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    after: i64,
    limit: u32,
}

impl PageRequest {
    /// The number of items in a page when the request does not say.
    pub const DEFAULT_LIMIT: u32 = 50;
    /// The largest page a request may ask for.
    pub const MAX_LIMIT: u32 = 200;

    /// A page of at most `limit` items (`1..=MAX_LIMIT`) after the cursor `after` (an id, `0`
    /// or more; `None` starts at the beginning).
    pub fn new(after: Option<i64>, limit: Option<u32>) -> Result<Self, InvalidInput> {
        let limit = limit.unwrap_or(Self::DEFAULT_LIMIT);
        if !(1..=Self::MAX_LIMIT).contains(&limit) {
            return Err(InvalidInput::new(
                "limit",
                format!("must be between 1 and {}", Self::MAX_LIMIT),
            ));
        }
        let after = after.unwrap_or(0);
        if after < 0 {
            return Err(InvalidInput::new("cursor", "must not be negative"));
        }
        Ok(PageRequest { after, limit })
    }

    /// The first page, of the default size.
    pub fn first() -> Self {
        PageRequest { after: 0, limit: Self::DEFAULT_LIMIT }
    }

    /// Items with an id greater than this one are returned.
    pub fn after(&self) -> i64 {
        self.after
    }

    /// The most items returned.
    pub fn limit(&self) -> u32 {
        self.limit
    }
}

/// A user input that failed validation: which field, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{field}` {reason}")]
pub struct InvalidInput {
    /// The field at fault, as named in the API.
    pub field: &'static str,
    /// What is wrong with it, e.g. "must be at most 80 characters".
    pub reason: String,
}

impl InvalidInput {
    /// A validation failure of `field`.
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        InvalidInput { field, reason: reason.into() }
    }
}

macro_rules! validated_string {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            /// The validated string.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The validated string, owned.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

validated_string! {
    /// A channel name: NFC, trimmed, 1 to 80 characters, nothing invisible (see [`crate::text`]).
    ChannelName
}

impl ChannelName {
    /// The longest name, in characters.
    pub const MAX_CHARS: usize = 80;

    /// Validates a channel name given by a user.
    pub fn parse(value: &str) -> Result<Self, InvalidInput> {
        text::label("name", value, Self::MAX_CHARS).map(ChannelName)
    }

    /// The key under which names are unique ([`text::caseless_key`]): `General` and `general`
    /// are the same name.
    pub fn key(&self) -> String {
        text::caseless_key(&self.0)
    }
}

validated_string! {
    /// The author of a message: NFC, trimmed, 1 to 64 characters, nothing invisible (see
    /// [`crate::text`]).
    Author
}

impl Author {
    /// The longest author, in characters.
    pub const MAX_CHARS: usize = 64;

    /// Validates an author given by a user.
    pub fn parse(value: &str) -> Result<Self, InvalidInput> {
        text::label("author", value, Self::MAX_CHARS).map(Author)
    }
}

validated_string! {
    /// The text of a message: 1 to 4000 characters, not only whitespace; newlines and tabs are
    /// allowed, other control characters and bidirectional overrides are not (see
    /// [`crate::text`]).
    MessageText
}

impl MessageText {
    /// The longest text, in characters.
    pub const MAX_CHARS: usize = 4000;

    /// Validates a message text given by a user. Unlike names, the text is kept as written.
    pub fn parse(value: &str) -> Result<Self, InvalidInput> {
        if value.trim().is_empty() {
            return Err(InvalidInput::new("text", "must not be empty"));
        }
        if value.chars().count() > Self::MAX_CHARS {
            return Err(InvalidInput::new(
                "text",
                format!("must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        text::check_text("text", value)?;
        Ok(MessageText(value.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(ChannelName::parse("  general ").map(|n| n.into_string()), Ok("general".into()));
        assert!(ChannelName::parse("   ").is_err());
        assert!(ChannelName::parse(&"x".repeat(81)).is_err());
        assert!(ChannelName::parse(&"é".repeat(80)).is_ok());
    }

    #[test]
    fn hostile_characters_are_refused() {
        assert!(ChannelName::parse("a\u{0}b").is_err());
        assert!(ChannelName::parse("a\nb").is_err());
        assert!(Author::parse("evil\u{202E}gnp.exe").is_err());
        assert!(MessageText::parse("line one\nline two\tend").is_ok());
        assert!(MessageText::parse("bell\u{7}").is_err());
        // SQL is parameterised, so this is just text.
        assert!(MessageText::parse("'); DROP TABLE messages; --").is_ok());
    }

    #[test]
    fn page_bounds() {
        assert!(PageRequest::new(None, Some(0)).is_err());
        assert!(PageRequest::new(None, Some(201)).is_err());
        assert!(PageRequest::new(Some(-1), None).is_err());
        let page = PageRequest::new(Some(7), None).unwrap_or(PageRequest::first());
        assert_eq!((page.after(), page.limit()), (7, PageRequest::DEFAULT_LIMIT));
    }
}
