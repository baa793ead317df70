//! Realtime voice against the mock provider: not offered without realtime calls, refused
//! on the free plan, and on Plus a call opened on the server's key with the answer relayed,
//! hung up at the deadline (by its job, or by the janitor) and settled with the call's
//! measured time; no call without time left; the transcript stored and the report built;
//! concurrent starts never pass the plan's realtime sessions. The sideband: the server
//! follows the call over the mock's WebSocket, stores its lines once (whoever delivers
//! them), sends the wrap-up over it (from another instance too) and closes it at the
//! hang-up; a provider that refuses it leaves the browser's path working.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use chrono::Duration;
use diesel::prelude::*;
use kaiwa::app::conversations::realtime::WRAP_UP_INSTRUCTION;
use kaiwa::db::models::UserUsage;
use kaiwa::db::schema::{conversations, jobs, messages, tiers, user_usage};
use kaiwa::db::types::{ConversationStatus, MessageRole, SessionState};
use kaiwa::integrations::realtime::{OpenAiRealtime, RealtimeCalls};
use serde_json::json;

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
    let (status, _, body) = offer_with_sideband(learner, id).await;
    (status, body)
}

/// [`offer`], with the answer's `Kaiwa-Sideband` header.
async fn offer_with_sideband(learner: &Learner, id: &str) -> (u16, Option<String>, String) {
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
    let sideband = res
        .headers()
        .get("kaiwa-sideband")
        .map(|v| v.to_str().unwrap().to_owned());
    (res.status().as_u16(), sideband, res.text().await.unwrap())
}

async fn post_transcript(learner: &Learner, id: &str, lines: serde_json::Value) -> u16 {
    post_lines(learner, id, lines).await.0
}

/// Posts the browser's lines: the status and how many were stored (`null` when refused).
async fn post_lines(
    learner: &Learner,
    id: &str,
    lines: serde_json::Value,
) -> (u16, serde_json::Value) {
    let token = learner.browser.csrf().await;
    let res = learner
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
        .unwrap();
    let status = res.status().as_u16();
    let body: serde_json::Value = res.json().await.unwrap_or_default();
    (status, body["stored"].clone())
}

/// The conversation's messages in order: role, text and provider item id.
fn stored_lines(app: &TestApp, id: &str) -> Vec<(MessageRole, String, Option<String>)> {
    messages::table
        .filter(messages::conversation_id.eq(id))
        .order(messages::position)
        .select((
            messages::role,
            messages::content,
            messages::provider_item_id,
        ))
        .load(&mut app.conn())
        .unwrap()
}

/// Waits (at most 10 s) until `done` holds; the sideband is read by a task of its own.
async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..500 {
        if done() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("{what}: not within 10 s");
}

/// A Plus learner's realtime conversation with a call opened a minute in: the learner, the
/// conversation's id, the call's id and the offer's `Kaiwa-Sideband` header.
async fn call(app: &TestApp, provider: &Provider) -> (Learner, String, String, Option<String>) {
    at(app, 2026, 12, 10, 12);
    let learner = plus_learner(app).await;
    let id = start(&learner, "realtime").await.unwrap();
    app.clock.advance(Duration::seconds(60));
    let (code, sideband, answer) = offer_with_sideband(&learner, &id).await;
    assert_eq!(code, 201, "{answer}");
    let call_id = provider.realtime_calls().last().unwrap()["call_id"]
        .as_str()
        .unwrap()
        .to_owned();
    (learner, id, call_id, sideband)
}

fn learner_said(item: &str, text: &str) -> serde_json::Value {
    json!({
        "type": "conversation.item.input_audio_transcription.completed",
        "event_id": format!("event_{item}"),
        "item_id": item,
        "content_index": 0,
        "transcript": text
    })
}

