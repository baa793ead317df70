//! Onboarding and preferences: the steps a learner answers one per screen, the CEFR
//! descriptions that explain the 1–100 skill levels, and saving answers for a user or a
//! guest. The flow's use cases are in [`steps`], the settings page's in [`preferences`], and
//! the recommendation of three starting scenarios in [`recommend`].

pub mod preferences;
pub mod recommend;
pub mod steps;

pub use recommend::{recommend, starting_scenarios, target_level};

use chrono::NaiveDateTime;

use crate::db::models::{NewUserPreferences, UserPreferences, UserPreferencesChanges};
use crate::db::queries::{self, preferences::Owner};
use crate::db::types::{CefrLevel, ChallengePreference, CorrectionStyle, Json, LearningGoal};
use crate::db::{conn::write_transaction, new_id, DbConn};

#[derive(Debug, thiserror::Error)]
pub enum OnboardingError {
    #[error("{0}")]
    Invalid(String),
    #[error("Choose the language you want to practise first.")]
    NeedsLanguage,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
    #[error(transparent)]
    Unavailable(#[from] crate::app::DbError),
}

impl OnboardingError {
    /// The learner's answer was refused (shown to them with the question again), as opposed
    /// to the database failing.
    pub fn is_refusal(&self) -> bool {
        matches!(self, Self::Invalid(_) | Self::NeedsLanguage)
    }
}

/// The onboarding screens, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Language,
    Goal,
    Levels,
    Challenge,
    Correction,
    Goals,
    Done,
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::Language,
        Step::Goal,
        Step::Levels,
        Step::Challenge,
        Step::Correction,
        Step::Goals,
        Step::Done,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Step::Language => "language",
            Step::Goal => "goal",
            Step::Levels => "levels",
            Step::Challenge => "challenge",
            Step::Correction => "correction",
            Step::Goals => "goals",
            Step::Done => "done",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.slug() == slug)
    }

    /// 1-based position, for "step 2 of 6".
    pub fn number(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }

    pub fn next(self) -> Step {
        Step::ALL.get(self.number()).copied().unwrap_or(Step::Done)
    }

    pub fn previous(self) -> Option<Step> {
        self.number().checked_sub(2).map(|i| Step::ALL[i])
    }
}

/// The questions, as numbers of the answerable steps (Done excluded).
pub const QUESTION_COUNT: usize = 6;

/// One band of the 1–100 scale: the value stored, its CEFR level and what it means.
pub struct LevelBand {
    pub value: i32,
    pub cefr: CefrLevel,
    pub can_do: &'static str,
}

/// The choices offered for each skill, lowest first.
pub const LEVEL_BANDS: [LevelBand; 6] = [
    LevelBand {
        value: 10,
        cefr: CefrLevel::A1,
        can_do: "I know some words and set phrases, like greetings and numbers.",
    },
    LevelBand {
        value: 25,
        cefr: CefrLevel::A2,
        can_do: "I can handle short, simple exchanges about familiar, everyday things.",
    },
    LevelBand {
        value: 45,
        cefr: CefrLevel::B1,
        can_do: "I can get by in most everyday situations and talk about my experiences.",
    },
    LevelBand {
        value: 65,
        cefr: CefrLevel::B2,
        can_do: "I can follow and join in on most topics with some fluency.",
    },
    LevelBand {
        value: 82,
        cefr: CefrLevel::C1,
        can_do: "I express myself fluently, including at work or in study.",
    },
    LevelBand {
        value: 95,
        cefr: CefrLevel::C2,
        can_do: "I understand virtually everything and express fine shades of meaning.",
    },
];

/// The band a stored level falls in (the nearest band value).
pub fn band_of(level: i32) -> &'static LevelBand {
    LEVEL_BANDS
        .iter()
        .min_by_key(|b| (b.value - level).abs())
        .unwrap_or(&LEVEL_BANDS[0])
}

/// One step's answers, already typed.
pub enum Answer {
    Language(String),
    Goal(LearningGoal),
    Levels {
        speaking: i32,
        listening: i32,
        reading: i32,
        writing: i32,
    },
    Challenge(ChallengePreference),
    Correction(CorrectionStyle),
    Goals(Vec<String>),
}

/// Splits free-text goals, one per line: at most 10, each at most 200 characters.
pub fn parse_goals(text: &str) -> Result<Vec<String>, OnboardingError> {
    let goals: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if goals.len() > 10 {
        return Err(OnboardingError::Invalid("List at most 10 goals.".into()));
    }
    if goals.iter().any(|g| g.chars().count() > 200) {
        return Err(OnboardingError::Invalid(
            "Keep each goal under 200 characters.".into(),
        ));
    }
    Ok(goals)
}

/// Checks a 1–100 level.
pub fn check_level(value: i32) -> Result<i32, OnboardingError> {
    if (1..=100).contains(&value) {
        Ok(value)
    } else {
        Err(OnboardingError::Invalid(
            "Choose a level for each skill.".into(),
        ))
    }
}

