//! Benchmark: every page type of Kaiwa under load, on a small and a large data set, against a
//! TechEmpower-style Fortunes baseline built on the same stack (actix-web, askama, diesel and
//! r2d2 on the same database) and measured in the same run. Not a test: it prints figures and
//! flags the rows that miss the targets of issue 13, but never fails for them.
//!
//! ```sh
//! cargo bench --bench pages                                  # SQLite
//! KAIWA_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench pages
//! KAIWA_BENCH_SECONDS=1 KAIWA_BENCH_PAGES=sitemap cargo bench --bench pages   # a quick look
//! ```
//!
//! - `KAIWA_BENCH_SECONDS` (default 2): measured seconds per page, concurrency and side, split
//!   into 3 slices that rotate baseline, small and large, so a busy moment hits all sides.
//! - `KAIWA_BENCH_DATA` (default `<cargo target dir>/bench-data`): where the generated SQLite
//!   data sets are kept between runs. They are keyed by `DATA_VERSION` and the migrations, so
//!   a new migration (or a bumped version) regenerates them; delete the folder to force it.
//! - `KAIWA_BENCH_POSTGRES_URL`: a PostgreSQL database the benchmark may create schemas in;
//!   measures PostgreSQL too (cached schemas `kaiwa_bench_pages_small`, `…_large`; Fortunes
//!   in `kaiwa_bench_fortunes`, rebuilt each run).
//! - `KAIWA_BENCH_PAGES`: measure only the pages whose name contains this text (or any of
//!   several, separated by commas).
//! - `KAIWA_BENCH_PAGE_CACHE=off`: turn Kaiwa's page cache off, so public pages are rendered
//!   on every request (what a visitor with cookies gets); by default anonymous requests are
//!   mostly its hits.
//! - `KAIWA_BENCH_ALONE=1` (or `=postgres`, with `KAIWA_BENCH_POSTGRES_URL`): only start
//!   Kaiwa on the large SQLite (or PostgreSQL) set and print `address token path preview`
//!   (the signed-in learner's cookie token, a path and a preview page), to load or profile one
//!   page by hand.
//!
//! The data sets: small is the seed (52 scenarios) and 10 learners with 1,000 messages; large
//! is 100,000 scenarios and 10,000 learners with 1,000,000 messages. Small holds 12 public
//! courses (path templates), large 2,000, besides any the seed has. Both also hold the same
//! signed-in learner (onboarded, so "recommended" applies) with 30 conversations, one of
//! exactly 50 messages. The first run builds the sets (about 20 s for the large one on SQLite,
//! a minute on PostgreSQL, with progress); later runs reuse them.
//!
//! Each load-generator task is a browser on its own keep-alive HTTP/1.1 connection (plain
//! hyper, to keep the client's own cost low): closed loop, cookies kept, no compression asked
//! for (the baseline has none). A response other than 2xx/3xx is an error, one slower than 5 s
//! a timeout. Kaiwa runs in-process with no job workers, so the RSS printed after the table
//! is the app's plus the benchmark's; on SQLite the benchmark then starts Kaiwa alone on the
//! large set in a child process (this binary again, with `KAIWA_BENCH_ALONE=1`), loads every
//! page at c=64 and prints that process's own memory.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpResponse, HttpServer};
use askama::Template;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::header::{ACCEPT_ENCODING, COOKIE, HOST, SET_COOKIE};
use hyper_util::rt::TokioIo;
use kaiwa::config::Settings;
use kaiwa::db::conn::{DatabaseTarget, DbConn, DbPool};
use kaiwa::startup::Application;

/// Bump when the generated data changes shape, so cached data sets are rebuilt.
const DATA_VERSION: u32 = 2;
const CONCURRENCY: [usize; 2] = [16, 64];
/// Slices per measurement: each side runs once in each position of the rotation.
const ROUNDS: usize = 3;
const TIMEOUT: Duration = Duration::from_secs(5);
/// The weight of the heavy Fortunes page, about that of a Kaiwa page.
const HEAVY_PAGE_BYTES: usize = 58 * 1024;

/// The learner the signed-in pages are measured as (in both data sets).
const BENCH_USER: &str = "0190bec4-0000-7000-8000-000000000001";
/// That learner's conversation of exactly 50 messages.
const BENCH_CONVERSATION: &str = "0190bec4-0000-7000-8000-000000000050";
const BENCH_CONVERSATIONS: usize = 30;

/// How much a data set holds besides the seed.
#[derive(Debug, Clone, Copy)]
struct Size {
    name: &'static str,
    /// Scenarios in the catalog, the seed's 52 included.
    scenarios: usize,
    /// Learners besides the benchmark's own.
    users: usize,
    conversations_per_user: usize,
    messages_per_conversation: usize,
    /// Public courses (path templates with a share slug).
    courses: usize,
}

const SMALL: Size = Size {
    name: "small",
    scenarios: 52,
    users: 10,
    conversations_per_user: 10,
    messages_per_conversation: 10,
    courses: 12,
};
const LARGE: Size = Size {
    name: "large",
    scenarios: 100_000,
    users: 10_000,
    conversations_per_user: 10,
    messages_per_conversation: 10,
    courses: 2_000,
};

// ---------------------------------------------------------------------------------------
// Generated content
// ---------------------------------------------------------------------------------------

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

/// The partner's and the learner's lines of a conversation at a ramen counter.
const PARTNER_LINES: &[&str] = &[
    "いらっしゃいませ！何名様ですか？",
    "こちらのカウンター席へどうぞ。メニューはこちらです。",
    "ご注文はお決まりですか？",
    "味噌ラーメンと醤油ラーメンが人気です。",
    "トッピングはいかがなさいますか？煮卵とチャーシューがございます。",
    "お飲み物はいかがですか？",
    "かしこまりました。少々お待ちください。",
    "お待たせしました。熱いのでお気をつけください。",
    "お会計は千二百円です。",
    "ありがとうございました！またお越しください。",
];
const LEARNER_LINES: &[&str] = &[
    "一人です。",
    "すみません、おすすめは何ですか？",
    "味噌ラーメンを一つください。",
    "煮卵を追加してください。",
    "お水をお願いします。",
    "とてもおいしいです！",
    "麺を少し固めにできますか？",
    "お会計をお願いします。",
    "カードで払えますか？",
    "ごちそうさまでした。",
];
const GOALS: &[&str] = &[
    "Connection",
    "Career",
    "Travel",
    "Academic",
    "Culture",
    "Growth",
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 as usize
    }
    fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.next() % items.len()]
    }
}

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

/// A SQL string literal.
fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn q_opt(s: &Option<String>) -> String {
    s.as_deref().map(q).unwrap_or_else(|| "NULL".into())
}

/// A UUID-shaped id, the same in every run: `kind` says which table, `n` which row.
fn id(kind: u16, n: usize) -> String {
    format!("0190{kind:04x}-0000-7000-8000-{n:012x}")
}

fn at(start: chrono::NaiveDateTime, minutes: i64) -> String {
    q(&(start + chrono::Duration::minutes(minutes))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string())
}

fn day(y: i32, m: u32, d: u32) -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
}

/// Rows for one multi-row INSERT, sent `BATCH_ROWS` at a time.
struct Batch {
    head: String,
    rows: Vec<String>,
}

const BATCH_ROWS: usize = 500;

impl Batch {
    fn new(head: &str) -> Self {
        Self {
            head: head.to_owned(),
            rows: Vec::with_capacity(BATCH_ROWS),
        }
    }
    fn full(&self) -> bool {
        self.rows.len() >= BATCH_ROWS
    }
    fn flush(&mut self, conn: &mut DbConn) {
        if !self.rows.is_empty() {
            conn.batch_execute(&format!("{} VALUES {}", self.head, self.rows.join(", ")))
                .unwrap();
            self.rows.clear();
        }
    }
}

// ---------------------------------------------------------------------------------------
// Data sets: one function per kind of content, so a derived table is one call more
// ---------------------------------------------------------------------------------------

