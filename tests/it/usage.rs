//! Plans held on the server, through the pages and the rows: a free learner stopped at the
//! session's 4 minutes with the last message kept, a month that runs out at 15 minutes and
//! comes back at the period change, banking on Plus spent first, extensions as the tier
//! says, the janitor settling abandoned sessions, and races: concurrent starts never hold
//! more than the month has, concurrent extensions never pass the tier's count.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use diesel::prelude::*;
use kaiwa::db::models::{ConversationSession, NewSubscription, UserUsage};
use kaiwa::db::schema::{
    conversation_sessions, conversations, messages, subscriptions, user_usage,
};
use kaiwa::db::types::{ConversationStatus, SessionState, SubscriptionStatus};

use crate::helpers::{spawn_app, Learner, TestApp};

pub(crate) fn at(app: &TestApp, y: i32, m: u32, d: u32, h: u32) {
    app.clock.freeze();
    app.clock
        .set(Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single().unwrap());
}

fn month(app: &TestApp, user: &str, period: &str) -> Option<UserUsage> {
    user_usage::table
        .find((user, period))
        .select(UserUsage::as_select())
        .first(&mut app.conn())
        .optional()
        .unwrap()
}

pub(crate) fn session(app: &TestApp, conversation: &str) -> ConversationSession {
    conversation_sessions::table
        .filter(conversation_sessions::conversation_id.eq(conversation))
        .order(conversation_sessions::start_time.desc())
        .select(ConversationSession::as_select())
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

/// The learner signed in afresh (after the clock jumped past their session's life).
fn again(app: &TestApp, learner: &Learner) -> Learner {
    Learner {
        id: learner.id.clone(),
        browser: app.browser_for(&learner.id),
    }
}

/// Starts a conversation through the form; its id, or the refusal's status.
async fn start(learner: &Learner) -> Result<String, u16> {
    let res = learner
        .browser
        .post_form(
            "/conversations",
            &[
                ("scenario_id", "ordering-ramen-osaka"),
                ("language", "ja"),
                ("mode", "traditional"),
            ],
        )
        .await;
    match res.status().as_u16() {
        303 => Ok(res.headers()["location"]
            .to_str()
            .unwrap()
            .trim_start_matches("/conversations/")
            .to_owned()),
        other => Err(other),
    }
}

async fn say(learner: &Learner, id: &str, text: &str) -> u16 {
    learner
        .browser
        .post_form(
            &format!("/conversations/{id}/messages"),
            &[("content", text)],
        )
        .await
        .status()
        .as_u16()
}

/// Practises for `seconds` of active time: a message every 50 s (the clock moved on by the
/// test), then ends the conversation.
async fn practise(app: &TestApp, learner: &Learner, id: &str, seconds: i64) {
    let mut done = 0;
    while done + 50 <= seconds {
        app.clock.advance(Duration::seconds(50));
        assert_eq!(say(learner, id, "はい").await, 303);
        done += 50;
    }
    app.clock.advance(Duration::seconds(seconds - done));
    let res = learner
        .browser
        .post_form(&format!("/conversations/{id}/end"), &[])
        .await;
    assert_eq!(res.status(), 303, "ended");
}

/// Puts `user` on `tier` from `since` (an active subscription without Stripe, as an admin
/// sets it by hand).
pub(crate) fn subscribe(app: &TestApp, user: &str, tier: &str, since: chrono::NaiveDateTime) {
    diesel::insert_into(subscriptions::table)
        .values(NewSubscription {
            id: kaiwa::db::new_id(),
            user_id: user.into(),
            tier_id: tier.into(),
            stripe_subscription_id: None,
            stripe_customer_id: None,
            stripe_price_id: None,
            status: SubscriptionStatus::Active,
            current_period_start: None,
            current_period_end: None,
            cancel_at_period_end: false,
            is_active: true,
            created_at: since,
            updated_at: since,
        })
        .execute(&mut app.conn())
        .unwrap();
}

fn naive(y: i32, m: u32, d: u32) -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
}