/// Saves one step's answer for `owner`. The language step creates the preferences; the
/// others need it first.
pub fn save(
    conn: &mut DbConn,
    owner: &Owner,
    answer: Answer,
    now: NaiveDateTime,
) -> Result<UserPreferences, OnboardingError> {
    write_transaction(conn, |conn| save_in(conn, owner, answer, now))
}

/// Saves every answer of the settings page at once: all of them, or none.
pub fn save_all(
    conn: &mut DbConn,
    owner: &Owner,
    answers: Vec<Answer>,
    now: NaiveDateTime,
) -> Result<UserPreferences, OnboardingError> {
    write_transaction(conn, |conn| {
        let mut saved = None;
        for answer in answers {
            saved = Some(save_in(conn, owner, answer, now)?);
        }
        saved.ok_or(OnboardingError::NeedsLanguage)
    })
}

fn save_in(
    conn: &mut DbConn,
    owner: &Owner,
    answer: Answer,
    now: NaiveDateTime,
) -> Result<UserPreferences, OnboardingError> {
    {
        let existing = queries::preferences::find(conn, owner)?;
        let changes = match answer {
            Answer::Language(id) => {
                let language = queries::languages::find(conn, &id)?
                    .filter(|l| l.is_active)
                    .ok_or_else(|| {
                        OnboardingError::Invalid("Choose one of the languages listed.".into())
                    })?;
                if existing.is_none() {
                    let (user_id, guest_id) = match owner {
                        Owner::User(u) => (Some(u.clone()), None),
                        Owner::Guest(g) => (None, Some(g.clone())),
                    };
                    queries::preferences::insert(
                        conn,
                        &NewUserPreferences {
                            id: new_id(),
                            user_id,
                            guest_id,
                            target_language_id: language.id,
                            learning_goal: LearningGoal::Connection,
                            speaking_level: 10,
                            listening_level: 10,
                            reading_level: 10,
                            writing_level: 10,
                            challenge_preference: ChallengePreference::Moderate,
                            correction_style: CorrectionStyle::Gentle,
                            specific_goals: Json(Vec::new()),
                            created_at: now,
                            updated_at: now,
                        },
                    )?;
                    return Ok(queries::preferences::find(conn, owner)?
                        .ok_or(diesel::result::Error::NotFound)?);
                }
                UserPreferencesChanges {
                    target_language_id: Some(language.id),
                    ..Default::default()
                }
            }
            Answer::Goal(goal) => UserPreferencesChanges {
                learning_goal: Some(goal),
                ..Default::default()
            },
            Answer::Levels {
                speaking,
                listening,
                reading,
                writing,
            } => UserPreferencesChanges {
                speaking_level: Some(check_level(speaking)?),
                listening_level: Some(check_level(listening)?),
                reading_level: Some(check_level(reading)?),
                writing_level: Some(check_level(writing)?),
                ..Default::default()
            },
            Answer::Challenge(c) => UserPreferencesChanges {
                challenge_preference: Some(c),
                ..Default::default()
            },
            Answer::Correction(c) => UserPreferencesChanges {
                correction_style: Some(c),
                ..Default::default()
            },
            Answer::Goals(goals) => UserPreferencesChanges {
                specific_goals: Some(Json(goals)),
                ..Default::default()
            },
        };
        let prefs = existing.ok_or(OnboardingError::NeedsLanguage)?;
        queries::preferences::update(conn, &prefs.id, changes, now)?;
        Ok(queries::preferences::find(conn, owner)?.ok_or(diesel::result::Error::NotFound)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_run_in_order_and_round_trip_their_slugs() {
        assert_eq!(Step::Language.next(), Step::Goal);
        assert_eq!(Step::Goals.next(), Step::Done);
        assert_eq!(Step::Done.next(), Step::Done);
        assert_eq!(Step::Language.previous(), None);
        assert_eq!(Step::Goal.previous(), Some(Step::Language));
        for step in Step::ALL {
            assert_eq!(Step::from_slug(step.slug()), Some(step));
        }
    }

    #[test]
    fn levels_map_to_the_nearest_cefr_band() {
        assert_eq!(band_of(1).cefr, CefrLevel::A1);
        assert_eq!(band_of(30).cefr, CefrLevel::A2);
        assert_eq!(band_of(65).cefr, CefrLevel::B2);
        assert_eq!(band_of(100).cefr, CefrLevel::C2);
    }

    #[test]
    fn goals_are_split_by_line_and_bounded() {
        assert_eq!(
            parse_goals(" Order ramen \n\n Chat with in-laws ").unwrap(),
            ["Order ramen", "Chat with in-laws"]
        );
        assert!(parse_goals(&"goal\n".repeat(11)).is_err());
        assert!(parse_goals(&"x".repeat(201)).is_err());
    }
}
