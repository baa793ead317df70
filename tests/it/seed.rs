//! Seed content: what a first start loads, and that later starts add nothing twice.

use diesel::prelude::*;
use kaiwa::db::models::{LearningPath, Scenario, Tier};
use kaiwa::db::schema::{languages, learning_paths, scenario_metadata, scenarios, speakers, tiers};
use kaiwa::db::types::{CefrLevel, Difficulty, ScenarioRole};

use crate::helpers::{spawn_app, start};

fn counts(conn: &mut kaiwa::db::DbConn) -> (i64, i64, i64, i64, i64, i64) {
    (
        languages::table.count().get_result(conn).unwrap(),
        speakers::table.count().get_result(conn).unwrap(),
        tiers::table.count().get_result(conn).unwrap(),
        scenarios::table.count().get_result(conn).unwrap(),
        scenario_metadata::table.count().get_result(conn).unwrap(),
        learning_paths::table
            .filter(learning_paths::is_template.eq(true))
            .filter(learning_paths::is_public.eq(true))
            .count()
            .get_result(conn)
            .unwrap(),
    )
}

#[tokio::test]
async fn a_second_start_on_the_same_database_keeps_the_data_and_adds_no_duplicates() {
    let app = spawn_app().await;
    let before = counts(&mut app.conn());
    assert!(before.0 >= 12 && before.3 >= 40, "{before:?}");
    assert_eq!(before.3, before.4, "every scenario has its metadata row");
    assert!(before.5 >= 12, "public course templates: {before:?}");

    // An operator edit survives a restart: seeding never overwrites.
    diesel::update(tiers::table.find("plus"))
        .set(tiers::stripe_price_id_monthly.eq("price_123"))
        .execute(&mut app.conn())
        .unwrap();
    diesel::update(learning_paths::table.find("portuguese-for-a-week-in-lisbon"))
        .set(learning_paths::title.eq("Lisbon in a week"))
        .execute(&mut app.conn())
        .unwrap();

    let mut settings = app.db.settings();
    settings.seed_on_start = true;
    let crate::helpers::TestApp { db, .. } = app;
    let again = start(db, settings);
    assert_eq!(counts(&mut again.conn()), before);
    let plus: Tier = tiers::table
        .find("plus")
        .select(Tier::as_select())
        .first(&mut again.conn())
        .unwrap();
    assert_eq!(plus.stripe_price_id_monthly.as_deref(), Some("price_123"));
    let lisbon: String = learning_paths::table
        .find("portuguese-for-a-week-in-lisbon")
        .select(learning_paths::title)
        .first(&mut again.conn())
        .unwrap();
    assert_eq!(lisbon, "Lisbon in a week");
    assert_eq!(again.get("/").await.status(), 200);
}

#[tokio::test]
async fn the_tiers_carry_every_limit_and_price_of_the_product() {
    let app = spawn_app().await;
    let all: Vec<Tier> = tiers::table
        .order(tiers::sort_order)
        .select(Tier::as_select())
        .load(&mut app.conn())
        .unwrap();
    let ids: Vec<_> = all.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["free", "plus", "premium"]);
    let (free, plus, premium) = (&all[0], &all[1], &all[2]);

    assert_eq!(
        (free.monthly_seconds, free.max_session_length_seconds),
        (15 * 60, 4 * 60)
    );
    assert!(!free.session_banking_enabled);
    assert_eq!(
        (free.monthly_price_usd_cents, free.max_banked_seconds),
        (0, 0)
    );

    assert_eq!(
        (plus.monthly_price_usd_cents, plus.annual_price_usd_cents),
        (2900, 23200)
    );
    assert_eq!(
        (plus.monthly_seconds, plus.max_session_length_seconds),
        (10 * 3600, 15 * 60)
    );
    assert!(plus.session_banking_enabled);
    assert_eq!(plus.max_banked_seconds, 5 * 3600);
    assert_eq!((plus.max_extensions, plus.extension_seconds), (3, 5 * 60));

    assert_eq!(
        (
            premium.monthly_price_usd_cents,
            premium.annual_price_usd_cents
        ),
        (9900, 94800)
    );
    assert_eq!(
        (premium.monthly_seconds, premium.max_session_length_seconds),
        (10 * 3600, 15 * 60)
    );
    assert_eq!(premium.max_banked_seconds, 10 * 3600);
    assert_eq!(
        (premium.max_extensions, premium.extension_seconds),
        (5, 5 * 60)
    );
}

