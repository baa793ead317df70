//! Display-ready messages: text, reading aids (ruby: pinyin for Mandarin, furigana for
//! Japanese; a romanization line for the other scripts and for Japanese romaji) and the
//! translation.

use crate::app::conversations::reading_aids;
use crate::db::models::Message;
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

impl MessageView {
    pub fn new(m: &Message, lang: &str) -> Self {
        // why: Mandarin gets pinyin over every character, Japanese furigana over each kanji run
        // (kana need none); other scripts have a romanization line instead.
        let ruby = if lang == "zh" || lang == "ja" {
            reading_aids::ruby_pairs(&m.content, lang)
        } else {
            Vec::new()
        };
        Self {
            id: m.id.clone(),
            from_learner: m.role == MessageRole::User,
            text: m.content.clone(),
            ruby,
            // why: Mandarin's pinyin is already over every character.
            romanization: if lang == "zh" {
                String::new()
            } else {
                m.romanization.clone().unwrap_or_default()
            },
            translation: m.translated_content.clone().unwrap_or_default(),
            lang: lang.to_owned(),
            translate_url: String::new(),
            csrf: String::new(),
            corrections: m
                .grammar_analysis
                .as_ref()
                .map(|g| {
                    g.corrections
                        .iter()
                        .map(|c| (c.corrected.clone(), c.explanation.clone()))
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