/// Adds generated public scenarios (with their metadata) until the catalog holds `total`.
/// Their search text is written as the app writes it; SQLite's FTS index follows by trigger.
fn fill_catalog(conn: &mut DbConn, total: usize) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let roles = ["tutor", "character", "friendly_chat", "expert"];
    let skills = ["speaking", "speaking", "listening", "reading", "writing"];
    let levels = [
        ("beginner", "A1"),
        ("beginner", "A2"),
        ("intermediate", "B1"),
        ("intermediate", "B2"),
        ("advanced", "C1"),
    ];
    let cats = kaiwa::app::catalog::CATEGORIES;
    // why: one new scenario a minute, newest last, as a catalog grows over time.
    let start = day(2020, 1, 1);
    let mut made = count(conn, "scenarios");
    let mut scenarios = Batch::new(
        "INSERT INTO scenarios (id, title, description, role, difficulty, difficulty_rating, cefr_level, instructions, context, persona, expected_outcome, learning_objectives, comfort_indicators, categories, tags, primary_skill, search_keywords, estimated_duration_seconds, visibility, created_at, updated_at, search_title, search_body)",
    );
    let mut metadata = Batch::new(
        "INSERT INTO scenario_metadata (scenario_id, amount_saved_count, total_times_used, total_attempts, total_completions, average_rating, ratings_count, ratings_sum, completion_rate, created_at, updated_at)",
    );
    conn.batch_execute("BEGIN").unwrap();
    while made < total {
        made += 1;
        let now = at(start, made as i64);
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
        let cat = vec![cats[rng.next() % cats.len()].to_owned()];
        let (search_title, search_body) =
            kaiwa::db::search::searchable(&title, &description, "Partner", &[&tags, &cat]);
        let (difficulty, cefr) = levels[rng.next() % levels.len()];
        scenarios.rows.push(format!(
            "({}, {}, {}, {}, {}, 3, {}, 'Stay in character.', 'A situation.', '{{\"title\":\"Partner\",\"nameTemplate\":\"Sam\",\"setting\":\"Here\",\"introPrompt\":\"Hi\",\"stakes\":\"Some\"}}', 'Done.', '[\"Talk\"]', '{{\"confidence\":3,\"engagement\":3,\"understanding\":3}}', {}, {}, {}, '[]', 600, 'public', {}, {}, {}, {})",
            q(&id), q(&title), q(&description), q(roles[rng.next() % 4]), q(difficulty), q(cefr),
            q(&serde_json::to_string(&cat).unwrap()), q(&serde_json::to_string(&tags).unwrap()),
            q(skills[rng.next() % skills.len()]), now, now, q(&search_title), q(&search_body)
        ));
        let ratings = rng.next() % 40;
        let sum = if ratings == 0 {
            0
        } else {
            ratings * (1 + rng.next() % 5)
        };
        let attempts = rng.next() % 300;
        let completions = attempts / 2;
        metadata.rows.push(format!(
            "({}, {}, {}, {attempts}, {completions}, {}, {ratings}, {sum}, {}, {now}, {now})",
            q(&id),
            rng.next() % 50,
            rng.next() % 200,
            if ratings == 0 {
                "NULL".to_owned()
            } else {
                format!("{:.2}", sum as f64 / ratings as f64)
            },
            if attempts == 0 {
                0.0
            } else {
                completions as f64 / attempts as f64
            },
        ));
        // why: a scenario's row goes first: its metadata refers to it.
        if scenarios.full() || made == total {
            scenarios.flush(conn);
            metadata.flush(conn);
        }
        if made.is_multiple_of(20_000) {
            eprintln!("    {made} scenarios");
        }
    }
    conn.batch_execute("COMMIT").unwrap();
}

/// The share slug of generated course `n` (from 1); the pages measure course 1.
fn course_slug(n: usize) -> String {
    format!("bench-course-{n:05}")
}

/// `total` public courses (path templates with a share slug, as creators publish them), in
/// every language, level and category, each with its planner schedule in `metadata.plan`.
fn fill_courses(conn: &mut DbConn, total: usize) {
    use kaiwa::app::paths::planner;
    use kaiwa::db::types::{CefrLevel, ChallengePreference, LearningGoal};
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let languages = list_ids(conn, "SELECT id FROM languages ORDER BY id");
    let levels = [
        CefrLevel::A1,
        CefrLevel::A2,
        CefrLevel::B1,
        CefrLevel::B2,
        CefrLevel::C1,
    ];
    let cats = kaiwa::app::catalog::CATEGORIES;
    let start = day(2024, 6, 1);
    let mut rows = Batch::new(
        "INSERT INTO learning_paths (id, title, description, target_language, schedule, is_template, is_public, share_slug, status, metadata, created_at, updated_at)",
    );
    conn.batch_execute("BEGIN").unwrap();
    for n in 1..=total {
        let language = &languages[n % languages.len()];
        let level = levels[rng.next() % levels.len()];
        let category = cats[rng.next() % cats.len()];
        let mut learner = planner::Learner::new(
            language,
            level,
            ChallengePreference::Challenging,
            LearningGoal::Travel,
        );
        learner.minutes_per_day = [10, 15, 20, 30][rng.next() % 4];
        let plan = planner::plan(&learner, None, &[]);
        let summary: Vec<serde_json::Value> = plan
            .days
            .iter()
            .map(|d| {
                serde_json::json!({"dayIndex": d.index, "theme": d.theme,
                    "description": d.objectives.join(" "), "difficulty": d.demand.as_str()})
            })
            .collect();
        let metadata = serde_json::json!({
            "cefrLevel": level.as_str(), "primarySkill": "speaking",
            "estimatedMinutesPerDay": learner.minutes_per_day, "category": category,
            "tags": [word(&mut rng), word(&mut rng)], "plan": plan,
        });
        let title = format!(
            "{} {} in {}",
            rng.pick(VERBS),
            rng.pick(OBJECTS),
            rng.pick(PLACES)
        );
        let description: Vec<String> = (0..24).map(|_| word(&mut rng)).collect();
        let now = at(start, n as i64 * 60);
        rows.rows.push(format!(
            "({}, {}, {}, {}, {}, TRUE, TRUE, {}, 'active', {}, {now}, {now})",
            q(&id(5, n)),
            q(&format!("Four weeks: {title}")),
            q(&description.join(" ")),
            q(language),
            q(&serde_json::Value::from(summary).to_string()),
            q(&course_slug(n)),
            q(&metadata.to_string()),
        ));
        if rows.full() {
            rows.flush(conn);
        }
    }
    rows.flush(conn);
    conn.batch_execute("COMMIT").unwrap();
}

/// The benchmark's learner (onboarded in Japanese, a few saved scenarios) and `others`
/// learners with preferences.
fn fill_users(conn: &mut DbConn, others: usize) {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let languages = list_ids(conn, "SELECT id FROM languages ORDER BY id");
    let start = day(2023, 1, 1);
    let mut users = Batch::new(
        "INSERT INTO users (id, email, email_verified_at, display_name, created_at, updated_at)",
    );
    let mut prefs = Batch::new(
        "INSERT INTO user_preferences (id, user_id, target_language_id, learning_goal, speaking_level, listening_level, reading_level, writing_level, challenge_preference, correction_style, specific_goals, created_at, updated_at)",
    );
    conn.batch_execute("BEGIN").unwrap();
    let now = at(start, 0);
    users.rows.push(format!(
        "({}, 'bench@example.com', {now}, 'Bench Learner', {now}, {now})",
        q(BENCH_USER)
    ));
    prefs.rows.push(format!(
        "({}, {}, 'ja', 'Travel', 30, 40, 30, 20, 'moderate', 'gentle', '[\"order food\"]', {now}, {now})",
        q(&id(2, 0)),
        q(BENCH_USER)
    ));
    for n in 1..=others {
        let now = at(start, n as i64);
        let user = id(1, n);
        users.rows.push(format!(
            "({}, 'learner{n}@example.com', {now}, 'Learner {n}', {now}, {now})",
            q(&user)
        ));
        prefs.rows.push(format!(
            "({}, {}, {}, {}, {}, {}, {}, {}, 'moderate', 'gentle', '[]', {now}, {now})",
            q(&id(2, n)),
            q(&user),
            q(&languages[rng.next() % languages.len()]),
            q(rng.pick(GOALS)),
            1 + rng.next() % 100,
            1 + rng.next() % 100,
            1 + rng.next() % 100,
            1 + rng.next() % 100,
        ));
        // why: a user's row goes first: their preferences refer to it.
        if users.full() {
            users.flush(conn);
            prefs.flush(conn);
        }
    }
    users.flush(conn);
    prefs.flush(conn);
    conn.batch_execute(&format!(
        "INSERT INTO user_scenario_progress (user_id, scenario_id, is_saved, saved_at, times_attempted, created_at, updated_at) \
         SELECT {}, id, TRUE, {now}, 1, {now}, {now} FROM scenarios WHERE id IN ('ordering-ramen-osaka', 'ordering-coffee-lisbon', 'tea-ceremony-kyoto', 'hotel-check-in-prague', 'asking-directions-seoul')",
        q(BENCH_USER)
    ))
    .unwrap();
    conn.batch_execute("COMMIT").unwrap();
}

