//! Onboarding and the preferences page.

use diesel::prelude::*;
use kaiwa::db::models::{Scenario, UserPreferences};
use kaiwa::db::schema::{scenarios, user_preferences};
use kaiwa::db::types::{CefrLevel, ChallengePreference, CorrectionStyle, LearningGoal};
use kaiwa::db::DbConn;
use scraper::Html;

use crate::helpers::{spawn_app, Browser, Page, TestApp};

const PASSWORD: &str = "river otter breakfast";

/// A complete, valid settings form.
const SETTINGS: [(&str, &str); 9] = [
    ("language", "ja"),
    ("goal", "Career"),
    ("speaking", "65"),
    ("listening", "82"),
    ("reading", "45"),
    ("writing", "25"),
    ("challenge", "challenging"),
    ("correction", "immediate"),
    ("goals", "Pitch to clients\nRead the news"),
];

const ELEVEN_GOALS: &str = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk";

/// The settings form with some fields changed.
fn settings_with(changes: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    SETTINGS
        .iter()
        .map(|(k, v)| {
            let value = changes
                .iter()
                .find(|(ck, _)| ck == k)
                .map_or(*v, |(_, cv)| *cv);
            (*k, value)
        })
        .collect()
}

/// The settings form without one field.
fn settings_without(field: &str) -> Vec<(&'static str, &'static str)> {
    SETTINGS
        .iter()
        .copied()
        .filter(|(k, _)| *k != field)
        .collect()
}

/// Every preferences row, oldest first.
fn all_prefs(app: &TestApp) -> Vec<UserPreferences> {
    let conn: &mut DbConn = &mut app.conn();
    user_preferences::table
        .order((
            user_preferences::created_at.asc(),
            user_preferences::id.asc(),
        ))
        .select(UserPreferences::as_select())
        .load(conn)
        .unwrap()
}

fn prefs_of_user(app: &TestApp, user_id: &str) -> Option<UserPreferences> {
    all_prefs(app)
        .into_iter()
        .find(|p| p.user_id.as_deref() == Some(user_id))
}

fn prefs_of_guest(app: &TestApp, guest_id: &str) -> Option<UserPreferences> {
    all_prefs(app)
        .into_iter()
        .find(|p| p.guest_id.as_deref() == Some(guest_id))
}

fn scenario(app: &TestApp, id: &str) -> Scenario {
    let conn: &mut DbConn = &mut app.conn();
    scenarios::table
        .find(id)
        .select(Scenario::as_select())
        .first(conn)
        .unwrap_or_else(|_| panic!("scenario {id} exists"))
}

/// The value of the `kaiwa_guest` cookie this response sets, if it sets one.
fn guest_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("kaiwa_guest="))
        .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
        .filter(|v| !v.is_empty())
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Every `Vary` value of a response, joined and lower-cased.
fn vary(page: &Page) -> String {
    page.headers
        .get_all("vary")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",")
        .to_lowercase()
}

/// A parsed page and its raw body.
async fn raw(res: reqwest::Response) -> (Page, String) {
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.text().await.expect("a body");
    let html = Html::parse_document(&body);
    (
        Page {
            status,
            headers,
            html,
        },
        body,
    )
}

/// Answers one step without JS and checks the redirect to `next`.
async fn answer(b: &Browser, step: &str, fields: &[(&str, &str)], next: &str) {
    let mut all = fields.to_vec();
    all.push(("step", step));
    let res = b.post_form("/onboarding", &all).await;
    assert_eq!(res.status(), 303, "answering {step}");
    assert_eq!(location(&res), format!("/onboarding?step={next}"), "{step}");
}

