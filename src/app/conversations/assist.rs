//! Help during a conversation from the provider: a hint with two suggested replies, "say it
//! in my language" (native → target), and translating a message. Prompts and parsing are
//! pure; `help` makes the calls (never inside a transaction).

use serde::Deserialize;

use crate::db::types::MessageRole;
use crate::integrations::ai::PromptMessage;

fn system(content: String) -> PromptMessage {
    PromptMessage {
        role: MessageRole::System,
        content,
    }
}

fn user(content: &str) -> PromptMessage {
    PromptMessage {
        role: MessageRole::User,
        content: content.to_owned(),
    }
}

/// Asks for a hint (in the learner's language) and two replies (in the target language).
pub fn hint_prompt(language: &str, native: &str, partner_line: &str) -> Vec<PromptMessage> {
    vec![
        system(format!(
            "A {language} learner is stuck answering their conversation partner. Give one short hint in {native} \
             and two short, natural replies in {language} at a beginner-friendly level, each with a {native} translation. \
             Answer with JSON only: {{\"hint\": \"...\", \"replies\": [{{\"text\": \"...\", \"translation\": \"...\"}}, {{\"text\": \"...\", \"translation\": \"...\"}}]}}"
        )),
        user(partner_line),
    ]
}

/// Asks to put a sentence the learner wrote in their own language into the target language.
pub fn say_it_prompt(language: &str, native: &str, sentence: &str) -> Vec<PromptMessage> {
    vec![
        system(format!(
            "Translate the learner's {native} sentence into natural, simple {language}, as they would say it in conversation. \
             Answer with the {language} sentence only."
        )),
        user(sentence),
    ]
}

/// Asks for a translation into the learner's language.
pub fn translate_prompt(language: &str, native: &str, text: &str) -> Vec<PromptMessage> {
    vec![
        system(format!("Translate this {language} message into natural {native}. Answer with the translation only.")),
        user(text),
    ]
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct Reply {
    pub text: String,
    #[serde(default)]
    pub translation: String,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct Hint {
    pub hint: String,
    #[serde(default)]
    pub replies: Vec<Reply>,
}

/// Parses the hint JSON.
pub fn parse_hint(text: &str) -> Result<Hint, String> {
    let trimmed = text
        .trim()
        .trim_start_matches("```json")
        .trim_start_matches("```")
        .trim_end_matches("```")
        .trim();
    let hint: Hint =
        serde_json::from_str(trimmed).map_err(|e| format!("not the expected JSON: {e}"))?;
    if hint.hint.trim().is_empty() {
        return Err("an empty hint".into());
    }
    Ok(hint)
}

/// Cleans a one-line answer (quotes and surrounding space the model may add).
pub fn clean_line(text: &str) -> String {
    text.trim()
        .trim_matches('"')
        .trim_matches('「')
        .trim_matches('」')
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_parse_and_bad_ones_are_errors() {
        let h = parse_hint(r#"{"hint":"Say what you want","replies":[{"text":"Un café","translation":"A coffee"}]}"#).unwrap();
        assert_eq!(h.replies[0].text, "Un café");
        assert!(parse_hint("no").is_err());
        assert!(parse_hint(r#"{"hint":" "}"#).is_err());
    }

    #[test]
    fn one_line_answers_lose_their_quotes() {
        assert_eq!(
            clean_line(" \"Je voudrais un café.\" "),
            "Je voudrais un café."
        );
    }
}