/// Conversations with messages: the benchmark learner's 30 (the newest has 50 messages, with
/// reading aids as the app stores them), then `per_user` for every other learner.
fn fill_conversations(conn: &mut DbConn, size: Size) {
    let mut rng = Rng(0x853C_49E6_748F_EA9B);
    let scenarios = list_pairs(
        conn,
        "SELECT id, title FROM scenarios ORDER BY created_at, id LIMIT 2000",
    );
    let languages = list_ids(conn, "SELECT id FROM languages ORDER BY id");
    let mut writer = Conversations::new();
    conn.batch_execute("BEGIN").unwrap();
    let recent = day(2025, 6, 1);
    for n in 0..BENCH_CONVERSATIONS {
        let newest = n == BENCH_CONVERSATIONS - 1;
        let cid = if newest {
            BENCH_CONVERSATION.to_owned()
        } else {
            id(0xbec5, n)
        };
        let (scenario, title) = if newest {
            ("ordering-ramen-osaka", "Ordering ramen in Osaka")
        } else {
            let (s, t) = &scenarios[rng.next() % scenarios.len()];
            (s.as_str(), t.as_str())
        };
        writer.add(
            conn,
            &mut rng,
            (&cid, BENCH_USER),
            (scenario, title, "ja"),
            (
                recent + chrono::Duration::hours(n as i64),
                if newest { 50 } else { 10 },
                newest,
            ),
        );
    }
    let total = size.users * size.conversations_per_user;
    let start = day(2024, 1, 1);
    for n in 0..total {
        let user = id(1, 1 + n / size.conversations_per_user);
        let (scenario, title) = &scenarios[rng.next() % scenarios.len()];
        let language = &languages[rng.next() % languages.len()];
        writer.add(
            conn,
            &mut rng,
            (&id(3, n), &user),
            (scenario, title, language),
            (
                start + chrono::Duration::minutes(n as i64 * 3),
                size.messages_per_conversation,
                n % 7 == 0,
            ),
        );
        if (n + 1).is_multiple_of(total.div_ceil(10).max(1)) {
            eprintln!(
                "    {} conversations, {} messages",
                n + 1 + BENCH_CONVERSATIONS,
                writer.messages_written
            );
            // why: bounded transactions keep the SQLite WAL (and PostgreSQL's) small.
            writer.flush(conn);
            conn.batch_execute("COMMIT; BEGIN").unwrap();
        }
    }
    writer.flush(conn);
    conn.batch_execute("COMMIT").unwrap();
}

/// Conversation and message rows on their way into the database.
struct Conversations {
    conversations: Batch,
    messages: Batch,
    messages_written: usize,
}

impl Conversations {
    fn new() -> Self {
        Self {
            conversations: Batch::new(
                "INSERT INTO conversations (id, user_id, target_language_id, mode, scenario_id, speaker_id, title, status, started_at, ended_at, duration_seconds, message_count, created_at, updated_at)",
            ),
            messages: Batch::new(
                "INSERT INTO messages (id, conversation_id, position, role, content, romanization, hiragana, katakana, kanji, created_at, updated_at)",
            ),
            messages_written: 0,
        }
    }

    /// Conversation `cid` of `user`, on `scenario` in `language`, started at `started`, with
    /// `count` messages; `active` ones have not ended.
    fn add(
        &mut self,
        conn: &mut DbConn,
        rng: &mut Rng,
        (cid, user): (&str, &str),
        (scenario, title, language): (&str, &str, &str),
        (started, count, active): (chrono::NaiveDateTime, usize, bool),
    ) {
        let begin = at(started, 0);
        let end = at(started, 12);
        self.conversations.rows.push(format!(
            "({}, {}, {}, 'traditional', {}, {}, {}, {}, {begin}, {}, {}, {count}, {begin}, {end})",
            q(cid),
            q(user),
            q(language),
            q(scenario),
            if language == "ja" {
                "'ja-jp-female'"
            } else {
                "NULL"
            },
            q(title),
            if active { "'active'" } else { "'ended'" },
            if active { "NULL" } else { end.as_str() },
            if active { 0 } else { 720 },
        ));
        for position in 1..=count {
            self.messages_written += 1;
            // why: the learner opens, so an even count ends on the partner's line (no reply
            // owed: the page shows the hint and suggested replies).
            let (role, line) = if position % 2 == 1 {
                ("user", rng.pick(LEARNER_LINES))
            } else {
                ("assistant", rng.pick(PARTNER_LINES))
            };
            let mine = user == BENCH_USER;
            let aids = if mine {
                kaiwa::app::conversations::reading_aids::annotate(language, line)
            } else {
                Default::default()
            };
            let when = at(started, position as i64 / 4);
            self.messages.rows.push(format!(
                "({}, {}, {position}, '{role}', {}, {}, {}, {}, {}, {when}, {when})",
                q(&id(if mine { 0xbec6 } else { 4 }, self.messages_written)),
                q(cid),
                q(line),
                q_opt(&aids.romanization),
                q_opt(&aids.hiragana),
                q_opt(&aids.katakana),
                q_opt(&aids.kanji),
            ));
            if self.messages.full() {
                self.flush(conn);
            }
        }
    }

    fn flush(&mut self, conn: &mut DbConn) {
        // why: a conversation's row goes first: its messages refer to it.
        self.conversations.flush(conn);
        self.messages.flush(conn);
    }
}