/// Answers every question without JS.
async fn answer_every_step(
    b: &Browser,
    language: &str,
    goal: &str,
    [speaking, listening, reading, writing]: [&str; 4],
    challenge: &str,
    correction: &str,
    goals: &str,
) {
    answer(b, "language", &[("language", language)], "goal").await;
    answer(b, "goal", &[("goal", goal)], "levels").await;
    answer(
        b,
        "levels",
        &[
            ("speaking", speaking),
            ("listening", listening),
            ("reading", reading),
            ("writing", writing),
        ],
        "challenge",
    )
    .await;
    answer(b, "challenge", &[("challenge", challenge)], "correction").await;
    answer(b, "correction", &[("correction", correction)], "goals").await;
    answer(b, "goals", &[("goals", goals)], "done").await;
}

fn checked(page: &Page, name: &str) -> Vec<String> {
    page.attrs(&format!("input[name={name}][checked]"), "value")
}

#[tokio::test]
async fn a_guest_answers_every_step_without_js_and_gets_three_recommendations() {
    let app = spawn_app().await;
    let b = &app.browser;

    let first = b.get("/onboarding").await;
    assert_eq!(first.status(), 200);
    let guest = guest_cookie(&first).expect("the first visit sets a kaiwa_guest cookie");
    let (page, _) = raw(first).await;
    assert_eq!(page.text("h1"), "Let's set you up");
    assert_eq!(page.attrs("input[name=step]", "value"), vec!["language"]);
    assert_eq!(page.text(".progress"), "Question 1 of 6");
    let languages = page.attrs("select#language option:not([value=''])", "value");
    assert_eq!(languages.len(), 16, "{languages:?}");
    for code in ["ja", "es", "fr"] {
        assert!(languages.contains(&code.to_owned()), "{code} offered");
    }
    assert!(
        page.attrs("#onboarding-step a", "href").is_empty(),
        "the first question has no back link"
    );
    assert!(
        all_prefs(&app).is_empty(),
        "showing a question writes nothing"
    );

    answer(b, "language", &[("language", "ja")], "goal").await;
    let goal = b.get_html("/onboarding?step=goal").await;
    assert_eq!(goal.status, 200);
    assert_eq!(goal.attrs("input[name=step]", "value"), vec!["goal"]);
    assert_eq!(goal.text(".progress"), "Question 2 of 6");
    assert_eq!(
        goal.attrs("#onboarding-step a", "href"),
        vec!["/onboarding?step=language"]
    );
    assert_eq!(
        goal.attrs("input[name=goal]", "value"),
        vec![
            "Connection",
            "Career",
            "Travel",
            "Academic",
            "Culture",
            "Growth"
        ]
    );
    assert_eq!(checked(&goal, "goal"), vec!["Connection"]);

    answer(b, "goal", &[("goal", "Travel")], "levels").await;
    let levels = b.get_html("/onboarding?step=levels").await;
    for skill in ["speaking", "listening", "reading", "writing"] {
        assert_eq!(
            levels.attrs(&format!("input[name={skill}]"), "value"),
            vec!["10", "25", "45", "65", "82", "95"],
            "{skill}"
        );
        assert_eq!(checked(&levels, skill), vec!["10"], "{skill}");
    }
    answer(
        b,
        "levels",
        &[
            ("speaking", "25"),
            ("listening", "45"),
            ("reading", "10"),
            ("writing", "65"),
        ],
        "challenge",
    )
    .await;
    answer(
        b,
        "challenge",
        &[("challenge", "challenging")],
        "correction",
    )
    .await;
    answer(
        b,
        "correction",
        &[("correction", "end_of_session")],
        "goals",
    )
    .await;
    answer(
        b,
        "goals",
        &[("goals", "  Order ramen \n\n Chat with my in-laws ")],
        "done",
    )
    .await;

    let done = b.get_html("/onboarding?step=done").await;
    assert_eq!(done.status, 200);
    assert_eq!(done.texts(".cards .card").len(), 3);
    assert!(done.texts("#onboarding-step form").is_empty());
    assert!(done.texts(".progress").is_empty());
    assert!(done
        .attrs("#onboarding-step a", "href")
        .contains(&"/settings".to_owned()));

    let rows = all_prefs(&app);
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.guest_id.as_deref(), Some(guest.as_str()));
    assert_eq!(row.user_id, None);
    assert_eq!(row.target_language_id, "ja");
    assert_eq!(row.learning_goal, LearningGoal::Travel);
    assert_eq!(
        (
            row.speaking_level,
            row.listening_level,
            row.reading_level,
            row.writing_level
        ),
        (25, 45, 10, 65)
    );
    assert_eq!(row.challenge_preference, ChallengePreference::Challenging);
    assert_eq!(row.correction_style, CorrectionStyle::EndOfSession);
    assert_eq!(*row.specific_goals, ["Order ramen", "Chat with my in-laws"]);

    let again = b.get_html("/onboarding?step=levels").await;
    for (skill, value) in [
        ("speaking", "25"),
        ("listening", "45"),
        ("reading", "10"),
        ("writing", "65"),
    ] {
        assert_eq!(checked(&again, skill), vec![value], "{skill}");
    }
    let goals = b.get_html("/onboarding?step=goals").await;
    assert_eq!(
        goals.text("textarea#goals"),
        "Order ramen Chat with my in-laws"
    );
}