#[tokio::test]
async fn a_free_learner_is_stopped_at_four_minutes_and_the_last_message_is_kept() {
    let app = spawn_app().await;
    at(&app, 2026, 12, 10, 12);
    let learner = app.learner().onboarded("ja").create().await;
    let id = start(&learner)
        .await
        .expect("the first conversation starts");

    let page = learner
        .browser
        .get_html(&format!("/conversations/{id}"))
        .await;
    assert_eq!(
        page.text("#session-clock .clock-session"),
        "4 min left in this session"
    );
    assert_eq!(
        page.text("#session-clock .clock-month"),
        "11 min more this month"
    );
    assert!(
        page.texts("#session-clock form").is_empty(),
        "free has no extensions"
    );
    let held = month(&app, &learner.id, "2026-12").unwrap();
    assert_eq!((held.granted_seconds, held.reserved_seconds), (900, 240));

    app.clock.advance(Duration::seconds(100));
    assert_eq!(say(&learner, &id, "ラーメンをください").await, 303);
    app.clock.advance(Duration::seconds(90));
    let page = learner
        .browser
        .get_html(&format!("/conversations/{id}"))
        .await;
    assert_eq!(
        page.text("#session-clock .clock-session"),
        "50 s left in this session"
    );
    assert!(
        page.texts(".clock-warning[hidden]").is_empty(),
        "a minute before: warned"
    );
    assert!(page
        .attrs("#session-clock a", "href")
        .contains(&"/pricing".to_owned()));

    // Past the 4 minutes (within the grace): the message is kept, and it is the last.
    app.clock.advance(Duration::seconds(70));
    assert_eq!(say(&learner, &id, "おかわり、さいごです").await, 303);
    let page = learner
        .browser
        .get_html(&format!("/conversations/{id}"))
        .await;
    assert!(page.text("body").contains("your last message is saved"));
    assert!(page.text("#transcript").contains("おかわり、さいごです"));
    assert!(page.text("main").contains("the session's time ran out"));
    assert!(page
        .attrs("main a", "href")
        .contains(&"/pricing".to_owned()));
    assert_eq!(status(&app, &id), ConversationStatus::Ended);
    let partner_after: i64 = messages::table
        .filter(messages::conversation_id.eq(&id))
        .filter(messages::content.eq("おかわり、さいごです"))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(partner_after, 1);
    let s = session(&app, &id);
    assert_eq!(s.state, SessionState::Settled);
    assert_eq!(
        s.seconds_consumed, 220,
        "100 s, then the 140 s to the deadline counted as a 2-minute pause"
    );
    let m = month(&app, &learner.id, "2026-12").unwrap();
    assert_eq!((m.seconds_used, m.reserved_seconds), (220, 0));

    // Long past a deadline nothing more is taken; the text stays in the box (htmx).
    let second = start(&learner).await.unwrap();
    app.clock.advance(Duration::minutes(6));
    let res = learner
        .browser
        .htmx_post(
            &format!("/conversations/{second}/messages"),
            &[("content", "まだいますか")],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("still in the box"));
    assert_eq!(status(&app, &second), ConversationStatus::Ended);
    assert_eq!(
        session(&app, &second).seconds_consumed,
        120,
        "an idle session counts one capped pause, not the whole wait"
    );
}

#[tokio::test]
async fn a_free_month_runs_out_at_fifteen_minutes_and_comes_back_next_month() {
    let app = spawn_app().await;
    at(&app, 2026, 12, 10, 12);
    let learner = app.learner().onboarded("ja").create().await;
    for _ in 0..3 {
        let id = start(&learner).await.expect("time is left");
        practise(&app, &learner, &id, 240).await;
        assert_eq!(session(&app, &id).seconds_consumed, 240);
    }
    let fourth = start(&learner).await.expect("three minutes are left");
    assert_eq!(
        session(&app, &fourth).hold_seconds,
        180,
        "only what is left is held"
    );
    practise(&app, &learner, &fourth, 200).await;
    let m = month(&app, &learner.id, "2026-12").unwrap();
    assert_eq!(
        (m.seconds_used, m.reserved_seconds),
        (900, 0),
        "15 minutes, no more"
    );

    let res = learner
        .browser
        .post_page(
            "/conversations",
            &[("scenario_id", "ordering-ramen-osaka"), ("language", "ja")],
        )
        .await;
    assert_eq!(res.status, 403);
    assert!(res
        .text("#form-error")
        .contains("used this month's conversation time"));
    assert!(res.attrs("main a", "href").contains(&"/pricing".to_owned()));
    let count: i64 = conversations::table
        .filter(conversations::user_id.eq(&learner.id))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(count, 4, "the refused start wrote nothing");
    let billing = learner.browser.get_html("/account/billing").await;
    assert_eq!(billing.text(".usage-left"), "0 min of 15 min");
    assert!(billing.text(".billing-usage").contains("1 January 2027"));

    at(&app, 2027, 1, 1, 0);
    let learner = again(&app, &learner);
    let january = start(&learner).await.expect("the month is back");
    let m = month(&app, &learner.id, "2027-01").unwrap();
    assert_eq!(
        (m.granted_seconds, m.banked_seconds, m.reserved_seconds),
        (900, 0, 240)
    );
    assert_eq!(session(&app, &january).period.as_deref(), Some("2027-01"));
}

