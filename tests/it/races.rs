//! Check-then-write paths raced by 20+ concurrent requests, on both databases: sign-in
//! throttling counts every attempt, messages sent at once get distinct positions, a
//! conversation ended twenty times at once counts one attempt, an analysis stored twenty times
//! at once counts one late completion, and one learner's concurrent save toggles leave the
//! aggregate equal to a recount.

use std::sync::Arc;

use diesel::prelude::*;
use kaiwa::db::schema::{messages, rate_limits, scenario_metadata, user_scenario_progress};

use crate::helpers::{spawn_app, Browser};

const RACERS: usize = 24;

async fn race<F, Fut>(b: &Arc<Browser>, f: F) -> Vec<u16>
where
    F: Fn(Arc<Browser>, usize) -> Fut,
    Fut: std::future::Future<Output = reqwest::Response> + Send + 'static,
{
    b.csrf().await;
    let handles: Vec<_> = (0..RACERS).map(|n| tokio::spawn(f(b.clone(), n))).collect();
    let mut statuses = Vec::new();
    for h in handles {
        statuses.push(h.await.unwrap().status().as_u16());
    }
    statuses
}

#[tokio::test]
async fn sign_ins_raced_at_once_each_count_in_the_throttle() {
    let app = spawn_app().await;
    let b = Arc::new(app.new_browser());
    let statuses = race(&b, |b, n| async move {
        b.post_form(
            "/login",
            &[
                ("email", &format!("nobody{n}@example.com")),
                ("password", "not the password at all"),
            ],
        )
        .await
    })
    .await;
    assert!(statuses.iter().all(|s| *s < 500), "{statuses:?}");
    let hits: i32 = rate_limits::table
        .filter(rate_limits::key.eq("login:ip:127.0.0.1"))
        .select(rate_limits::hits)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(hits as usize, RACERS, "no attempt lost");
}

#[tokio::test]
async fn messages_sent_at_once_get_distinct_positions() {
    let app = spawn_app().await;
    let learner = app.learner().onboarded("ja").create().await;
    let id = app.conversation(&learner).with_messages(2).create().await;
    let b = Arc::new(learner.browser);
    let path = format!("/conversations/{id}/messages");
    let statuses = race(&b, move |b, n| {
        let path = path.clone();
        async move {
            b.htmx_post(&path, &[("content", &format!("ラーメン {n} つ"))])
                .await
        }
    })
    .await;
    assert!(statuses.iter().all(|s| *s < 400), "{statuses:?}");
    let mut positions: Vec<i32> = messages::table
        .filter(messages::conversation_id.eq(&id))
        .select(messages::position)
        .load(&mut app.conn())
        .unwrap();
    let learner: i64 = messages::table
        .filter(messages::conversation_id.eq(&id))
        .filter(messages::role.eq("user"))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(learner as usize, RACERS + 2, "every message stored");
    positions.sort();
    let expected: Vec<i32> = (1..=positions.len() as i32).collect();
    assert_eq!(positions, expected, "distinct and without gaps");
}

#[tokio::test]
async fn a_conversation_ended_many_times_at_once_counts_one_attempt() {
    let app = spawn_app().await;
    let attempts_before: i32 = scenario_metadata::table
        .find("ordering-ramen-osaka")
        .select(scenario_metadata::total_attempts)
        .first(&mut app.conn())
        .unwrap();
    let learner = app.learner().email("ender@example.com").create().await;
    let id = app
        .conversation(&learner)
        .scenario("ordering-ramen-osaka", "ja")
        .with_messages(1)
        .create()
        .await;
    let (user, b) = (learner.id, Arc::new(learner.browser));
    let path = format!("/conversations/{id}/end");
    let statuses = race(&b, move |b, _| {
        let path = path.clone();
        async move { b.post_form(&path, &[]).await }
    })
    .await;
    assert!(statuses.iter().all(|s| *s == 303), "{statuses:?}");
    let attempts_after: i32 = scenario_metadata::table
        .find("ordering-ramen-osaka")
        .select(scenario_metadata::total_attempts)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(attempts_after, attempts_before + 1);
    let mine: i32 = user_scenario_progress::table
        .find((&user, "ordering-ramen-osaka"))
        .select(user_scenario_progress::times_attempted)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(mine, 1);
}

#[tokio::test]
async fn an_analysis_stored_many_times_at_once_counts_one_completion() {
    use kaiwa::app::conversations::{analysis::Analysis, store_analysis};
    use kaiwa::app::Clock;
    use kaiwa::db::queries::preferences::Owner;
    let app = spawn_app().await;
    let learner = app.learner().email("late@example.com").create().await;
    let id = app
        .conversation(&learner)
        .scenario("ordering-ramen-osaka", "ja")
        .with_messages(1)
        .create()
        .await;
    let res = learner
        .browser
        .post_form(&format!("/conversations/{id}/end"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let completions = |app: &crate::helpers::TestApp| -> (i32, i32) {
        let mine = user_scenario_progress::table
            .find((&learner.id, "ordering-ramen-osaka"))
            .select(user_scenario_progress::times_completed)
            .first(&mut app.conn())
            .unwrap();
        let all = scenario_metadata::table
            .find("ordering-ramen-osaka")
            .select(scenario_metadata::total_completions)
            .first(&mut app.conn())
            .unwrap();
        (mine, all)
    };
    let (mine_before, all_before) = completions(&app);
    assert_eq!(mine_before, 0, "one unrecognised turn does not complete it");
    let handles: Vec<_> = (0..RACERS)
        .map(|_| {
            let (ctx, owner, id) = (app.ctx.clone(), Owner::User(learner.id.clone()), id.clone());
            let now = app.clock.naive();
            tokio::spawn(async move {
                let analysis = Analysis {
                    per_message: Vec::new(),
                    vocabulary: Default::default(),
                    objectives_met: Some((0..16).collect()),
                };
                ctx.db
                    .run(move |c| store_analysis(c, &owner, &id, analysis, now))
                    .await
            })
        })
        .collect();
    for h in handles {
        h.await.unwrap().unwrap();
    }
    assert_eq!(completions(&app), (1, all_before + 1));
}

#[tokio::test]
async fn one_learners_concurrent_save_toggles_leave_the_count_equal_to_a_recount() {
    let app = spawn_app().await;
    let b = Arc::new(app.browser_for(&app.create_user("toggler@example.com")));
    let statuses = race(&b, |b, n| async move {
        let saved = if n % 3 == 0 { "false" } else { "true" };
        b.htmx_post("/scenarios/ordering-ramen-osaka/save", &[("saved", saved)])
            .await
    })
    .await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let (count,) = kaiwa::db::queries::progress::recount(&mut app.conn(), "ordering-ramen-osaka")
        .map(|(saved, _, _)| (saved,))
        .unwrap();
    let stored: i32 = scenario_metadata::table
        .find("ordering-ramen-osaka")
        .select(scenario_metadata::amount_saved_count)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(i64::from(stored), count);
    assert!(count <= 1);
}
