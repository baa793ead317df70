//! Typed ids for what use cases take and jobs carry, so a scenario id can't be passed where a
//! conversation id is meant. Each is the row's UUIDv7 (or slug) as text, serialised as the
//! plain string (`#[serde(transparent)]`), so job payloads read the same as before.

use serde::{Deserialize, Serialize};

macro_rules! typed_id {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }
    )*};
}

typed_id!(
    /// A `conversations.id`.
    ConversationId,
    /// A `messages.id`.
    MessageId,
    /// A `scenarios.id` (a slug for seed scenarios, a UUID for authored ones).
    ScenarioId,
    /// A `users.id`.
    UserId,
    /// An `email_outbox.id`.
    EmailId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_serialise_as_plain_strings() {
        let id = ConversationId::from("01a2");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"01a2\"");
        let back: ConversationId = serde_json::from_str("\"01a2\"").unwrap();
        assert_eq!(back, id);
        assert_eq!(&*id, "01a2");
    }
}