#[tokio::test]
async fn plus_banks_unused_time_up_to_five_hours_and_spends_it_first() {
    let app = spawn_app().await;
    at(&app, 2026, 11, 15, 9);
    let learner = app.learner().onboarded("ja").create().await;
    subscribe(&app, &learner.id, "plus", naive(2026, 11, 1));
    let nov = start(&learner).await.unwrap();
    assert_eq!(session(&app, &nov).hold_seconds, 900, "15-minute sessions");
    practise(&app, &learner, &nov, 600).await;
    assert_eq!(
        month(&app, &learner.id, "2026-11").unwrap().seconds_used,
        600
    );

    at(&app, 2026, 12, 2, 9);
    let learner = again(&app, &learner);
    let dec = start(&learner).await.unwrap();
    let m = month(&app, &learner.id, "2026-12").unwrap();
    assert_eq!(
        (m.granted_seconds, m.banked_seconds),
        (36_000, 18_000),
        "9 h 50 min unused, banked up to 5 h"
    );
    practise(&app, &learner, &dec, 300).await;
    let m = month(&app, &learner.id, "2026-12").unwrap();
    assert_eq!(
        (m.banked_seconds_used, m.seconds_used),
        (300, 0),
        "the bank pays first"
    );

    at(&app, 2027, 1, 3, 9);
    let learner = again(&app, &learner);
    start(&learner).await.unwrap();
    let m = month(&app, &learner.id, "2027-01").unwrap();
    assert_eq!(
        m.banked_seconds, 18_000,
        "December's own grant was untouched"
    );

    // A plus learner who skipped a month still carries it over; a free one carries nothing.
    let skipper = app.learner().onboarded("ja").create().await;
    subscribe(&app, &skipper.id, "plus", naive(2026, 10, 1));
    start(&skipper).await.unwrap();
    assert_eq!(
        month(&app, &skipper.id, "2027-01").unwrap().banked_seconds,
        18_000
    );
    let free = app.learner().onboarded("ja").create().await;
    start(&free).await.unwrap();
    assert_eq!(month(&app, &free.id, "2027-01").unwrap().banked_seconds, 0);
}

#[tokio::test]
async fn extensions_follow_the_tier() {
    let app = spawn_app().await;
    at(&app, 2026, 12, 10, 12);
    let learner = app.learner().onboarded("ja").create().await;
    subscribe(&app, &learner.id, "plus", naive(2026, 12, 1));
    let id = start(&learner).await.unwrap();
    let page = learner
        .browser
        .get_html(&format!("/conversations/{id}"))
        .await;
    assert_eq!(page.text("#session-clock button"), "Add 5 min (3 left)");
    let extend = format!("/conversations/{id}/extend");
    for left in [2, 1, 0] {
        let res = learner.browser.post_form(&extend, &[]).await;
        assert_eq!(res.status(), 303);
        let page = learner
            .browser
            .get_html(&format!("/conversations/{id}"))
            .await;
        if left > 0 {
            assert_eq!(
                page.text("#session-clock button"),
                format!("Add 5 min ({left} left)")
            );
        } else {
            assert!(page.texts("#session-clock button").is_empty());
        }
    }
    assert_eq!(learner.browser.post_form(&extend, &[]).await.status(), 403);
    let s = session(&app, &id);
    assert_eq!(
        (s.hold_seconds, s.extensions_used, s.was_extended),
        (1_800, 3, true)
    );
    assert_eq!(
        month(&app, &learner.id, "2026-12")
            .unwrap()
            .reserved_seconds,
        1_800
    );

    // Free has none; another learner cannot extend this one.
    let free = app.learner().onboarded("ja").create().await;
    let theirs = start(&free).await.unwrap();
    assert_eq!(
        free.browser
            .post_form(&format!("/conversations/{theirs}/extend"), &[])
            .await
            .status(),
        403
    );
    assert_eq!(free.browser.post_form(&extend, &[]).await.status(), 404);
    assert_eq!(session(&app, &id).extensions_used, 3);
}

