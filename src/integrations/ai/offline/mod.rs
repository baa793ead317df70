//! The built-in offline partner: authored guided dialogues for a dozen scenarios in
//! Japanese, Spanish and French, and for everything else a guided flow built from authored
//! phrases in every language. It cannot understand free text and never claims to: it weighs
//! each answer against what its line expects ([`matching`]) and moves on only when it
//! recognises it — praising only a close match — and otherwise says in character that it
//! didn't catch that and offers the suggested replies again. It marks itself offline.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::integrations::ai::{ChatModel, ReplyExtras, ReplyRequest, ReplyStream};

pub mod matching;

use matching::{judge, Verdict};

#[derive(Debug, Clone, Deserialize)]
struct Line {
    text: String,
    translation: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Beat {
    /// Said before `partner` only when the answer matched a suggested reply well.
    #[serde(default)]
    praise: Option<Line>,
    partner: Line,
    hint: String,
    suggested_replies: Vec<Line>,
    /// Words an answer to `partner` very likely contains.
    #[serde(default)]
    keywords: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Dialogue {
    scenario_id: String,
    language: String,
    opening: Line,
    opening_hint: String,
    opening_replies: Vec<Line>,
    #[serde(default)]
    opening_keywords: Vec<String>,
    beats: Vec<Beat>,
    #[serde(default)]
    closing_praise: Option<Line>,
    closing: Line,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Phrases {
    greeting: Line,
    opening_questions: Vec<Line>,
    follow_ups: Vec<Line>,
    clarify: Vec<Line>,
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

fn phrases(language: &str) -> &'static Phrases {
    let c = content();
    c.phrases
        .get(language)
        .or_else(|| c.phrases.get("en"))
        .expect("English phrases exist")
}

/// One line of a script and what answering it takes.
struct Step {
    praise: Option<Line>,
    line: Line,
    hint: String,
    replies: Vec<Line>,
    keywords: Vec<String>,
}

/// What the partner follows: an authored dialogue, or the guided flow built from phrases.
enum Script<'a> {
    Authored(&'a Dialogue),
    Guided {
        phrases: &'a Phrases,
        partner_name: &'a str,
        objectives: &'a [String],
    },
}

/// How many lines the guided flow asks before it closes.
const GUIDED_STEPS: usize = 12;

impl<'a> Script<'a> {
    fn of(
        scenario_id: Option<&str>,
        language: &str,
        partner_name: &'a str,
        objectives: &'a [String],
    ) -> Self {
        let key = (
            scenario_id.unwrap_or_default().to_owned(),
            language.to_owned(),
        );
        match content().dialogues.get(&key) {
            Some(d) => Script::Authored(d),
            None => Script::Guided {
                phrases: phrases(language),
                partner_name,
                objectives,
            },
        }
    }

    /// The index of the closing line: every step before it expects an answer.
    fn closing(&self) -> usize {
        match self {
            Script::Authored(d) => d.beats.len() + 1,
            Script::Guided { .. } => GUIDED_STEPS,
        }
    }

    fn step(&self, n: usize) -> Step {
        match self {
            Script::Authored(d) => match n {
                0 => Step {
                    praise: None,
                    line: d.opening.clone(),
                    hint: d.opening_hint.clone(),
                    replies: d.opening_replies.clone(),
                    keywords: d.opening_keywords.clone(),
                },
                n if n <= d.beats.len() => {
                    let b = &d.beats[n - 1];
                    Step {
                        praise: b.praise.clone(),
                        line: b.partner.clone(),
                        hint: b.hint.clone(),
                        replies: b.suggested_replies.clone(),
                        keywords: b.keywords.clone(),
                    }
                }
                _ => closing_step(d.closing_praise.clone(), d.closing.clone()),
            },
            Script::Guided {
                phrases: p,
                partner_name,
                objectives,
            } => {
                if n >= GUIDED_STEPS {
                    return closing_step(None, p.closing.clone());
                }
                let line = if n == 0 {
                    let q = &p.opening_questions[0];
                    let fill = |s: &str, q: &str| {
                        s.replace("{name}", partner_name).replace("{question}", q)
                    };
                    Line {
                        text: fill(&p.greeting.text, &q.text),
                        translation: fill(&p.greeting.translation, &q.translation),
                    }
                } else {
                    p.follow_ups[(n - 1) % p.follow_ups.len()].clone()
                };
                // why: the guided flow cannot speak about the objectives in the target
                // language, but its English hints can steer the learner through them.
                let general = &p.hints[n % p.hints.len()];
                let hint = match objectives.get(n) {
                    Some(o) => format!("Try to: {}. {general}", o.trim_end_matches('.')),
                    None => general.clone(),
                };
                Step {
                    praise: (n > 0).then(|| p.encourage[n % p.encourage.len()].clone()),
                    line,
                    hint,
                    replies: (0..2)
                        .map(|i| {
                            p.suggested_replies[(n * 2 + i) % p.suggested_replies.len()].clone()
                        })
                        .collect(),
                    keywords: Vec::new(),
                }
            }
        }
    }

    /// What answering line `n` takes: its suggested replies and its keywords, borrowed
    /// (the same as [`Script::step`]'s, without building the line).
    fn expects(&self, n: usize) -> (Vec<&'a str>, Vec<&'a str>) {
        let texts = |lines: &'a [Line]| lines.iter().map(|l| l.text.as_str()).collect();
        match *self {
            Script::Authored(d) => {
                let (replies, keywords) = match n {
                    0 => (&d.opening_replies, &d.opening_keywords),
                    n if n <= d.beats.len() => {
                        let b = &d.beats[n - 1];
                        (&b.suggested_replies, &b.keywords)
                    }
                    _ => return (Vec::new(), Vec::new()),
                };
                (
                    texts(replies),
                    keywords.iter().map(String::as_str).collect(),
                )
            }
            Script::Guided { phrases: p, .. } if n < GUIDED_STEPS => {
                let replies = &p.suggested_replies;
                let expected = (0..2)
                    .map(|i| replies[(n * 2 + i) % replies.len()].text.as_str())
                    .collect();
                (expected, Vec::new())
            }
            Script::Guided { .. } => (Vec::new(), Vec::new()),
        }
    }

    fn language(&self, fallback: &'a str) -> &'a str {
        match self {
            Script::Authored(d) => &d.language,
            Script::Guided { .. } => fallback,
        }
    }
}

fn closing_step(praise: Option<Line>, line: Line) -> Step {
    Step {
        praise,
        line,
        hint: "This is the end of the dialogue: end the conversation to see your report.".into(),
        replies: Vec::new(),
        keywords: Vec::new(),
    }
}

/// Where a learner stands in a script after their messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Position {
    /// The line the partner is on: how many of its lines the learner has answered.
    step: usize,
    /// How the last message was weighed (none before the first, or once the script closed).
    last: Option<Verdict>,
    /// Messages in a row the partner could not match.
    misses: usize,
}

fn position(script: &Script, language: &str, learner: &[String]) -> Position {
    let mut at = Position {
        step: 0,
        last: None,
        misses: 0,
    };
    for message in learner {
        if at.step >= script.closing() {
            at.last = None;
            continue;
        }
        let (expected, keywords) = script.expects(at.step);
        let verdict = judge(language, message, &expected, &keywords);
        at.last = Some(verdict);
        match verdict {
            v if v.moves_on() => {
                at.step += 1;
                at.misses = 0;
            }
            Verdict::Repeat => {}
            _ => at.misses += 1,
        }
    }
    at
}

/// What the partner says now, with what helps the learner answer it.
struct Turn {
    line: Line,
    hint: String,
    replies: Vec<Line>,
}

/// Two lines said one after the other (no space after Japanese or Chinese punctuation).
fn join(a: &Line, b: &Line) -> Line {
    let gap = match a.text.chars().last() {
        Some(c) if c > '\u{3000}' => "",
        _ => " ",
    };
    Line {
        text: format!("{}{gap}{}", a.text, b.text),
        translation: format!("{} {}", a.translation, b.translation),
    }
}

fn turn(request: &ReplyRequest) -> Turn {
    let script = Script::of(
        request.scenario_id.as_deref(),
        &request.language,
        &request.partner_name,
        &request.objectives,
    );
    let language = script.language(&request.language);
    let at = position(&script, language, &request.learner_messages);
    let step = script.step(at.step);
    let line = match at.last {
        Some(Verdict::Strong) => match &step.praise {
            Some(praise) => join(praise, &step.line),
            None => step.line.clone(),
        },
        Some(Verdict::Filler | Verdict::Miss) => {
            let clarify = phrases(language).clarify.as_slice();
            let sorry = &clarify[(at.misses - 1) % clarify.len()];
            // why: after a second miss the learner may have lost the question; ask it again.
            if at.misses >= 2 {
                join(sorry, &step.line)
            } else {
                sorry.clone()
            }
        }
        _ => step.line.clone(),
    };
    let hint = match at.last {
        Some(Verdict::Filler | Verdict::Miss) => {
            let words = match step.keywords.len() {
                0 => String::new(),
                _ => format!(
                    " Words that fit here: {}.",
                    step.keywords
                        .iter()
                        .take(3)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            format!(
                "Your offline partner couldn't match that to what it asked. {} Tap a suggested reply, or say it your way with similar words.{words}",
                step.hint
            )
        }
        _ => step.hint,
    };
    Turn {
        line,
        hint,
        replies: step.replies,
    }
}

/// How far a learner has come through the offline partner's script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScriptProgress {
    /// Whether the script is an authored dialogue (else the guided flow).
    pub authored: bool,
    /// The partner's lines the learner has answered in a way it recognised.
    pub answered: usize,
    /// The lines that expect an answer.
    pub steps: usize,
    /// Whether the partner could not match the learner's last message (it asked again).
    pub stuck: bool,
}

impl ScriptProgress {
    /// Whether the learner reached the closing line.
    pub fn finished(&self) -> bool {
        self.answered >= self.steps
    }
}

/// The learner's progress through the script the offline partner follows for a conversation
/// (its scenario and language) after the learner's messages, in order.
pub fn progress(scenario_id: Option<&str>, language: &str, learner: &[String]) -> ScriptProgress {
    let script = Script::of(scenario_id, language, "", &[]);
    let at = position(&script, script.language(language), learner);
    ScriptProgress {
        authored: matches!(script, Script::Authored(_)),
        answered: at.step,
        steps: script.closing(),
        stuck: matches!(at.last, Some(Verdict::Filler | Verdict::Miss)),
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

    fn request(scenario: Option<&str>, language: &str, said: &[&str]) -> ReplyRequest {
        ReplyRequest {
            prompt: Vec::new(),
            scenario_id: scenario.map(str::to_owned),
            language: language.into(),
            partner_name: "Sam".into(),
            learner_messages: said.iter().map(|s| s.to_string()).collect(),
            objectives: vec!["Greet the partner".into(), "Ask a question".into()],
        }
    }

    const CLASS: Option<&str> = Some("greetings-first-day-language-class");

    fn dialogue(scenario: &str, language: &str) -> &'static Dialogue {
        &content().dialogues[&(scenario.to_owned(), language.to_owned())]
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
        assert!(c.phrases.values().all(|p| !p.clarify.is_empty()));
    }

    #[test]
    fn every_suggested_reply_moves_its_own_line_on() {
        for d in content().dialogues.values() {
            let script = Script::Authored(d);
            for n in 0..script.closing() {
                let step = script.step(n);
                let expected: Vec<&str> = step.replies.iter().map(|l| l.text.as_str()).collect();
                for reply in &expected {
                    let verdict = judge(&d.language, reply, &expected, &[]);
                    assert_eq!(
                        verdict,
                        Verdict::Strong,
                        "{} {} step {n}: {reply}",
                        d.scenario_id,
                        d.language
                    );
                }
            }
        }
    }

    #[test]
    fn a_recognised_answer_moves_the_dialogue_on_and_nonsense_does_not() {
        let d = dialogue("greetings-first-day-language-class", "ja");
        let opening = turn(&request(CLASS, "ja", &[]));
        assert_eq!(opening.line.text, d.opening.text);
        let answered = turn(&request(CLASS, "ja", &["こんばんは。アレックスです。"]));
        assert!(answered.line.text.ends_with(&d.beats[0].partner.text));
        assert_eq!(
            answered.replies[0].text,
            d.beats[0].suggested_replies[0].text
        );

        let lost = turn(&request(
            CLASS,
            "ja",
            &["こんばんは。アレックスです。", "ばなな ぴかぴか"],
        ));
        assert_eq!(
            lost.line.text,
            phrases("ja").clarify[0].text,
            "said in character"
        );
        assert_eq!(
            lost.replies[0].text, d.beats[0].suggested_replies[0].text,
            "offered again"
        );
        assert!(lost.hint.contains("couldn't match"), "{}", lost.hint);
        let again = turn(&request(
            CLASS,
            "ja",
            &["こんばんは。アレックスです。", "ばなな", "ぴかぴか"],
        ));
        assert!(again.line.text.starts_with(&phrases("ja").clarify[1].text));
        assert!(
            again.line.text.ends_with(&d.beats[0].partner.text),
            "the question asked again"
        );
    }

    #[test]
    fn a_request_to_repeat_gets_the_line_again() {
        let d = dialogue("greetings-first-day-language-class", "es");
        let t = turn(&request(CLASS, "es", &["No sé..."]));
        assert_eq!(t.line.text, d.opening.text);
    }

    #[test]
    fn answering_every_line_reaches_the_closing() {
        let d = dialogue("greetings-first-day-language-class", "fr");
        let mut said: Vec<&str> = vec![d.opening_replies[0].text.as_str()];
        said.extend(d.beats.iter().map(|b| b.suggested_replies[1].text.as_str()));
        let t = turn(&request(CLASS, "fr", &said));
        assert!(t.line.text.ends_with(&d.closing.text));
        assert!(t.replies.is_empty());
        let p = progress(
            CLASS,
            "fr",
            &said.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        );
        assert!(p.authored && p.finished(), "{p:?}");
        let p = progress(CLASS, "fr", &["xqzt blorf".to_string()]);
        assert_eq!((p.answered, p.finished()), (0, false));
    }

    #[test]
    fn the_guided_flow_praises_only_a_close_match_and_never_on_a_timer() {
        let p = phrases("de");
        let offered = turn(&request(None, "de", &[])).replies;
        let matched = turn(&request(None, "de", &[offered[0].text.as_str()]));
        assert!(p
            .encourage
            .iter()
            .any(|e| matched.line.text.starts_with(&e.text)));
        // Four near-but-not-close answers in a row: moving on, never praised.
        let mut said: Vec<String> = Vec::new();
        fn refs(said: &[String]) -> Vec<&str> {
            said.iter().map(String::as_str).collect()
        }
        for _ in 0..4 {
            let replies = turn(&request(None, "de", &refs(&said))).replies;
            let chars: Vec<char> = replies[0].text.chars().collect();
            said.push(chars[..chars.len() * 2 / 3].iter().collect());
        }
        assert_eq!(progress(None, "de", &said).answered, 4, "{said:?}");
        let t = turn(&request(None, "de", &refs(&said)));
        assert!(
            !p.encourage.iter().any(|e| t.line.text.contains(&e.text)),
            "{}",
            t.line.text
        );
    }

    #[test]
    fn the_guided_flow_answers_i_do_not_understand_with_its_question_again() {
        let first = turn(&request(None, "ja", &[])).line.text;
        assert_eq!(
            turn(&request(None, "ja", &["I do not understand"]))
                .line
                .text,
            first
        );
        let lost = turn(&request(None, "ja", &["なにこれ ぜんぜん"])).line.text;
        assert_eq!(lost, phrases("ja").clarify[0].text);
    }

    #[test]
    fn the_guided_flow_steers_through_the_objectives_in_its_hints() {
        assert!(turn(&request(None, "de", &[]))
            .hint
            .starts_with("Try to: Greet the partner."));
        let offered = turn(&request(None, "de", &[])).replies;
        assert!(turn(&request(None, "de", &[offered[0].text.as_str()]))
            .hint
            .starts_with("Try to: Ask a question."));
    }

    #[tokio::test]
    async fn the_guided_flow_greets_by_name_and_streams_in_chunks() {
        let partner = OfflinePartner;
        let chunks: Vec<String> = partner
            .reply(request(None, "de", &[]))
            .map(|c| c.unwrap())
            .collect()
            .await;
        assert!(chunks.len() > 1);
        assert!(chunks.concat().contains("Sam"));
        assert!(partner
            .extras(&request(None, "de", &[]))
            .translation
            .unwrap()
            .contains("Sam"));
    }

    #[test]
    fn the_replies_meant_for_other_lines_mostly_do_not_move_a_line_on() {
        let (mut total, mut moved) = (0, 0);
        for d in content().dialogues.values() {
            let script = Script::Authored(d);
            for n in 0..script.closing() {
                let step = script.step(n);
                let expected: Vec<&str> = step.replies.iter().map(|l| l.text.as_str()).collect();
                let keywords: Vec<&str> = step.keywords.iter().map(String::as_str).collect();
                for m in (0..script.closing()).filter(|m| *m != n) {
                    for other in script.step(m).replies {
                        total += 1;
                        moved += usize::from(
                            judge(&d.language, &other.text, &expected, &keywords).moves_on(),
                        );
                    }
                }
            }
        }
        // why: lines of one dialogue share a topic, so some overlap is fair (13% when written).
        assert!(moved * 100 / total <= 15, "{moved} of {total}");
    }
}