/// A step's slug, its answer's fields, and the slug of the step that follows.
type Step<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);

#[tokio::test]
async fn with_htmx_each_answer_swaps_in_the_next_step_as_a_fragment() {
    let app = spawn_app().await;
    let b = &app.browser;

    let steps: [Step; 6] = [
        ("language", vec![("language", "es")], "goal"),
        ("goal", vec![("goal", "Academic")], "levels"),
        (
            "levels",
            vec![
                ("speaking", "45"),
                ("listening", "45"),
                ("reading", "45"),
                ("writing", "45"),
            ],
            "challenge",
        ),
        ("challenge", vec![("challenge", "moderate")], "correction"),
        ("correction", vec![("correction", "gentle")], "goals"),
        ("goals", vec![("goals", "Follow a lecture")], "done"),
    ];
    for (i, (step, mut fields, next)) in steps.into_iter().enumerate() {
        fields.push(("step", step));
        let res = b.htmx_post("/onboarding", &fields).await;
        assert_eq!(res.status(), 200, "{step}");
        if i == 0 {
            assert!(
                guest_cookie(&res).is_some(),
                "the first answer sets the guest cookie"
            );
        }
        let (page, body) = raw(res).await;
        assert_eq!(
            page.header("hx-push-url"),
            Some(format!("/onboarding?step={next}").as_str()),
            "{step}"
        );
        assert!(
            vary(&page).contains("hx-request"),
            "{step}: {}",
            vary(&page)
        );
        let lower = body.to_lowercase();
        assert!(!lower.contains("<html"), "{step}: a fragment, not a page");
        assert!(!lower.contains("<!doctype"), "{step}");
        assert!(lower.trim_start().starts_with("<section"), "{step}: {body}");
        assert!(
            page.texts("h1").is_empty(),
            "{step}: the h1 is outside the fragment"
        );
        assert!(page.texts("header.site-header").is_empty(), "{step}");
        assert_eq!(page.texts("section#onboarding-step").len(), 1, "{step}");
        if next == "done" {
            assert_eq!(page.texts(".cards .card").len(), 3);
            assert!(page.texts("form").is_empty());
        } else {
            assert_eq!(page.attrs("input[name=step]", "value"), vec![next]);
        }
    }

    let row = all_prefs(&app).pop().expect("a preferences row");
    assert_eq!(row.target_language_id, "es");
    assert_eq!(row.learning_goal, LearningGoal::Academic);
    assert_eq!(row.speaking_level, 45);
    assert_eq!(*row.specific_goals, ["Follow a lecture"]);

    // A bad answer comes back as the same question, still a fragment.
    let bad = b
        .htmx_post("/onboarding", &[("step", "goal"), ("goal", "Wizardry")])
        .await;
    assert_eq!(bad.status(), 422);
    let (page, body) = raw(bad).await;
    assert!(!body.to_lowercase().contains("<html"));
    assert!(page.texts("h1").is_empty());
    assert!(!page.text("p.form-error").is_empty());
    assert_eq!(page.attrs("input[name=step]", "value"), vec!["goal"]);
    assert_eq!(all_prefs(&app), vec![row]);

    // The same URL without htmx is a whole page; with htmx, a fragment. Both vary on it.
    let (full, _) = raw(b.get("/onboarding?step=done").await).await;
    assert_eq!(full.texts("h1"), vec!["Let's set you up"]);
    assert_eq!(full.texts(".cards .card").len(), 3);
    assert!(vary(&full).contains("hx-request"));
    assert_eq!(full.header("hx-push-url"), None);
    let res = b
        .client
        .get(b.url("/onboarding?step=goal"))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    let (fragment, body) = raw(res).await;
    assert_eq!(fragment.status, 200);
    assert!(!body.to_lowercase().contains("<html"));
    assert!(fragment.texts("h1").is_empty());
    assert_eq!(checked(&fragment, "goal"), vec!["Academic"]);
}

