//! Onboarding and preferences: the steps a learner answers one per screen, the CEFR
//! descriptions that explain the 1–100 skill levels, saving answers for a user or a guest,
//! and the pure recommendation of three starting scenarios.

use chrono::NaiveDateTime;

use crate::db::models::{NewUserPreferences, Scenario, UserPreferences, UserPreferencesChanges};
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

/// The learner's preferences and three scenarios to start with.
pub fn recommendations(
    conn: &mut DbConn,
    owner: &Owner,
) -> Result<(UserPreferences, Vec<Scenario>), OnboardingError> {
    let prefs = queries::preferences::find(conn, owner)?.ok_or(OnboardingError::NeedsLanguage)?;
    // why: only the target level and its neighbours can come first; loading the whole catalog
    // for three picks would grow with it.
    let target = cefr_index(target_level(&prefs));
    let levels: Vec<CefrLevel> = CEFR_ORDER
        .iter()
        .enumerate()
        .filter(|(i, _)| (*i as i32 - target).abs() <= 1)
        .map(|(_, l)| *l)
        .collect();
    let candidates = queries::scenarios::list_public_at_levels(conn, &levels, 500)?;
    let picks = recommend(&prefs, &candidates, 3);
    Ok((prefs, picks))
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

const CEFR_ORDER: [CefrLevel; 6] = [
    CefrLevel::A1,
    CefrLevel::A2,
    CefrLevel::B1,
    CefrLevel::B2,
    CefrLevel::C1,
    CefrLevel::C2,
];

fn cefr_index(level: CefrLevel) -> i32 {
    CEFR_ORDER.iter().position(|l| *l == level).unwrap_or(0) as i32
}

/// The CEFR level a learner should practise at: their average band, one higher for
/// learners who asked for a challenge, one lower (never below A1) for those who want comfort.
pub fn target_level(prefs: &UserPreferences) -> CefrLevel {
    let average =
        (prefs.speaking_level + prefs.listening_level + prefs.reading_level + prefs.writing_level)
            / 4;
    let base = cefr_index(band_of(average).cefr);
    let shift = match prefs.challenge_preference {
        ChallengePreference::Comfortable => -1,
        ChallengePreference::Moderate => 0,
        ChallengePreference::Challenging => 1,
    };
    CEFR_ORDER[(base + shift).clamp(0, 4) as usize]
}

/// Up to `n` scenarios that suit the learner: closest to their target level, matching their
/// goal, spread over different categories. Pure: the caller passes the candidates.
pub fn recommend(prefs: &UserPreferences, candidates: &[Scenario], n: usize) -> Vec<Scenario> {
    let target = cefr_index(target_level(prefs));
    let mut scored: Vec<(i32, &Scenario)> = candidates
        .iter()
        .map(|s| {
            let distance = (cefr_index(s.cefr_level) - target).abs();
            let goal = if s.learning_goal == Some(prefs.learning_goal) {
                6
            } else {
                0
            };
            (goal - distance * 10, s)
        })
        .collect();
    scored.sort_by(|(a, sa), (b, sb)| {
        b.cmp(a)
            .then(sa.difficulty_rating.cmp(&sb.difficulty_rating))
            .then(sa.id.cmp(&sb.id))
    });
    let mut picked: Vec<Scenario> = Vec::new();
    let mut seen_categories: Vec<String> = Vec::new();
    // why: first pass prefers a new category for each pick; the second fills any gap.
    for pass in 0..2 {
        for (_, s) in &scored {
            if picked.len() == n {
                return picked;
            }
            let fresh = s.categories.iter().all(|c| !seen_categories.contains(c));
            if picked.iter().any(|p| p.id == s.id) || (pass == 0 && !fresh) {
                continue;
            }
            seen_categories.extend(s.categories.iter().cloned());
            picked.push((*s).clone());
        }
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::json::{ComfortIndicators, Persona};
    use crate::db::types::{Difficulty, ScenarioRole, Skill, Visibility};

    fn prefs(level: i32, challenge: ChallengePreference, goal: LearningGoal) -> UserPreferences {
        let t = chrono::NaiveDateTime::default();
        UserPreferences {
            id: "p".into(),
            user_id: Some("u".into()),
            guest_id: None,
            target_language_id: "ja".into(),
            learning_goal: goal,
            speaking_level: level,
            listening_level: level,
            reading_level: level,
            writing_level: level,
            challenge_preference: challenge,
            correction_style: CorrectionStyle::Gentle,
            specific_goals: Json(vec![]),
            created_at: t,
            updated_at: t,
        }
    }

    fn scenario(id: &str, cefr: CefrLevel, goal: LearningGoal, category: &str) -> Scenario {
        let t = chrono::NaiveDateTime::default();
        Scenario {
            id: id.into(),
            title: id.into(),
            description: String::new(),
            role: ScenarioRole::Character,
            difficulty: Difficulty::Beginner,
            difficulty_rating: 2,
            cefr_level: cefr,
            instructions: String::new(),
            context: String::new(),
            learning_goal: Some(goal),
            cefr_recommendation: None,
            persona: Json(Persona::default()),
            expected_outcome: String::new(),
            learning_objectives: Json(vec![]),
            comfort_indicators: Json(ComfortIndicators::default()),
            categories: Json(vec![category.into()]),
            tags: Json(vec![]),
            primary_skill: Skill::Speaking,
            search_keywords: Json(vec![]),
            thumbnail_url: None,
            estimated_duration_seconds: 300,
            created_by_user_id: None,
            visibility: Visibility::Public,
            usage_count: 0,
            is_active: true,
            created_at: t,
            updated_at: t,
            search_title: id.into(),
            search_body: String::new(),
        }
    }

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
    fn the_challenge_preference_moves_the_target_level() {
        assert_eq!(
            target_level(&prefs(
                25,
                ChallengePreference::Moderate,
                LearningGoal::Travel
            )),
            CefrLevel::A2
        );
        assert_eq!(
            target_level(&prefs(
                25,
                ChallengePreference::Challenging,
                LearningGoal::Travel
            )),
            CefrLevel::B1
        );
        assert_eq!(
            target_level(&prefs(
                10,
                ChallengePreference::Comfortable,
                LearningGoal::Travel
            )),
            CefrLevel::A1
        );
    }

    #[test]
    fn recommendations_fit_the_level_and_goal_and_vary_the_category() {
        let candidates = vec![
            scenario("c1-debate", CefrLevel::C1, LearningGoal::Travel, "culture"),
            scenario("a2-food", CefrLevel::A2, LearningGoal::Travel, "food"),
            scenario("a2-food-2", CefrLevel::A2, LearningGoal::Travel, "food"),
            scenario("a2-career", CefrLevel::A2, LearningGoal::Career, "work"),
            scenario("a1-travel", CefrLevel::A1, LearningGoal::Travel, "travel"),
        ];
        let picks = recommend(
            &prefs(25, ChallengePreference::Moderate, LearningGoal::Travel),
            &candidates,
            3,
        );
        let ids: Vec<&str> = picks.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["a2-food", "a2-career", "a1-travel"]);
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
