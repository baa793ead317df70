//! Learning paths through the pages: a sentence of intent becomes a 28-day preview, refined
//! in words (htmx swaps only what changed), pinned, regenerated and undone, committed, and
//! followed on a dashboard whose days advance with the app's clock and the learner's
//! completed conversations. Nobody else reaches any of it.

use diesel::prelude::*;
use kaiwa::db::models::{LearningPathAssignment, LearningPathPreview};
use kaiwa::db::schema::{learning_path_assignments, learning_path_previews, learning_paths};
use kaiwa::db::types::{AssignmentRole, AssignmentStatus, PreviewStatus};

use crate::helpers::{row_counts, spawn_app, Browser, Page, TestApp};

/// An open preview's address and a committed path's dashboard, for tests of every page.
pub async fn open_and_committed(b: &Browser) -> (String, String) {
    let committed = preview_from(b, "ordering food in Osaka").await;
    let res = b.post_form(&format!("{committed}/commit"), &[]).await;
    let dashboard = res.headers()["location"].to_str().unwrap().to_owned();
    (preview_from(b, "job interview, formal").await, dashboard)
}

/// Starts a preview from `intent`; its path.
async fn preview_from(b: &Browser, intent: &str) -> String {
    let res = b
        .post_form(
            "/paths/previews",
            &[("source", "intent"), ("intent", intent)],
        )
        .await;
    assert_eq!(res.status(), 303, "{intent}");
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/paths/previews/"), "{location}");
    location
}

fn day_text(page: &Page, n: u8) -> String {
    page.text(&format!("#day-{n}"))
}

/// What a day says (its head, theme, objectives and scenario), without its buttons.
fn day_content(page: &Page, n: u8) -> Vec<String> {
    page.texts(&format!(
        "#day-{n} .day-theme, #day-{n} .objectives, #day-{n} .day-scenario"
    ))
}

fn days(page: &Page) -> Vec<String> {
    (1..=28).map(|n| day_text(page, n)).collect()
}

async fn htmx_step(b: &Browser, path: &str, fields: &[(&str, &str)]) -> (Page, usize) {
    let res = b.htmx_post(path, fields).await;
    assert_eq!(res.status(), 200, "{path}");
    let body = res.text().await.unwrap();
    let len = body.len();
    let html = scraper::Html::parse_fragment(&body);
    (
        Page {
            status: reqwest::StatusCode::OK,
            headers: Default::default(),
            html,
        },
        len,
    )
}

/// Plays the day's conversation to its end with the replies the page offers, and ends it.
pub(crate) async fn practise(b: &Browser, conversation: &str) {
    let mut page = b.get_html(conversation).await;
    for _ in 0..12 {
        let Some(reply) = page
            .attrs(".suggestion-form input[name=content]", "value")
            .into_iter()
            .next()
        else {
            break;
        };
        let sent = b
            .post_form(&format!("{conversation}/messages"), &[("content", &reply)])
            .await;
        assert_eq!(sent.status(), 303);
        page = b.get_html(conversation).await;
    }
    assert_eq!(
        b.post_form(&format!("{conversation}/end"), &[])
            .await
            .status(),
        303
    );
}