#[tokio::test]
async fn a_bad_answer_is_refused_with_a_message_and_changes_nothing() {
    let app = spawn_app().await;
    let b = &app.browser;

    for language in [vec![("language", "")], vec![("language", "xx")], vec![]] {
        let mut fields = language.clone();
        fields.push(("step", "language"));
        let page = b.post_page("/onboarding", &fields).await;
        assert_eq!(page.status, 422, "{language:?}");
        assert!(!page.text("p.form-error").is_empty(), "{language:?}");
        assert_eq!(page.attrs("input[name=step]", "value"), vec!["language"]);
    }
    assert!(
        all_prefs(&app).is_empty(),
        "a refused language writes no row"
    );

    answer(b, "language", &[("language", "ja")], "goal").await;
    let before = all_prefs(&app);
    assert_eq!(before.len(), 1);

    let long_goal = "x".repeat(201);
    let cases: [(&str, Vec<(&str, &str)>); 12] = [
        ("language", vec![("language", "klingon")]),
        ("goal", vec![("goal", "Wizardry")]),
        ("goal", vec![]),
        (
            "levels",
            vec![
                ("speaking", "0"),
                ("listening", "25"),
                ("reading", "25"),
                ("writing", "25"),
            ],
        ),
        (
            "levels",
            vec![
                ("speaking", "25"),
                ("listening", "101"),
                ("reading", "25"),
                ("writing", "25"),
            ],
        ),
        (
            "levels",
            vec![
                ("speaking", "ten"),
                ("listening", "25"),
                ("reading", "25"),
                ("writing", "25"),
            ],
        ),
        (
            "levels",
            vec![("speaking", "25"), ("listening", "25"), ("reading", "25")],
        ),
        ("challenge", vec![("challenge", "extreme")]),
        ("challenge", vec![("challenge", "")]),
        ("correction", vec![("correction", "sometimes")]),
        ("goals", vec![("goals", ELEVEN_GOALS)]),
        ("goals", vec![("goals", long_goal.as_str())]),
    ];
    for (step, fields) in cases {
        let mut all = fields.clone();
        all.push(("step", step));
        let page = b.post_page("/onboarding", &all).await;
        assert_eq!(page.status, 422, "{step} {fields:?}");
        assert!(!page.text("p.form-error").is_empty(), "{step} {fields:?}");
        assert_eq!(
            page.attrs("input[name=step]", "value"),
            vec![step],
            "the same question again"
        );
        assert_eq!(all_prefs(&app), before, "{step} {fields:?} wrote nothing");
    }
    let page = b
        .post_page("/onboarding", &[("step", "goals"), ("goals", ELEVEN_GOALS)])
        .await;
    assert_eq!(page.text("p.form-error"), "List at most 10 goals.");

    for step in ["done", "bogus", ""] {
        let res = b.post_form("/onboarding", &[("step", step)]).await;
        assert_eq!(res.status(), 400, "step {step:?}");
    }
    assert_eq!(all_prefs(&app), before);

    // The limits themselves are accepted: ten goals of 200 characters, levels 1 and 100.
    let ten = (0..10)
        .map(|_| "y".repeat(200))
        .collect::<Vec<_>>()
        .join("\n");
    answer(b, "goals", &[("goals", ten.as_str())], "done").await;
    answer(
        b,
        "levels",
        &[
            ("speaking", "1"),
            ("listening", "100"),
            ("reading", "1"),
            ("writing", "100"),
        ],
        "challenge",
    )
    .await;
    let row = all_prefs(&app).pop().unwrap();
    assert_eq!(row.specific_goals.len(), 10);
    assert_eq!((row.speaking_level, row.listening_level), (1, 100));
}