/// The steady state a live database reaches on its own: statistics gathered (autovacuum on
/// PostgreSQL), the SQLite WAL folded into the file.
fn finish(conn: &mut DbConn) {
    match conn {
        DbConn::Postgres(_) => conn.batch_execute("VACUUM ANALYZE").unwrap(),
        DbConn::Sqlite(_) => conn
            .batch_execute("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap(),
    }
}

#[derive(QueryableByName)]
struct One {
    #[diesel(sql_type = diesel::sql_types::Text)]
    a: String,
}

#[derive(QueryableByName)]
struct Two {
    #[diesel(sql_type = diesel::sql_types::Text)]
    a: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    b: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn list_ids(conn: &mut DbConn, sql: &str) -> Vec<String> {
    let rows: Vec<One> = diesel::sql_query(sql.replace("SELECT id", "SELECT id AS a"))
        .load(conn)
        .unwrap();
    rows.into_iter().map(|r| r.a).collect()
}

fn list_pairs(conn: &mut DbConn, sql: &str) -> Vec<(String, String)> {
    let rows: Vec<Two> =
        diesel::sql_query(sql.replace("SELECT id, title", "SELECT id AS a, title AS b"))
            .load(conn)
            .unwrap();
    rows.into_iter().map(|r| (r.a, r.b)).collect()
}

fn count(conn: &mut DbConn, table: &str) -> usize {
    let rows: Vec<Count> = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
        .load(conn)
        .unwrap();
    rows[0].n as usize
}

/// Migrates, seeds and fills a fresh database with `size`.
fn generate(target: &DatabaseTarget, dir: &Path, size: Size) {
    let started = Instant::now();
    eprintln!("  generating the {} data set…", size.name);
    let settings = Settings::for_tests(dir.to_path_buf(), target.clone());
    let pool = kaiwa::startup::prepare_database(&settings).unwrap();
    kaiwa::startup::seed(&pool).unwrap();
    let mut conn = pool.get().unwrap();
    fill_catalog(&mut conn, size.scenarios);
    fill_users(&mut conn, size.users);
    fill_conversations(&mut conn, size);
    fill_courses(&mut conn, size.courses);
    finish(&mut conn);
    let (scenarios, users, messages) = (
        count(&mut conn, "scenarios"),
        count(&mut conn, "users"),
        count(&mut conn, "messages"),
    );
    eprintln!(
        "  {} data set: {scenarios} scenarios, {users} users, {messages} messages, built in {:.0} s",
        size.name,
        started.elapsed().as_secs_f64()
    );
}

/// The key cached data sets carry: `DATA_VERSION` and a hash of the backend's migrations.
fn data_key(backend: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for path in names {
        let text = std::fs::read_to_string(path.join("up.sql")).unwrap_or_default();
        for b in path
            .file_name()
            .unwrap()
            .as_encoded_bytes()
            .iter()
            .chain(text.as_bytes())
        {
            hash = (hash ^ *b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("pages-v{DATA_VERSION}-{:08x}", hash as u32)
}

/// Where data sets are kept: `KAIWA_BENCH_DATA`, else `bench-data` in cargo's target folder.
fn data_root() -> PathBuf {
    if let Ok(dir) = std::env::var("KAIWA_BENCH_DATA") {
        return PathBuf::from(dir);
    }
    // why: the benchmark runs as <target>/<profile>/deps/pages-<hash>, so this follows
    // CARGO_TARGET_DIR wherever it points.
    let exe = std::env::current_exe().unwrap();
    match exe.ancestors().nth(3) {
        Some(target) if exe.parent().is_some_and(|p| p.ends_with("deps")) => {
            target.join("bench-data")
        }
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data"),
    }
}

/// The SQLite data set of `size`, generated unless a current one is cached under `root`.
fn sqlite_data(root: &Path, size: Size) -> (DatabaseTarget, PathBuf) {
    let key = data_key("sqlite");
    let dir = root.join(format!("{key}-{}", size.name));
    let target = |dir: &Path| DatabaseTarget::Sqlite(dir.join("kaiwa.db"));
    if dir.join("ready").exists() {
        eprintln!("  {} data set: cached in {}", size.name, dir.display());
        return (target(&dir), dir);
    }
    std::fs::create_dir_all(root).unwrap();
    // Older versions of this data set are of no more use.
    for entry in std::fs::read_dir(root).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("pages-") && name.contains(&format!("-{}", size.name)) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    // why: built aside and renamed when complete, so an interrupted run leaves nothing that
    // looks finished.
    let partial = root.join(format!("{key}-{}.partial", size.name));
    std::fs::create_dir_all(&partial).unwrap();
    generate(&target(&partial), &partial, size);
    std::fs::write(partial.join("ready"), &key).unwrap();
    std::fs::rename(&partial, &dir).unwrap();
    (target(&dir), dir)
}

/// A connection URL for `schema` on the PostgreSQL server at `base`.
fn in_schema(base: &str, schema: &str) -> String {
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-csearch_path%3D{schema}")
}

/// The PostgreSQL data set of `size` in schema `kaiwa_bench_pages_<size>`, generated unless
/// the schema holds a current one.
fn postgres_data(base: &str, root: &Path, size: Size) -> DatabaseTarget {
    let key = data_key("postgres");
    let schema = format!("kaiwa_bench_pages_{}", size.name);
    let target = DatabaseTarget::Postgres(in_schema(base, &schema));
    let mut admin = diesel::PgConnection::establish(base).expect("the PostgreSQL URL answers");
    let cached: Vec<One> =
        diesel::sql_query(format!("SELECT key AS a FROM {schema}.kaiwa_bench_ready"))
            .load(&mut admin)
            .unwrap_or_default();
    if cached.iter().any(|r| r.a == key) {
        eprintln!("  {} data set: cached in schema {schema}", size.name);
        return target;
    }
    admin
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ))
        .unwrap();
    generate(&target, root, size);
    admin
        .batch_execute(&format!(
            "CREATE TABLE {schema}.kaiwa_bench_ready (key TEXT NOT NULL); INSERT INTO {schema}.kaiwa_bench_ready VALUES ({})",
            q(&key)
        ))
        .unwrap();
    target
}

// ---------------------------------------------------------------------------------------
// The Fortunes baseline: actix-web + askama + diesel/r2d2 on the same database
// ---------------------------------------------------------------------------------------

diesel::table! {
    fortune (id) {
        id -> Integer,
        message -> Text,
    }
}

#[derive(Queryable)]
struct Fortune {
    id: i32,
    message: String,
}

#[derive(Template)]
#[template(
    source = "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>{% for f in fortunes %}<tr><td>{{ f.id }}</td><td>{{ f.message }}</td></tr>{% endfor %}</table></body></html>",
    ext = "html"
)]
struct FortunesPage {
    fortunes: Vec<Fortune>,
}

/// The same table inside a page as heavy as Kaiwa's: a head with inline styles, a header
/// with navigation, a footer. The chrome is fixed text, written as it is (`safe`), as a
/// template's static parts are.
#[derive(Template)]
#[template(
    source = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Fortunes</title>{{ chrome.head|safe }}</head><body>{{ chrome.header|safe }}<main><h1>Fortunes</h1><table><tr><th>id</th><th>message</th></tr>{% for f in fortunes %}<tr><td>{{ f.id }}</td><td>{{ f.message }}</td></tr>{% endfor %}</table></main>{{ chrome.footer|safe }}</body></html>",
    ext = "html"
)]
struct HeavyFortunesPage {
    fortunes: Vec<Fortune>,
    chrome: &'static Chrome,
}

struct Chrome {
    head: String,
    header: String,
    footer: String,
}

/// Page chrome that brings the heavy page to about `HEAVY_PAGE_BYTES`.
fn chrome() -> Chrome {
    let mut header =
        String::from("<header class=\"site\"><a class=\"brand\" href=\"/\">Fortunes</a><nav><ul>");
    for i in 0..60 {
        header.push_str(&format!(
            "<li><a href=\"/section/{i}\" class=\"nav-link\">Section number {i}</a></li>"
        ));
    }
    header.push_str("</ul></nav></header>");
    let mut footer = String::from("<footer class=\"site\"><ul>");
    for i in 0..60 {
        footer.push_str(&format!(
            "<li><a href=\"/about/{i}\">About page {i}</a> <span>A short line of footer text.</span></li>"
        ));
    }
    footer.push_str("</ul><p>Fortunes is a benchmark page.</p></footer>");
    let mut head = String::from("<style>");
    let mut i = 0;
    while head.len() + header.len() + footer.len() + 1_700 < HEAVY_PAGE_BYTES {
        head.push_str(&format!(
            ".c{i}{{margin:{}px {}px;padding:0 {}rem;color:#{:06x};border-radius:{}px}}\n",
            i % 7,
            i % 11,
            i % 5,
            (i * 2_654_435_761usize) & 0xff_ffff,
            i % 9
        ));
        i += 1;
    }
    head.push_str("</style>");
    Chrome {
        head,
        header,
        footer,
    }
}

const FORTUNES: &[&str] = &[
    "fortune: No such file or directory",
    "A computer scientist is someone who fixes things that aren't broken.",
    "After enough decimal places, nobody gives a damn.",
    "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    "A computer program does what you tell it to do, not what you want it to do.",
    "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
    "Any program that runs right is obsolete.",
    "A list is only as strong as its weakest link. — Donald Knuth",
    "Feature: A bug with seniority.",
    "Computers make very fast, very accurate mistakes.",
    "<script>alert(\"This should not be displayed in a browser alert box.\");</script>",
    "フレームワークのベンチマーク",
];

struct FortunesState {
    pool: DbPool,
    chrome: &'static Chrome,
}

/// One Fortunes request: load all rows, add one, sort by message, render escaped HTML.
async fn fortunes(state: web::Data<FortunesState>, heavy: bool) -> HttpResponse {
    let pool = state.pool.clone();
    let loaded = web::block(move || -> Result<Vec<Fortune>, String> {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        fortune::table
            .select((fortune::id, fortune::message))
            .load::<Fortune>(&mut *conn)
            .map_err(|e| e.to_string())
    })
    .await;
    let mut rows = match loaded {
        Ok(Ok(rows)) => rows,
        _ => return HttpResponse::InternalServerError().finish(),
    };
    rows.push(Fortune {
        id: 0,
        message: "Additional fortune added at request time.".into(),
    });
    rows.sort_by(|a, b| a.message.cmp(&b.message));
    let body = if heavy {
        HeavyFortunesPage {
            fortunes: rows,
            chrome: state.chrome,
        }
        .render()
    } else {
        FortunesPage { fortunes: rows }.render()
    };
    match body {
        Ok(body) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(body),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

/// Fills the `fortune` table of `target` and serves `/fortunes` and `/fortunes-heavy`.
fn serve_fortunes(target: &DatabaseTarget) -> SocketAddr {
    let pool = kaiwa::db::conn::build_pool(target, 8).unwrap();
    let rows: Vec<String> = FORTUNES
        .iter()
        .enumerate()
        .map(|(i, m)| format!("({}, {})", i + 1, q(m)))
        .collect();
    pool.get()
        .unwrap()
        .batch_execute(&format!(
            "DROP TABLE IF EXISTS fortune; CREATE TABLE fortune (id INTEGER PRIMARY KEY NOT NULL, message TEXT NOT NULL); INSERT INTO fortune (id, message) VALUES {}",
            rows.join(", ")
        ))
        .unwrap();
    let state = web::Data::new(FortunesState {
        pool,
        chrome: Box::leak(Box::new(chrome())),
    });
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route(
                "/fortunes",
                web::get().to(|s: web::Data<FortunesState>| fortunes(s, false)),
            )
            .route(
                "/fortunes-heavy",
                web::get().to(|s: web::Data<FortunesState>| fortunes(s, true)),
            )
    })
    // why: as Kaiwa does, so both answer small writes without Nagle's delay.
    .on_connect(|conn, _| {
        if let Some(tcp) = conn.downcast_ref::<actix_web::rt::net::TcpStream>() {
            let _ = tcp.set_nodelay(true);
        }
    })
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    addr
}

