//! The recommended order: a learner's closest CEFR level first, then their goal, then the
//! most saved. No index holds it (it is the learner's own), so it is applied in Rust to the
//! candidates a listing reads (pure).

/// A scenario as the recommended order weighs it: id, title, level, goal, saves.
pub(super) type Candidate = (
    String,
    String,
    crate::db::types::CefrLevel,
    Option<crate::db::types::LearningGoal>,
    i32,
);

/// One page of `candidates` in a learner's order: the closest level first (`levels`, best
/// first), then their `goal`, then the most saved, then by title and id.
pub(super) fn recommended(
    mut candidates: Vec<Candidate>,
    levels: &[crate::db::types::CefrLevel],
    goal: Option<crate::db::types::LearningGoal>,
    offset: i64,
    limit: i64,
) -> Vec<String> {
    candidates.sort_by_cached_key(|(id, title, level, g, saved)| {
        let level_rank = levels.iter().position(|l| l == level).unwrap_or(99);
        let goal_rank = u8::from(goal.is_some() && *g != goal);
        (
            level_rank,
            goal_rank,
            std::cmp::Reverse(*saved),
            title.clone(),
            id.clone(),
        )
    });
    candidates
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(0))
        .take(usize::try_from(limit).unwrap_or(0))
        .map(|(id, ..)| id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::types::{CefrLevel, LearningGoal};

    #[test]
    fn recommended_puts_the_closest_level_then_the_goal_then_the_most_saved_first() {
        let c = |id: &str, level, goal, saved| (id.to_owned(), id.to_owned(), level, goal, saved);
        let candidates = vec![
            c("b1-popular", CefrLevel::B1, Some(LearningGoal::Travel), 90),
            c("a2-other", CefrLevel::A2, Some(LearningGoal::Career), 50),
            c("a2-travel", CefrLevel::A2, Some(LearningGoal::Travel), 1),
            c(
                "a2-travel-saved",
                CefrLevel::A2,
                Some(LearningGoal::Travel),
                7,
            ),
            c("a2-none", CefrLevel::A2, None, 80),
        ];
        let levels = [CefrLevel::A2, CefrLevel::A1, CefrLevel::B1];
        let all = recommended(
            candidates.clone(),
            &levels,
            Some(LearningGoal::Travel),
            0,
            10,
        );
        assert_eq!(
            all,
            [
                "a2-travel-saved",
                "a2-travel",
                "a2-none",
                "a2-other",
                "b1-popular"
            ]
        );
        let second = recommended(candidates, &levels, Some(LearningGoal::Travel), 2, 2);
        assert_eq!(second, ["a2-none", "a2-other"], "a page of it");
    }
}