#[tokio::test]
async fn a_later_step_before_choosing_a_language_shows_the_language_question() {
    let app = spawn_app().await;
    let b = &app.browser;

    for step in [
        "goal",
        "levels",
        "challenge",
        "correction",
        "goals",
        "done",
        "nonsense",
    ] {
        let page = b.get_html(&format!("/onboarding?step={step}")).await;
        assert_eq!(page.status, 200, "{step}");
        assert_eq!(
            page.attrs("input[name=step]", "value"),
            vec!["language"],
            "{step}"
        );
        assert_eq!(page.texts("select#language").len(), 1, "{step}");
        assert_eq!(page.text(".progress"), "Question 1 of 6", "{step}");
        assert!(page.texts(".cards .card").is_empty(), "{step}");
    }

    let page = b
        .post_page("/onboarding", &[("step", "goal"), ("goal", "Travel")])
        .await;
    assert_eq!(page.status, 422);
    assert_eq!(
        page.text("p.form-error"),
        "Choose the language you want to practise first."
    );
    assert_eq!(page.attrs("input[name=step]", "value"), vec!["language"]);

    let levels = b
        .post_form(
            "/onboarding",
            &[
                ("step", "levels"),
                ("speaking", "25"),
                ("listening", "25"),
                ("reading", "25"),
                ("writing", "25"),
            ],
        )
        .await;
    assert_eq!(levels.status(), 422);

    let htmx = b
        .htmx_post(
            "/onboarding",
            &[("step", "challenge"), ("challenge", "moderate")],
        )
        .await;
    assert_eq!(htmx.status(), 422);
    let (page, _) = raw(htmx).await;
    assert_eq!(
        page.header("hx-push-url"),
        Some("/onboarding?step=language")
    );
    assert_eq!(page.attrs("input[name=step]", "value"), vec!["language"]);

    assert!(
        all_prefs(&app).is_empty(),
        "nothing is written without a language"
    );
}

