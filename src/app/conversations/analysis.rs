//! The end-of-conversation analysis: the prompt asking the provider for corrections and
//! vocabulary as JSON, and the lenient-but-checked parsing of its answer (pure). A malformed
//! answer is an error the report shows, never a crash or half-stored analysis.

use serde::Deserialize;

use crate::db::json::{Correction, GrammarAnalysis, VocabularyAnalysis, VocabularyItem};
use crate::db::models::Message;
use crate::db::types::MessageRole;
use crate::integrations::ai::PromptMessage;

const ANALYSIS_PROMPT: &str = include_str!("prompts/analysis.txt");

/// The prompt for analysing the learner's messages (numbered from 1) against the scenario's
/// objectives (numbered from 1; none for a free conversation).
pub fn prompt(
    language: &str,
    native: &str,
    objectives: &[String],
    messages: &[Message],
) -> Vec<PromptMessage> {
    let numbered: Vec<String> = messages
        .iter()
        .filter(|m| m.role == MessageRole::User)
        .enumerate()
        .map(|(i, m)| format!("{}. {}", i + 1, m.content))
        .collect();
    vec![
        PromptMessage {
            role: MessageRole::System,
            content: ANALYSIS_PROMPT
                .replace("{language}", language)
                .replace("{native}", native)
                .replace("{objectives}", &numbered_objectives(objectives)),
        },
        PromptMessage {
            role: MessageRole::User,
            content: numbered.join("\n"),
        },
    ]
}

fn numbered_objectives(objectives: &[String]) -> String {
    if objectives.is_empty() {
        return "(none: a free conversation; answer an empty list)".into();
    }
    objectives
        .iter()
        .enumerate()
        .map(|(i, o)| format!("{}. {o}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    messages: Vec<PerMessage>,
    /// The numbers of the objectives the learner met (absent: not assessed).
    #[serde(default)]
    objectives_met: Option<Vec<usize>>,
    #[serde(default)]
    new_words: Vec<VocabularyItem>,
    #[serde(default)]
    misused_words: Vec<VocabularyItem>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PerMessage {
    index: usize,
    #[serde(default)]
    corrections: Vec<Correction>,
    #[serde(default)]
    went_well: Vec<String>,
}

/// The analysis of each learner message (by 0-based learner-message index) and the
/// conversation's vocabulary.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub per_message: Vec<(usize, GrammarAnalysis)>,
    pub vocabulary: VocabularyAnalysis,
    /// The objectives met, by 0-based index, in order; `None` when the provider didn't say.
    pub objectives_met: Option<Vec<usize>>,
}

/// Parses the provider's JSON; message numbers outside `learner_messages` and objective
/// numbers outside `objectives` are errors.
pub fn parse(text: &str, learner_messages: usize, objectives: usize) -> Result<Analysis, String> {
    let trimmed = text
        .trim()
        .trim_start_matches("```json")
        .trim_start_matches("```")
        .trim_end_matches("```")
        .trim();
    let answer: Answer =
        serde_json::from_str(trimmed).map_err(|e| format!("not the expected JSON: {e}"))?;
    let mut per_message = Vec::new();
    for m in answer.messages {
        if m.index == 0 || m.index > learner_messages {
            return Err(format!("message number {} does not exist", m.index));
        }
        per_message.push((
            m.index - 1,
            GrammarAnalysis {
                corrections: m.corrections,
                went_well: m.went_well,
            },
        ));
    }
    let objectives_met = match answer.objectives_met {
        Some(mut met) => {
            if let Some(n) = met.iter().find(|n| **n == 0 || **n > objectives) {
                return Err(format!("objective number {n} does not exist"));
            }
            met.sort_unstable();
            met.dedup();
            Some(met.into_iter().map(|n| n - 1).collect())
        }
        None => None,
    };
    Ok(Analysis {
        per_message,
        objectives_met,
        vocabulary: VocabularyAnalysis {
            new_words: answer.new_words,
            misused_words: answer.misused_words,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_well_formed_answer_is_parsed_by_message() {
        let json = r#"{"messages":[{"index":2,"corrections":[{"original":"je suis allé au magasin hier et je achète","corrected":"j'ai acheté","explanation":"Past tense: passé composé."}],"wentWell":["Polite greeting"]}],"newWords":[{"word":"fièvre","meaning":"fever"}]}"#;
        let a = parse(json, 2, 0).unwrap();
        assert_eq!(a.per_message.len(), 1);
        assert_eq!(a.per_message[0].0, 1);
        assert_eq!(a.per_message[0].1.corrections[0].corrected, "j'ai acheté");
        assert_eq!(a.vocabulary.new_words[0].word, "fièvre");
        assert_eq!(a.objectives_met, None, "not said, not assessed");
    }

    #[test]
    fn the_objectives_met_are_read_by_number() {
        let a = parse(r#"{"messages":[],"objectivesMet":[2,1,2]}"#, 1, 3).unwrap();
        assert_eq!(a.objectives_met, Some(vec![0, 1]));
        let prompt = prompt("French", "English", &["Greet".into(), "Pay".into()], &[]);
        assert!(
            prompt[0].content.contains("1. Greet\n2. Pay"),
            "{}",
            prompt[0].content
        );
    }

    #[test]
    fn malformed_answers_are_errors() {
        assert!(parse("Sure! Here is the analysis: …", 2, 0).is_err());
        assert!(parse(r#"{"messages":[{"index":7}]}"#, 2, 0).is_err());
        assert!(parse(r#"{"nothing": true}"#, 2, 0).is_err());
        assert!(parse(r#"{"messages":[],"objectivesMet":[3]}"#, 2, 2).is_err());
        assert!(
            parse("```json\n{\"messages\":[]}\n```", 2, 0).is_ok(),
            "a fenced block is accepted"
        );
    }
}
