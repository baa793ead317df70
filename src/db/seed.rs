//! Seed content: languages, voices, tiers, the built-in scenario catalog and the public
//! learning-path templates ("courses", see [`courses`]), read from the JSON files beside this
//! module (compiled in). Seeding only inserts rows whose id is missing (and, for a course,
//! whose share slug is free), so it is safe to run on every start and never undoes an
//! operator's edits.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

mod courses;

use crate::db::conn::{write_transaction, DbConn};
use crate::db::json::{ComfortIndicators, Persona};
use crate::db::models::{NewLanguage, NewScenario, NewScenarioMetadata, NewSpeaker, NewTier};
use crate::db::schema::{languages, scenario_metadata, scenarios, speakers, tiers};
use crate::db::search;
use crate::db::types::{
    CefrLevel, Difficulty, Gender, Json, LearningGoal, ScenarioRole, Skill, Visibility,
    WritingSystem,
};

const LANGUAGES: &str = include_str!("seed/languages.json");
const SPEAKERS: &str = include_str!("seed/speakers.json");
const TIERS: &str = include_str!("seed/tiers.json");
const SCENARIOS: &str = include_str!("seed/scenarios.json");

/// How many rows of each kind a seed run inserted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SeedReport {
    pub languages: usize,
    pub speakers: usize,
    pub tiers: usize,
    pub scenarios: usize,
    /// Public learning-path templates.
    pub courses: usize,
}

