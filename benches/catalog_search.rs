//! Benchmark: `/scenarios` search latency on a catalog of 1,000 scenarios against one of
//! 100,000, served by the real app over HTTP on SQLite. Reports per-query medians and the
//! ratio between the two sizes (the target: within 2×). Not a test; run with
//! `cargo bench --bench catalog_search`; set `KAIWA_BENCH_POSTGRES_URL` (a database the
//! benchmark may create schemas in) to measure PostgreSQL too.

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use kaiwa::config::Settings;
use kaiwa::db::conn::{DatabaseTarget, DbConn};
use kaiwa::startup::Application;

/// Browsing without search text: not part of the 2× target, printed for comparison.
const BROWSING: &[&str] = &[
    "/scenarios",
    "/scenarios?sort=most_saved",
    "/scenarios?sort=newest",
    "/scenarios?sort=top_rated",
    "/scenarios?category=food",
    "/scenarios?difficulty=beginner&sort=trending",
];
const QUERIES: &[&str] = &[
    "/scenarios?q=ramen",
    "/scenarios?q=job%20interview",
    "/scenarios?q=caf%C3%A9",
    "/scenarios?q=pharmacy%20fever",
    "/scenarios?q=market&difficulty=beginner",
    "/scenarios?q=apartment&sort=top_rated",
    "/scenarios?q=negotiat",
    "/scenarios?q=festival%20lanterns",
];
const ROUNDS: usize = 101;
const WARM_UP: usize = 5;
const SMALL: usize = 1_000;
const LARGE: usize = 100_000;

/// A small vocabulary so generated scenarios overlap like real ones do.
const PLACES: &[&str] = &[
    "Osaka", "Lisbon", "Seoul", "Oaxaca", "Lyon", "Berlin", "Dublin", "Kyoto", "Naples", "Prague",
    "Warsaw", "Istanbul", "Lagos", "Mumbai", "Hanoi", "Jakarta", "Quito", "Tunis", "Oslo", "Perth",
    "Cusco", "Porto", "Bergen", "Sapporo",
];
const WORDS: &[&str] = &[
    "polite",
    "quick",
    "friendly",
    "formal",
    "casual",
    "numbers",
    "prices",
    "time",
    "weather",
    "family",
    "work",
    "travel",
    "food",
    "health",
    "help",
    "question",
    "answer",
    "request",
    "explain",
    "agree",
    "disagree",
    "suggest",
    "describe",
    "compare",
    "apologise",
    "thank",
    "invite",
    "refuse",
    "plan",
    "schedule",
    "budget",
    "menu",
    "receipt",
    "ticket",
    "platform",
    "doctor",
    "symptom",
    "medicine",
    "landlord",
    "lease",
    "deposit",
    "colleague",
    "manager",
    "deadline",
    "meeting",
    "presentation",
    "festival",
    "lanterns",
    "market",
    "vegetables",
    "spices",
];

/// Verbs and objects make 600 kinds of situation, so titles repeat the way real ones do.
const VERBS: &[&str] = &[
    "Ordering",
    "Renting",
    "Returning",
    "Booking",
    "Buying",
    "Fixing",
    "Cancelling",
    "Asking about",
    "Complaining about",
    "Negotiating",
    "Choosing",
    "Reporting",
    "Discussing",
    "Explaining",
    "Planning",
    "Paying for",
    "Finding",
    "Changing",
    "Collecting",
    "Recommending",
];
const OBJECTS: &[&str] = &[
    "noodles",
    "a bicycle",
    "a job interview",
    "the directions",
    "a doctor's visit",
    "a train ticket",
    "a parcel",
    "a bank account",
    "a neighbour's party",
    "the noise",
    "a table",
    "an old town tour",
    "a phone",
    "a cooking class",
    "a salary",
    "medicine",
    "a gift",
    "a lost wallet",
    "football tickets",
    "a wedding toast",
    "an apartment",
    "a museum pass",
    "a language exchange",
    "a hotel room",
    "a haircut",
    "a car",
    "a concert",
    "a refund",
    "a library card",
    "a gym membership",
];

/// One description word: mostly from a long-tailed invented vocabulary (as real text is),
/// now and then one of the everyday words learners search for.
fn word(rng: &mut Rng) -> String {
    if rng.next().is_multiple_of(50) {
        return rng.pick(WORDS).to_owned();
    }
    // why: squaring a uniform pick gives a long tail: a few common words, many rare ones.
    let r = (rng.next() % 4000) as f64 / 4000.0;
    let index = (r * r * 5000.0) as usize;
    let syllables = [
        "ka", "lo", "mi", "ten", "ra", "su", "vo", "be", "ni", "dor", "pa", "qui", "zel", "fo",
        "gu",
    ];
    let mut w = String::new();
    let mut n = index + 7;
    while n > 0 {
        w.push_str(syllables[n % syllables.len()]);
        n /= syllables.len();
    }
    w
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next() % items.len()]
    }
}

fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Adds generated public scenarios until the catalog holds `total`.
fn fill(conn: &mut DbConn, total: usize) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let roles = ["tutor", "character", "friendly_chat", "expert"];
    let levels = [
        ("beginner", "A1"),
        ("beginner", "A2"),
        ("intermediate", "B1"),
        ("intermediate", "B2"),
        ("advanced", "C1"),
    ];
    let cats = [
        "travel",
        "food",
        "work",
        "health",
        "services",
        "daily_life",
        "culture",
        "housing",
    ];
    // why: one new scenario a minute, newest last, as a catalog grows over time.
    let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let mut made = 52;
    conn.batch_execute("BEGIN").unwrap();
    while made < total {
        let mut rows = Vec::new();
        let mut meta = Vec::new();
        for _ in 0..200.min(total - made) {
            made += 1;
            let now = (start + chrono::Duration::minutes(made as i64))
                .format("%Y-%m-%d %H:%M:%S")
                .to_string();
            let id = format!("gen-{made:06}");
            let title = format!(
                "{} {} in {}",
                rng.pick(VERBS),
                rng.pick(OBJECTS),
                rng.pick(PLACES)
            );
            let description: Vec<String> = (0..18).map(|_| word(&mut rng)).collect();
            let description = description.join(" ");
            let tags = vec![word(&mut rng), word(&mut rng)];
            let cat = vec![rng.pick(&cats).to_owned()];
            let (search_title, search_body) =
                kaiwa::db::search::searchable(&title, &description, "Partner", &[&tags, &cat]);
            let (difficulty, cefr) = levels[rng.next() % levels.len()];
            rows.push(format!(
                "({}, {}, {}, {}, {}, 3, {}, 'Stay in character.', 'A situation.', '{{\"title\":\"Partner\",\"nameTemplate\":\"Sam\",\"setting\":\"Here\",\"introPrompt\":\"Hi\",\"stakes\":\"Some\"}}', 'Done.', '[\"Talk\"]', '{{\"confidence\":3,\"engagement\":3,\"understanding\":3}}', {}, {}, 'speaking', '[]', 600, 'public', {}, {}, {}, {})",
                q(&id), q(&title), q(&description), q(roles[rng.next() % 4]), q(difficulty), q(cefr),
                q(&serde_json::to_string(&cat).unwrap()), q(&serde_json::to_string(&tags).unwrap()),
                q(&now), q(&now), q(&search_title), q(&search_body)
            ));
            meta.push(format!(
                "({}, {}, {}, {}, {})",
                q(&id),
                rng.next() % 50,
                rng.next() % 200,
                q(&now),
                q(&now)
            ));
        }
        conn.batch_execute(&format!(
            "INSERT INTO scenarios (id, title, description, role, difficulty, difficulty_rating, cefr_level, instructions, context, persona, expected_outcome, learning_objectives, comfort_indicators, categories, tags, primary_skill, search_keywords, estimated_duration_seconds, visibility, created_at, updated_at, search_title, search_body) VALUES {}",
            rows.join(", ")
        ))
        .unwrap();
        conn.batch_execute(&format!(
            "INSERT INTO scenario_metadata (scenario_id, amount_saved_count, total_times_used, created_at, updated_at) VALUES {}",
            meta.join(", ")
        ))
        .unwrap();
    }
    conn.batch_execute("COMMIT").unwrap();
    // why: the steady state a live database reaches on its own (autovacuum on PostgreSQL
    // also folds the GIN index's pending list, which otherwise every search scans).
    match conn {
        DbConn::Postgres(_) => conn.batch_execute("VACUUM ANALYZE").unwrap(),
        DbConn::Sqlite(_) => conn.batch_execute("ANALYZE").unwrap(),
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Builds a catalog of `size` scenarios in `dir` and serves it; returns the base URL.
async fn serve(target: DatabaseTarget, dir: &std::path::Path, size: usize) -> String {
    let mut settings = Settings::for_tests(dir.to_path_buf(), target);
    settings.seed_on_start = true;
    settings.db_pool_size = 8;
    let started = Instant::now();
    {
        let pool = kaiwa::startup::prepare_database(&settings).unwrap();
        kaiwa::startup::seed(&pool).unwrap();
        fill(&mut pool.get().unwrap(), size);
    }
    eprintln!(
        "  built a catalog of {size} in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    let app = Application::build(settings).unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    base
}

async fn time_get(client: &reqwest::Client, url: &str) -> Duration {
    let t = Instant::now();
    let res = client.get(url).send().await.unwrap();
    assert!(res.status().is_success(), "{url}: {}", res.status());
    res.text().await.unwrap();
    t.elapsed()
}

/// Median latency per query on each catalog. Requests to the two servers alternate, so
/// both see the same machine (a busy moment slows both, not one side of the ratio).
async fn measure(bases: [&str; 2], paths: &[&str]) -> [Vec<Duration>; 2] {
    let client = reqwest::Client::new();
    let mut medians = [Vec::new(), Vec::new()];
    for path in paths {
        let urls = bases.map(|b| format!("{b}{path}"));
        for url in &urls {
            for _ in 0..WARM_UP {
                time_get(&client, url).await;
            }
        }
        let mut times = [Vec::new(), Vec::new()];
        for round in 0..ROUNDS {
            // why: alternate which side goes first, so neither always follows the other.
            for side in [round % 2, 1 - round % 2] {
                times[side].push(time_get(&client, &urls[side]).await);
            }
        }
        for (side, t) in times.into_iter().enumerate() {
            medians[side].push(median(t));
        }
    }
    medians
}

async fn compare(name: &str, make: impl Fn(&std::path::Path, usize) -> DatabaseTarget) {
    let small_dir = tempfile::tempdir().unwrap();
    let large_dir = tempfile::tempdir().unwrap();
    eprintln!("{name}:");
    if let Ok(dir) = std::env::var("KAIWA_BENCH_KEEP") {
        let path = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&path).unwrap();
        serve(make(&path, LARGE), &path, LARGE).await;
        eprintln!("  kept a catalog of {LARGE} in {}", path.display());
        return;
    }
    let small = serve(make(small_dir.path(), SMALL), small_dir.path(), SMALL).await;
    let large = serve(make(large_dir.path(), LARGE), large_dir.path(), LARGE).await;
    let results = measure([&small, &large], QUERIES).await;
    let browsing = measure([&small, &large], BROWSING).await;
    println!("\n{name}: median latency of GET … over {ROUNDS} requests, alternating");
    let (all, worst) = table("search (target: within 2x)", QUERIES, &results);
    println!("all queries: {all:.2}x   worst query: {worst:.2}x   (target: within 2x)");
    let (all, worst) = table("browsing", BROWSING, &browsing);
    println!("all browsing: {all:.2}x   worst: {worst:.2}x");
}

/// Prints one table of medians and ratios; returns (ratio of the sums, worst ratio).
fn table(title: &str, paths: &[&str], [small, large]: &[Vec<Duration>; 2]) -> (f64, f64) {
    println!(
        "{:<44} {:>10} {:>10} {:>7}",
        title, "1,000", "100,000", "ratio"
    );
    let mut worst: f64 = 0.0;
    for ((path, s), l) in paths.iter().zip(small).zip(large) {
        let ratio = l.as_secs_f64() / s.as_secs_f64();
        worst = worst.max(ratio);
        println!(
            "{:<44} {:>8.2}ms {:>8.2}ms {:>6.2}x",
            path,
            s.as_secs_f64() * 1e3,
            l.as_secs_f64() * 1e3,
            ratio
        );
    }
    let total = |v: &[Duration]| v.iter().map(Duration::as_secs_f64).sum::<f64>();
    (total(large) / total(small), worst)
}

/// A fresh schema `kaiwa_bench_{size}` on the PostgreSQL server at `base`.
fn postgres_schema(base: &str, size: usize) -> DatabaseTarget {
    use diesel::Connection;
    let schema = format!("kaiwa_bench_{size}");
    let mut admin = diesel::PgConnection::establish(base).expect("the PostgreSQL URL answers");
    admin
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ))
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    DatabaseTarget::Postgres(format!("{base}{sep}options=-csearch_path%3D{schema}"))
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        compare("SQLite", |dir, _| {
            DatabaseTarget::Sqlite(dir.join("kaiwa.db"))
        })
        .await;
        if let Ok(base) = std::env::var("KAIWA_BENCH_POSTGRES_URL") {
            compare("PostgreSQL", |_, size| postgres_schema(&base, size)).await;
        }
    });
}
