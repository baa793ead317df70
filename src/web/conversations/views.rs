//! Display-ready messages: text, reading aids (ruby: pinyin for Mandarin, furigana for
//! Japanese; a romanization line for the other scripts and for Japanese romaji) and the
//! translation.

use crate::app::conversations::reading_aids;
use crate::db::models::{Message, MessageLine};
use crate::db::types::MessageRole;

pub struct MessageView {
    pub id: String,
    pub from_learner: bool,
    pub text: String,
    /// (base, reading) pairs for `<ruby>`; empty when the language has none.
    pub ruby: Vec<(String, String)>,
    pub romanization: String,
    pub translation: String,
    pub lang: String,
    /// Where to ask for a translation (partner messages without one); empty otherwise.
    pub translate_url: String,
    pub csrf: String,
    /// An immediate correction of a learner message: (corrected, why).
    pub corrections: Vec<(String, String)>,
}

/// Which reading aids the learner sees in one language: ruby over the text (furigana,
/// pinyin), the romanization line (romaji, pinyin, RR …), both, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AidsShown {
    Both,
    Ruby,
    Line,
    None,
}

impl AidsShown {
    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "both" | "on" => Self::Both,
            "ruby" => Self::Ruby,
            "line" => Self::Line,
            "none" | "off" => Self::None,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Both => "both",
            Self::Ruby => "ruby",
            Self::Line => "line",
            Self::None => "none",
        }
    }

    /// What a language shows before the learner chooses: Japanese both, Mandarin its pinyin
    /// over the characters, the others their romanization line.
    pub fn default_for(language: &str) -> Self {
        match language {
            "ja" => Self::Both,
            "zh" => Self::Ruby,
            _ => Self::Line,
        }
    }

    /// The learner's choice for `language` (a choice that does not fit it counts as none
    /// of it shown: `ruby` in Korean shows nothing).
    pub fn for_language(language: &str, stored: Option<&str>) -> Self {
        let shown = stored
            .and_then(Self::parse)
            .unwrap_or_else(|| Self::default_for(language));
        match (language, shown) {
            ("ja" | "zh", s) => s,
            (_, Self::Both) => Self::Line,
            (_, Self::Ruby) => Self::None,
            (_, s) => s,
        }
    }

    pub fn ruby(self) -> bool {
        matches!(self, Self::Both | Self::Ruby)
    }

    pub fn line(self) -> bool {
        matches!(self, Self::Both | Self::Line)
    }

    /// The choices the page offers for `language`: (value, label).
    pub fn options(language: &str) -> Vec<(&'static str, &'static str)> {
        match language {
            "ja" => vec![
                ("both", "Furigana and romaji"),
                ("ruby", "Furigana only"),
                ("line", "Romaji only"),
                ("none", "None"),
            ],
            "zh" => vec![
                ("ruby", "Pinyin over the characters"),
                ("line", "Pinyin on a line below"),
                ("both", "Both"),
                ("none", "None"),
            ],
            _ => vec![("line", "Romanization"), ("none", "None")],
        }
    }
}

impl MessageView {
    pub fn new(m: &Message, lang: &str) -> Self {
        Self::of(MessageLine::from(m), lang)
    }

    /// The view of message `m`, taking its text rather than copying it (a page of them).
    pub fn of(m: MessageLine, lang: &str) -> Self {
        // why: Mandarin gets pinyin over every character, Japanese furigana over each kanji run
        // (kana need none), as stored with the message; other scripts have a romanization line.
        let ruby = if lang == "zh" || lang == "ja" {
            reading_aids::parse_ruby(m.ruby.as_deref())
        } else {
            Vec::new()
        };
        Self {
            from_learner: m.role == MessageRole::User,
            id: m.id,
            text: m.content,
            ruby,
            romanization: m.romanization.unwrap_or_default(),
            translation: m.translated_content.unwrap_or_default(),
            lang: lang.to_owned(),
            translate_url: String::new(),
            csrf: String::new(),
            corrections: m
                .grammar_analysis
                .map(|g| {
                    g.0.corrections
                        .into_iter()
                        .map(|c| (c.corrected, c.explanation))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The same message with a "Translate" form when it has no translation yet.
    pub fn translatable(mut self, conversation_id: &str, csrf: &str) -> Self {
        if !self.from_learner && self.translation.is_empty() {
            self.translate_url = format!(
                "/conversations/{conversation_id}/messages/{}/translate",
                self.id
            );
            self.csrf = csrf.to_owned();
        }
        self
    }
}

/// The line above the composer saying how far the conversation has come and what completes it.
pub fn progress_sentence(p: &crate::app::conversations::completion::Progress) -> String {
    let (turns, needed) = (p.turns, p.needed);
    match (p.dialogue(), p.script.is_some()) {
        (Some((answered, steps)), _) if answered >= steps => {
            "You reached the end of the dialogue: end the conversation to see your feedback.".into()
        }
        (Some((answered, steps)), _) => format!(
            "Dialogue: {answered} of {steps} lines answered. Reaching the end completes this scenario."
        ),
        (None, true) => format!(
            "Answers your partner recognised: {turns} of the {needed} that complete this scenario."
        ),
        (None, false) if turns >= needed => format!(
            "{turns} turns: enough to complete this scenario. Go on, or end it for your feedback."
        ),
        (None, false) => format!("Turn {turns} of the {needed} that complete this scenario."),
    }
}

/// The session clock as the conversation page shows it: the time left as text (what a page
/// without JS shows; the script counts it down), the warning, and the extension offer.
pub struct ClockView {
    pub session_left: i64,
    pub session_text: String,
    /// "11 min left this month", empty for a guest.
    pub month_text: String,
    pub warn: bool,
    pub can_extend: bool,
    pub extension_text: String,
    pub extensions_left: i32,
}

impl ClockView {
    pub fn new(c: &crate::app::usage::SessionClock) -> Self {
        Self {
            session_left: c.session_left,
            session_text: left_in_session(c.session_left),
            month_text: c
                .month_left
                .map(|s| {
                    format!(
                        "{} more this month",
                        crate::app::pricing::format_duration(s.max(0))
                    )
                })
                .unwrap_or_default(),
            warn: c.warn(),
            can_extend: c.can_extend(),
            extension_text: crate::app::pricing::format_duration(c.extension_seconds),
            extensions_left: c.extensions_left,
        }
    }
}

/// `200` → "3 min 20 s left in this session"; `0` → "This session's time is up".
pub fn left_in_session(seconds: i64) -> String {
    if seconds <= 0 {
        return "This session's time is up".into();
    }
    let (m, s) = (seconds / 60, seconds % 60);
    match (m, s) {
        (0, s) => format!("{s} s left in this session"),
        (m, 0) => format!("{m} min left in this session"),
        (m, s) => format!("{m} min {s} s left in this session"),
    }
}
