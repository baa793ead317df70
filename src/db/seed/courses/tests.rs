//! Every seed course is a schedule the planner accepts, linked only to catalog scenarios that
//! fit its days, and the set covers the languages, goals and levels the product promises.

use std::collections::HashSet;

use super::*;
use crate::app::paths::planner::{level_index, Candidate};
use crate::db::seed::{language_ids, parse, SeedScenario, SCENARIOS};

fn courses() -> Vec<SeedCourse> {
    parse("courses.json", COURSES).unwrap()
}

/// The seed catalog as the planner's candidates, offered in `language`.
fn catalog(language: &str) -> Vec<Candidate> {
    parse::<SeedScenario>("scenarios.json", SCENARIOS)
        .unwrap()
        .into_iter()
        .map(|s| Candidate {
            id: s.id,
            title: s.title,
            categories: s.categories,
            tags: s.tags,
            cefr_level: s.cefr_level,
            difficulty: s.difficulty,
            language: language.to_owned(),
        })
        .collect()
}

#[test]
fn every_course_is_a_valid_schedule_linked_to_scenarios_that_fit_its_days() {
    let languages = language_ids().unwrap();
    for course in courses() {
        let slug = &course.slug;
        assert!(languages.contains(&course.language), "{slug}: language");
        let schedule = course.schedule().unwrap();
        let cands = catalog(&course.language);
        if let Err(errors) = planner::validate(&schedule, &cands) {
            panic!("{slug}: {errors:#?}");
        }
        let known = planner::known_topics(&cands);
        let mut linked = HashSet::new();
        for day in &schedule.days {
            let n = day.index;
            assert!(known.contains(&day.topic), "{slug} day {n}: {}", day.topic);
            let prefix = match day.kind {
                DayKind::Review => "Review: ",
                DayKind::CatchUp => "Catch-up: ",
                DayKind::Capstone => "Capstone: ",
                DayKind::Practice => "",
            };
            assert!(
                day.theme.starts_with(prefix),
                "{slug} day {n}: {}",
                day.theme
            );
            assert!(
                !day.kind.eq(&DayKind::Practice)
                    || !["Review:", "Catch-up:", "Capstone:"]
                        .iter()
                        .any(|p| day.theme.starts_with(p)),
                "{slug} day {n} is a practice day: {}",
                day.theme
            );
            for o in &day.objectives {
                assert!(o.ends_with('.') || o.ends_with('?'), "{slug} day {n}: {o}");
            }
            match &day.scenario {
                ScenarioLink::Catalog { id } => {
                    assert_eq!(day.kind, DayKind::Practice, "{slug} day {n}: {id}");
                    let c = cands.iter().find(|c| &c.id == id).unwrap();
                    assert!(
                        c.is_about(&day.topic),
                        "{slug} day {n}: {id} is not about {}",
                        day.topic
                    );
                    assert!(
                        (level_index(c.cefr_level) - level_index(day.cefr_level)).abs() <= 1,
                        "{slug} day {n}: {id} is {} for a {} day",
                        c.cefr_level,
                        day.cefr_level
                    );
                    assert!(linked.insert(id.clone()), "{slug} links {id} twice");
                }
                ScenarioLink::Generate { brief } => {
                    assert!(brief.ends_with('.'), "{slug} day {n}: {brief}");
                }
            }
        }
        assert!(linked.len() >= 3, "{slug} links {} scenarios", linked.len());
        let weights: u32 = schedule.topics.iter().map(|t| u32::from(t.weight)).sum();
        assert_eq!(weights, 20, "{slug}: one weight per practice day");
    }
}

#[test]
fn the_courses_cover_eight_languages_five_goals_and_levels_a1_to_b2() {
    let all = courses();
    assert!(all.len() >= 12, "{} courses", all.len());
    let slugs: HashSet<&str> = all.iter().map(|c| c.slug.as_str()).collect();
    assert_eq!(slugs.len(), all.len(), "slugs are unique");
    for slug in &slugs {
        assert!(
            slug.split('-').all(|w| !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())),
            "{slug} is not a lower-case, hyphenated slug"
        );
    }
    for language in ["ja", "zh", "ko", "es", "fr", "de", "it", "pt"] {
        assert!(all.iter().any(|c| c.language == language), "{language}");
    }
    for goal in [
        LearningGoal::Travel,
        LearningGoal::Career,
        LearningGoal::Connection,
        LearningGoal::Academic,
        LearningGoal::Culture,
    ] {
        let n = all.iter().filter(|c| c.goal == goal).count();
        assert!(n >= 2, "{goal}: {n} courses");
    }
    for level in [CefrLevel::A1, CefrLevel::A2, CefrLevel::B1, CefrLevel::B2] {
        assert!(
            all.iter().any(|c| c.weeks.iter().any(|w| w.level == level)),
            "{level}"
        );
    }
    let starts: HashSet<CefrLevel> = all.iter().map(|c| c.weeks[0].level).collect();
    assert!(starts.len() >= 3, "courses start at {starts:?}");
}

#[test]
fn a_course_row_is_a_public_template_whose_plan_reads_back_as_its_schedule() {
    let now = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    let all = courses();
    let rows = rows(now).unwrap();
    assert_eq!(rows.len(), all.len());
    for (course, row) in all.iter().zip(&rows) {
        assert_eq!(row.id, course.slug);
        assert_eq!(row.share_slug.as_deref(), Some(course.slug.as_str()));
        assert!(row.is_template && row.is_public);
        assert_eq!((&row.user_id, &row.created_by_user_id), (&None, &None));
        assert_eq!(row.status, PathStatus::Active);
        assert_eq!(row.target_language, course.language);
        let schedule = course.schedule().unwrap();
        let plan: Schedule = row.metadata.0.plan.as_ref().unwrap().parse().unwrap();
        assert_eq!(plan, schedule);
        let themes: Vec<&str> = row.schedule.0.iter().map(|d| d.theme.as_str()).collect();
        let expected: Vec<&str> = schedule.days.iter().map(|d| d.theme.as_str()).collect();
        assert_eq!(themes, expected);
        let meta = &row.metadata.0;
        assert_eq!(
            meta.cefr_level.as_deref(),
            Some(course.weeks[0].level.as_str())
        );
        assert_eq!(
            meta.category.as_deref(),
            Some(super::category_of(course.goal))
        );
        assert!(crate::app::catalog::CATEGORIES.contains(&meta.category.as_deref().unwrap()));
        assert!(meta.primary_skill.is_some() && !meta.tags.is_empty());
    }
}

#[test]
fn a_day_with_both_a_scenario_and_a_brief_is_refused_by_name() {
    let mut all = courses();
    let course = &mut all[0];
    course.weeks[1].days[2].brief = Some("Also this.".into());
    course.weeks[1].days[2].scenario = Some("ordering-ramen-osaka".into());
    let err = course.schedule().unwrap_err().to_string();
    assert!(
        err.contains(&course.slug) && err.contains("day 10"),
        "{err}"
    );
}
