//! When a conversation counts as completed, and how far the learner is on the way. Three
//! rules, each named on the report: the offline partner's authored dialogue reached its
//! closing line; the provider's analysis found every objective of the scenario met; or the
//! learner took at least the scenario's minimum turns — with the offline partner only the
//! answers it recognised count, since it cannot tell anything else from noise. Pure, apart
//! from [`progress_of`] reading the scenario's objectives.

use crate::db::models::{Conversation, Message, Said};
use crate::db::queries;
use crate::db::types::{Completion, MessageRole};
use crate::db::DbConn;
use crate::integrations::ai::offline::{self, ScriptProgress};

/// The fewest turns a scenario conversation takes to count as completed: three, and one per
/// objective when it has more.
pub fn min_turns(objectives: usize) -> usize {
    objectives.max(3)
}

/// How far a conversation has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The turns that count: every learner message with a provider, the answers the
    /// offline partner recognised without one.
    pub turns: usize,
    /// The turns that complete it ([`min_turns`]).
    pub needed: usize,
    /// The offline partner's script, when it is the partner.
    pub script: Option<ScriptProgress>,
}

impl Progress {
    /// Progress from the learner's messages (in order) in a conversation with `objectives`
    /// objectives; `offline` when the offline partner answers.
    pub fn new(
        scenario_id: Option<&str>,
        language: &str,
        learner: &[String],
        objectives: usize,
        offline: bool,
    ) -> Self {
        let script = offline.then(|| offline::progress(scenario_id, language, learner));
        Progress {
            turns: script.map_or(learner.len(), |s| s.answered),
            needed: min_turns(objectives),
            script,
        }
    }

    /// Whether, and by which rule, the conversation counts as completed if it ends now.
    pub fn completion(&self) -> Option<Completion> {
        match self.script {
            Some(s) if s.authored && s.finished() => Some(Completion::DialogueFinished),
            _ if self.turns >= self.needed => Some(Completion::EnoughTurns),
            _ => None,
        }
    }

    /// Whether the offline partner could not match the learner's last message.
    pub fn stuck(&self) -> bool {
        self.script.is_some_and(|s| s.stuck)
    }

    /// The authored dialogue's steps: (answered, all), when there is one.
    pub fn dialogue(&self) -> Option<(usize, usize)> {
        self.script
            .filter(|s| s.authored)
            .map(|s| (s.answered.min(s.steps), s.steps))
    }
}

/// The learner's messages, in order.
pub fn learner_messages(messages: &[impl Said]) -> Vec<String> {
    messages
        .iter()
        .filter(|m| m.role() == MessageRole::User)
        .map(|m| m.text().to_owned())
        .collect()
}

/// The progress of `conversation` (whose scenario has `objectives` objectives) after
/// `messages`.
pub fn of(
    conversation: &Conversation,
    objectives: usize,
    messages: &[impl Said],
    offline: bool,
) -> Progress {
    Progress::new(
        conversation.scenario_id.as_deref(),
        &conversation.target_language_id,
        &learner_messages(messages),
        objectives,
        offline,
    )
}

/// The progress of `conversation` with these `messages` (its scenario read).
pub fn progress_of(
    conn: &mut DbConn,
    conversation: &Conversation,
    messages: &[Message],
    offline: bool,
) -> diesel::QueryResult<Progress> {
    let scenario = match &conversation.scenario_id {
        Some(s) => queries::scenarios::find_brief(conn, s)?,
        None => None,
    };
    let objectives = scenario.map_or(0, |s| s.learning_objectives.len());
    Ok(of(conversation, objectives, messages, offline))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLASS: Option<&str> = Some("greetings-first-day-language-class");

    #[test]
    fn with_a_provider_every_turn_counts_up_to_one_per_objective() {
        let said = |n: usize| vec!["anything".to_string(); n];
        assert_eq!(
            Progress::new(None, "de", &said(2), 0, false).completion(),
            None
        );
        assert_eq!(
            Progress::new(None, "de", &said(3), 0, false).completion(),
            Some(Completion::EnoughTurns)
        );
        assert_eq!(
            Progress::new(None, "de", &said(4), 5, false).completion(),
            None
        );
    }

    #[test]
    fn offline_only_recognised_answers_count() {
        let nonsense = vec!["xqzt blorf".to_string(); 9];
        let p = Progress::new(CLASS, "es", &nonsense, 2, true);
        assert_eq!((p.turns, p.completion()), (0, None));
        assert_eq!(p.dialogue().map(|d| d.0), Some(0));
    }

    #[test]
    fn offline_reaching_the_closing_line_completes_it_before_the_minimum() {
        let script = ScriptProgress {
            authored: true,
            answered: 2,
            steps: 2,
            stuck: false,
        };
        let p = Progress {
            turns: 2,
            needed: 3,
            script: Some(script),
        };
        assert_eq!(p.completion(), Some(Completion::DialogueFinished));
        let guided = Progress {
            script: Some(ScriptProgress {
                authored: false,
                ..script
            }),
            ..p
        };
        assert_eq!(
            guided.completion(),
            None,
            "the guided flow has no closing to reach"
        );
    }
}