#[tokio::test]
async fn recommendations_fit_the_learners_level_and_challenge() {
    let app = spawn_app().await;
    let beginner = app.new_browser();
    answer_every_step(
        &beginner,
        "ja",
        "Travel",
        ["10", "10", "10", "10"],
        "comfortable",
        "gentle",
        "",
    )
    .await;
    let advanced = app.new_browser();
    answer_every_step(
        &advanced,
        "fr",
        "Career",
        ["82", "82", "82", "82"],
        "challenging",
        "immediate",
        "",
    )
    .await;

    let mut picked = Vec::new();
    for (browser, allowed) in [
        (&beginner, [CefrLevel::A1, CefrLevel::A2]),
        (&advanced, [CefrLevel::B2, CefrLevel::C1]),
    ] {
        let page = browser.get_html("/onboarding?step=done").await;
        let hrefs = page.attrs(".cards .card h3 a", "href");
        assert_eq!(hrefs.len(), 3, "{hrefs:?}");
        let badges = page.texts(".cards .card .badges li:first-child");
        let allowed_text: Vec<&str> = allowed.iter().map(|l| l.as_str()).collect();
        assert!(
            badges.iter().all(|b| allowed_text.contains(&b.as_str())),
            "{badges:?} should all be {allowed_text:?}"
        );
        let mut categories: Vec<String> = Vec::new();
        for href in &hrefs {
            let id = href.strip_prefix("/scenarios/").expect("a scenario link");
            let s = scenario(&app, id);
            assert!(
                allowed.contains(&s.cefr_level),
                "{id} is {:?}, not one of {allowed:?}",
                s.cefr_level
            );
            for c in s.categories.iter() {
                assert!(!categories.contains(c), "{hrefs:?} repeat the category {c}");
                categories.push(c.clone());
            }
            picked.push(href.clone());
        }
    }
    let mut distinct = picked.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        6,
        "different learners get different picks: {picked:?}"
    );
}

#[tokio::test]
async fn the_settings_page_shows_and_saves_every_answer() {
    let app = spawn_app().await;
    let b = &app.browser;
    let uid = app.sign_up(b, "aiko@example.com", PASSWORD).await;

    let empty = b.get_html("/settings").await;
    assert_eq!(empty.status, 200);
    assert_eq!(empty.text("h1"), "Your learning preferences");
    assert!(empty.attrs("option[selected]", "value").is_empty());
    assert_eq!(empty.attrs("input[name=goal]", "value").len(), 6);

    let res = b
        .post_form("/settings", &settings_with(&[("speaking", "70")]))
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/settings");

    let page = b.get_html("/settings").await;
    assert!(page.text(".flash").contains("Your preferences are saved."));
    assert_eq!(page.attrs("option[selected]", "value"), vec!["ja"]);
    assert_eq!(checked(&page, "goal"), vec!["Career"]);
    assert_eq!(
        checked(&page, "speaking"),
        vec!["65"],
        "70 shows as its band"
    );
    assert_eq!(checked(&page, "listening"), vec!["82"]);
    assert_eq!(checked(&page, "reading"), vec!["45"]);
    assert_eq!(checked(&page, "writing"), vec!["25"]);
    assert_eq!(checked(&page, "challenge"), vec!["challenging"]);
    assert_eq!(checked(&page, "correction"), vec!["immediate"]);
    assert_eq!(
        page.text("textarea#goals"),
        "Pitch to clients Read the news"
    );

    let rows = all_prefs(&app);
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.user_id.as_deref(), Some(uid.as_str()));
    assert_eq!(row.guest_id, None);
    assert_eq!(row.target_language_id, "ja");
    assert_eq!(row.learning_goal, LearningGoal::Career);
    assert_eq!(
        (
            row.speaking_level,
            row.listening_level,
            row.reading_level,
            row.writing_level
        ),
        (70, 82, 45, 25)
    );
    assert_eq!(row.challenge_preference, ChallengePreference::Challenging);
    assert_eq!(row.correction_style, CorrectionStyle::Immediate);
    assert_eq!(*row.specific_goals, ["Pitch to clients", "Read the news"]);

    let res = b
        .post_form(
            "/settings",
            &settings_with(&[("language", "fr"), ("goal", "Growth"), ("goals", "")]),
        )
        .await;
    assert_eq!(res.status(), 303);
    let rows = all_prefs(&app);
    assert_eq!(rows.len(), 1, "saving again updates the same row");
    assert_eq!(rows[0].id, row.id);
    assert_eq!(rows[0].target_language_id, "fr");
    assert_eq!(rows[0].learning_goal, LearningGoal::Growth);
    assert!(rows[0].specific_goals.is_empty());
    let page = b.get_html("/settings").await;
    assert_eq!(page.attrs("option[selected]", "value"), vec!["fr"]);

    let done = b.get_html("/onboarding?step=done").await;
    assert_eq!(done.texts(".cards .card").len(), 3);
}

