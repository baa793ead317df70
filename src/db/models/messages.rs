//! Rows of `messages`: the row as read, the insert form and the change form.
//! Queries on this table live in `db::queries`; this file only says what a row is.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::json::{GrammarAnalysis, VocabularyAnalysis};
use crate::db::schema::messages;
use crate::db::types::{Json, MessageRole};

/// A row of `messages`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = messages)]
pub struct Message {
    pub id: String,
    pub conversation_id: String,
    pub position: i32,
    pub role: MessageRole,
    pub content: String,
    pub translated_content: Option<String>,
    pub romanization: Option<String>,
    pub pinyin: Option<String>,
    pub hiragana: Option<String>,
    pub katakana: Option<String>,
    pub kanji: Option<String>,
    pub translation_confidence: Option<f64>,
    pub translation_provider: Option<String>,
    pub grammar_analysis: Option<Json<GrammarAnalysis>>,
    pub vocabulary_analysis: Option<Json<VocabularyAnalysis>>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// `<ruby>` pairs as JSON (`reading_aids::parse_ruby`).
    pub ruby: Option<String>,
    /// The `reading_aids::VERSION` that computed the aids.
    pub aids_version: i32,
    /// The provider's id of the realtime conversation item this line came from (one row per
    /// item and conversation).
    pub provider_item_id: Option<String>,
}

/// The insert form for `messages`: every column the application sets.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = messages)]
pub struct NewMessage {
    pub id: String,
    pub conversation_id: String,
    pub position: i32,
    pub role: MessageRole,
    pub content: String,
    pub translated_content: Option<String>,
    pub romanization: Option<String>,
    pub pinyin: Option<String>,
    pub hiragana: Option<String>,
    pub katakana: Option<String>,
    pub kanji: Option<String>,
    pub translation_confidence: Option<f64>,
    pub translation_provider: Option<String>,
    pub grammar_analysis: Option<Json<GrammarAnalysis>>,
    pub vocabulary_analysis: Option<Json<VocabularyAnalysis>>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// `<ruby>` pairs as JSON (`reading_aids::parse_ruby`).
    pub ruby: Option<String>,
    /// The `reading_aids::VERSION` that computed the aids.
    pub aids_version: i32,
    /// The provider's id of the realtime conversation item this line came from (one row per
    /// item and conversation).
    pub provider_item_id: Option<String>,
}

/// What a transcript shows of a message: its words, reading aids, translation and
/// corrections (no timestamps, no analyses), in position order.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = messages)]
pub struct MessageLine {
    pub id: String,
    pub role: MessageRole,
    pub content: String,
    pub translated_content: Option<String>,
    pub romanization: Option<String>,
    pub ruby: Option<String>,
    pub grammar_analysis: Option<Json<GrammarAnalysis>>,
}

impl From<&Message> for MessageLine {
    fn from(m: &Message) -> Self {
        Self {
            id: m.id.clone(),
            role: m.role,
            content: m.content.clone(),
            translated_content: m.translated_content.clone(),
            romanization: m.romanization.clone(),
            ruby: m.ruby.clone(),
            grammar_analysis: m.grammar_analysis.clone(),
        }
    }
}

/// Who said a line and what: all the reply and progress rules need of a message.
pub trait Said {
    fn role(&self) -> MessageRole;
    fn text(&self) -> &str;
}

impl Said for Message {
    fn role(&self) -> MessageRole {
        self.role
    }
    fn text(&self) -> &str {
        &self.content
    }
}

impl Said for MessageLine {
    fn role(&self) -> MessageRole {
        self.role
    }
    fn text(&self) -> &str {
        &self.content
    }
}

/// The change form for `messages`: `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = messages)]
pub struct MessageChanges {
    pub conversation_id: Option<String>,
    pub position: Option<i32>,
    pub role: Option<MessageRole>,
    pub content: Option<String>,
    pub translated_content: Option<Option<String>>,
    pub romanization: Option<Option<String>>,
    pub pinyin: Option<Option<String>>,
    pub hiragana: Option<Option<String>>,
    pub katakana: Option<Option<String>>,
    pub kanji: Option<Option<String>>,
    pub translation_confidence: Option<Option<f64>>,
    pub translation_provider: Option<Option<String>>,
    pub grammar_analysis: Option<Option<Json<GrammarAnalysis>>>,
    pub vocabulary_analysis: Option<Option<Json<VocabularyAnalysis>>>,
    pub updated_at: Option<NaiveDateTime>,
    pub ruby: Option<Option<String>>,
    pub aids_version: Option<i32>,
}
