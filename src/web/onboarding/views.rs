//! The choices onboarding and the settings page offer, display-ready, with the current
//! answer marked.

use crate::app::onboarding::LEVEL_BANDS;
use crate::db::models::{Language, UserPreferences};
use crate::db::types::{ChallengePreference, CorrectionStyle, LearningGoal};

pub use crate::web::components::choices::Choice;

/// Everything a step (or the settings page) can show; templates pick what they need.
pub struct Questions {
    pub languages: Vec<Choice>,
    pub goals: Vec<Choice>,
    pub levels: Vec<LevelQuestion>,
    pub challenges: Vec<Choice>,
    pub corrections: Vec<Choice>,
    pub goals_text: String,
}

impl Questions {
    /// Every question with the learner's answers (`prefs`) marked.
    pub fn new(prefs: Option<&UserPreferences>, all_languages: &[Language]) -> Self {
        Self {
            languages: languages(all_languages, prefs),
            goals: goals(prefs),
            levels: levels(prefs),
            challenges: challenges(prefs),
            corrections: corrections(prefs),
            goals_text: prefs
                .map(|p| p.specific_goals.join("\n"))
                .unwrap_or_default(),
        }
    }
}

pub fn languages(all: &[Language], prefs: Option<&UserPreferences>) -> Vec<Choice> {
    all.iter()
        .map(|l| Choice {
            value: l.id.clone(),
            label: format!("{} ({})", l.name, l.native_name),
            hint: String::new(),
            selected: prefs.is_some_and(|p| p.target_language_id == l.id),
        })
        .collect()
}

pub fn goals(prefs: Option<&UserPreferences>) -> Vec<Choice> {
    LearningGoal::ALL
        .iter()
        .map(|g| Choice {
            value: g.as_str().into(),
            label: g.as_str().into(),
            hint: match g {
                LearningGoal::Connection => "Talk with family, a partner or friends.",
                LearningGoal::Career => "Use the language at work or land a job.",
                LearningGoal::Travel => "Get around, order, ask and chat when you travel.",
                LearningGoal::Academic => "Study, pass an exam or follow lectures.",
                LearningGoal::Culture => "Enjoy films, books, music and traditions.",
                LearningGoal::Growth => "Challenge yourself and keep your mind sharp.",
            }
            .into(),
            selected: prefs.is_some_and(|p| p.learning_goal == *g),
        })
        .collect()
}

/// One skill's level question.
pub struct LevelQuestion {
    pub name: &'static str,
    pub label: &'static str,
    pub options: Vec<Choice>,
}

pub fn levels(prefs: Option<&UserPreferences>) -> Vec<LevelQuestion> {
    let current = |name: &str| -> Option<i32> {
        prefs.map(|p| match name {
            "speaking" => p.speaking_level,
            "listening" => p.listening_level,
            "reading" => p.reading_level,
            _ => p.writing_level,
        })
    };
    [
        ("speaking", "Speaking"),
        ("listening", "Listening"),
        ("reading", "Reading"),
        ("writing", "Writing"),
    ]
    .into_iter()
    .map(|(name, label)| {
        let chosen = current(name).map(|v| crate::app::onboarding::band_of(v).value);
        LevelQuestion {
            name,
            label,
            options: LEVEL_BANDS
                .iter()
                .map(|b| Choice {
                    value: b.value.to_string(),
                    label: b.cefr.as_str().into(),
                    hint: b.can_do.into(),
                    selected: chosen.map_or(b.value == LEVEL_BANDS[0].value, |c| c == b.value),
                })
                .collect(),
        }
    })
    .collect()
}

pub fn challenges(prefs: Option<&UserPreferences>) -> Vec<Choice> {
    ChallengePreference::ALL
        .iter()
        .map(|c| Choice {
            value: c.as_str().into(),
            label: match c {
                ChallengePreference::Comfortable => "Comfortable",
                ChallengePreference::Moderate => "A bit of a stretch",
                ChallengePreference::Challenging => "Challenge me",
            }
            .into(),
            hint: match c {
                ChallengePreference::Comfortable => "Stay at my level; build confidence first.",
                ChallengePreference::Moderate => {
                    "Mostly at my level, with some new words and structures."
                }
                ChallengePreference::Challenging => "Push me above my level, like real life does.",
            }
            .into(),
            selected: prefs.map_or(*c == ChallengePreference::Moderate, |p| {
                p.challenge_preference == *c
            }),
        })
        .collect()
}

pub fn corrections(prefs: Option<&UserPreferences>) -> Vec<Choice> {
    CorrectionStyle::ALL
        .iter()
        .map(|c| Choice {
            value: c.as_str().into(),
            label: match c {
                CorrectionStyle::Immediate => "Right away",
                CorrectionStyle::Gentle => "Gently, in the conversation",
                CorrectionStyle::EndOfSession => "At the end",
            }
            .into(),
            hint: match c {
                CorrectionStyle::Immediate => "Each message gets a correction with a one-line why.",
                CorrectionStyle::Gentle => {
                    "Your partner repeats what you meant, correctly, as people do."
                }
                CorrectionStyle::EndOfSession => {
                    "No interruptions; everything in the feedback report."
                }
            }
            .into(),
            selected: prefs.map_or(*c == CorrectionStyle::Gentle, |p| p.correction_style == *c),
        })
        .collect()
}
