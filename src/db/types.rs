//! Column types shared by both backends: text enums (stored as text with a CHECK) and
//! `Json<T>` (a serde value stored as text). Each type maps to `Text` on SQLite, PostgreSQL
//! and the `MultiBackend` that `db::conn::DbConn` runs on, so one model serves both databases.

use std::fmt;
use std::io::Write;

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Text;
use diesel::sqlite::Sqlite;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::db::conn::MultiBackend;

/// An enum value that is not one of the variants a column allows.
#[derive(Debug, thiserror::Error)]
#[error("`{value}` is not a valid {kind}")]
pub struct UnknownVariant {
    pub kind: &'static str,
    pub value: String,
}

/// Defines a text enum: the Rust variants, the text each is stored as, and the diesel and
/// serde mappings. The stored text is the spec's spelling, so the CHECK constraints in the
/// migrations list exactly the same strings.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, AsExpression, FromSqlRow, Serialize, Deserialize)]
        #[diesel(sql_type = Text)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text stored in the database and used in forms and URLs.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownVariant;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                match value {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownVariant { kind: stringify!($name), value: value.to_owned() }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromSql<Text, MultiBackend> for $name {
            fn from_sql(bytes: <MultiBackend as diesel::backend::Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                let text = bytes.from_sql::<String, Text>()?;
                Ok(text.parse()?)
            }
        }

        impl FromSql<Text, Pg> for $name {
            fn from_sql(bytes: <Pg as diesel::backend::Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                Ok(std::str::from_utf8(bytes.as_bytes())?.parse()?)
            }
        }

        impl FromSql<Text, Sqlite> for $name {
            fn from_sql(bytes: <Sqlite as diesel::backend::Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, Sqlite>>::from_sql(bytes)?;
                Ok(text.parse()?)
            }
        }

        impl ToSql<Text, Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                out.write_all(self.as_str().as_bytes())?;
                Ok(IsNull::No)
            }
        }

        impl ToSql<Text, Sqlite> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                out.set_value(self.as_str());
                Ok(IsNull::No)
            }
        }

        impl ToSql<Text, MultiBackend> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                out.set_value((Text, self));
                Ok(IsNull::No)
            }
        }
    };
}

text_enum!(
    /// `languages.writing_system`.
    WritingSystem {
        Latin => "latin", Japanese => "japanese", Chinese => "chinese", Hangul => "hangul",
        Cyrillic => "cyrillic", Arabic => "arabic", Devanagari => "devanagari", Other => "other",
    }
);
text_enum!(
    /// `speakers.gender`.
    Gender { Male => "male", Female => "female" }
);
text_enum!(
    /// Why a learner learns (`user_preferences.learning_goal`, `scenarios.learning_goal`).
    LearningGoal {
        Connection => "Connection", Career => "Career", Travel => "Travel",
        Academic => "Academic", Culture => "Culture", Growth => "Growth",
    }
);
text_enum!(
    /// `user_preferences.challenge_preference`.
    ChallengePreference { Comfortable => "comfortable", Moderate => "moderate", Challenging => "challenging" }
);
text_enum!(
    /// `user_preferences.correction_style`.
    CorrectionStyle { Immediate => "immediate", Gentle => "gentle", EndOfSession => "end_of_session" }
);
text_enum!(
    /// The part the AI partner plays (`scenarios.role`).
    ScenarioRole { Tutor => "tutor", Character => "character", FriendlyChat => "friendly_chat", Expert => "expert" }
);
text_enum!(
    /// `scenarios.difficulty`.
    Difficulty { Beginner => "beginner", Intermediate => "intermediate", Advanced => "advanced" }
);
text_enum!(
    /// Common European Framework level (`scenarios.cefr_level`).
    CefrLevel { A1 => "A1", A2 => "A2", B1 => "B1", B2 => "B2", C1 => "C1", C2 => "C2" }
);
text_enum!(
    /// `scenarios.primary_skill`.
    Skill { Speaking => "speaking", Listening => "listening", Reading => "reading", Writing => "writing" }
);
text_enum!(
    /// Who can see a scenario (`scenarios.visibility`).
    Visibility { Public => "public", Private => "private" }
);
text_enum!(
    /// `conversations.mode`.
    ConversationMode { Traditional => "traditional", Realtime => "realtime" }
);
text_enum!(
    /// `conversations.status`.
    ConversationStatus { Active => "active", Ended => "ended" }
);
text_enum!(
    /// The learner's engagement self-report (`conversations.engagement_level`).
    EngagementLevel { Low => "low", Medium => "medium", High => "high" }
);
text_enum!(
    /// `messages.role`.
    MessageRole { Assistant => "assistant", User => "user", System => "system" }
);
text_enum!(
    /// `subscriptions.status`, as Stripe names it.
    SubscriptionStatus {
        Active => "active", Canceled => "canceled", PastDue => "past_due", Trialing => "trialing",
        Unpaid => "unpaid", Incomplete => "incomplete", IncompleteExpired => "incomplete_expired",
        Paused => "paused"
    }
);
text_enum!(
    /// `conversation_sessions.state`: holding reserved time, or settled once.
    SessionState { Open => "open", Settled => "settled" }
);
text_enum!(
    /// `payments.status`.
    PaymentStatus { Pending => "pending", Succeeded => "succeeded", Failed => "failed", Refunded => "refunded" }
);
text_enum!(
    /// `learning_paths.status`.
    PathStatus { Draft => "draft", Active => "active", Archived => "archived" }
);
text_enum!(
    /// `learning_path_assignments.role`.
    AssignmentRole { Tester => "tester", Learner => "learner" }
);
text_enum!(
    /// `learning_path_assignments.status`.
    AssignmentStatus { Invited => "invited", Active => "active", Completed => "completed", Archived => "archived" }
);
text_enum!(
    /// `learning_path_previews.status`.
    PreviewStatus { Generating => "generating", Ready => "ready", Committed => "committed" }
);
text_enum!(
    /// `course_invitations.status`.
    InvitationStatus { Invited => "invited", Accepted => "accepted", Revoked => "revoked" }
);
text_enum!(
    /// `scenario_generation_queue.status`.
    GenerationStatus { Pending => "pending", Processing => "processing", Ready => "ready", Failed => "failed" }
);