fn preview_row(app: &TestApp, session: &str) -> LearningPathPreview {
    learning_path_previews::table
        .filter(learning_path_previews::session_id.eq(session))
        .select(LearningPathPreview::as_select())
        .first(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn a_sentence_becomes_a_preview_that_is_refined_pinned_regenerated_undone_and_committed() {
    let app = spawn_app().await;
    let learner = app.learner().onboarded("ja").create().await;
    let b = &learner.browser;
    let path = preview_from(b, "I'm meeting my partner's parents in Osaka in a month").await;
    let page = b.get_html(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.text("h1").contains("Osaka"), "{}", page.text("h1"));
    assert_eq!(page.texts("li.day").len(), 28);
    assert_eq!(
        page.texts("#schedule h3")
            .iter()
            .map(|h| h.split_whitespace().last().unwrap().to_owned())
            .collect::<Vec<_>>(),
        ["supportive", "realistic", "challenging", "mastery"]
    );
    assert!(day_text(&page, 6).contains("review"));
    assert_eq!(page.texts(".first-days h3").len(), 3, "days 1–3 in full");
    assert!(page.text(".first-days h3").starts_with("Day 1: "));
    assert!(day_text(&page, 28).contains("capstone"));
    // Without JS each day's form pins, and its second button regenerates (`formaction`).
    let session = path.rsplit('/').next().unwrap();
    assert_eq!(
        page.attrs("li#day-9 form.day-actions", "action"),
        [format!("/paths/previews/{session}/days/9/pin")]
    );
    assert_eq!(
        page.attrs("li#day-9 form.day-actions button[formaction]", "formaction"),
        [format!("/paths/previews/{session}/days/9/regenerate")]
    );
    let page_bytes = b.get(&path).await.text().await.unwrap().len();

    // Refining in words: only the changed days come back, marked.
    let (fragment, bytes) = htmx_step(
        b,
        &format!("{path}/refine"),
        &[("instruction", "harder in week 4")],
    )
    .await;
    let changed = fragment.texts("li.day.changed");
    assert!(!changed.is_empty(), "some days changed");
    assert!(
        changed.iter().all(|d| !d.contains("Day 1 ")),
        "week 1 stays"
    );
    assert!(
        fragment.text("#schedule-summary").contains("changed"),
        "{}",
        fragment.text("#schedule-summary")
    );
    assert!(
        bytes * 4 <= page_bytes,
        "the fragment ({bytes} B) is at most a quarter of the page ({page_bytes} B)"
    );
    let refined = b.get_html(&path).await;
    assert_ne!(days(&refined), days(&page));

    // What the planner did not understand is said, and nothing else changes.
    let (fragment, _) = htmx_step(
        b,
        &format!("{path}/refine"),
        &[("instruction", "blorptastic zyzzyva")],
    )
    .await;
    assert!(fragment.text("#schedule-summary").contains("blorptastic"));
    assert_eq!(days(&b.get_html(&path).await), days(&refined));

    // A pinned day survives a refinement; a regenerated day changes alone.
    let pinned_before = day_content(&refined, 2);
    htmx_step(b, &format!("{path}/days/2/pin"), &[]).await;
    htmx_step(
        b,
        &format!("{path}/refine"),
        &[("instruction", "more about shopping, less formal")],
    )
    .await;
    let after = b.get_html(&path).await;
    assert_eq!(
        day_content(&after, 2),
        pinned_before,
        "the pinned day is as it was"
    );
    assert!(day_text(&after, 2).contains("pinned"));
    let (fragment, _) = htmx_step(b, &format!("{path}/days/9/regenerate"), &[]).await;
    let regenerated = fragment.texts("li.day.changed");
    assert_eq!(regenerated.len(), 1, "{regenerated:?}");
    let before_undo = b.get_html(&path).await;

    // Undo restores exactly the schedule before the last step.
    let res = b.post_form(&format!("{path}/undo"), &[]).await;
    assert_eq!(res.status(), 303, "without JS the form comes back");
    let undone = b.get_html(&path).await;
    assert_eq!(
        days(&undone)
            .iter()
            .map(|d| d.replace(" changed", ""))
            .collect::<Vec<_>>(),
        days(&after)
            .iter()
            .map(|d| d.replace(" changed", ""))
            .collect::<Vec<_>>()
    );
    assert_ne!(days(&undone), days(&before_undo));
    let row = preview_row(&app, path.trim_start_matches("/paths/previews/"));
    assert!(!row.metadata.0.refinement_history.is_empty());
    assert!(row.metadata.0.parsed_intent.is_some());

    // Commit: the learner's own path and assignment, the preview marked.
    let res = b.post_form(&format!("{path}/commit"), &[]).await;
    assert_eq!(res.status(), 303);
    let dashboard = res.headers()["location"].to_str().unwrap().to_owned();
    let path_id = dashboard.trim_start_matches("/paths/").to_owned();
    let again = b.post_form(&format!("{path}/commit"), &[]).await;
    assert_eq!(again.headers()["location"], dashboard.as_str(), "once");
    let row = preview_row(&app, path.trim_start_matches("/paths/previews/"));
    assert_eq!(row.status, PreviewStatus::Committed);
    assert_eq!(row.committed_path_id.as_deref(), Some(path_id.as_str()));
    let assignment: LearningPathAssignment = learning_path_assignments::table
        .filter(learning_path_assignments::path_id.eq(&path_id))
        .select(LearningPathAssignment::as_select())
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(assignment.user_id, learner.id);
    assert_eq!(
        (assignment.role, assignment.status),
        (AssignmentRole::Learner, AssignmentStatus::Active)
    );
    let paths: i64 = learning_paths::table
        .filter(learning_paths::is_template.eq(false))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(paths, 1, "the learner's path, besides the seed's templates");
    let list = b.get_html("/paths").await;
    assert_eq!(list.attrs("table a", "href"), [dashboard]);
}

#[tokio::test]
async fn the_dashboard_advances_day_by_day_as_the_learner_practises() {
    let app = spawn_app().await;
    let learner = app.learner().onboarded("fr").create().await;
    let b = &learner.browser;
    let res = b
        .post_form("/paths/previews", &[("source", "preferences")])
        .await;
    assert_eq!(res.status(), 303);
    let preview = res.headers()["location"].to_str().unwrap().to_owned();
    let res = b.post_form(&format!("{preview}/commit"), &[]).await;
    let dashboard = res.headers()["location"].to_str().unwrap().to_owned();

    let page = b.get_html(&dashboard).await;
    assert_eq!(page.status, 200);
    assert!(page.text("#day-1").contains("Today"));
    assert!(page.text("#day-2").contains("Upcoming"));
    assert!(page.text(".path-stats").contains("0/28"));
    let upcoming = b.post_form(&format!("{dashboard}/days/3/start"), &[]).await;
    assert_eq!(upcoming.status(), 422, "a later day waits for its date");

    let res = b.post_form(&format!("{dashboard}/days/1/start"), &[]).await;
    assert_eq!(res.status(), 303);
    let conversation = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(conversation.starts_with("/conversations/"));
    let resumed = b.post_form(&format!("{dashboard}/days/1/start"), &[]).await;
    assert_eq!(
        resumed.headers()["location"],
        conversation.as_str(),
        "an ongoing day resumes"
    );
    practise(b, &conversation).await;
    let page = b.get_html(&dashboard).await;
    assert!(
        page.text("#day-1").contains("Done"),
        "{}",
        page.text("#day-1")
    );

    app.clock.advance(chrono::Duration::days(1));
    let page = b.get_html(&dashboard).await;
    assert!(page.text("#day-2").contains("Today"));
    assert!(page.text(".path-stats").contains("1/28"));
    assert!(page.text(".path-stats").contains("1-day streak"));
    assert!(page.text(".today").contains("Day 2 of 28"));

    app.clock.advance(chrono::Duration::days(1));
    let page = b.get_html(&dashboard).await;
    assert!(page.text("#day-2").contains("Missed"));
    assert!(page.text("#day-3").contains("Today"));
    assert!(page.text(".today").contains("Catch up day 2"));
    let assignment: LearningPathAssignment = learning_path_assignments::table
        .filter(learning_path_assignments::user_id.eq(&learner.id))
        .select(LearningPathAssignment::as_select())
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(assignment.current_day_index, 3);

    let res = b.post_form(&format!("{dashboard}/archive"), &[]).await;
    assert_eq!(res.status(), 303);
    let page = b.get_html(&dashboard).await;
    assert!(page.text(".path-stats").contains("Archived"));
    assert!(page.attrs("form[action$='/start']", "action").is_empty());
}

#[tokio::test]
async fn another_learner_gets_404_on_every_path_and_preview_address_and_changes_nothing() {
    let app = spawn_app().await;
    let owner = app.learner().onboarded("ja").create().await;
    let preview = preview_from(&owner.browser, "job interview in Tokyo, formal").await;
    let res = owner
        .browser
        .post_form(&format!("{preview}/commit"), &[])
        .await;
    let dashboard = res.headers()["location"].to_str().unwrap().to_owned();
    let other_preview = preview_from(&owner.browser, "ordering food").await;

    let stranger = app
        .learner()
        .email("stranger@example.com")
        .onboarded("ja")
        .create()
        .await;
    let before = row_counts(&app);
    for get in [
        other_preview.clone(),
        format!("{other_preview}/status"),
        dashboard.clone(),
    ] {
        assert_eq!(stranger.browser.get(&get).await.status(), 404, "{get}");
    }
    for post in [
        format!("{other_preview}/refine"),
        format!("{other_preview}/undo"),
        format!("{other_preview}/days/2/pin"),
        format!("{other_preview}/days/2/regenerate"),
        format!("{other_preview}/commit"),
        format!("{dashboard}/days/1/start"),
        format!("{dashboard}/archive"),
    ] {
        let res = stranger
            .browser
            .post_form(&post, &[("instruction", "more about food")])
            .await;
        assert_eq!(res.status(), 404, "{post}");
    }
    assert_eq!(row_counts(&app), before, "nothing was written");
    let signed_out = app.new_browser().get(&dashboard).await;
    assert_eq!(signed_out.status(), 303, "signed out: sign in first");
}

#[tokio::test]
async fn a_preview_expires_after_a_day_and_bad_input_is_refused_with_a_message() {
    let app = spawn_app().await;
    let learner = app.learner().onboarded("es").create().await;
    let b = &learner.browser;
    for (intent, status) in [("", 422), ("a\u{0}b", 400), (&"x".repeat(501)[..], 422)] {
        let res = b
            .post_form(
                "/paths/previews",
                &[("source", "intent"), ("intent", intent)],
            )
            .await;
        assert_eq!(res.status(), status, "{:?}", intent.get(..10));
        assert!(res.headers().contains_key("content-security-policy"));
    }
    let res = b.post_form("/paths/previews", &[("source", "nope")]).await;
    assert_eq!(res.status(), 400);
    let previews: i64 = learning_path_previews::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(previews, 0, "nothing half-written");

    let path = preview_from(b, "ordering tapas in Madrid").await;
    let res = b
        .htmx_post(&format!("{path}/refine"), &[("instruction", "   ")])
        .await;
    assert_eq!(res.status(), 422);
    app.clock.advance(chrono::Duration::hours(25));
    let page = b.get_html(&path).await;
    assert_eq!(page.status, 410);
    assert!(page.text("h1").contains("expired"));
    assert_eq!(
        page.attrs("main a.button", "href"),
        ["/paths"],
        "it offers to start again"
    );
    let res = b.post_form(&format!("{path}/commit"), &[]).await;
    assert_eq!(res.status(), 410);
}

#[tokio::test]
async fn a_learner_who_has_not_onboarded_is_told_what_the_planner_needs() {
    let app = spawn_app().await;
    let uid = app.create_user("new@example.com");
    let b = app.browser_for(&uid);
    let page = b.get_html("/paths").await;
    assert_eq!(page.status, 200);
    let res = b
        .post_form("/paths/previews", &[("source", "preferences")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/onboarding", "onboarding first");
}

#[tokio::test]
async fn a_guest_previews_a_path_and_commits_it_after_signing_up() {
    let app = spawn_app().await;
    let b = app.new_browser();
    assert_eq!(b.get("/paths").await.status(), 200, "guests may plan");
    assert_eq!(b.get("/onboarding").await.status(), 200);
    let answered = b
        .post_form("/onboarding", &[("step", "language"), ("language", "ja")])
        .await;
    assert_eq!(answered.status(), 303);
    let preview = preview_from(&b, "ordering ramen in Osaka").await;
    let page = b.get_html(&preview).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.texts("li.day").len(), 28);
    assert!(page.text("main").contains("Sign in to start this path"));
    htmx_step(
        &b,
        &format!("{preview}/refine"),
        &[("instruction", "harder in week 3")],
    )
    .await;
    assert_eq!(
        app.new_browser().get(&preview).await.status(),
        404,
        "another visitor does not see it"
    );
    let other = app.new_browser();
    other
        .post_form("/onboarding", &[("step", "language"), ("language", "ja")])
        .await;
    let others = preview_from(&other, "asking for directions").await;
    assert_eq!(other.get(&preview).await.status(), 404, "nor another guest");
    assert_eq!(
        b.get(&others).await.status(),
        404,
        "and the other way round"
    );
    assert_eq!(other.get(&others).await.status(), 200);

    let res = b.post_form(&format!("{preview}/commit"), &[]).await;
    assert_eq!(res.status(), 303);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
    let paths: i64 = learning_paths::table
        .filter(learning_paths::is_template.eq(false))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(paths, 0, "nothing committed before signing up");

    app.sign_up(&b, "guest@example.com", "correct horse battery")
        .await;
    let row = preview_row(&app, preview.trim_start_matches("/paths/previews/"));
    assert_eq!(
        row.user_id.as_deref(),
        Some(app.user_id("guest@example.com").as_str())
    );
    assert_eq!(row.guest_id, None, "the preview moved to the account");
    assert!(
        !row.metadata.0.refinement_history.is_empty(),
        "with its refinements"
    );
    let res = b.post_form(&format!("{preview}/commit"), &[]).await;
    assert_eq!(res.status(), 303);
    let dashboard = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(b
        .get_html(&dashboard)
        .await
        .text("#day-1")
        .contains("Today"));
}

#[tokio::test]
async fn with_a_provider_a_refinement_is_the_models_checked_schedule_and_a_bad_answer_changes_nothing(
) {
    let (app, provider) = crate::mock_ai::app_with_provider().await;
    let learner = app.learner().onboarded("ja").create().await;
    let b = &learner.browser;
    let path = preview_from(b, "ordering food in Osaka").await;
    app.run_jobs_until_idle().await; // the model's empty draft answer: the planner's schedule
    let session = path.trim_start_matches("/paths/previews/").to_owned();
    let before = b.get_html(&path).await;
    assert!(before
        .text("main")
        .contains("The AI planner proposes the change"));
    let schedule = || -> serde_json::Value {
        preview_row(&app, &session)
            .metadata
            .0
            .state
            .unwrap()
            .parse::<serde_json::Value>()
            .unwrap()["schedule"]
            .clone()
    };
    let answer = |s: serde_json::Value| {
        *provider.completion.lock().unwrap() =
            serde_json::json!({"summary": "Day 10 is about ramen now.", "schedule": s}).to_string();
    };

    let mut short = schedule();
    short["days"].as_array_mut().unwrap().pop();
    let mut unknown = schedule();
    unknown["days"][2]["scenario"] =
        serde_json::json!({"type": "catalog", "id": "no-such-scenario"});
    for (bad, why) in [
        (None, "not JSON"),
        (Some(short), "28 days"),
        (Some(unknown), "no-such-scenario"),
    ] {
        match bad {
            Some(s) => answer(s),
            None => *provider.completion.lock().unwrap() = "Sure! Here is your plan:".into(),
        }
        let res = b
            .htmx_post(&format!("{path}/refine"), &[("instruction", "more ramen")])
            .await;
        assert_eq!(res.status(), 422, "{why}");
        let body = res.text().await.unwrap();
        assert!(
            body.contains(why) && body.contains("unchanged"),
            "{why}: {body}"
        );
        assert_eq!(days(&b.get_html(&path).await), days(&before), "{why}");
    }

    let mut good = schedule();
    good["days"][9]["theme"] = serde_json::json!("Ramen at a tiny counter");
    answer(good);
    let (fragment, _) = htmx_step(
        b,
        &format!("{path}/refine"),
        &[("instruction", "more ramen")],
    )
    .await;
    assert_eq!(
        fragment.texts("li.day.changed .day-theme"),
        ["Ramen at a tiny counter"]
    );
    assert!(fragment
        .text("#schedule-summary")
        .contains("Day 10 is about ramen now."));
    let asked = provider.requests.lock().unwrap().last().unwrap().clone();
    assert!(asked["body"]["messages"][1]["content"]
        .as_str()
        .unwrap()
        .contains("more ramen"));
    // Undo takes the model's step back like any other.
    htmx_step(b, &format!("{path}/undo"), &[]).await;
    assert_eq!(
        days(&b.get_html(&path).await)
            .iter()
            .map(|d| d.replace(" changed", ""))
            .collect::<Vec<_>>(),
        days(&before)
    );
}

#[tokio::test]
async fn with_a_provider_the_first_schedule_is_drafted_by_a_job_while_the_page_shows_progress() {
    let (app, provider) = crate::mock_ai::app_with_provider().await;
    let learner = app.learner().onboarded("ja").create().await;
    let b = &learner.browser;
    let path = preview_from(b, "ordering food in Osaka").await;
    let session = path.trim_start_matches("/paths/previews/").to_owned();
    let status = format!("{path}/status");

    // While the model drafts: progress that polls itself, a plain refresh without JS, and
    // nothing that could change or commit a schedule not yet drafted.
    let res = b.get(&path).await;
    assert_eq!(res.status(), 200);
    let raw = res.text().await.unwrap();
    assert!(raw.contains(r#"<noscript><meta http-equiv="refresh""#));
    let page = Page {
        status: reqwest::StatusCode::OK,
        headers: Default::default(),
        html: scraper::Html::parse_document(&raw),
    };
    assert_eq!(page.text("h1"), "Planning your path");
    assert_eq!(
        page.attrs("#preview-status", "data-hx-get"),
        std::slice::from_ref(&status)
    );
    assert!(page.attrs("#preview-status", "data-hx-trigger")[0].starts_with("every"));
    assert!(page
        .text("#preview-status")
        .contains("Waiting for the AI planner to start"));
    assert!(page
        .attrs("form", "action")
        .iter()
        .all(|a| !a.starts_with(&path)));
    let res = b.htmx_get(&status).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("hx-refresh").is_none());
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("data-hx-trigger=\"every 2s\""));
    let res = b.post_form(&format!("{path}/commit"), &[]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("still drafting"));
    let res = b
        .htmx_post(&format!("{path}/refine"), &[("instruction", "more ramen")])
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(
        learning_paths::table
            .filter(learning_paths::is_template.eq(false))
            .count()
            .get_result::<i64>(&mut app.conn())
            .unwrap(),
        0
    );

    // The model's schedule, checked, replaces the planner's draft.
    let mut drafted = preview_row(&app, &session)
        .metadata
        .0
        .state
        .unwrap()
        .parse::<serde_json::Value>()
        .unwrap()["schedule"]
        .clone();
    drafted["days"][1]["theme"] = serde_json::json!("Ramen at a tiny counter");
    *provider.completion.lock().unwrap() =
        serde_json::json!({"summary": "Four weeks around Osaka's food.", "schedule": drafted})
            .to_string();
    app.run_jobs_until_idle().await;
    let asked = provider.requests.lock().unwrap().last().unwrap().clone();
    assert!(asked["body"]["messages"][1]["content"]
        .as_str()
        .unwrap()
        .contains("ordering food in Osaka"));
    let res = b.htmx_get(&status).await;
    assert_eq!(res.headers()["hx-refresh"], "true", "htmx reloads the page");
    let res = b.get(&status).await;
    assert_eq!(
        (
            res.status().as_u16(),
            res.headers()["location"].to_str().unwrap()
        ),
        (303, path.as_str())
    );
    let page = b.get_html(&path).await;
    assert!(page.attrs("#preview-status", "id").is_empty());
    assert_eq!(
        page.text("#draft-note"),
        "Drafted by the AI planner: Four weeks around Osaka's food."
    );
    assert!(day_text(&page, 2).contains("Ramen at a tiny counter"));
    assert_eq!(
        page.attrs(&format!("form[action='{path}/commit']"), "method")
            .len(),
        1
    );
    let row = preview_row(&app, &session);
    assert_eq!(row.status, PreviewStatus::Ready);
    assert_eq!(row.metadata.0.draft.unwrap().attempts, 1);

    // An answer that cannot be used leaves the planner's schedule, and the page says why.
    *provider.completion.lock().unwrap() = "Sure! Here is a plan:".into();
    let other = preview_from(b, "job interview, formal").await;
    let other_session = other.trim_start_matches("/paths/previews/").to_owned();
    let planned = preview_row(&app, &other_session).metadata.0.state;
    app.run_jobs_until_idle().await;
    let page = b.get_html(&other).await;
    assert!(page
        .text("#draft-note")
        .contains("could not be used (it was not JSON)"));
    assert_eq!(preview_row(&app, &other_session).metadata.0.state, planned);

    // A provider that does not answer is tried three times, the page saying so meanwhile;
    // then the planner's schedule is kept.
    *provider.mode.lock().unwrap() = crate::mock_ai::Mode::Down;
    let down = preview_from(b, "a weekend in Kyoto").await;
    app.run_jobs_until_idle().await;
    let page = b.get_html(&down).await;
    assert!(
        page.text("#preview-status").contains("trying again"),
        "{}",
        page.text("main")
    );
    for _ in 0..3 {
        app.clock.advance(chrono::Duration::minutes(2));
        app.run_jobs_until_idle().await;
    }
    let page = b.get_html(&down).await;
    assert!(
        page.text("#draft-note").contains("did not answer"),
        "{}",
        page.text("main")
    );
    assert_eq!(
        page.attrs(&format!("form[action='{down}/commit']"), "method")
            .len(),
        1
    );
}

fn generations(app: &TestApp) -> Vec<kaiwa::db::models::ScenarioGenerationJob> {
    use kaiwa::db::schema::scenario_generation_queue as q;
    q::table
        .order(q::day_index.asc())
        .select(kaiwa::db::models::ScenarioGenerationJob::as_select())
        .load(&mut app.conn())
        .unwrap()
}

fn scenario(app: &TestApp, id: &str) -> kaiwa::db::models::Scenario {
    kaiwa::db::schema::scenarios::table
        .find(id)
        .select(kaiwa::db::models::Scenario::as_select())
        .first(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn days_without_a_catalog_scenario_get_one_made_by_a_job_week_one_at_once_later_days_just_in_time(
) {
    use kaiwa::db::types::{GenerationStatus, Visibility};
    let app = spawn_app().await;
    let learner = app.learner().onboarded("es").create().await;
    let b = &learner.browser;
    let (_, dashboard) = open_and_committed(b).await;
    let queued = generations(&app);
    assert!(queued.iter().any(|g| g.day_index == 6), "the review day");
    assert!(queued.iter().any(|g| g.day_index == 28), "the capstone");
    let page = b.get_html(&dashboard).await;
    assert!(page.text("#day-6").contains("being written"));

    app.run_jobs_until_idle().await;
    for g in generations(&app) {
        if g.day_index <= 7 {
            assert_eq!(g.status, GenerationStatus::Ready, "day {}", g.day_index);
            let s = scenario(&app, g.scenario_id.as_deref().unwrap());
            assert_eq!(s.visibility, Visibility::Private);
            assert_eq!(s.created_by_user_id.as_deref(), Some(learner.id.as_str()));
            assert!(
                s.description.contains("without an AI provider"),
                "{}",
                s.description
            );
        } else {
            assert_eq!(
                g.status,
                GenerationStatus::Pending,
                "day {} waits",
                g.day_index
            );
        }
    }
    assert!(!b
        .get_html(&dashboard)
        .await
        .text("#day-6")
        .contains("being written"));

    // Day 13 is made the morning before it is due (day 12 at 06:00).
    app.clock
        .advance(chrono::Duration::days(11) + chrono::Duration::hours(7));
    app.run_jobs_until_idle().await;
    let day = |n: i32| {
        generations(&app)
            .into_iter()
            .find(|g| g.day_index == n)
            .unwrap()
    };
    assert_eq!(day(13).status, GenerationStatus::Ready);
    assert_eq!(day(20).status, GenerationStatus::Pending);
}

#[tokio::test]
async fn a_failing_generation_is_retried_then_shown_as_failed_and_retried_on_request() {
    use kaiwa::db::types::GenerationStatus;
    let (app, provider) = crate::mock_ai::app_with_provider().await;
    let learner = app.learner().onboarded("es").create().await;
    let b = &learner.browser;
    *provider.completion.lock().unwrap() = "not json at all".into();
    let preview = preview_from(b, "ordering food in Osaka").await;
    app.run_jobs_until_idle().await;
    let res = b.post_form(&format!("{preview}/commit"), &[]).await;
    let dashboard = res.headers()["location"].to_str().unwrap().to_owned();
    let day6 = |app: &TestApp| {
        generations(app)
            .into_iter()
            .find(|g| g.day_index == 6)
            .unwrap()
    };
    app.run_jobs_until_idle().await;
    let g = day6(&app);
    assert_eq!((g.status, g.retry_count), (GenerationStatus::Pending, 1));
    assert!(g.last_error.unwrap().contains("not the JSON"));
    assert!(b
        .get_html(&dashboard)
        .await
        .text("#day-6")
        .contains("retrying after"));
    for _ in 0..5 {
        app.clock.advance(chrono::Duration::minutes(2));
        app.run_jobs_until_idle().await;
    }
    let g = day6(&app);
    assert_eq!((g.status, g.retry_count), (GenerationStatus::Failed, 4));
    let page = b.get_html(&dashboard).await;
    assert!(page.text("#day-6").contains("could not be written"));
    let retry = format!("{dashboard}/days/6/retry");
    assert_eq!(
        page.attrs(&format!("form[action='{retry}']"), "action")
            .len(),
        1
    );

    *provider.completion.lock().unwrap() = serde_json::json!({
        "title": "Recap at the market",
        "description": "Go back over the week's phrases with a stallholder.",
        "objectives": ["Use three phrases from this week", "Ask for a price"]
    })
    .to_string();
    assert_eq!(b.post_form(&retry, &[]).await.status(), 303);
    app.run_jobs_until_idle().await;
    let g = day6(&app);
    assert_eq!(g.status, GenerationStatus::Ready);
    let s = scenario(&app, g.scenario_id.as_deref().unwrap());
    assert_eq!(s.title, "Recap at the market");
    assert!(s.description.contains("AI planner"));
    assert!(!s.description.contains("without an AI provider"));
}

#[tokio::test]
async fn the_cleanup_job_deletes_expired_and_committed_previews() {
    let app = spawn_app().await;
    let learner = app.learner().onboarded("ja").create().await;
    let (open, _) = open_and_committed(&learner.browser).await;
    let count = |app: &TestApp| -> i64 {
        learning_path_previews::table
            .count()
            .get_result(&mut app.conn())
            .unwrap()
    };
    assert_eq!(count(&app), 2);
    kaiwa::jobs::scheduler::tick(&app.ctx).await.unwrap();
    app.run_jobs_until_idle().await;
    assert_eq!(count(&app), 1, "the committed one went; the open one stays");
    assert_eq!(learner.browser.get(&open).await.status(), 200);
    app.clock.advance(chrono::Duration::hours(25));
    kaiwa::jobs::scheduler::tick(&app.ctx).await.unwrap();
    app.run_jobs_until_idle().await;
    assert_eq!(count(&app), 0, "the expired one went too");
    assert_eq!(learner.browser.get(&open).await.status(), 404);
}

#[tokio::test]
async fn a_public_template_starts_a_preview_with_its_schedule_and_other_paths_are_not_templates() {
    let app = spawn_app().await;
    let author = app.learner().onboarded("ja").create().await;
    let (_, dashboard) = open_and_committed(&author.browser).await;
    let path_id = dashboard.trim_start_matches("/paths/").to_owned();
    let learner = app
        .learner()
        .email("second@example.com")
        .onboarded("es")
        .create()
        .await;
    let b = &learner.browser;
    let start = |template: &str| {
        let template = template.to_owned();
        async move {
            b.post_form(
                "/paths/previews",
                &[("source", "template"), ("template", &template)],
            )
            .await
        }
    };
    assert_eq!(
        start(&path_id).await.status(),
        404,
        "a private path is no template"
    );
    diesel::update(learning_paths::table.find(&path_id))
        .set((
            learning_paths::is_template.eq(true),
            learning_paths::is_public.eq(true),
            learning_paths::share_slug.eq(Some("osaka-food")),
        ))
        .execute(&mut app.conn())
        .unwrap();
    let res = start("osaka-food").await;
    assert_eq!(res.status(), 303);
    let preview = res.headers()["location"].to_str().unwrap().to_owned();
    let copy = b.get_html(&preview).await;
    let original = author.browser.get_html(&dashboard).await;
    assert_eq!(copy.text("h1"), original.text("h1"));
    assert_eq!(
        copy.texts("li.day .day-theme"),
        original.texts("li.day .day-theme"),
        "the template's days"
    );
}

#[tokio::test]
async fn a_generation_left_processing_by_a_dead_worker_is_taken_up_again_after_its_lease() {
    use kaiwa::app::clock::Clock;
    use kaiwa::db::schema::{jobs, scenario_generation_queue as q};
    use kaiwa::db::types::{GenerationStatus, JobStatus};
    let app = spawn_app().await;
    let learner = app.learner().onboarded("es").create().await;
    let (_, dashboard) = open_and_committed(&learner.browser).await;
    // A worker claimed day 6's job, marked its row processing, and died.
    let now = app.clock.naive();
    diesel::update(jobs::table.filter(jobs::kind.eq("generate_path_scenario")))
        .set((
            jobs::status.eq(JobStatus::Running),
            jobs::attempts.eq(1),
            jobs::lease_owner.eq(Some("dead-worker")),
            jobs::lease_expires_at.eq(Some(now + chrono::Duration::minutes(3))),
        ))
        .execute(&mut app.conn())
        .unwrap();
    diesel::update(q::table.filter(q::day_index.eq(6)))
        .set((
            q::status.eq(GenerationStatus::Processing),
            q::last_processed_at.eq(Some(now)),
        ))
        .execute(&mut app.conn())
        .unwrap();
    let day6 = |app: &TestApp| {
        generations(app)
            .into_iter()
            .find(|g| g.day_index == 6)
            .unwrap()
    };
    app.run_jobs_until_idle().await;
    assert_eq!(
        day6(&app).status,
        GenerationStatus::Processing,
        "still leased"
    );
    assert!(learner
        .browser
        .get_html(&dashboard)
        .await
        .text("#day-6")
        .contains("being written"));
    app.clock.advance(chrono::Duration::minutes(10));
    app.run_jobs_until_idle().await;
    let g = day6(&app);
    assert_eq!(g.status, GenerationStatus::Ready, "taken up again");
    assert!(g.last_processed_at.unwrap() > now);
    let made: i64 = kaiwa::db::schema::scenarios::table
        .filter(kaiwa::db::schema::scenarios::created_by_user_id.eq(&learner.id))
        .filter(
            kaiwa::db::schema::scenarios::title.eq(scenario(
                &app,
                g.scenario_id.as_deref().unwrap(),
            )
            .title),
        )
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(made, 1, "one scenario for the day");
}

#[tokio::test]
async fn a_preview_or_path_whose_stored_plan_cannot_be_read_says_so_instead_of_failing() {
    let app = spawn_app().await;
    let learner = app.learner().onboarded("ja").create().await;
    let b = &learner.browser;
    let (preview, dashboard) = open_and_committed(b).await;
    for page in [&preview, &dashboard] {
        assert_eq!(
            b.get_html(page).await.status,
            200,
            "{page} reads before the damage"
        );
    }
    let session = preview.trim_start_matches("/paths/previews/");
    let path_id = dashboard.trim_start_matches("/paths/");
    // why: the state and the plan are nested in metadata; damage each, keep the JSON valid.
    diesel::update(
        learning_path_previews::table.filter(learning_path_previews::session_id.eq(session)),
    )
    .set(learning_path_previews::metadata.eq(r#"{"state":{"schedule":"not a schedule"}}"#))
    .execute(&mut app.conn())
    .unwrap();
    // A path's parsed plan is kept by its `updated_at`, which every write of the metadata
    // moves (the app's do); so does this one.
    let later = chrono::Utc::now().naive_utc() + chrono::Duration::minutes(1);
    diesel::update(learning_paths::table.find(path_id))
        .set((
            learning_paths::metadata.eq(r#"{"cefrLevel":"A1","plan":[1,2,3]}"#),
            learning_paths::updated_at.eq(later),
        ))
        .execute(&mut app.conn())
        .unwrap();
    for (page, message) in [
        (&preview, "This preview cannot be read; start a new one."),
        (&dashboard, "This path's schedule cannot be read."),
    ] {
        let shown = b.get_html(page).await;
        assert_eq!(shown.status, 422, "{page}");
        assert!(
            shown.text("main").contains(message),
            "{page}: {}",
            shown.text("main")
        );
        assert!(!shown.text("main").contains("not a schedule"));
    }
}