impl SeedReport {
    pub fn total(&self) -> usize {
        self.languages + self.speakers + self.tiers + self.scenarios + self.courses
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedLanguage {
    id: String,
    code: String,
    name: String,
    native_name: String,
    writing_system: WritingSystem,
    supported_scripts: Vec<String>,
    is_rtl: bool,
    flag_emoji: String,
    sort_order: i32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedSpeaker {
    id: String,
    language_id: String,
    region: String,
    dialect_name: String,
    bcp47_code: String,
    gender: Gender,
    voice_name: String,
    voice_provider_id: String,
    openai_voice_id: String,
    is_default: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedTier {
    id: String,
    name: String,
    description: String,
    monthly_conversations: Option<i32>,
    monthly_seconds: i32,
    monthly_realtime_sessions: Option<i32>,
    max_session_length_seconds: i32,
    session_banking_enabled: bool,
    max_banked_seconds: i32,
    max_extensions: i32,
    extension_seconds: i32,
    has_realtime_access: bool,
    has_advanced_voices: bool,
    has_analytics: bool,
    monthly_price_usd_cents: i32,
    annual_price_usd_cents: i32,
    sort_order: i32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedScenario {
    id: String,
    title: String,
    description: String,
    role: ScenarioRole,
    difficulty: Difficulty,
    difficulty_rating: i32,
    cefr_level: CefrLevel,
    instructions: String,
    context: String,
    learning_goal: LearningGoal,
    cefr_recommendation: String,
    persona: Persona,
    expected_outcome: String,
    learning_objectives: Vec<String>,
    comfort_indicators: ComfortIndicators,
    categories: Vec<String>,
    tags: Vec<String>,
    primary_skill: Skill,
    search_keywords: Vec<String>,
    thumbnail_url: Option<String>,
    estimated_duration_seconds: i32,
    visibility: Visibility,
}

fn parse<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> anyhow::Result<Vec<T>> {
    serde_json::from_str(text).map_err(|e| anyhow::anyhow!("seed file {name} is malformed: {e}"))
}

/// The built-in languages, for code that needs them without a database.
pub fn language_ids() -> anyhow::Result<Vec<String>> {
    Ok(parse::<SeedLanguage>("languages.json", LANGUAGES)?
        .into_iter()
        .map(|l| l.id)
        .collect())
}

/// Inserts every seed row that is not there yet, in one write transaction.
pub fn run(conn: &mut DbConn, now: NaiveDateTime) -> anyhow::Result<SeedReport> {
    let langs: Vec<SeedLanguage> = parse("languages.json", LANGUAGES)?;
    let voices: Vec<SeedSpeaker> = parse("speakers.json", SPEAKERS)?;
    let tier_rows: Vec<SeedTier> = parse("tiers.json", TIERS)?;
    let catalog: Vec<SeedScenario> = parse("scenarios.json", SCENARIOS)?;
    let course_rows = courses::rows(now)?;

    write_transaction(conn, |conn| {
        let mut report = SeedReport::default();

        let have: Vec<String> = languages::table.select(languages::id).load(conn)?;
        let new: Vec<NewLanguage> = langs
            .into_iter()
            .filter(|l| !have.contains(&l.id))
            .map(|l| NewLanguage {
                id: l.id,
                code: l.code,
                name: l.name,
                native_name: l.native_name,
                writing_system: l.writing_system,
                supported_scripts: Json(l.supported_scripts),
                is_rtl: l.is_rtl,
                flag_emoji: Some(l.flag_emoji),
                sort_order: l.sort_order,
                is_active: true,
                created_at: now,
                updated_at: now,
            })
            .collect();
        report.languages = insert_each(conn, &new, |c, row| {
            diesel::insert_into(languages::table).values(row).execute(c)
        })?;

        let have: Vec<String> = speakers::table.select(speakers::id).load(conn)?;
        let new: Vec<NewSpeaker> = voices
            .into_iter()
            .filter(|s| !have.contains(&s.id))
            .map(|s| NewSpeaker {
                id: s.id,
                language_id: s.language_id,
                region: s.region,
                dialect_name: s.dialect_name,
                bcp47_code: s.bcp47_code,
                gender: s.gender,
                voice_name: s.voice_name,
                voice_provider_id: s.voice_provider_id,
                openai_voice_id: Some(s.openai_voice_id),
                is_default: s.is_default,
                is_active: true,
                created_at: now,
                updated_at: now,
            })
            .collect();
        report.speakers = insert_each(conn, &new, |c, row| {
            diesel::insert_into(speakers::table).values(row).execute(c)
        })?;

        let have: Vec<String> = tiers::table.select(tiers::id).load(conn)?;
        let new: Vec<NewTier> = tier_rows
            .into_iter()
            .filter(|t| !have.contains(&t.id))
            .map(|t| NewTier {
                id: t.id,
                name: t.name,
                description: t.description,
                monthly_conversations: t.monthly_conversations,
                monthly_seconds: t.monthly_seconds,
                monthly_realtime_sessions: t.monthly_realtime_sessions,
                max_session_length_seconds: t.max_session_length_seconds,
                session_banking_enabled: t.session_banking_enabled,
                max_banked_seconds: t.max_banked_seconds,
                max_extensions: t.max_extensions,
                extension_seconds: t.extension_seconds,
                has_realtime_access: t.has_realtime_access,
                has_advanced_voices: t.has_advanced_voices,
                has_analytics: t.has_analytics,
                monthly_price_usd_cents: t.monthly_price_usd_cents,
                annual_price_usd_cents: t.annual_price_usd_cents,
                stripe_product_id: None,
                stripe_price_id_monthly: None,
                stripe_price_id_annual: None,
                sort_order: t.sort_order,
                is_active: true,
                created_at: now,
                updated_at: now,
            })
            .collect();
        report.tiers = insert_each(conn, &new, |c, row| {
            diesel::insert_into(tiers::table).values(row).execute(c)
        })?;

        let have: Vec<String> = scenarios::table.select(scenarios::id).load(conn)?;
        let new: Vec<NewScenario> = catalog
            .into_iter()
            .filter(|s| !have.contains(&s.id))
            .map(|s| new_scenario(s, now))
            .collect();
        let metadata: Vec<NewScenarioMetadata> = new
            .iter()
            .map(|s| NewScenarioMetadata::empty(&s.id, now))
            .collect();
        report.scenarios = insert_each(conn, &new, |c, row| {
            diesel::insert_into(scenarios::table).values(row).execute(c)
        })?;
        insert_each(conn, &metadata, |c, row| {
            diesel::insert_into(scenario_metadata::table)
                .values(row)
                .execute(c)
        })?;
        // why: after the languages, which the paths' `target_language` references.
        report.courses = courses::insert_missing(conn, &course_rows)?;
        Ok(report)
    })
}

/// Inserts rows one statement each and counts them.
///
/// why: diesel's multi-backend connection has no batch insert (the two dialects spell
/// `DEFAULT` in a VALUES list differently); seed sets are small, and run in one transaction.
fn insert_each<T>(
    conn: &mut DbConn,
    rows: &[T],
    insert: impl Fn(&mut DbConn, &T) -> diesel::QueryResult<usize>,
) -> diesel::QueryResult<usize> {
    rows.iter().try_fold(0, |n, row| Ok(n + insert(conn, row)?))
}

fn new_scenario(s: SeedScenario, now: NaiveDateTime) -> NewScenario {
    let (search_title, search_body) = search::searchable(
        &s.title,
        &s.description,
        &s.persona.title,
        &[&s.tags, &s.search_keywords, &s.categories],
    );
    NewScenario {
        search_title,
        search_body,
        id: s.id,
        title: s.title,
        description: s.description,
        role: s.role,
        difficulty: s.difficulty,
        difficulty_rating: s.difficulty_rating,
        cefr_level: s.cefr_level,
        instructions: s.instructions,
        context: s.context,
        learning_goal: Some(s.learning_goal),
        cefr_recommendation: Some(s.cefr_recommendation),
        persona: Json(s.persona),
        expected_outcome: s.expected_outcome,
        learning_objectives: Json(s.learning_objectives),
        comfort_indicators: Json(s.comfort_indicators),
        categories: Json(s.categories),
        tags: Json(s.tags),
        primary_skill: s.primary_skill,
        search_keywords: Json(s.search_keywords),
        thumbnail_url: s.thumbnail_url,
        estimated_duration_seconds: s.estimated_duration_seconds,
        created_by_user_id: None,
        visibility: s.visibility,
        usage_count: 0,
        is_active: true,
        created_at: now,
        updated_at: now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_seed_files_parse_and_cover_the_catalog_the_product_promises() {
        let langs: Vec<SeedLanguage> = parse("languages.json", LANGUAGES).unwrap();
        assert!(langs.len() >= 12);
        let voices: Vec<SeedSpeaker> = parse("speakers.json", SPEAKERS).unwrap();
        for lang in &langs {
            let count = voices.iter().filter(|v| v.language_id == lang.id).count();
            assert!(count >= 2, "{} has {count} voices", lang.id);
        }
        let catalog: Vec<SeedScenario> = parse("scenarios.json", SCENARIOS).unwrap();
        assert!(catalog.len() >= 40);
        let ids: HashSet<_> = catalog.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids.len(), catalog.len(), "scenario ids are unique");
        for role in ScenarioRole::ALL {
            assert!(catalog.iter().any(|s| s.role == *role), "{role} missing");
        }
        for level in [
            CefrLevel::A1,
            CefrLevel::A2,
            CefrLevel::B1,
            CefrLevel::B2,
            CefrLevel::C1,
        ] {
            assert!(
                catalog.iter().any(|s| s.cefr_level == level),
                "{level} missing"
            );
        }
        let categories: HashSet<_> = catalog.iter().flat_map(|s| s.categories.iter()).collect();
        assert!(categories.len() >= 8);
    }
}