// ---------------------------------------------------------------------------------------
// Kaiwa, in-process
// ---------------------------------------------------------------------------------------

/// A running server: its address and, for Kaiwa, the benchmark learner's session token.
#[derive(Clone)]
struct Server {
    addr: SocketAddr,
    token: Option<String>,
    ctx: Option<kaiwa::app::Ctx>,
    /// The benchmark learner's path (dashboard id) and an open preview (session id).
    path: Option<(String, String)>,
}

/// Starts Kaiwa on a prepared data set (no seeding, no job workers) and signs the benchmark
/// learner in.
fn serve_kaiwa(target: DatabaseTarget, dir: &Path) -> Server {
    let mut settings = Settings::for_tests(dir.to_path_buf(), target);
    settings.db_pool_size = 8;
    settings.workers = 0;
    // why: `KAIWA_BENCH_PAGE_CACHE=off` measures what a visitor with cookies gets (every
    // page rendered), the figures under the page cache's hits.
    if std::env::var("KAIWA_BENCH_PAGE_CACHE").is_ok_and(|v| v == "off") {
        settings.page_cache_bytes = 0;
    }
    settings.seed_on_start = false;
    let app = Application::build(settings).unwrap();
    let mut conn = app.pool().get().unwrap();
    // why: a kept data set would otherwise gather one more session of the learner's per run,
    // and `/account` lists them all: the large set's page would grow run by run.
    kaiwa::app::accounts::end_all_sessions(&mut conn, BENCH_USER).unwrap();
    let token = kaiwa::app::accounts::start_session(
        &mut conn,
        BENCH_USER,
        None,
        None,
        Some("kaiwa-bench".into()),
        chrono::Utc::now().naive_utc(),
    )
    .unwrap();
    drop(conn);
    let addr = SocketAddr::from(([127, 0, 0, 1], app.port()));
    let ctx = app.ctx();
    tokio::spawn(app.run_until_stopped());
    Server {
        addr,
        token: Some(token),
        ctx: Some(ctx),
        path: None,
    }
}

