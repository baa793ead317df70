//! Three scenarios to start with: the CEFR level a learner should practise at, and a pure
//! pick among candidates that fit their level and goal and vary the category.

use super::band_of;
use crate::db::models::{Scenario, UserPreferences};
use crate::db::queries;
use crate::db::types::{CefrLevel, ChallengePreference};
use crate::db::DbConn;

/// Three scenarios for a learner with `prefs` to start with.
pub fn starting_scenarios(
    conn: &mut DbConn,
    prefs: &UserPreferences,
) -> diesel::QueryResult<Vec<Scenario>> {
    // why: only the target level and its neighbours can come first; loading the whole catalog
    // for three picks would grow with it.
    let target = cefr_index(target_level(prefs));
    let levels: Vec<CefrLevel> = CEFR_ORDER
        .iter()
        .enumerate()
        .filter(|(i, _)| (*i as i32 - target).abs() <= 1)
        .map(|(_, l)| *l)
        .collect();
    let candidates = queries::scenarios::list_public_at_levels(conn, &levels, 500)?;
    Ok(recommend(prefs, &candidates, 3))
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
    use crate::db::types::{
        CorrectionStyle, Difficulty, Json, LearningGoal, ScenarioRole, Skill, Visibility,
    };

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
}