fn partner_said(item: &str, text: &str) -> serde_json::Value {
    json!({
        "type": "response.output_audio_transcript.done",
        "event_id": format!("event_{item}"),
        "response_id": "resp_1",
        "item_id": item,
        "output_index": 0,
        "content_index": 0,
        "transcript": text
    })
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

    // The wrap-up step runs 30 s before the deadline (over the sideband), the hang-up at
    // the deadline.
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

#[tokio::test]
async fn the_server_stores_the_calls_lines_from_its_sideband_once_even_when_the_browser_posts_them_too(
) {
    let (app, provider) = app_with_realtime().await;
    let (learner, id, call_id, sideband) = call(&app, &provider).await;
    assert_eq!(sideband.as_deref(), Some("held"), "the browser is told");
    assert_eq!(
        provider.sideband_handshakes(),
        vec![(call_id.clone(), Some("Bearer sk-test".to_owned()))],
        "the call's own sideband, on the server's key"
    );
    assert!(session(&app, &id).call_sideband);

    let delta = json!({"type": "response.output_audio_transcript.delta", "item_id": "item_p1", "delta": "いらっ"});
    for event in [
        json!({"type": "session.updated", "session": {}}),
        delta,
        partner_said("item_p1", "いらっしゃいませ！"),
        learner_said("item_l1", "ラーメンをください。"),
        partner_said("item_p2", "はい、どうぞ。"),
    ] {
        assert_eq!(provider.push(&call_id, event), 1);
    }
    eventually("the sideband's three lines are stored", || {
        stored_lines(&app, &id).len() == 3
    })
    .await;
    let page = learner
        .browser
        .get_html(&format!("/conversations/{id}"))
        .await;
    assert_eq!(
        page.texts("#transcript .message .text"),
        [
            "いらっしゃいませ！",
            "ラーメンをください。",
            "はい、どうぞ。"
        ]
    );
    assert_eq!(
        page.texts("#transcript .message.learner .text"),
        ["ラーメンをください。"]
    );

    // The browser read the same events and posts them, with one the sideband has not sent.
    let (status, stored) = post_lines(
        &learner,
        &id,
        json!([
            {"role": "partner", "text": "いらっしゃいませ！", "item_id": "item_p1"},
            {"role": "learner", "text": "ラーメンをください。", "item_id": "item_l1"},
            {"role": "partner", "text": "はい、どうぞ。", "item_id": "item_p2"},
            {"role": "learner", "text": "みそをおねがいします。", "item_id": "item_l2"}
        ]),
    )
    .await;
    assert_eq!((status, stored), (200, json!(1)));
    // The sideband delivers that one late, then a new line: each item is kept once.
    provider.push(&call_id, learner_said("item_l2", "みそをおねがいします。"));
    provider.push(
        &call_id,
        partner_said("item_p3", "しょうしょうおまちください。"),
    );
    eventually("the fifth line is stored", || {
        stored_lines(&app, &id).len() == 5
    })
    .await;
    let items: Vec<(MessageRole, Option<String>)> = stored_lines(&app, &id)
        .into_iter()
        .map(|(role, _, item)| (role, item))
        .collect();
    let item = |s: &str| Some(s.to_owned());
    assert_eq!(
        items,
        vec![
            (MessageRole::Assistant, item("item_p1")),
            (MessageRole::User, item("item_l1")),
            (MessageRole::Assistant, item("item_p2")),
            (MessageRole::User, item("item_l2")),
            (MessageRole::Assistant, item("item_p3")),
        ]
    );
    let page = learner
        .browser
        .get_html(&format!("/conversations/{id}"))
        .await;
    assert_eq!(page.texts("#transcript .message .text").len(), 5);

    // An item id that is not one is refused, and nothing is written.
    let (status, _) = post_lines(
        &learner,
        &id,
        json!([
            {"role": "learner", "text": "またね", "item_id": "item_l3"},
            {"role": "learner", "text": "またね", "item_id": "<b>item</b>"}
        ]),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(stored_lines(&app, &id).len(), 5);
}

#[tokio::test]
async fn the_wrap_up_goes_over_the_sideband_and_the_hang_up_closes_it_at_the_deadline() {
    let (app, provider) = app_with_realtime().await;
    let (learner, id, call_id, _) = call(&app, &provider).await;
    // Thirty-one seconds before the deadline: nothing yet.
    app.clock.advance(Duration::seconds(900 - 60 - 31));
    app.run_jobs_until_idle().await;
    assert!(provider.sideband_received(&call_id).is_empty());
    app.clock.advance(Duration::seconds(1));
    app.run_jobs_until_idle().await;
    eventually("the wrap-up arrives", || {
        provider.sideband_received(&call_id).len() == 2
    })
    .await;
    let got = provider.sideband_received(&call_id);
    assert_eq!(got[0]["type"], "conversation.item.create");
    assert_eq!(got[0]["item"]["role"], "system");
    assert_eq!(got[0]["item"]["content"][0]["text"], WRAP_UP_INSTRUCTION);
    assert_eq!(got[1]["type"], "response.create");
    assert_eq!(
        provider.sideband_handshakes().len(),
        1,
        "over the connection the server holds"
    );
    assert!(provider.hangups().is_empty());
    // The partner's closing line still comes in over the sideband.
    provider.push(
        &call_id,
        partner_said("item_p9", "ありがとうございました。"),
    );
    eventually("the closing line is stored", || {
        stored_lines(&app, &id).len() == 1
    })
    .await;

    app.clock.advance(Duration::seconds(31));
    app.run_jobs_until_idle().await;
    assert_eq!(provider.hangups(), vec![call_id.clone()]);
    assert!(session(&app, &id).call_ended_at.is_some());
    eventually("the server closes the sideband", || {
        provider.sideband_closed(&call_id) == 1
    })
    .await;
    assert_eq!(provider.sideband_received(&call_id).len(), 2, "one wrap-up");
    app.clock.advance(Duration::seconds(90));
    janitor(&app).await;
    assert_eq!(status(&app, &id), ConversationStatus::Ended);
    let report = learner
        .browser
        .get_html(&format!("/conversations/{id}/report"))
        .await;
    assert!(report.html.html().contains("ありがとうございました。"));
}

#[tokio::test]
async fn a_wrap_up_run_by_another_instance_opens_a_short_sideband_of_its_own() {
    let (app, provider) = app_with_realtime().await;
    let (_learner, id, call_id, _) = call(&app, &provider).await;
    // Another process: the same database and settings, but it holds no sideband.
    let mut other = app.ctx.clone();
    let adapter = OpenAiRealtime::from_settings(app.ctx.settings.ai.as_ref().unwrap()).unwrap();
    other.voice = Some(Arc::new(adapter) as Arc<dyn RealtimeCalls>);
    app.clock.advance(Duration::seconds(900 - 60 - 30));
    kaiwa::jobs::run_until_idle(&other, &kaiwa::jobs::Registry::standard())
        .await
        .unwrap();
    eventually("the wrap-up arrives", || {
        provider.sideband_received(&call_id).len() == 2
    })
    .await;
    assert_eq!(
        provider.sideband_handshakes(),
        vec![
            (call_id.clone(), Some("Bearer sk-test".to_owned())),
            (call_id.clone(), Some("Bearer sk-test".to_owned())),
        ]
    );
    eventually("the short connection is closed again", || {
        provider.sideband_closed(&call_id) == 1
    })
    .await;
    // The first process still follows the call.
    assert_eq!(
        provider.push(&call_id, learner_said("item_l1", "はい。")),
        1
    );
    eventually("its line is stored", || stored_lines(&app, &id).len() == 1).await;
}

#[tokio::test]
async fn when_the_provider_refuses_the_sideband_the_browser_sends_the_wrap_up_and_transcript() {
    let (app, provider) = app_with_realtime().await;
    provider.sideband.accept.store(false, Ordering::SeqCst);
    let (learner, id, call_id, sideband) = call(&app, &provider).await;
    assert_eq!(sideband, None, "the browser keeps its own wrap-up");
    assert_eq!(provider.sideband_handshakes().len(), 1, "asked once");
    assert!(!session(&app, &id).call_sideband);
    let page = learner
        .browser
        .get_html(&format!("/conversations/{id}"))
        .await;
    assert_eq!(
        page.attrs("#realtime", "data-wrap-up"),
        [WRAP_UP_INSTRUCTION]
    );

    let (status, stored) = post_lines(
        &learner,
        &id,
        json!([
            {"role": "partner", "text": "いらっしゃいませ！", "item_id": "item_p1"},
            {"role": "learner", "text": "ラーメンをください。", "item_id": "item_l1"},
            {"role": "learner", "text": "ラーメンをください。", "item_id": "item_l1"}
        ]),
    )
    .await;
    assert_eq!((status, stored), (200, json!(2)), "a repeated item once");
    let page = learner
        .browser
        .get_html(&format!("/conversations/{id}"))
        .await;
    assert_eq!(
        page.texts("#transcript .message .text"),
        ["いらっしゃいませ！", "ラーメンをください。"]
    );

    // The wrap-up step leaves it to the browser; the hang-up comes at the deadline.
    app.clock.advance(Duration::seconds(900 - 60 - 30));
    app.run_jobs_until_idle().await;
    assert_eq!(provider.sideband_handshakes().len(), 1, "not asked again");
    assert!(provider.sideband_received(&call_id).is_empty());
    app.clock.advance(Duration::seconds(30));
    app.run_jobs_until_idle().await;
    assert_eq!(provider.hangups(), vec![call_id]);
    let dead: i64 = jobs::table
        .filter(jobs::kind.eq("realtime_call_deadline"))
        .filter(jobs::status.ne("done"))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(dead, 0, "both steps succeeded");
}