/// Plans a path for the benchmark learner (one committed, one left as a preview), timing
/// the offline planner; the median milliseconds of `runs` previews.
async fn plan_paths(server: &mut Server, runs: usize) -> f64 {
    use kaiwa::app::paths::{self, Source};
    let ctx = server.ctx.clone().expect("a Kaiwa server");
    let user: kaiwa::db::models::User = {
        let mut conn = ctx.db.pool().get().unwrap();
        kaiwa::db::queries::users::find(&mut conn, BENCH_USER)
            .unwrap()
            .expect("the benchmark learner")
    };
    let owner = kaiwa::db::queries::preferences::Owner::User(BENCH_USER.into());
    let mut times = Vec::new();
    let mut sessions = Vec::new();
    for n in 0..runs.max(2) {
        let source = Source::Intent(format!("ordering food in Osaka, week {n}"));
        let t = Instant::now();
        sessions.push(
            paths::start_preview(&ctx, owner.clone(), source)
                .await
                .unwrap(),
        );
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let path = paths::commit(&ctx, user, sessions[0].clone())
        .await
        .unwrap();
    server.path = Some((path, sessions[1].clone()));
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// A refinement's round trip over HTTP as htmx sends it (median of `runs`, alternating a
/// change and its undo) and the bytes it answers against the whole preview page.
async fn refine_round_trip(server: &Server, runs: usize) -> (f64, usize, usize) {
    let base = format!("http://{}", server.addr);
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let url: url::Url = base.parse().unwrap();
    jar.add_cookie_str(
        &format!("kaiwa_auth={}", server.token.clone().unwrap_or_default()),
        &url,
    );
    let client = reqwest::Client::builder()
        .cookie_provider(jar)
        .build()
        .unwrap();
    let (_, session) = server.path.clone().expect("a preview");
    let page_url = format!("{base}/paths/previews/{session}");
    let page = client
        .get(&page_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = page
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned();
    let mut times = Vec::new();
    let mut fragment = 0;
    for n in 0..runs.max(2) {
        let (step, fields): (&str, Vec<(&str, &str)>) = if n % 2 == 0 {
            ("refine", vec![("instruction", "harder in week 4")])
        } else {
            ("undo", vec![])
        };
        let t = Instant::now();
        let res = client
            .post(format!("{page_url}/{step}"))
            .header("HX-Request", "true")
            .header("X-CSRF-Token", &token)
            .form(&fields)
            .send()
            .await
            .unwrap();
        let body = res.bytes().await.unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        if n == 0 {
            fragment = body.len();
        }
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], fragment, page.len())
}

// ---------------------------------------------------------------------------------------
// The load generator
// ---------------------------------------------------------------------------------------

/// One kind of request to one server.
#[derive(Clone)]
struct Target {
    addr: SocketAddr,
    path: String,
    htmx: bool,
    /// Sends `Accept-Encoding: gzip`, as a search engine's crawler does.
    gzip: bool,
    /// The login-session token sent as `kaiwa_auth`.
    auth: Option<String>,
}

type Sender = SendRequest<Empty<Bytes>>;

async fn connect(addr: SocketAddr) -> Result<Sender, String> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

/// The cookies a browser keeps for the site.
#[derive(Default)]
struct Jar(Vec<(String, String)>);

impl Jar {
    fn new(auth: Option<&str>) -> Self {
        Self(
            auth.map(|t| ("kaiwa_auth".to_owned(), t.to_owned()))
                .into_iter()
                .collect(),
        )
    }
    fn set(&mut self, header: &str) {
        let pair = header.split(';').next().unwrap_or("");
        let Some((name, value)) = pair.split_once('=') else {
            return;
        };
        let name = name.trim();
        self.0.retain(|(n, _)| n != name);
        if !value.is_empty() && !header.to_ascii_lowercase().contains("max-age=0") {
            self.0.push((name.to_owned(), value.trim().to_owned()));
        }
    }
    fn header(&self) -> Option<String> {
        (!self.0.is_empty()).then(|| {
            self.0
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}

struct Reply {
    status: u16,
    bytes: usize,
    body: Vec<u8>,
}

/// One GET on `sender`; keeps the body only when asked.
async fn get(
    sender: &mut Sender,
    target: &Target,
    jar: &mut Jar,
    keep: bool,
) -> Result<Reply, hyper::Error> {
    sender.ready().await?;
    let mut req = hyper::Request::get(target.path.as_str())
        .header(HOST, format!("127.0.0.1:{}", target.addr.port()));
    if target.htmx {
        req = req.header("HX-Request", "true");
    }
    if target.gzip {
        req = req.header(ACCEPT_ENCODING, "gzip");
    }
    if let Some(cookies) = jar.header() {
        req = req.header(COOKIE, cookies);
    }
    let res = sender.send_request(req.body(Empty::new()).unwrap()).await?;
    let status = res.status().as_u16();
    for value in res.headers().get_all(SET_COOKIE) {
        if let Ok(v) = value.to_str() {
            jar.set(v);
        }
    }
    let mut body = res.into_body();
    let (mut bytes, mut kept) = (0, Vec::new());
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            bytes += data.len();
            if keep {
                kept.extend_from_slice(&data);
            }
        }
    }
    Ok(Reply {
        status,
        bytes,
        body: kept,
    })
}

/// A single request on a fresh connection: (status, body).
async fn fetch(target: &Target) -> Result<(u16, String), String> {
    let mut sender = connect(target.addr).await?;
    let reply = get(
        &mut sender,
        target,
        &mut Jar::new(target.auth.as_deref()),
        true,
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok((
        reply.status,
        String::from_utf8_lossy(&reply.body).into_owned(),
    ))
}

/// What one side answered during a measurement.
#[derive(Default)]
struct Sample {
    ok: u64,
    errors: u64,
    timeouts: u64,
    bytes: u64,
    /// Latencies of the answered requests, in microseconds.
    latencies: Vec<u32>,
    elapsed: Duration,
}

impl Sample {
    fn merge(&mut self, other: Sample) {
        self.ok += other.ok;
        self.errors += other.errors;
        self.timeouts += other.timeouts;
        self.bytes += other.bytes;
        self.latencies.extend(other.latencies);
        self.elapsed += other.elapsed;
    }
    fn rps(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
    fn sort(&mut self) {
        self.latencies.sort_unstable();
    }
    /// The `p`-quantile latency in milliseconds (after `sort`).
    fn ms(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies.len() as f64 * p) as usize).min(self.latencies.len() - 1);
        self.latencies[i] as f64 / 1e3
    }
    fn mean_bytes(&self) -> u64 {
        self.bytes / self.ok.max(1)
    }
    fn failed(&self) -> u64 {
        self.errors + self.timeouts
    }
}

/// One browser in a closed loop: a request as soon as the last one is answered, none
/// started after `end`. Answers that arrive from `record_from` on are recorded (so a page
/// slower than the warm-up still counts), with their whole latency.
async fn browser(target: Arc<Target>, record_from: Instant, end: Instant) -> (Sample, Instant) {
    let mut sample = Sample::default();
    let mut jar = Jar::new(target.auth.as_deref());
    let mut sender: Option<Sender> = None;
    let mut last = record_from;
    loop {
        let start = Instant::now();
        if start >= end {
            break;
        }
        if sender.is_none() {
            match connect(target.addr).await {
                Ok(s) => sender = Some(s),
                Err(_) => {
                    sample.errors += (Instant::now() >= record_from) as u64;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            }
        }
        let s = sender.as_mut().expect("connected");
        let result = tokio::time::timeout(TIMEOUT, get(s, &target, &mut jar, false)).await;
        let done = Instant::now();
        let recording = done >= record_from;
        if recording {
            last = done;
        }
        match result {
            Err(_) => {
                sample.timeouts += recording as u64;
                sender = None;
            }
            Ok(Err(_)) => {
                sample.errors += recording as u64;
                sender = None;
            }
            Ok(Ok(reply)) if (200..400).contains(&reply.status) => {
                if recording {
                    sample.ok += 1;
                    sample.bytes += reply.bytes as u64;
                    let took = done - start;
                    sample
                        .latencies
                        .push(took.as_micros().min(u32::MAX as u128) as u32);
                }
            }
            Ok(Ok(_)) => sample.errors += recording as u64,
        }
    }
    (sample, last)
}

/// `concurrency` browsers on `target` for a short warm-up and then `measured`.
async fn slice(target: &Target, concurrency: usize, measured: Duration) -> Sample {
    let warm_up = (measured / 5).min(Duration::from_millis(200));
    let record_from = Instant::now() + warm_up;
    let end = record_from + measured;
    let target = Arc::new(target.clone());
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| tokio::spawn(browser(target.clone(), record_from, end)))
        .collect();
    let mut total = Sample::default();
    let mut last = end;
    for task in tasks {
        let (sample, done) = task.await.unwrap();
        last = last.max(done);
        total.merge(sample);
    }
    total.elapsed = last.saturating_duration_since(record_from);
    total
}

/// Measures every target for `seconds` at `concurrency`, in `ROUNDS` slices each, rotating
/// which goes first so a busy moment of the machine affects them all.
async fn measure(targets: &[Target], concurrency: usize, seconds: f64) -> Vec<Sample> {
    let per_slice = Duration::from_secs_f64(seconds / ROUNDS as f64);
    let mut samples: Vec<Sample> = targets.iter().map(|_| Sample::default()).collect();
    for round in 0..ROUNDS {
        for k in 0..targets.len() {
            let i = (round + k) % targets.len();
            let s = slice(&targets[i], concurrency, per_slice).await;
            samples[i].merge(s);
        }
    }
    for s in &mut samples {
        s.sort();
    }
    samples
}

// ---------------------------------------------------------------------------------------
// Pages and report
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Audience {
    Public,
    SignedIn,
}

struct Page {
    name: String,
    /// The path on the small and on the large data set (a sitemap page may differ).
    paths: [String; 2],
    audience: Audience,
    htmx: bool,
    /// Asked for as a crawler asks (gzip accepted).
    gzip: bool,
    /// For an htmx fragment: the name of the page it is part of.
    part_of: Option<String>,
}

fn page(name: &str, path: &str, audience: Audience) -> Page {
    Page {
        name: name.to_owned(),
        paths: [path.to_owned(), path.to_owned()],
        audience,
        htmx: false,
        gzip: false,
        part_of: None,
    }
}

fn fragment(of: &str, path: &str) -> Page {
    Page {
        name: format!("{of} (htmx)"),
        htmx: true,
        part_of: Some(of.to_owned()),
        ..page(of, path, Audience::Public)
    }
}

/// The path of the first scenario page of a sitemap index (else its first `<loc>`), if
/// `body` is one.
fn first_sitemap(body: &str) -> Option<String> {
    if !body.contains("<sitemapindex") {
        return None;
    }
    let locs: Vec<&str> = body
        .split("<loc>")
        .skip(1)
        .filter_map(|rest| rest.split("</loc>").next())
        .collect();
    let loc = locs
        .iter()
        .find(|l| l.contains("/scenarios-"))
        .or(locs.first())?
        .trim()
        .replace("&amp;", "&");
    let url = url::Url::parse(&loc).ok()?;
    Some(match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    })
}

/// Every page type, as measured. The sitemap is read first: if it is an index, its first
/// page is measured too.
async fn pages(small: &Server, large: &Server) -> Vec<Page> {
    use Audience::*;
    let mut list = vec![
        page("/", "/", Public),
        page("/scenarios", "/scenarios", Public),
    ];
    for path in [
        "/scenarios?q=ramen",
        "/scenarios?q=job%20interview",
        "/scenarios?q=caf%C3%A9",
        "/scenarios?q=pharmacy%20fever",
        "/scenarios?q=market&difficulty=beginner",
        "/scenarios?q=apartment&sort=top_rated",
        "/scenarios?q=negotiat",
        "/scenarios?q=festival%20lanterns",
        "/scenarios?category=food",
        "/scenarios?category=food&cefr=B1",
        "/scenarios?difficulty=beginner&sort=trending",
        "/scenarios?sort=most_saved",
        "/scenarios?sort=newest",
        "/scenarios?sort=top_rated",
        "/scenarios?sort=trending",
    ] {
        list.push(page(path, path, Public));
    }
    for path in [
        "/scenarios",
        "/scenarios?q=ramen",
        "/scenarios?category=food",
    ] {
        list.push(fragment(path, path));
    }
    list.push(page(
        "/scenarios/ordering-ramen-osaka",
        "/scenarios/ordering-ramen-osaka",
        Public,
    ));
    let course = kaiwa::app::courses::href(&course_slug(1));
    for path in ["/courses", "/courses?language=ja&level=B1", &course] {
        list.push(page(path, path, Public));
    }
    list.push(fragment("/courses", "/courses"));
    list.push(page("/sitemap.xml", "/sitemap.xml", Public));
    let mut firsts = Vec::new();
    for server in [small, large] {
        let index = Target {
            addr: server.addr,
            path: "/sitemap.xml".into(),
            htmx: false,
            gzip: false,
            auth: None,
        };
        let body = fetch(&index).await.map(|(_, b)| b).unwrap_or_default();
        firsts.push(first_sitemap(&body));
    }
    if firsts.iter().any(Option::is_some) {
        let path = |i: usize| firsts[i].clone().unwrap_or_else(|| "/sitemap.xml".into());
        list.push(Page {
            paths: [path(0), path(1)],
            ..page("sitemap, first scenarios page", "", Public)
        });
        list.push(Page {
            paths: [path(0), path(1)],
            gzip: true,
            ..page("sitemap, first scenarios page (crawler, gzip)", "", Public)
        });
    }
    if let (Some((ps, vs)), Some((pl, vl))) = (&small.path, &large.path) {
        list.push(Page {
            paths: [format!("/paths/{ps}"), format!("/paths/{pl}")],
            ..page("/paths/{id} (signed in)", "", SignedIn)
        });
        list.push(Page {
            paths: [
                format!("/paths/previews/{vs}"),
                format!("/paths/previews/{vl}"),
            ],
            ..page("/paths/previews/{id} (signed in)", "", SignedIn)
        });
    }
    let conversation = format!("/conversations/{BENCH_CONVERSATION}");
    list.push(page("/scenarios (signed in)", "/scenarios", SignedIn));
    list.push(page("/courses (signed in)", "/courses", SignedIn));
    list.push(page(&format!("{course} (signed in)"), &course, SignedIn));
    list.push(page(
        "/conversations (signed in)",
        "/conversations",
        SignedIn,
    ));
    list.push(page(
        "/conversations/{50 messages}",
        &conversation,
        SignedIn,
    ));
    list.push(page("/account (signed in)", "/account", SignedIn));
    list
}

fn target(server: &Server, page: &Page, side: usize) -> Target {
    Target {
        addr: server.addr,
        path: page.paths[side].clone(),
        htmx: page.htmx,
        gzip: page.gzip,
        auth: match page.audience {
            Audience::SignedIn => server.token.clone(),
            Audience::Public => None,
        },
    }
}

fn baseline(fortunes: SocketAddr, heavy: bool) -> Target {
    Target {
        addr: fortunes,
        path: if heavy {
            "/fortunes-heavy"
        } else {
            "/fortunes"
        }
        .into(),
        htmx: false,
        gzip: false,
        auth: None,
    }
}

/// One measured page at one concurrency: baseline, small, large.
struct Row {
    page: usize,
    concurrency: usize,
    base: Sample,
    small: Sample,
    large: Sample,
    /// For an htmx fragment: its whole page on the small and the large set, measured in the
    /// same rotating slices, so the two are compared under the same load.
    whole: Option<(Sample, Sample)>,
}

fn ms(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.1}")
    }
}