#[tokio::test]
async fn settings_are_saved_all_or_nothing() {
    let app = spawn_app().await;
    let b = &app.browser;
    let uid = app.sign_up(b, "ken@example.com", PASSWORD).await;
    assert_eq!(
        b.post_form("/settings", &SETTINGS).await.status(),
        303,
        "a valid form saves"
    );
    let before = prefs_of_user(&app, &uid).expect("saved preferences");

    let cases = [
        settings_with(&[("language", "es"), ("speaking", "0")]),
        settings_with(&[("language", "es"), ("writing", "101")]),
        settings_with(&[("language", "xx"), ("goal", "Growth")]),
        settings_with(&[("language", "es"), ("goal", "Wizardry")]),
        settings_with(&[("language", "fr"), ("challenge", "extreme")]),
        settings_with(&[("language", "fr"), ("goals", ELEVEN_GOALS)]),
        settings_without("correction"),
        settings_without("language"),
    ];
    for fields in cases {
        let page = b.post_page("/settings", &fields).await;
        assert_eq!(page.status, 422, "{fields:?}");
        assert!(!page.text("p.form-error").is_empty(), "{fields:?}");
        assert_eq!(page.text("h1"), "Your learning preferences");
        assert_eq!(
            page.attrs("option[selected]", "value"),
            vec!["ja"],
            "the page shows what is saved"
        );
        assert_eq!(
            prefs_of_user(&app, &uid).as_ref(),
            Some(&before),
            "{fields:?} changed nothing"
        );
    }

    // A user with no preferences yet gets none from a refused form.
    let other = app.new_browser();
    let other_id = app.sign_up(&other, "mia@example.com", PASSWORD).await;
    let page = other
        .post_page("/settings", &settings_with(&[("reading", "-3")]))
        .await;
    assert_eq!(page.status, 422);
    assert_eq!(prefs_of_user(&app, &other_id), None);
    assert_eq!(all_prefs(&app).len(), 1);
}

#[tokio::test]
async fn one_user_never_sees_another_users_preferences() {
    let app = spawn_app().await;
    let a = &app.browser;
    let b = app.new_browser();
    let guest = app.new_browser();
    let uid_a = app.sign_up(a, "aiko@example.com", PASSWORD).await;
    let uid_b = app.sign_up(&b, "ben@example.com", PASSWORD).await;

    assert_eq!(a.post_form("/settings", &SETTINGS).await.status(), 303);
    answer_every_step(
        &b,
        "es",
        "Travel",
        ["25", "25", "25", "25"],
        "moderate",
        "gentle",
        "Book a hostel",
    )
    .await;

    let page_b = b.get_html("/settings").await;
    assert_eq!(page_b.attrs("option[selected]", "value"), vec!["es"]);
    assert_eq!(checked(&page_b, "goal"), vec!["Travel"]);
    assert_eq!(page_b.text("textarea#goals"), "Book a hostel");
    assert!(!page_b.text("textarea#goals").contains("Pitch"));

    let page_a = a.get_html("/settings").await;
    assert_eq!(page_a.attrs("option[selected]", "value"), vec!["ja"]);
    assert_eq!(checked(&page_a, "goal"), vec!["Career"]);

    let page_guest = guest.get_html("/settings").await;
    assert!(page_guest.attrs("option[selected]", "value").is_empty());
    assert!(page_guest.text("textarea#goals").is_empty());

    // B changing an answer leaves A's alone.
    answer(&b, "language", &[("language", "fr")], "goal").await;
    let a_row = prefs_of_user(&app, &uid_a).unwrap();
    let b_row = prefs_of_user(&app, &uid_b).unwrap();
    assert_eq!(a_row.target_language_id, "ja");
    assert_eq!(b_row.target_language_id, "fr");
    assert_ne!(a_row.id, b_row.id);
    assert_eq!(
        all_prefs(&app).len(),
        2,
        "showing pages to a guest writes nothing"
    );
    let done_a = a.get_html("/onboarding?step=language").await;
    assert_eq!(done_a.attrs("option[selected]", "value"), vec!["ja"]);
}