text_enum!(
    /// What a one-time emailed link is for (`auth_tokens.purpose`).
    TokenPurpose { VerifyEmail => "verify_email", ResetPassword => "reset_password", ChangeEmail => "change_email" }
);
text_enum!(
    /// Delivery state of an email (`email_outbox.status`).
    OutboxStatus { Queued => "queued", Sent => "sent", Failed => "failed" }
);
text_enum!(
    /// Where a job is in its life (`jobs.status`).
    JobStatus { Queued => "queued", Running => "running", Done => "done", Dead => "dead" }
);

/// A serde value stored as JSON text. Reading text that does not parse as `T` is an error,
/// not a silent default: a malformed document is a bug to see.
#[derive(Debug, Clone, Default, PartialEq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub struct Json<T>(pub T);

impl<T: Serialize> Serialize for Json<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromSql<Text, MultiBackend> for Json<T> {
    fn from_sql(
        bytes: <MultiBackend as diesel::backend::Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        let text = bytes.from_sql::<String, Text>()?;
        Ok(Json(serde_json::from_str(&text)?))
    }
}

impl<T: DeserializeOwned> FromSql<Text, Pg> for Json<T> {
    fn from_sql(
        bytes: <Pg as diesel::backend::Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        Ok(Json(serde_json::from_slice(bytes.as_bytes())?))
    }
}

impl<T: DeserializeOwned> FromSql<Text, Sqlite> for Json<T> {
    fn from_sql(
        bytes: <Sqlite as diesel::backend::Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        let text = <String as FromSql<Text, Sqlite>>::from_sql(bytes)?;
        Ok(Json(serde_json::from_str(&text)?))
    }
}

impl<T: Serialize + fmt::Debug> ToSql<Text, Pg> for Json<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        serde_json::to_writer(out, &self.0)?;
        Ok(IsNull::No)
    }
}

impl<T: Serialize + fmt::Debug> ToSql<Text, Sqlite> for Json<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(serde_json::to_string(&self.0)?);
        Ok(IsNull::No)
    }
}

impl<T: Serialize + fmt::Debug + Send + Sync + 'static> ToSql<Text, MultiBackend> for Json<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
        out.set_value((Text, self));
        Ok(IsNull::No)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enum_variant_round_trips_through_its_text() {
        for goal in LearningGoal::ALL {
            assert_eq!(goal.as_str().parse::<LearningGoal>().unwrap(), *goal);
        }
        for style in CorrectionStyle::ALL {
            assert_eq!(
                style.to_string().parse::<CorrectionStyle>().unwrap(),
                *style
            );
        }
        assert_eq!(CorrectionStyle::EndOfSession.as_str(), "end_of_session");
    }

    #[test]
    fn an_unknown_text_is_an_error_naming_the_kind() {
        let err = "expert-ish".parse::<ScenarioRole>().unwrap_err();
        assert_eq!(err.to_string(), "`expert-ish` is not a valid ScenarioRole");
    }

    #[test]
    fn serde_uses_the_stored_spelling() {
        let json = serde_json::to_string(&ScenarioRole::FriendlyChat).unwrap();
        assert_eq!(json, "\"friendly_chat\"");
    }
}
text_enum!(
    /// How a conversation came to count as completed (`conversations.completion`).
    Completion {
        DialogueFinished => "dialogue_finished", ObjectivesMet => "objectives_met",
        EnoughTurns => "enough_turns",
    }
);