/// The targets a row misses.
fn misses(row: &Row, pages: &[Page]) -> Vec<String> {
    let page = &pages[row.page];
    let mut out = Vec::new();
    let least = match page.audience {
        Audience::Public => 0.5,
        Audience::SignedIn => 0.3,
    };
    let worst = (row.small.rps() / row.base.rps()).min(row.large.rps() / row.base.rps());
    if worst < least {
        out.push(format!("<{least}x base"));
    }
    if row.large.rps() / row.small.rps() < 0.75 {
        out.push("L/S req/s<0.75".into());
    }
    if row.large.ms(0.99) / row.small.ms(0.99) > 1.3 {
        out.push("L/S p99>1.3".into());
    }
    if let Some((small, large)) = &row.whole {
        let (s, l) = (row.small.rps() / small.rps(), row.large.rps() / large.rps());
        if s < 1.0 || l < 1.0 {
            out.push(format!("htmx slower than page (S {s:.2}x, L {l:.2}x)"));
        }
    }
    if row.small.failed() + row.large.failed() > 0 {
        out.push("errors".into());
    }
    out
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn memory() -> String {
    memory_of("/proc/self/status")
}

/// The memory figures of the process whose `/proc/…/status` is `path`.
fn memory_of(path: &str) -> String {
    let status = std::fs::read_to_string(path).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .map(|l| l[name.len()..].trim().to_owned())
            .unwrap_or_else(|| "?".into())
    };
    // why: RssFile includes the pages of the SQLite files the app maps (`mmap_size`),
    // which the OS can drop at any time; RssAnon is the heap.
    format!(
        "VmRSS {} (RssAnon {}, RssFile {}), VmHWM {}",
        field("VmRSS:"),
        field("RssAnon:"),
        field("RssFile:"),
        field("VmHWM:")
    )
}

/// Measures and prints everything for one backend; returns (rows missing, rows, failures).
async fn run_backend(
    backend: &str,
    fortunes: SocketAddr,
    small: Server,
    large: Server,
    seconds: f64,
    only: Option<&str>,
) -> (usize, usize, u64) {
    let started = Instant::now();
    let load_at_start = loadavg();
    let (plain, heavy) = (baseline(fortunes, false), baseline(fortunes, true));

    eprintln!("{backend}: Fortunes reference");
    let mut reference = Vec::new();
    for c in [1, 16, 64] {
        reference.push((
            c,
            measure(&[plain.clone(), heavy.clone()], c, seconds).await,
        ));
    }

    let pages: Vec<Page> = pages(&small, &large)
        .await
        .into_iter()
        .filter(|p| only.is_none_or(|o| o.split(',').any(|o| p.name.contains(o))))
        .collect();
    for p in &pages {
        for (side, server) in [&small, &large].into_iter().enumerate() {
            match fetch(&target(server, p, side)).await {
                Ok((status, _)) if (200..400).contains(&status) => {}
                Ok((status, _)) => eprintln!(
                    "  warning: {} answers {status} on the {} set",
                    p.name,
                    ["small", "large"][side]
                ),
                Err(e) => eprintln!("  warning: {}: {e}", p.name),
            }
        }
    }

    let mut rows = Vec::new();
    let mut single = Vec::new();
    for (i, p) in pages.iter().enumerate() {
        let mut sides = vec![heavy.clone(), target(&small, p, 0), target(&large, p, 1)];
        let whole = p.part_of.as_ref().and_then(|of| {
            pages
                .iter()
                .find(|w| w.name == *of && !w.htmx)
                .map(|w| [target(&small, w, 0), target(&large, w, 1)])
        });
        sides.extend(whole.iter().flatten().cloned());
        for c in CONCURRENCY {
            let mut s = measure(&sides, c, seconds).await.into_iter();
            let (base, small, large) = (s.next().unwrap(), s.next().unwrap(), s.next().unwrap());
            let whole = s.next().zip(s.next());
            eprintln!(
                "  {:<44} c={c:<3} base {:>7.0}/s  small {:>7.0}/s  large {:>7.0}/s",
                p.name,
                base.rps(),
                small.rps(),
                large.rps()
            );
            rows.push(Row {
                page: i,
                concurrency: c,
                base,
                small,
                large,
                whole,
            });
        }
        let mut s = measure(&[heavy.clone(), sides[2].clone()], 1, seconds)
            .await
            .into_iter();
        single.push((i, s.next().unwrap(), s.next().unwrap()));
    }

    println!();
    println!(
        "== {backend}: {seconds} s per page, concurrency and side, in {ROUNDS} rotating slices; load average {load_at_start} at start, {} at end",
        loadavg()
    );
    println!("Fortunes on the same stack (actix-web + askama + diesel/r2d2 on {backend}):");
    println!(
        "{:<16} {:>4} {:>9} {:>8} {:>8} {:>8}",
        "", "c", "req/s", "p50 ms", "p99 ms", "bytes"
    );
    for (c, samples) in &reference {
        for (name, s) in ["fortunes", "fortunes-heavy"].iter().zip(samples) {
            println!(
                "{:<16} {:>4} {:>9.0} {:>8} {:>8} {:>8}{}",
                name,
                c,
                s.rps(),
                ms(s.ms(0.5)),
                ms(s.ms(0.99)),
                s.mean_bytes(),
                if s.failed() > 0 {
                    format!("  {} errors, {} timeouts", s.errors, s.timeouts)
                } else {
                    String::new()
                }
            );
        }
    }
    println!();
    println!(
        "Kaiwa pages, small (seed, 52 scenarios) vs large (100,000 scenarios, 1M messages); base = fortunes-heavy measured alongside"
    );
    println!(
        "targets: public >= 0.5x base, signed-in >= 0.3x, htmx >= its page, large/small req/s >= 0.75 and p99 <= 1.3, no errors"
    );
    println!(
        "{:<44} {:>3} {:>7} {:>7} {:>7} {:>5} {:>5} {:>5} {:>6} {:>6} {:>6} {:>6} {:>5} {:>6} {:>6}  misses",
        "page", "c", "base/s", "small/s", "large/s", "S/b", "L/b", "L/S", "p50 S", "p99 S", "p50 L", "p99 L", "p99LS", "KB L", "err/to"
    );
    let mut missing = 0;
    let mut failures = 0;
    for row in &rows {
        let p = &pages[row.page];
        let m = misses(row, &pages);
        missing += (!m.is_empty()) as usize;
        failures += row.small.failed() + row.large.failed() + row.base.failed();
        println!(
            "{:<44} {:>3} {:>7.0} {:>7.0} {:>7.0} {:>5.2} {:>5.2} {:>5.2} {:>6} {:>6} {:>6} {:>6} {:>5.2} {:>6.1} {:>6}  {}",
            p.name,
            row.concurrency,
            row.base.rps(),
            row.small.rps(),
            row.large.rps(),
            row.small.rps() / row.base.rps(),
            row.large.rps() / row.base.rps(),
            row.large.rps() / row.small.rps(),
            ms(row.small.ms(0.5)),
            ms(row.small.ms(0.99)),
            ms(row.large.ms(0.5)),
            ms(row.large.ms(0.99)),
            row.large.ms(0.99) / row.small.ms(0.99),
            row.large.mean_bytes() as f64 / 1024.0,
            format!(
                "{}/{}",
                row.small.errors + row.large.errors,
                row.small.timeouts + row.large.timeouts
            ),
            if m.is_empty() {
                String::new()
            } else {
                format!("!! {}", m.join(", "))
            }
        );
    }
    println!();
    println!("c=1 on the large set (target: no page over 10 ms), base = fortunes-heavy:");
    println!(
        "{:<44} {:>9} {:>9} {:>9} {:>9}  misses",
        "page", "base p50", "p50 ms", "p99 ms", "req/s"
    );
    let mut worst = (0.0f64, String::new());
    for (i, base, large) in &single {
        let p = &pages[*i];
        let mut m = Vec::new();
        if large.ms(0.5) > 10.0 {
            m.push("p50>10ms");
        }
        if large.ms(0.99) > 10.0 {
            m.push("p99>10ms");
        }
        if large.failed() > 0 {
            m.push("errors");
        }
        missing += (!m.is_empty()) as usize;
        failures += large.failed() + base.failed();
        if large.ms(0.5) > worst.0 {
            worst = (large.ms(0.5), p.name.clone());
        }
        println!(
            "{:<44} {:>9} {:>9} {:>9} {:>9.0}  {}",
            p.name,
            ms(base.ms(0.5)),
            ms(large.ms(0.5)),
            ms(large.ms(0.99)),
            large.rps(),
            if m.is_empty() {
                String::new()
            } else {
                format!("!! {}", m.join(", "))
            }
        );
    }
    println!(
        "{backend}: {missing} of {} rows miss a target; {failures} errors/timeouts in all; slowest c=1 p50 on the large set: {} ms ({}); measured in {:.0} s",
        rows.len() + single.len(),
        ms(worst.0),
        worst.1,
        started.elapsed().as_secs_f64()
    );
    println!(
        "{backend}: memory of this process after the large-set runs: {}",
        memory()
    );
    (missing, rows.len() + single.len(), failures)
}

