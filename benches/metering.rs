//! Benchmark: what metering costs. Two Kaiwa servers on SQLite (seeded, offline partner),
//! one with usage limits on (`KAIWA_USAGE_LIMITS=true`: every start holds time in the
//! learner's month under the usage lock, every message records active time) and one with
//! them off, measured interleaved in the same run: starting a conversation
//! (`POST /conversations`) and sending a message (`POST /conversations/{id}/messages`, as
//! htmx sends it), one request at a time. Prints the median and p90 of each and the
//! metered ÷ unmetered ratio. Run with `cargo bench --bench metering`
//! (`KAIWA_BENCH_ROUNDS`, default 300).

use std::time::{Duration, Instant};

use kaiwa::config::Settings;
use kaiwa::db::conn::DatabaseTarget;
use kaiwa::db::models::{NewSubscription, NewUser};
use kaiwa::startup::Application;

struct Side {
    name: &'static str,
    base: String,
    client: reqwest::Client,
    token: String,
    conversation: String,
    starts: Vec<Duration>,
    sends: Vec<Duration>,
}

fn csrf(html: &str) -> String {
    let start = html.find("name=\"csrf_token\" value=\"").expect("a token") + 25;
    html[start..start + 64].to_owned()
}

/// A server with limits `on`, and a learner on a tier with time for every round.
async fn side(name: &'static str, on: bool, dir: &std::path::Path) -> Side {
    let mut settings = Settings::for_tests(
        dir.to_path_buf(),
        DatabaseTarget::Sqlite(dir.join("kaiwa.db")),
    );
    settings.seed_on_start = true;
    settings.usage_limits = on;
    settings.db_pool_size = 8;
    let app = Application::build(settings).unwrap();
    let now = chrono::Utc::now().naive_utc();
    let user_id = kaiwa::db::new_id();
    let token = {
        use diesel::prelude::*;
        let mut conn = app.pool().get().unwrap();
        kaiwa::db::queries::users::insert(
            &mut conn,
            &NewUser {
                id: user_id.clone(),
                email: format!("{name}@bench.example"),
                email_verified_at: Some(now),
                password_hash: None,
                google_id: None,
                display_name: None,
                username: None,
                avatar_url: None,
                stripe_customer_id: None,
                native_language_id: None,
                preferred_ui_language_id: None,
                is_admin: false,
                last_login_at: None,
                created_at: now,
                updated_at: now,
                time_zone: "UTC".into(),
            },
        )
        .unwrap();
        // why: a tier with time for every round, so the metered side never refuses.
        diesel::sql_query(
            "INSERT INTO tiers (id, name, description, monthly_seconds, max_session_length_seconds, \
             session_banking_enabled, max_banked_seconds, max_extensions, extension_seconds, \
             has_realtime_access, has_advanced_voices, has_analytics, monthly_price_usd_cents, \
             annual_price_usd_cents, sort_order, is_active, created_at, updated_at) VALUES \
             ('bench', 'Bench', 'bench', 1000000000, 900, FALSE, 0, 3, 300, FALSE, FALSE, FALSE, \
             0, 0, 99, FALSE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        )
        .execute(&mut conn)
        .unwrap();
        diesel::insert_into(kaiwa::db::schema::subscriptions::table)
            .values(NewSubscription {
                id: kaiwa::db::new_id(),
                user_id: user_id.clone(),
                tier_id: "bench".into(),
                stripe_subscription_id: None,
                stripe_customer_id: None,
                stripe_price_id: None,
                status: kaiwa::db::types::SubscriptionStatus::Active,
                current_period_start: None,
                current_period_end: None,
                cancel_at_period_end: false,
                is_active: true,
                created_at: now,
                updated_at: now,
            })
            .execute(&mut conn)
            .unwrap();
        kaiwa::app::accounts::start_session(&mut conn, &user_id, None, None, None, now).unwrap()
    };
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    jar.add_cookie_str(&format!("kaiwa_auth={token}"), &base.parse().unwrap());
    let client = reqwest::Client::builder()
        .cookie_provider(jar)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client
        .get(format!("{base}/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf(&page);
    let mut s = Side {
        name,
        base,
        client,
        token,
        conversation: String::new(),
        starts: Vec::new(),
        sends: Vec::new(),
    };
    s.conversation = s.start().await.1;
    s
}

impl Side {
    async fn start(&self) -> (Duration, String) {
        let t = Instant::now();
        let res = self
            .client
            .post(format!("{}/conversations", self.base))
            .form(&[
                ("csrf_token", self.token.as_str()),
                ("scenario_id", "ordering-ramen-osaka"),
                ("language", "ja"),
                ("mode", "traditional"),
            ])
            .send()
            .await
            .unwrap();
        let took = t.elapsed();
        assert_eq!(res.status(), 303, "{}: the conversation starts", self.name);
        let id = res.headers()["location"].to_str().unwrap().to_owned();
        (took, id)
    }

    async fn send(&self) -> Duration {
        let t = Instant::now();
        let res = self
            .client
            .post(format!("{}{}/messages", self.base, self.conversation))
            .header("HX-Request", "true")
            .header("X-CSRF-Token", &self.token)
            .form(&[("content", "ラーメンをひとつください")])
            .send()
            .await
            .unwrap();
        let took = t.elapsed();
        assert!(res.status().is_success(), "{}: {}", self.name, res.status());
        took
    }
}

fn quantile(v: &[Duration], q: f64) -> f64 {
    let mut v = v.to_vec();
    v.sort();
    v[((v.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e3
}

fn main() {
    let rounds: usize = std::env::var("KAIWA_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(300);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut metered = side("metered", true, a.path()).await;
        let mut unmetered = side("unmetered", false, b.path()).await;
        for round in 0..rounds + 20 {
            // why: alternate who goes first, so neither side always meets a warm machine.
            let order = if round % 2 == 0 {
                [&mut metered, &mut unmetered]
            } else {
                [&mut unmetered, &mut metered]
            };
            for s in order {
                let (took, _) = s.start().await;
                let sent = s.send().await;
                if round >= 20 {
                    s.starts.push(took);
                    s.sends.push(sent);
                }
            }
        }
        println!(
            "\nMetering's cost, {rounds} rounds after 20 warm-up, one request at a time (SQLite):"
        );
        println!(
            "  {:<34} {:>9} {:>9} {:>9}",
            "", "p50 ms", "p90 ms", "p50 ratio"
        );
        for (what, m, u) in [
            (
                "POST /conversations (start)",
                &metered.starts,
                &unmetered.starts,
            ),
            (
                "POST …/messages (htmx send)",
                &metered.sends,
                &unmetered.sends,
            ),
        ] {
            for (side, v) in [("metered", m), ("unmetered", u)] {
                println!(
                    "  {:<34} {:>9.2} {:>9.2} {:>9}",
                    format!("{what}, {side}"),
                    quantile(v, 0.5),
                    quantile(v, 0.9),
                    if side == "metered" {
                        format!("{:.2}x", quantile(m, 0.5) / quantile(u, 0.5))
                    } else {
                        String::new()
                    }
                );
            }
        }
    });
    std::process::exit(0);
}