#[tokio::test]
async fn the_janitor_settles_a_session_left_open_and_ends_its_conversation() {
    let app = spawn_app().await;
    at(&app, 2026, 12, 10, 12);
    let learner = app.learner().onboarded("ja").create().await;
    let id = start(&learner).await.unwrap();
    app.clock.advance(Duration::seconds(30));
    assert_eq!(say(&learner, &id, "こんにちは").await, 303);
    app.clock.advance(Duration::minutes(10));
    kaiwa::jobs::scheduler::tick(&app.ctx).await.unwrap();
    app.run_jobs_until_idle().await;
    assert_eq!(status(&app, &id), ConversationStatus::Ended);
    let s = session(&app, &id);
    assert_eq!((s.state, s.seconds_consumed), (SessionState::Settled, 150));
    let m = month(&app, &learner.id, "2026-12").unwrap();
    assert_eq!((m.seconds_used, m.reserved_seconds), (150, 0));
}

#[tokio::test]
async fn fifty_concurrent_starts_with_room_for_four_start_exactly_four() {
    let app = spawn_app().await;
    at(&app, 2026, 12, 10, 12);
    let learner = app.learner().onboarded("ja").create().await;
    let results = futures_util::future::join_all((0..50).map(|_| start(&learner))).await;
    let started: Vec<String> = results.iter().filter_map(|r| r.clone().ok()).collect();
    assert_eq!(started.len(), 4, "240 + 240 + 240 + 180 = 900 s");
    assert!(
        results.iter().all(|r| matches!(r, Ok(_) | Err(403))),
        "{results:?}"
    );
    let m = month(&app, &learner.id, "2026-12").unwrap();
    assert_eq!((m.reserved_seconds, m.conversations_used), (900, 4));

    app.clock.advance(Duration::seconds(100));
    for id in &started {
        let res = learner
            .browser
            .post_form(&format!("/conversations/{id}/end"), &[])
            .await;
        assert_eq!(res.status(), 303);
    }
    let settled: Vec<i32> = conversation_sessions::table
        .filter(conversation_sessions::user_id.eq(&learner.id))
        .select(conversation_sessions::seconds_consumed)
        .load(&mut app.conn())
        .unwrap();
    let m = month(&app, &learner.id, "2026-12").unwrap();
    assert_eq!(m.reserved_seconds, 0);
    assert_eq!(
        m.seconds_used,
        settled.iter().sum::<i32>(),
        "the month is the sum of its sessions"
    );
    assert!(m.seconds_used > 0);
}

#[tokio::test]
async fn twenty_concurrent_extensions_with_three_allowed_give_three() {
    let app = spawn_app().await;
    at(&app, 2026, 12, 10, 12);
    let learner = app.learner().onboarded("ja").create().await;
    subscribe(&app, &learner.id, "plus", naive(2026, 12, 1));
    let id = start(&learner).await.unwrap();
    let extend = format!("/conversations/{id}/extend");
    let statuses = futures_util::future::join_all((0..20).map(|_| async {
        learner
            .browser
            .post_form(&extend, &[])
            .await
            .status()
            .as_u16()
    }))
    .await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 403).count(),
        17,
        "{statuses:?}"
    );
    let s = session(&app, &id);
    assert_eq!((s.extensions_used, s.hold_seconds), (3, 1_800));
    assert_eq!(
        month(&app, &learner.id, "2026-12")
            .unwrap()
            .reserved_seconds,
        1_800
    );
}