#[tokio::test]
async fn a_guests_answers_move_to_the_account_created_in_the_same_browser() {
    let app = spawn_app().await;
    let b = &app.browser;
    let first = b.get("/onboarding").await;
    let guest = guest_cookie(&first).expect("a guest cookie");
    answer_every_step(
        b,
        "fr",
        "Culture",
        ["45", "45", "25", "25"],
        "moderate",
        "immediate",
        "Read Le Monde",
    )
    .await;
    let as_guest = prefs_of_guest(&app, &guest).expect("the guest's preferences");
    assert_eq!(as_guest.user_id, None);

    let uid = app.sign_up(b, "chloe@example.com", PASSWORD).await;

    let rows = all_prefs(&app);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(row.id, as_guest.id, "the same row moved");
    assert_eq!(row.user_id.as_deref(), Some(uid.as_str()));
    assert_eq!(row.guest_id, None);
    assert_eq!(row.target_language_id, "fr");
    assert_eq!(row.learning_goal, LearningGoal::Culture);
    assert_eq!(*row.specific_goals, ["Read Le Monde"]);

    let page = b.get_html("/settings").await;
    assert_eq!(page.attrs("option[selected]", "value"), vec!["fr"]);
    assert_eq!(checked(&page, "goal"), vec!["Culture"]);
    let done = b.get_html("/onboarding?step=done").await;
    assert_eq!(done.texts(".cards .card").len(), 3);
}

#[tokio::test]
async fn a_users_own_answers_win_over_a_guests_when_signing_in() {
    let app = spawn_app().await;
    let first = app.new_browser();
    let uid = app.sign_up(&first, "ken@example.com", PASSWORD).await;
    assert_eq!(first.post_form("/settings", &SETTINGS).await.status(), 303);
    let own = prefs_of_user(&app, &uid).unwrap();

    let other = app.new_browser();
    let guest = guest_cookie(&other.get("/onboarding").await).expect("a guest cookie");
    answer(&other, "language", &[("language", "es")], "goal").await;
    assert!(prefs_of_guest(&app, &guest).is_some());

    let res = other
        .post_form(
            "/login",
            &[("email", "ken@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        location(&res),
        "/",
        "a user with preferences skips onboarding"
    );

    assert_eq!(
        prefs_of_guest(&app, &guest),
        None,
        "the guest's row is gone"
    );
    let rows = all_prefs(&app);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id, own.id);
    assert_eq!(rows[0].target_language_id, "ja");
    let page = other.get_html("/settings").await;
    assert_eq!(page.attrs("option[selected]", "value"), vec!["ja"]);
}

#[tokio::test]
async fn a_guest_who_saves_settings_finds_them_on_the_next_visit() {
    let app = spawn_app().await;
    // A guest without a guest cookie yet (e.g. just signed out: signing in removed it).
    let b = app.new_browser();
    let res = b.post_form("/settings", &SETTINGS).await;
    assert_eq!(res.status(), 303);
    let cookie = guest_cookie(&res);
    let rows = all_prefs(&app);
    assert_eq!(rows.len(), 1, "the settings were written");

    let page = b.get_html("/settings").await;
    assert!(page.text(".flash").contains("Your preferences are saved."));
    assert_eq!(
        page.attrs("option[selected]", "value"),
        vec!["ja"],
        "the saved preferences show on the next visit (row guest_id {:?})",
        rows[0].guest_id
    );
    assert_eq!(
        cookie, rows[0].guest_id,
        "the guest who saved gets the guest id the row carries"
    );
}