/// Learning paths on both data sets: offline preview generation and a refinement's round
/// trip and bytes against the whole preview page (the dashboard is one of the pages).
async fn paths_report(backend: &str, small: &mut Server, large: &mut Server) {
    println!("{backend}: learning paths (median of 9 previews, 20 refinements)");
    println!("  set     preview ms   refine ms   fragment B   page B   fragment/page");
    for (name, server) in [("small", small), ("large", large)] {
        let preview = plan_paths(server, 9).await;
        let (refine, fragment, page) = refine_round_trip(server, 20).await;
        println!(
            "  {name:<6} {preview:>11.2} {refine:>11.2} {fragment:>12} {page:>8} {:>15.2}",
            fragment as f64 / page.max(1) as f64
        );
    }
}

/// In the child process: Kaiwa alone on the large SQLite set, with the benchmark learner's
/// path planned; prints `addr token path preview` on one line, then serves until killed.
fn serve_alone() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let root = data_root();
        // why: `KAIWA_BENCH_ALONE=postgres` serves the large PostgreSQL set instead, to profile
        // or load one page by hand.
        let mut server = match std::env::var("KAIWA_BENCH_ALONE").as_deref() {
            Ok("postgres") => {
                let base = std::env::var("KAIWA_BENCH_POSTGRES_URL")
                    .expect("KAIWA_BENCH_ALONE=postgres needs KAIWA_BENCH_POSTGRES_URL");
                serve_kaiwa(postgres_data(&base, &root, LARGE), &root)
            }
            _ => {
                let (db, dir) = sqlite_data(&root, LARGE);
                serve_kaiwa(db, &dir)
            }
        };
        plan_paths(&mut server, 2).await;
        let (path, preview) = server.path.clone().unwrap();
        println!(
            "{} {} {path} {preview}",
            server.addr,
            server.token.clone().unwrap()
        );
        std::future::pending::<()>().await;
    });
}

/// Kaiwa alone on the large SQLite set, in a child process: its memory when started, and
/// after every page (as the table measured them, `small`'s paths aside) at c=64.
async fn memory_alone(small: &Server, seconds: f64, only: Option<&str>) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .env("KAIWA_BENCH_ALONE", "1")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the benchmark starts itself again");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let mut words = line.split_whitespace().map(str::to_owned);
    let mut next = || {
        words
            .next()
            .expect("the child prints addr token path preview")
    };
    let alone = Server {
        addr: next().parse().unwrap(),
        token: Some(next()),
        ctx: None,
        path: Some((next(), next())),
    };
    let status = format!("/proc/{}/status", child.id());
    let started = memory_of(&status);
    let pages: Vec<Page> = pages(small, &alone)
        .await
        .into_iter()
        .filter(|p| only.is_none_or(|o| o.split(',').any(|o| p.name.contains(o))))
        .collect();
    let mut failures = 0;
    for p in &pages {
        let s = measure(&[target(&alone, p, 1)], 64, seconds).await;
        failures += s[0].failed();
    }
    println!(
        "SQLite: Kaiwa alone on the large set (its own process), started: {started}; after {} pages at c=64 ({failures} errors/timeouts): {}",
        pages.len(),
        memory_of(&status)
    );
    let _ = child.kill();
    let _ = child.wait();
}

fn main() {
    // why: as `kaiwa serve` does, so that the memory printed is what the server would hold.
    kaiwa::startup::tune_allocator().expect("the memory trimmer starts");
    if std::env::var("KAIWA_BENCH_ALONE").is_ok() {
        return serve_alone();
    }
    let seconds: f64 = std::env::var("KAIWA_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|s: &f64| *s > 0.0)
        .unwrap_or(2.0);
    let only = std::env::var("KAIWA_BENCH_PAGES").ok();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    let load_at_start = loadavg();
    let root = data_root();
    println!(
        "pages benchmark: load average at start {load_at_start}; data in {}",
        root.display()
    );
    runtime.block_on(async {
        eprintln!("SQLite:");
        let (small_db, small_dir) = sqlite_data(&root, SMALL);
        let (large_db, large_dir) = sqlite_data(&root, LARGE);
        let fortunes_dir = root.join("fortunes");
        let _ = std::fs::remove_dir_all(&fortunes_dir);
        let fortunes = serve_fortunes(&DatabaseTarget::Sqlite(fortunes_dir.join("fortunes.db")));
        let mut small = serve_kaiwa(small_db, &small_dir);
        let mut large = serve_kaiwa(large_db, &large_dir);
        paths_report("SQLite", &mut small, &mut large).await;
        run_backend("SQLite", fortunes, small.clone(), large, seconds, only.as_deref()).await;
        memory_alone(&small, seconds, only.as_deref()).await;

        if let Ok(base) = std::env::var("KAIWA_BENCH_POSTGRES_URL") {
            eprintln!("PostgreSQL:");
            let small_db = postgres_data(&base, &root, SMALL);
            let large_db = postgres_data(&base, &root, LARGE);
            let mut admin =
                diesel::PgConnection::establish(&base).expect("the PostgreSQL URL answers");
            admin
                .batch_execute(
                    "DROP SCHEMA IF EXISTS kaiwa_bench_fortunes CASCADE; CREATE SCHEMA kaiwa_bench_fortunes",
                )
                .unwrap();
            let fortunes = serve_fortunes(&DatabaseTarget::Postgres(in_schema(
                &base,
                "kaiwa_bench_fortunes",
            )));
            let mut small = serve_kaiwa(small_db, &root);
            let mut large = serve_kaiwa(large_db, &root);
            paths_report("PostgreSQL", &mut small, &mut large).await;
            run_backend("PostgreSQL", fortunes, small, large, seconds, only.as_deref()).await;
        }
    });
    println!(
        "pages benchmark: load average at start {load_at_start}, at end {}; {}; {:.0} s in all",
        loadavg(),
        memory(),
        started.elapsed().as_secs_f64()
    );
    // why: the servers run until the process ends; leaving the runtime would wait for them.
    std::process::exit(0);
}