#[tokio::test]
async fn every_language_has_voices_of_both_genders_and_one_default() {
    let app = spawn_app().await;
    let mut conn = app.conn();
    let langs: Vec<(String, String, String)> = languages::table
        .select((
            languages::id,
            languages::native_name,
            languages::writing_system,
        ))
        .load::<(String, String, kaiwa::db::types::WritingSystem)>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|(id, native, ws)| (id, native, ws.to_string()))
        .collect();
    for required in [
        "ja", "zh", "ko", "es", "fr", "de", "it", "pt", "en", "ru", "ar", "hi",
    ] {
        assert!(
            langs.iter().any(|(id, ..)| id == required),
            "{required} missing"
        );
    }
    for (id, native, _) in &langs {
        assert!(!native.is_empty());
        let voices = kaiwa::db::queries::languages::list_speakers(&mut conn, id).unwrap();
        assert!(voices.len() >= 2, "{id}");
        assert!(
            voices
                .iter()
                .any(|v| v.gender == kaiwa::db::types::Gender::Male),
            "{id}"
        );
        assert!(
            voices
                .iter()
                .any(|v| v.gender == kaiwa::db::types::Gender::Female),
            "{id}"
        );
        assert_eq!(voices.iter().filter(|v| v.is_default).count(), 1, "{id}");
        assert!(voices[0].is_default, "the default voice comes first");
        for v in voices {
            assert!(v.bcp47_code.starts_with(id.as_str()), "{}", v.bcp47_code);
            assert!(!v.region.is_empty() && !v.dialect_name.is_empty());
        }
    }
}

#[tokio::test]
async fn the_scenario_catalog_is_broad_and_complete() {
    let app = spawn_app().await;
    let all: Vec<Scenario> = scenarios::table
        .select(Scenario::as_select())
        .load(&mut app.conn())
        .unwrap();
    assert!(all.len() >= 40);
    for role in ScenarioRole::ALL {
        assert!(all.iter().any(|s| s.role == *role), "{role}");
    }
    for difficulty in Difficulty::ALL {
        assert!(
            all.iter().any(|s| s.difficulty == *difficulty),
            "{difficulty}"
        );
    }
    for level in [
        CefrLevel::A1,
        CefrLevel::A2,
        CefrLevel::B1,
        CefrLevel::B2,
        CefrLevel::C1,
    ] {
        assert!(all.iter().any(|s| s.cefr_level == level), "{level}");
    }
    let mut categories: Vec<&String> = all.iter().flat_map(|s| s.categories.iter()).collect();
    categories.sort();
    categories.dedup();
    assert!(categories.len() >= 8, "{categories:?}");
    for s in &all {
        assert!(
            !s.persona.title.is_empty() && !s.persona.intro_prompt.is_empty(),
            "{}",
            s.id
        );
        assert!(
            !s.persona.setting.is_empty() && !s.persona.stakes.is_empty(),
            "{}",
            s.id
        );
        assert!(s.learning_objectives.len() >= 3, "{}", s.id);
        assert!(!s.expected_outcome.is_empty(), "{}", s.id);
        assert!(
            (1..=5).contains(&s.comfort_indicators.confidence),
            "{}",
            s.id
        );
        assert!(
            !s.tags.is_empty() && !s.search_keywords.is_empty(),
            "{}",
            s.id
        );
        assert!(s.learning_goal.is_some(), "{}", s.id);
    }
}

#[tokio::test]
async fn a_seeded_course_starts_a_preview_with_its_authored_days() {
    let app = spawn_app().await;
    let slug = "japanese-for-a-first-trip-to-tokyo-and-osaka";
    let course: LearningPath = learning_paths::table
        .filter(learning_paths::share_slug.eq(slug))
        .select(LearningPath::as_select())
        .first(&mut app.conn())
        .unwrap();
    assert!(course.is_template && course.is_public && course.user_id.is_none());
    let themes: Vec<String> = course.schedule.0.iter().map(|d| d.theme.clone()).collect();
    assert_eq!(themes.len(), 28);
    assert_eq!(themes[1], "Reading signs at a Tokyo station");

    // A learner of another language starts it by its share slug: a Japanese preview.
    let learner = app.learner().onboarded("es").create().await;
    let b = &learner.browser;
    let res = b
        .post_form(
            "/paths/previews",
            &[("source", "template"), ("template", slug)],
        )
        .await;
    assert_eq!(res.status(), 303);
    let preview = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(preview.starts_with("/paths/previews/"), "{preview}");
    let page = b.get_html(&preview).await;
    assert_eq!(page.text("h1"), course.title);
    assert_eq!(page.texts("li.day .day-theme"), themes, "the course's days");
    assert!(
        page.text("#day-2")
            .contains("Reading Signs at Tokyo Station"),
        "day 2 links its catalog scenario"
    );

    // It is the learner's once committed, and its dashboard has the same days.
    let res = b.post_form(&format!("{preview}/commit"), &[]).await;
    assert_eq!(res.status(), 303);
    let dashboard = res.headers()["location"].to_str().unwrap().to_owned();
    let page = b.get_html(&dashboard).await;
    assert_eq!(page.texts("li.day .day-theme"), themes);
    let template_untouched: i64 = learning_paths::table
        .filter(learning_paths::share_slug.eq(slug))
        .filter(learning_paths::user_id.is_null())
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(template_untouched, 1);
}
