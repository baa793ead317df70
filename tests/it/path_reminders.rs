//! Daily path reminders and learners' time zones through the front door: the zone comes from
//! the browser at sign-up and onboarding and changes on the settings page; the dashboard's
//! panel turns reminders on at a local time; the periodic job emails "Day n of 28: theme" once
//! a local day after that time, not within 20 hours of the last one, not when the learner
//! already practised today, never for an archived path, and never after the one-click
//! unsubscribe. Many runs at once send one email.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use diesel::prelude::*;
use kaiwa::app::SettableClock;
use kaiwa::db::models::{LearningPathAssignment, OutboxEmail};
use kaiwa::db::schema::{learning_path_assignments, users};

use crate::helpers::{row_counts, spawn_app, spawn_app_with, Browser, Learner, TestApp};
use crate::paths::{open_and_committed, practise};

/// The UTC instant when the wall clock in `zone` shows `hm` on `date`.
fn at(zone: &str, date: NaiveDate, hm: &str) -> DateTime<Utc> {
    let tz: chrono_tz::Tz = zone.parse().unwrap();
    let time = NaiveTime::parse_from_str(hm, "%H:%M").unwrap();
    tz.from_local_datetime(&date.and_time(time))
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// Tomorrow (UTC): the day the tests' paths start.
fn start_day() -> NaiveDate {
    Utc::now().date_naive() + Duration::days(1)
}

/// Runs the periodic reminder job once, as the scheduler would, and delivers what it queued.
async fn run_reminders(app: &TestApp) {
    kaiwa::jobs::scheduler::run_now(&app.ctx, "path_reminders")
        .await
        .expect("the reminder job runs");
    app.run_jobs_until_idle().await;
}

/// Every reminder in the outbox to `to`, oldest first.
fn reminders_to(app: &TestApp, to: &str) -> Vec<OutboxEmail> {
    app.outbox()
        .into_iter()
        .filter(|e| e.to_address == to && e.subject.starts_with("Day "))
        .collect()
}

fn assignment_of(app: &TestApp, user_id: &str) -> LearningPathAssignment {
    learning_path_assignments::table
        .filter(learning_path_assignments::user_id.eq(user_id))
        .select(LearningPathAssignment::as_select())
        .first(&mut app.conn())
        .unwrap()
}

/// A learner in `zone` (set on the settings page) with a committed path, reminders on at
/// `time`; their email and the dashboard's path.
async fn learner_with_reminders(app: &TestApp, zone: &str, time: &str) -> (Learner, String) {
    let learner = app.learner().onboarded("ja").create().await;
    let b = &learner.browser;
    let res = b
        .post_form("/settings/time-zone", &[("time_zone", zone)])
        .await;
    assert_eq!(res.status(), 303, "the zone is saved");
    let (_, dashboard) = open_and_committed(b).await;
    let res = b
        .post_form(
            &format!("{dashboard}/reminders"),
            &[("enabled", "on"), ("time", time)],
        )
        .await;
    assert_eq!(
        res.status(),
        303,
        "without JS the form comes back to the path"
    );
    assert_eq!(res.headers()["location"], dashboard.as_str());
    (learner, dashboard)
}

fn email_of(app: &TestApp, learner: &Learner) -> String {
    users::table
        .find(&learner.id)
        .select(users::email)
        .first(&mut app.conn())
        .unwrap()
}

async fn theme_of(b: &Browser, dashboard: &str, day: u8) -> String {
    b.get_html(dashboard)
        .await
        .text(&format!("#day-{day} .day-theme"))
}

/// The path of the unsubscribe link in `email`.
fn unsubscribe_path(email: &OutboxEmail) -> String {
    let url = email
        .list_unsubscribe
        .clone()
        .expect("a List-Unsubscribe URL");
    assert!(
        email.body_text.contains(&url),
        "the body has the same link: {}",
        email.body_text
    );
    url[url.find("/unsubscribe/").unwrap()..].to_owned()
}

#[tokio::test]
async fn reminders_go_out_once_a_local_day_after_the_chosen_hour_in_two_time_zones() {
    let app = spawn_app().await;
    let d = start_day();
    let day = |n: i64| d + Duration::days(n);
    app.clock.set(at("UTC", d, "00:00"));
    let (tokyo, tokyo_path) = learner_with_reminders(&app, "Asia/Tokyo", "10:00").await;
    let tokyo_to = email_of(&app, &tokyo);
    let panel = tokyo.browser.get_html(&tokyo_path).await;
    assert!(
        panel
            .text("#reminders .reminders-summary")
            .contains("10:00 (Asia/Tokyo)"),
        "{}",
        panel.text("#reminders")
    );
    assert_eq!(panel.attrs("#reminder-time", "value"), ["10:00"]);
    assert_eq!(
        panel.attrs("#reminders input[name=enabled][checked]", "value"),
        ["on"]
    );

    // Tokyo at 09:00 on day 1: before the hour.
    run_reminders(&app).await;
    assert!(
        reminders_to(&app, &tokyo_to).is_empty(),
        "not before the hour"
    );

    app.clock.set(at("Asia/Tokyo", day(0), "10:05"));
    run_reminders(&app).await;
    let sent = reminders_to(&app, &tokyo_to);
    assert_eq!(sent.len(), 1);
    let theme1 = theme_of(&tokyo.browser, &tokyo_path, 1).await;
    assert_eq!(sent[0].subject, format!("Day 1 of 28: {theme1}"));
    assert!(sent[0]
        .body_text
        .contains(&format!("{}{tokyo_path}", app.ctx.settings.base_url)));
    app.clock.set(at("Asia/Tokyo", day(0), "10:20"));
    run_reminders(&app).await;
    assert_eq!(reminders_to(&app, &tokyo_to).len(), 1, "not twice");

    // New York commits just after its midnight: day 1 is its local date.
    app.clock.set(at("America/New_York", day(0), "00:30"));
    let (ny, ny_path) = learner_with_reminders(&app, "America/New_York", "08:00").await;
    let ny_to = email_of(&app, &ny);
    run_reminders(&app).await;
    assert!(reminders_to(&app, &ny_to).is_empty(), "00:30 in New York");
    assert_eq!(reminders_to(&app, &tokyo_to).len(), 1);

    app.clock.set(at("America/New_York", day(0), "07:55"));
    run_reminders(&app).await;
    assert!(reminders_to(&app, &ny_to).is_empty(), "07:55 in New York");
    app.clock.set(at("America/New_York", day(0), "08:05"));
    run_reminders(&app).await;
    let sent = reminders_to(&app, &ny_to);
    assert_eq!(sent.len(), 1);
    let ny_theme1 = theme_of(&ny.browser, &ny_path, 1).await;
    assert_eq!(sent[0].subject, format!("Day 1 of 28: {ny_theme1}"));

    // Tokyo's second day: its own theme, at its own hour.
    app.clock.set(at("Asia/Tokyo", day(1), "09:55"));
    run_reminders(&app).await;
    assert_eq!(reminders_to(&app, &tokyo_to).len(), 1);
    app.clock.set(at("Asia/Tokyo", day(1), "10:05"));
    run_reminders(&app).await;
    let sent = reminders_to(&app, &tokyo_to);
    assert_eq!(sent.len(), 2);
    let theme2 = theme_of(&tokyo.browser, &tokyo_path, 2).await;
    assert_eq!(sent[1].subject, format!("Day 2 of 28: {theme2}"));
    assert_ne!(theme1, theme2, "the test can tell the days apart");

    // An earlier hour from tomorrow: still at least 20 hours between two reminders.
    let res = tokyo
        .browser
        .htmx_post(
            &format!("{tokyo_path}/reminders"),
            &[("enabled", "on"), ("time", "05:00")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let fragment = scraper::Html::parse_fragment(&res.text().await.unwrap());
    let summary = scraper::Selector::parse("#reminders .reminders-summary").unwrap();
    let said: String = fragment.select(&summary).next().unwrap().text().collect();
    assert!(said.contains("05:00 (Asia/Tokyo)"), "{said}");

    // New York practises day 2 before the hour: no reminder that day.
    app.clock.set(at("America/New_York", day(1), "07:00"));
    let res = ny
        .browser
        .post_form(&format!("{ny_path}/days/2/start"), &[])
        .await;
    assert_eq!(res.status(), 303, "day 2 is today in New York");
    let conversation = res.headers()["location"].to_str().unwrap().to_owned();
    practise(&ny.browser, &conversation).await;
    app.clock.set(at("America/New_York", day(1), "08:05"));
    run_reminders(&app).await;
    assert_eq!(
        reminders_to(&app, &ny_to).len(),
        1,
        "already practised today"
    );

    app.clock.set(at("Asia/Tokyo", day(2), "05:05"));
    run_reminders(&app).await;
    assert_eq!(
        reminders_to(&app, &tokyo_to).len(),
        2,
        "19 hours after the last"
    );
    app.clock.set(at("Asia/Tokyo", day(2), "06:10"));
    run_reminders(&app).await;
    let sent = reminders_to(&app, &tokyo_to);
    assert_eq!(sent.len(), 3, "20 hours after the last");
    assert!(sent[2].subject.starts_with("Day 3 of 28: "));

    // Unsubscribing: the link asks first, then one click (no session, no CSRF token).
    let link = unsubscribe_path(&sent[2]);
    let stranger = app.new_browser();
    let page = stranger.get_html(&link).await;
    assert_eq!(page.status, 200);
    assert!(page.text("main").contains("Stop the daily reminder emails"));
    assert_eq!(page.attrs("main form", "action"), [link.as_str()]);
    assert!(
        assignment_of(&app, &tokyo.id).email_reminders_enabled,
        "the page changes nothing"
    );
    let page = stranger.post_page(&link, &[]).await;
    assert_eq!(page.status, 200);
    assert!(page
        .text(".unsubscribe-result")
        .contains("Reminders are off"));
    assert!(!assignment_of(&app, &tokyo.id).email_reminders_enabled);
    let panel = tokyo.browser.get_html(&tokyo_path).await;
    assert_eq!(
        panel.text("#reminders .reminders-summary"),
        "Reminders are off."
    );

    app.clock.set(at("America/New_York", day(2), "08:05"));
    run_reminders(&app).await;
    let sent = reminders_to(&app, &ny_to);
    assert_eq!(sent.len(), 2);
    let ny_theme3 = theme_of(&ny.browser, &ny_path, 3).await;
    assert_eq!(sent[1].subject, format!("Day 3 of 28: {ny_theme3}"));

    app.clock.set(at("Asia/Tokyo", day(3), "06:10"));
    run_reminders(&app).await;
    assert_eq!(
        reminders_to(&app, &tokyo_to).len(),
        3,
        "none after unsubscribing"
    );

    let res = ny
        .browser
        .post_form(&format!("{ny_path}/archive"), &[])
        .await;
    assert_eq!(res.status(), 303);
    app.clock.set(at("America/New_York", day(3), "08:05"));
    run_reminders(&app).await;
    assert_eq!(
        reminders_to(&app, &ny_to).len(),
        2,
        "none for an archived path"
    );
}

#[tokio::test]
async fn the_one_click_post_from_a_mail_client_unsubscribes_and_forged_links_are_404() {
    let app = spawn_app().await;
    app.clock.set(at("UTC", start_day(), "09:00"));
    let (learner, _) = learner_with_reminders(&app, "Europe/Paris", "08:00").await;
    run_reminders(&app).await;
    let sent = reminders_to(&app, &email_of(&app, &learner));
    assert_eq!(sent.len(), 1);
    let link = unsubscribe_path(&sent[0]);

    let before = row_counts(&app);
    let flipped = if link.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{flipped}", &link[..link.len() - 1]);
    let other_id = link.replace(
        &assignment_of(&app, &learner.id).id,
        "0197d5f0-0000-7000-8000-000000000000",
    );
    let client = reqwest::Client::new();
    for bad in [forged.as_str(), other_id.as_str(), "/unsubscribe/nonsense"] {
        assert_eq!(app.new_browser().get(bad).await.status(), 404, "{bad}");
        let res = client
            .post(app.url(bad))
            .form(&[("List-Unsubscribe", "One-Click")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{bad}");
    }
    assert_eq!(row_counts(&app), before, "nothing was written");
    assert!(assignment_of(&app, &learner.id).email_reminders_enabled);

    // RFC 8058: the mail client POSTs `List-Unsubscribe=One-Click`, with no cookie or token.
    let res = client
        .post(app.url(&link))
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(!assignment_of(&app, &learner.id).email_reminders_enabled);
    let res = client.post(app.url(&link)).send().await.unwrap();
    assert_eq!(res.status(), 200, "again: still off, still fine");

    app.clock.advance(Duration::days(1));
    run_reminders(&app).await;
    assert_eq!(reminders_to(&app, &email_of(&app, &learner)).len(), 1);

    let res = client
        .post(app.url("/paths/x/reminders"))
        .form(&[("enabled", "on"), ("time", "08:00")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        403,
        "only the unsubscribe link skips the CSRF check"
    );
}

#[tokio::test]
async fn many_job_runs_at_once_in_two_processes_send_one_email() {
    let app = spawn_app().await;
    let now = at("UTC", start_day(), "09:00");
    app.clock.set(now);
    let (learner, _) = learner_with_reminders(&app, "UTC", "08:00").await;
    let settings = app.db.settings();
    let pool = kaiwa::db::conn::build_pool(&settings.database, 8).unwrap();
    let clock = Arc::new(SettableClock::running());
    clock.set(now);
    let other = kaiwa::startup::context(Arc::new(settings), pool, clock).unwrap();
    let mut runs = Vec::new();
    for n in 0..24 {
        let ctx = if n % 2 == 0 {
            app.ctx.clone()
        } else {
            other.clone()
        };
        runs.push(tokio::spawn(async move {
            kaiwa::app::paths::send_reminders(&ctx).await.unwrap()
        }));
    }
    let mut queued = 0;
    for r in runs {
        queued += r.await.unwrap();
    }
    assert_eq!(queued, 1, "one run queued the email");
    assert_eq!(reminders_to(&app, &email_of(&app, &learner)).len(), 1);
}

#[tokio::test]
async fn only_the_learner_sets_reminders_and_bad_values_are_refused_with_a_message() {
    let app = spawn_app().await;
    let owner = app.learner().onboarded("ja").create().await;
    let (_, dashboard) = open_and_committed(&owner.browser).await;
    let stranger = app.learner().onboarded("ja").create().await;
    let before = row_counts(&app);
    let before_row = assignment_of(&app, &owner.id);
    let path = format!("{dashboard}/reminders");
    let res = stranger
        .browser
        .post_form(&path, &[("enabled", "on"), ("time", "08:00")])
        .await;
    assert_eq!(res.status(), 404);
    let res = stranger
        .browser
        .htmx_post(&path, &[("enabled", "on"), ("time", "08:00")])
        .await;
    assert_eq!(res.status(), 404);
    assert_eq!(row_counts(&app), before);
    assert_eq!(
        assignment_of(&app, &owner.id),
        before_row,
        "nothing changed"
    );

    for (fields, says) in [
        (vec![("enabled", "on"), ("time", "25:00")], "HH:MM"),
        (vec![("enabled", "on"), ("time", "8am")], "HH:MM"),
        (vec![("enabled", "maybe"), ("time", "08:00")], "on or off"),
        (vec![("time", "08:00")], "on or off"),
    ] {
        let page = owner.browser.post_page(&path, &fields).await;
        assert_eq!(page.status, 422, "{fields:?}");
        assert!(page.text("main").contains(says), "{}", page.text("main"));
    }
    assert_eq!(
        assignment_of(&app, &owner.id),
        before_row,
        "nothing changed"
    );

    let res = owner
        .browser
        .post_form(&format!("{dashboard}/archive"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let page = owner
        .browser
        .post_page(&path, &[("enabled", "on"), ("time", "08:00")])
        .await;
    assert_eq!(page.status, 422, "an archived path gets no reminders");
    let page = owner.browser.get_html(&dashboard).await;
    assert!(page.attrs("#reminders form", "action").is_empty());
}

#[tokio::test]
async fn the_time_zone_comes_from_the_browser_and_changes_in_settings() {
    let app = spawn_app().await;
    let zone_of = |id: &str| -> String {
        users::table
            .find(id)
            .select(users::time_zone)
            .first(&mut app.conn())
            .unwrap()
    };
    let guest = app.new_browser();
    for page in ["/signup", "/onboarding"] {
        let html = guest.get_html(page).await;
        assert_eq!(
            html.attrs(
                "form input[type=hidden][name=time_zone][data-time-zone]",
                "value"
            ),
            ["UTC"],
            "{page}: UTC until the script fills it"
        );
        let scripts = html.attrs("script[src*='js/time_zone.js']", "src");
        assert_eq!(scripts.len(), 1, "{page}");
        let js = guest.get(&scripts[0]).await;
        assert_eq!(js.status(), 200);
        assert!(js
            .text()
            .await
            .unwrap()
            .contains("resolvedOptions().timeZone"));
    }

    let res = guest
        .post_form(
            "/signup",
            &[
                ("email", "tz@example.com"),
                ("password", "river otter breakfast"),
                ("display_name", ""),
                ("time_zone", "Asia/Tokyo"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(zone_of(&app.user_id("tz@example.com")), "Asia/Tokyo");
    let res = app
        .new_browser()
        .post_form(
            "/signup",
            &[
                ("email", "bogus@example.com"),
                ("password", "river otter breakfast"),
                ("time_zone", "Mars/Olympus"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "an unknown zone never blocks a sign-up");
    assert_eq!(zone_of(&app.user_id("bogus@example.com")), "UTC");

    // Onboarding fills a signed-in learner's zone once, while it is still the default.
    let learner = app.learner().create().await;
    let b = &learner.browser;
    let step = |zone: &'static str| {
        [
            ("step", "language"),
            ("language", "ja"),
            ("time_zone", zone),
        ]
    };
    assert_eq!(
        b.post_form("/onboarding", &step("Europe/Paris"))
            .await
            .status(),
        303
    );
    assert_eq!(zone_of(&learner.id), "Europe/Paris");
    assert_eq!(
        b.post_form("/onboarding", &step("Asia/Seoul"))
            .await
            .status(),
        303
    );
    assert_eq!(
        zone_of(&learner.id),
        "Europe/Paris",
        "a zone is not overwritten"
    );

    // Settings: a labelled text field suggesting IANA names.
    let page = b.get_html("/settings").await;
    assert_eq!(page.text("label[for=time_zone]"), "Your time zone");
    assert_eq!(page.attrs("input#time_zone", "value"), ["Europe/Paris"]);
    let list = page.attrs("input#time_zone", "list");
    let suggested = page.attrs(&format!("datalist#{} option", list[0]), "value");
    assert!(suggested.len() > 300 && suggested.contains(&"Asia/Tokyo".to_owned()));
    let res = b
        .post_form("/settings/time-zone", &[("time_zone", "America/New_York")])
        .await;
    assert_eq!(res.status(), 303);
    let page = b.get_html("/settings").await;
    assert_eq!(page.attrs("input#time_zone", "value"), ["America/New_York"]);
    assert!(page.text(".flash").contains("America/New_York"));
    for bad in ["Mars/Olympus", "", "UTC+25"] {
        let page = b
            .post_page("/settings/time-zone", &[("time_zone", bad)])
            .await;
        assert_eq!(page.status, 422, "{bad}");
        assert!(
            page.text("main").contains("is not a time zone we know"),
            "{}",
            page.text("main")
        );
    }
    assert_eq!(zone_of(&learner.id), "America/New_York");
    let guest_settings = app.new_browser().get_html("/settings").await;
    assert!(
        guest_settings.attrs("input#time_zone", "name").is_empty(),
        "guests have no account zone"
    );
}

#[tokio::test]
async fn a_reminder_sent_by_smtp_carries_the_one_click_unsubscribe_headers() {
    let (port, received) = crate::mail::mock_smtp().await;
    let app = spawn_app_with(|s| {
        s.seed_on_start = true;
        s.smtp = Some(kaiwa::config::SmtpSettings {
            url: kaiwa::config::Secret::new(format!("smtp://127.0.0.1:{port}")),
            from: "Kaiwa <hello@kaiwa.test>".into(),
        });
    })
    .await;
    app.clock.set(at("UTC", start_day(), "09:00"));
    let (learner, _) = learner_with_reminders(&app, "UTC", "08:00").await;
    run_reminders(&app).await;
    let sent = reminders_to(&app, &email_of(&app, &learner));
    assert_eq!(sent.len(), 1);
    let url = sent[0].list_unsubscribe.clone().unwrap();
    let messages = received.lock().unwrap().clone();
    let message = messages
        .iter()
        .find(|m| m.contains("Day 1 of 28"))
        .expect("the reminder reached the SMTP server");
    // why: long header lines are folded onto continuation lines starting with a space.
    let unfolded = message.replace("\n ", " ").replace("\n\t", " ");
    assert!(
        unfolded.contains(&format!("List-Unsubscribe: <{url}>")),
        "{unfolded}"
    );
    assert!(unfolded.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
}
