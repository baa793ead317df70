//! Realtime voice against the mock provider: not offered without realtime calls, refused
//! on the free plan, and on Plus a call opened on the server's key with the answer relayed,
//! hung up at the deadline (by its job, or by the janitor) and settled with the call's
//! measured time; no call without time left; the transcript stored and the report built;
//! concurrent starts never pass the plan's realtime sessions.

use chrono::Duration;
use diesel::prelude::*;
use kaiwa::db::models::UserUsage;
use kaiwa::db::schema::{conversations, jobs, messages, tiers, user_usage};
use kaiwa::db::types::{ConversationStatus, MessageRole, SessionState};

use kaiwa::app::Clock;

use crate::helpers::{spawn_app, Learner, TestApp};
use crate::mock_ai::{app_with_realtime, Provider, ANSWER_SDP};
use crate::usage::{at, session, subscribe};

const OFFER: &str = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

fn month(app: &TestApp, user: &str) -> UserUsage {
    user_usage::table
        .find((user, "2026-12"))
        .select(UserUsage::as_select())
        .first(&mut app.conn())
        .unwrap()
}

fn status(app: &TestApp, conversation: &str) -> ConversationStatus {
    conversations::table
        .find(conversation)
        .select(conversations::status)
        .first(&mut app.conn())
        .unwrap()
}

/// Starts a conversation in `mode` through the form: its id, or the refusal (status, page).
async fn start(learner: &Learner, mode: &str) -> Result<String, (u16, String)> {
    let res = learner
        .browser
        .post_form(
            "/conversations",
            &[
                ("scenario_id", "ordering-ramen-osaka"),
                ("language", "ja"),
                ("mode", mode),
            ],
        )
        .await;
    match res.status().as_u16() {
        303 => Ok(res.headers()["location"]
            .to_str()
            .unwrap()
            .trim_start_matches("/conversations/")
            .to_owned()),
        other => Err((other, res.text().await.unwrap())),
    }
}

