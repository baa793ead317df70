//! The built-in offline partner: authored guided dialogues for a dozen scenarios in
//! Japanese, Spanish and French, and for everything else a guided flow built from authored
//! phrases in every language. It never claims to understand what the learner wrote: each
//! line follows from the turn, not from the learner's words. It marks itself offline.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::integrations::ai::{ChatModel, ReplyExtras, ReplyRequest, ReplyStream};

#[derive(Debug, Clone, Deserialize)]
struct Line {
    text: String,
    translation: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Beat {
    partner: Line,
    hint: String,
    suggested_replies: Vec<Line>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Dialogue {
    scenario_id: String,
    language: String,
    opening: Line,
    opening_hint: String,
    opening_replies: Vec<Line>,
    beats: Vec<Beat>,
    closing: Line,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Phrases {
    greeting: Line,
    opening_questions: Vec<Line>,
    follow_ups: Vec<Line>,
    encourage: Vec<Line>,
    closing: Line,
    suggested_replies: Vec<Line>,
    hints: Vec<String>,
}

struct Content {
    dialogues: HashMap<(String, String), Dialogue>,
    phrases: HashMap<String, Phrases>,
}

fn content() -> &'static Content {
    static CONTENT: OnceLock<Content> = OnceLock::new();
    CONTENT.get_or_init(|| {
        let dialogues: Vec<Dialogue> = serde_json::from_str(include_str!("dialogues.json"))
            .expect("offline dialogues are valid JSON");
        let phrases: HashMap<String, Phrases> = serde_json::from_str(include_str!("phrases.json"))
            .expect("offline phrases are valid JSON");
        Content {
            dialogues: dialogues
                .into_iter()
                .map(|d| ((d.scenario_id.clone(), d.language.clone()), d))
                .collect(),
            phrases,
        }
    })
}

/// What the partner says at a turn, with what helps the learner answer it.
struct Turn {
    line: Line,
    hint: String,
    replies: Vec<Line>,
}

fn turn(request: &ReplyRequest) -> Turn {
    let c = content();
    let key = (
        request.scenario_id.clone().unwrap_or_default(),
        request.language.clone(),
    );
    if let Some(d) = c.dialogues.get(&key) {
        let n = request.learner_turns;
        return match n {
            0 => Turn {
                line: d.opening.clone(),
                hint: d.opening_hint.clone(),
                replies: d.opening_replies.clone(),
            },
            n if n <= d.beats.len() => {
                let b = &d.beats[n - 1];
                Turn {
                    line: b.partner.clone(),
                    hint: b.hint.clone(),
                    replies: b.suggested_replies.clone(),
                }
            }
            _ => Turn {
                line: d.closing.clone(),
                hint: "Say goodbye, or end the conversation to see your report.".into(),
                replies: Vec::new(),
            },
        };
    }
    let p = c
        .phrases
        .get(&request.language)
        .or_else(|| c.phrases.get("en"))
        .expect("English phrases exist");
    let n = request.learner_turns;
    let line = if n == 0 {
        let q = &p.opening_questions[0];
        Line {
            text: p
                .greeting
                .text
                .replace("{name}", &request.partner_name)
                .replace("{question}", &q.text),
            translation: p
                .greeting
                .translation
                .replace("{name}", &request.partner_name)
                .replace("{question}", &q.translation),
        }
    } else if n >= 12 {
        p.closing.clone()
    } else {
        let f = &p.follow_ups[(n - 1) % p.follow_ups.len()];
        if n.is_multiple_of(4) {
            let e = &p.encourage[(n / 4) % p.encourage.len()];
            Line {
                text: format!("{} {}", e.text, f.text),
                translation: format!("{} {}", e.translation, f.translation),
            }
        } else {
            f.clone()
        }
    };
    let replies = (0..2)
        .map(|i| p.suggested_replies[(n * 2 + i) % p.suggested_replies.len()].clone())
        .collect();
    // why: the generic flow cannot speak about the objectives in the target language, but
    // its English hints can steer the learner through them, one per turn.
    let general = &p.hints[n % p.hints.len()];
    let hint = match request.objectives.get(n) {
        Some(objective) => format!("Try to: {}. {general}", objective.trim_end_matches('.')),
        None => general.clone(),
    };
    Turn {
        line,
        hint,
        replies,
    }
}

/// The offline partner.
pub struct OfflinePartner;

impl ChatModel for OfflinePartner {
    fn reply(&self, request: ReplyRequest) -> ReplyStream {
        let text = turn(&request).line.text;
        // why: the page streams every partner the same way; a few characters per chunk.
        let chunks: Vec<Result<String, crate::integrations::ai::AiError>> = text
            .chars()
            .collect::<Vec<_>>()
            .chunks(4)
            .map(|c| Ok(c.iter().collect()))
            .collect();
        Box::pin(futures_util::stream::iter(chunks))
    }

    fn extras(&self, request: &ReplyRequest) -> ReplyExtras {
        let t = turn(request);
        ReplyExtras {
            translation: Some(t.line.translation),
            hint: Some(t.hint),
            suggested_replies: t
                .replies
                .into_iter()
                .map(|l| (l.text, l.translation))
                .collect(),
        }
    }

    fn is_offline(&self) -> bool {
        true
    }

    fn name(&self) -> &'static str {
        "offline"
    }
}

/// Whether a scenario has an authored dialogue in a language.
pub fn has_dialogue(scenario_id: &str, language: &str) -> bool {
    content()
        .dialogues
        .contains_key(&(scenario_id.to_owned(), language.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    fn request(scenario: Option<&str>, language: &str, turns: usize) -> ReplyRequest {
        ReplyRequest {
            prompt: Vec::new(),
            scenario_id: scenario.map(str::to_owned),
            language: language.into(),
            partner_name: "Sam".into(),
            learner_turns: turns,
            objectives: vec!["Greet the partner".into(), "Ask a question".into()],
        }
    }

    #[test]
    fn the_authored_content_covers_twelve_scenarios_in_three_languages_and_every_language() {
        let c = content();
        let scenarios: std::collections::HashSet<&String> =
            c.dialogues.keys().map(|(s, _)| s).collect();
        assert!(scenarios.len() >= 12);
        for s in scenarios {
            for lang in ["ja", "es", "fr"] {
                assert!(has_dialogue(s, lang), "{s} {lang}");
            }
        }
        assert!(c.phrases.len() >= 16);
    }

    #[test]
    fn a_dialogue_moves_through_its_beats_and_closes() {
        let opening = turn(&request(Some("ordering-ramen-osaka"), "ja", 0));
        let first = turn(&request(Some("ordering-ramen-osaka"), "ja", 1));
        assert_ne!(opening.line.text, first.line.text);
        assert_eq!(first.replies.len(), 2);
        let closing = turn(&request(Some("ordering-ramen-osaka"), "ja", 99));
        assert!(closing.replies.is_empty());
    }

    #[test]
    fn the_generic_flow_steers_through_the_objectives_in_its_hints() {
        assert!(turn(&request(None, "de", 0))
            .hint
            .starts_with("Try to: Greet the partner."));
        assert!(turn(&request(None, "de", 1))
            .hint
            .starts_with("Try to: Ask a question."));
        assert!(!turn(&request(None, "de", 2)).hint.starts_with("Try to"));
    }

    #[tokio::test]
    async fn the_generic_flow_greets_by_name_and_streams_in_chunks() {
        let partner = OfflinePartner;
        let chunks: Vec<String> = partner
            .reply(request(None, "de", 0))
            .map(|c| c.unwrap())
            .collect()
            .await;
        assert!(chunks.len() > 1);
        assert!(chunks.concat().contains("Sam"));
        assert!(partner
            .extras(&request(None, "de", 0))
            .translation
            .unwrap()
            .contains("Sam"));
    }
}