/// Posts the browser's offer as `realtime.js` does: the status and the body.
async fn offer(learner: &Learner, id: &str) -> (u16, String) {
    let token = learner.browser.csrf().await;
    let res = learner
        .browser
        .client
        .post(
            learner
                .browser
                .url(&format!("/conversations/{id}/realtime/offer")),
        )
        .header("Content-Type", "application/sdp")
        .header("X-CSRF-Token", token)
        .body(OFFER)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn post_transcript(learner: &Learner, id: &str, lines: serde_json::Value) -> u16 {
    let token = learner.browser.csrf().await;
    learner
        .browser
        .client
        .post(
            learner
                .browser
                .url(&format!("/conversations/{id}/realtime/transcript")),
        )
        .header("X-CSRF-Token", token)
        .json(&serde_json::json!({ "lines": lines }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn plus_learner(app: &TestApp) -> Learner {
    let learner = app.learner().onboarded("ja").create().await;
    subscribe(app, &learner.id, "plus", app.clock.now().naive_utc());
    learner
}

async fn janitor(app: &TestApp) {
    kaiwa::jobs::scheduler::tick(&app.ctx).await.unwrap();
    app.run_jobs_until_idle().await;
}

fn count_calls(provider: &Provider) -> usize {
    provider.realtime_calls().len()
}

#[tokio::test]
async fn without_realtime_calls_on_the_server_realtime_is_not_offered_and_is_refused() {
    let app = spawn_app().await;
    let learner = app.learner().onboarded("ja").create().await;
    subscribe(&app, &learner.id, "plus", app.clock.now().naive_utc());
    let page = learner.browser.get_html("/conversations/new").await;
    assert!(page.attrs("input[value=realtime]", "value").is_empty());
    assert!(page
        .text("form .hint")
        .contains("not configured on this server"));
    let (status, body) = start(&learner, "realtime").await.unwrap_err();
    assert_eq!(status, 422);
    assert!(body.contains("Realtime voice is not configured on this server"));
    let rows: i64 = conversations::table
        .filter(conversations::user_id.eq(&learner.id))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(rows, 0, "nothing was started");
}

#[tokio::test]
async fn a_free_learner_is_refused_realtime_with_a_clear_message() {
    let (app, provider) = app_with_realtime().await;
    let learner = app.learner().onboarded("ja").create().await;
    let page = learner.browser.get_html("/conversations/new").await;
    assert!(page.attrs("input[value=realtime]", "value").is_empty());
    assert!(page.text("form .hint").contains("needs the Plus plan"));
    let (status, body) = start(&learner, "realtime").await.unwrap_err();
    assert_eq!(status, 403);
    assert!(
        body.contains("Realtime voice needs the Plus plan"),
        "{body}"
    );
    assert_eq!(count_calls(&provider), 0);
}

#[tokio::test]
async fn a_plus_learner_talks_in_a_call_hung_up_at_the_deadline_and_settled_by_its_time() {
    let (app, provider) = app_with_realtime().await;
    at(&app, 2026, 12, 10, 12);
    let learner = plus_learner(&app).await;
    let page = learner.browser.get_html("/conversations/new").await;
    assert_eq!(
        page.attrs("input[name=mode]", "value"),
        vec!["traditional", "realtime"]
    );
    let id = start(&learner, "realtime").await.unwrap();
    assert_eq!(month(&app, &learner.id).realtime_sessions_used, 1);
    assert!(
        provider.requests.lock().unwrap().is_empty(),
        "no text opening line for a call"
    );
    let page = learner
        .browser
        .get_html(&format!("/conversations/{id}"))
        .await;
    assert_eq!(
        page.attrs("#realtime", "data-offer"),
        vec![format!("/conversations/{id}/realtime/offer")]
    );
    assert!(page.attrs("form.composer", "action").is_empty());

    // Without the CSRF header, or from another account, nothing is called.
    let res = learner
        .browser
        .client
        .post(
            learner
                .browser
                .url(&format!("/conversations/{id}/realtime/offer")),
        )
        .header("Content-Type", "application/sdp")
        .body(OFFER)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let other = plus_learner(&app).await;
    assert_eq!(offer(&other, &id).await.0, 404);
    assert_eq!(count_calls(&provider), 0);

    app.clock.advance(Duration::seconds(60));
    let (code, answer) = offer(&learner, &id).await;
    assert_eq!(code, 201, "{answer}");
    assert_eq!(answer, ANSWER_SDP);
    let calls = provider.realtime_calls();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call["auth"], "Bearer sk-test");
    assert!(call["content_type"]
        .as_str()
        .unwrap()
        .starts_with("multipart/form-data"));
    let body = call["realtime_call"].as_str().unwrap();
    assert!(body.contains("name=\"sdp\"") && body.contains(OFFER));
    assert!(body.contains("name=\"session\"") && body.contains("test-realtime-model"));
    let call_id = call["call_id"].as_str().unwrap().to_owned();
    let s = session(&app, &id);
    assert_eq!(s.realtime_call_id.as_deref(), Some(call_id.as_str()));
    assert_eq!(s.call_started_at, Some(app.clock.now().naive_utc()));

    let stored = post_transcript(
        &learner,
        &id,
        serde_json::json!([
            {"role": "partner", "text": "いらっしゃいませ！"},
            {"role": "learner", "text": "ラーメンをください。"},
            {"role": "learner", "text": "  "}
        ]),
    )
    .await;
    assert_eq!(stored, 200);
    let roles: Vec<(MessageRole, String)> = messages::table
        .filter(messages::conversation_id.eq(&id))
        .order(messages::position)
        .select((messages::role, messages::content))
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(
        roles,
        vec![
            (MessageRole::Assistant, "いらっしゃいませ！".to_owned()),
            (MessageRole::User, "ラーメンをください。".to_owned()),
        ]
    );

    // The wrap-up step runs 30 s before the deadline (the browser sends it: no sideband),
    // the hang-up at the deadline.
    app.clock.advance(Duration::seconds(900 - 60 - 30));
    app.run_jobs_until_idle().await;
    assert!(provider.hangups().is_empty());
    app.clock.advance(Duration::seconds(31));
    app.run_jobs_until_idle().await;
    assert_eq!(provider.hangups(), vec![call_id.clone()]);
    assert!(session(&app, &id).call_ended_at.is_some());

    // The last lines still come within the grace; then the janitor ends the conversation.
    let late = serde_json::json!([{"role": "partner", "text": "ありがとうございました。"}]);
    assert_eq!(post_transcript(&learner, &id, late).await, 200);
    app.clock.advance(Duration::seconds(90));
    janitor(&app).await;
    assert_eq!(status(&app, &id), ConversationStatus::Ended);
    let s = session(&app, &id);
    assert_eq!(s.state, SessionState::Settled);
    assert_eq!(
        s.seconds_consumed, 840,
        "the call's 14 minutes, not the hold"
    );
    let m = month(&app, &learner.id);
    assert_eq!((m.seconds_used, m.reserved_seconds), (840, 0));
    assert_eq!(provider.hangups().len(), 1, "hung up once");

    let late = serde_json::json!([{"role": "learner", "text": "またね"}]);
    assert_eq!(post_transcript(&learner, &id, late).await, 422);
    let report = learner
        .browser
        .get_html(&format!("/conversations/{id}/report"))
        .await;
    assert_eq!(report.status, 200);
    let html = report.html.html();
    assert!(html.contains("ラーメンをください。") && html.contains("ありがとうございました。"));
}

#[tokio::test]
async fn the_janitor_hangs_up_a_call_still_open_before_settling() {
    let (app, provider) = app_with_realtime().await;
    at(&app, 2026, 12, 10, 12);
    let learner = plus_learner(&app).await;
    let id = start(&learner, "realtime").await.unwrap();
    app.clock.advance(Duration::seconds(100));
    assert_eq!(offer(&learner, &id).await.0, 201);
    let call_id = provider.realtime_calls()[0]["call_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The deadline steps are lost (say, a database restored without them).
    diesel::delete(jobs::table.filter(jobs::kind.eq("realtime_call_deadline")))
        .execute(&mut app.conn())
        .unwrap();
    app.clock.advance(Duration::minutes(16));
    janitor(&app).await;
    assert_eq!(provider.hangups(), vec![call_id]);
    assert_eq!(status(&app, &id), ConversationStatus::Ended);
    let s = session(&app, &id);
    assert_eq!((s.state, s.seconds_consumed), (SessionState::Settled, 800));
}

#[tokio::test]
async fn ending_the_conversation_hangs_up_the_call_and_builds_the_report() {
    let (app, provider) = app_with_realtime().await;
    at(&app, 2026, 12, 10, 12);
    let learner = plus_learner(&app).await;
    let id = start(&learner, "realtime").await.unwrap();
    assert_eq!(offer(&learner, &id).await.0, 201);
    // A reloaded page calls again: the first call is hung up, the new one kept.
    app.clock.advance(Duration::seconds(20));
    assert_eq!(offer(&learner, &id).await.0, 201);
    let calls: Vec<String> = provider
        .realtime_calls()
        .iter()
        .map(|c| c["call_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(provider.hangups(), vec![calls[0].clone()]);
    assert_eq!(
        session(&app, &id).realtime_call_id.as_ref(),
        Some(&calls[1])
    );
    let lines = serde_json::json!([
        {"role": "partner", "text": "いらっしゃいませ！"},
        {"role": "learner", "text": "みそラーメンをください。"}
    ]);
    assert_eq!(post_transcript(&learner, &id, lines).await, 200);
    app.clock.advance(Duration::seconds(180));
    let res = learner
        .browser
        .post_form(&format!("/conversations/{id}/end"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        provider.hangups(),
        calls,
        "the second call hung up at the end"
    );
    let s = session(&app, &id);
    assert_eq!(
        (s.state, s.seconds_consumed),
        (SessionState::Settled, 200),
        "counted from the first call's start"
    );
    let report = learner
        .browser
        .get_html(&format!("/conversations/{id}/report"))
        .await;
    assert_eq!(report.status, 200);
    assert!(report.html.html().contains("みそラーメンをください。"));
    // The deadline's hang-ups later find the calls over and call nothing.
    app.clock.advance(Duration::minutes(20));
    app.run_jobs_until_idle().await;
    assert_eq!(provider.hangups().len(), 2);
}

#[tokio::test]
async fn no_call_starts_without_time_left() {
    let (app, provider) = app_with_realtime().await;
    at(&app, 2026, 12, 10, 12);
    let learner = plus_learner(&app).await;

    // The session's time is up: the offer is refused and the provider never called.
    let id = start(&learner, "realtime").await.unwrap();
    app.clock.advance(Duration::seconds(900 - 5));
    let (status, body) = offer(&learner, &id).await;
    assert_eq!(status, 403);
    assert!(body.contains("no time left for a realtime call"), "{body}");
    assert_eq!(count_calls(&provider), 0);

    // The month's time is used up: no realtime conversation starts at all.
    app.clock.advance(Duration::minutes(5));
    janitor(&app).await;
    diesel::update(user_usage::table.find((&learner.id, "2026-12")))
        .set(user_usage::seconds_used.eq(user_usage::granted_seconds))
        .execute(&mut app.conn())
        .unwrap();
    let (status, body) = start(&learner, "realtime").await.unwrap_err();
    assert_eq!(status, 403);
    assert!(body.contains("used this month"), "{body}");
    assert_eq!(count_calls(&provider), 0);
}

#[tokio::test]
async fn twenty_concurrent_realtime_starts_on_a_plan_with_two_sessions_start_exactly_two() {
    let (app, provider) = app_with_realtime().await;
    at(&app, 2026, 12, 10, 12);
    diesel::update(tiers::table.find("plus"))
        .set(tiers::monthly_realtime_sessions.eq(Some(2)))
        .execute(&mut app.conn())
        .unwrap();
    let learner = plus_learner(&app).await;
    let results =
        futures_util::future::join_all((0..20).map(|_| start(&learner, "realtime"))).await;
    let started = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(started, 2);
    assert!(
        results
            .iter()
            .all(|r| r.as_ref().map_or_else(|(s, _)| *s == 403, |_| true)),
        "the others are refused by the plan"
    );
    assert_eq!(month(&app, &learner.id).realtime_sessions_used, 2);
    let page = learner.browser.get_html("/conversations/new").await;
    assert!(page.attrs("input[value=realtime]", "value").is_empty());
    assert!(page
        .text("form .hint")
        .contains("allows 2 realtime sessions a month"));
    // Text and voice mode is still open.
    assert!(start(&learner, "traditional").await.is_ok());
    assert_eq!(count_calls(&provider), 0);
}

#[tokio::test]
async fn an_extension_moves_the_calls_hang_up_to_the_new_deadline() {
    let (app, provider) = app_with_realtime().await;
    at(&app, 2026, 12, 10, 12);
    let learner = plus_learner(&app).await;
    let id = start(&learner, "realtime").await.unwrap();
    assert_eq!(offer(&learner, &id).await.0, 201);
    app.clock.advance(Duration::seconds(800));
    let res = learner
        .browser
        .post_form(&format!("/conversations/{id}/extend"), &[])
        .await;
    assert_eq!(res.status(), 303);
    app.clock.advance(Duration::seconds(101));
    app.run_jobs_until_idle().await;
    assert!(provider.hangups().is_empty(), "the old deadline has passed");
    app.clock.advance(Duration::seconds(300));
    app.run_jobs_until_idle().await;
    assert_eq!(provider.hangups().len(), 1, "hung up at the new deadline");
}
