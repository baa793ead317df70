//! The data model on the backend under test: a full row of every table written and read
//! back unchanged, and the constraints the spec names enforced by the database itself.

use chrono::{NaiveDateTime, Timelike, Utc};
use diesel::prelude::*;
use kaiwa::db::json::*;
use kaiwa::db::models::*;
use kaiwa::db::schema::*;
use kaiwa::db::types::*;
use kaiwa::db::{new_id, DbConn};

use crate::helpers::spawn_app_with;

/// Now, cut to microseconds (PostgreSQL's timestamp precision).
fn now() -> NaiveDateTime {
    let t = Utc::now().naive_utc();
    t.with_nanosecond(t.nanosecond() / 1000 * 1000).unwrap()
}

/// Inserts `$new` into `$table`, reads the table's only row back as `$row` and checks that
/// every field came back as written (`NewX { … }` and `X { … }` print the same fields).
macro_rules! round_trip {
    ($conn:expr, $table:ident, $row:ty, $new:expr) => {{
        let new = $new;
        diesel::insert_into($table::table)
            .values(new.clone())
            .execute($conn)
            .unwrap();
        let rows: Vec<$row> = $table::table
            .select(<$row>::as_select())
            .load($conn)
            .unwrap();
        assert_eq!(rows.len(), 1, "{}", stringify!($table));
        let written = format!("{:?}", new).replacen("New", "", 1);
        assert_eq!(
            format!("{:?}", rows[0]),
            written,
            "{} round trip",
            stringify!($table)
        );
        rows.into_iter().next().unwrap()
    }};
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn a_full_row_of_every_table_reads_back_as_written() {
    let app = spawn_app_with(|_| {}).await;
    let conn: &mut DbConn = &mut app.conn();
    let t = now();

    let language = round_trip!(
        conn,
        languages,
        Language,
        NewLanguage {
            id: "ja".into(),
            code: "ja".into(),
            name: "Japanese".into(),
            native_name: "日本語".into(),
            writing_system: WritingSystem::Japanese,
            supported_scripts: Json(strings(&["hiragana", "kanji"])),
            is_rtl: false,
            flag_emoji: Some("🇯🇵".into()),
            sort_order: 1,
            is_active: true,
            created_at: t,
            updated_at: t,
        }
    );
    let speaker = round_trip!(
        conn,
        speakers,
        Speaker,
        NewSpeaker {
            id: "ja-jp-female".into(),
            language_id: language.id.clone(),
            region: "Tokyo, Japan".into(),
            dialect_name: "Hyōjungo".into(),
            bcp47_code: "ja-JP".into(),
            gender: Gender::Female,
            voice_name: "Haruka".into(),
            voice_provider_id: "openai".into(),
            openai_voice_id: Some("coral".into()),
            is_default: true,
            is_active: true,
            created_at: t,
            updated_at: t,
        }
    );
    let user = round_trip!(
        conn,
        users,
        User,
        NewUser {
            id: new_id(),
            email: "aiko@example.com".into(),
            email_verified_at: Some(t),
            password_hash: Some("$argon2id$…".into()),
            google_id: Some("g-123".into()),
            display_name: Some("Aiko <b>".into()),
            username: Some("aiko".into()),
            avatar_url: Some("https://example.com/a.png".into()),
            stripe_customer_id: Some("cus_1".into()),
            native_language_id: Some("ja".into()),
            preferred_ui_language_id: Some("ja".into()),
            is_admin: false,
            last_login_at: Some(t),
            created_at: t,
            updated_at: t,
            time_zone: "Asia/Tokyo".into(),
        }
    );
    round_trip!(
        conn,
        user_preferences,
        UserPreferences,
        NewUserPreferences {
            id: new_id(),
            user_id: Some(user.id.clone()),
            guest_id: None,
            target_language_id: "ja".into(),
            learning_goal: LearningGoal::Travel,
            speaking_level: 20,
            listening_level: 35,
            reading_level: 50,
            writing_level: 5,
            challenge_preference: ChallengePreference::Challenging,
            correction_style: CorrectionStyle::EndOfSession,
            specific_goals: Json(strings(&["Order at an izakaya", "Chat with my in-laws"])),
            created_at: t,
            updated_at: t,
        }
    );
    round_trip!(
        conn,
        sessions,
        Session,
        NewSession {
            id: "session-token-hash".into(),
            user_id: user.id.clone(),
            expires_at: t,
            user_agent: Some("test".into()),
            created_at: t,
            updated_at: t,
        }
    );
    let scenario = round_trip!(
        conn,
        scenarios,
        Scenario,
        NewScenario {
            id: "ramen-osaka".into(),
            title: "Ordering ramen".into(),
            description: "At a counter in Osaka.".into(),
            role: ScenarioRole::Character,
            difficulty: Difficulty::Beginner,
            difficulty_rating: 2,
            cefr_level: CefrLevel::A2,
            instructions: "Keep turns short.".into(),
            context: "Lunch rush.".into(),
            learning_goal: Some(LearningGoal::Travel),
            cefr_recommendation: Some("A2 learners".into()),
            persona: Json(Persona {
                title: "Chef".into(),
                name_template: "Tanaka-san".into(),
                setting: "Counter".into(),
                intro_prompt: "Irasshai!".into(),
                stakes: "Lunch".into()
            }),
            expected_outcome: "A bowl ordered.".into(),
            learning_objectives: Json(strings(&["Order", "Ask"])),
            comfort_indicators: Json(ComfortIndicators {
                confidence: 3,
                engagement: 4,
                understanding: 3
            }),
            categories: Json(strings(&["food", "travel"])),
            tags: Json(strings(&["restaurant"])),
            primary_skill: Skill::Speaking,
            search_keywords: Json(strings(&["noodles"])),
            thumbnail_url: Some("/static/img/ramen.png".into()),
            estimated_duration_seconds: 600,
            created_by_user_id: Some(user.id.clone()),
            visibility: Visibility::Private,
            usage_count: 3,
            is_active: true,
            created_at: t,
            updated_at: t,
            search_title: "ordering ramen".into(),
            search_body: "at a counter in osaka".into(),
        }
    );
    round_trip!(
        conn,
        scenario_metadata,
        ScenarioMetadata,
        NewScenarioMetadata {
            scenario_id: scenario.id.clone(),
            amount_saved_count: 4,
            total_times_used: 9,
            total_attempts: 7,
            total_completions: 5,
            average_rating: Some(4.25),
            ratings_count: 4,
            ratings_sum: 17,
            completion_rate: 0.714,
            average_time_spent: 412,
            created_at: t,
            updated_at: t,
        }
    );
    round_trip!(
        conn,
        user_scenario_progress,
        UserScenarioProgress,
        NewUserScenarioProgress {
            user_id: user.id.clone(),
            scenario_id: scenario.id.clone(),
            is_saved: true,
            saved_at: Some(t),
            times_completed: 1,
            times_attempted: 2,
            last_attempt_at: Some(t),
            last_completed_at: Some(t),
            total_time_spent_seconds: 900,
            user_rating: Some(5),
            user_notes: Some("Ask about 替え玉".into()),
            created_at: t,
            updated_at: t,
        }
    );
    let conversation = round_trip!(
        conn,
        conversations,
        Conversation,
        NewConversation {
            id: new_id(),
            user_id: Some(user.id.clone()),
            guest_id: None,
            target_language_id: "ja".into(),
            mode: ConversationMode::Traditional,
            scenario_id: Some(scenario.id.clone()),
            speaker_id: Some(speaker.id.clone()),
            title: Some("Ramen".into()),
            status: ConversationStatus::Ended,
            is_onboarding: true,
            started_at: t,
            ended_at: Some(t),
            duration_seconds: 300,
            message_count: 12,
            audio_seconds: 40,
            comfort_rating: Some(4),
            engagement_level: Some(EngagementLevel::High),
            created_at: t,
            updated_at: t,
            completion: Some(Completion::ObjectivesMet),
            objectives_met: Some(Json(vec!["Order a bowl".into(), "替え玉を頼む".into()])),
        }
    );
    round_trip!(
        conn,
        messages,
        Message,
        NewMessage {
            id: new_id(),
            conversation_id: conversation.id.clone(),
            position: 1,
            role: MessageRole::User,
            content: "ラーメンを一つください".into(),
            translated_content: Some("One ramen, please".into()),
            romanization: Some("rāmen o hitotsu kudasai".into()),
            pinyin: None,
            hiragana: Some("らーめんをひとつください".into()),
            katakana: Some("ラーメン".into()),
            kanji: Some("一つ".into()),
            ruby: None,
            aids_version: 0,
            provider_item_id: Some("item_1".into()),
            translation_confidence: Some(0.93),
            translation_provider: Some("offline".into()),
            grammar_analysis: Some(Json(GrammarAnalysis {
                corrections: vec![Correction {
                    original: "を一つ".into(),
                    corrected: "を一つ".into(),
                    explanation: "fine".into()
                }],
                went_well: strings(&["Polite request"]),
            })),
            vocabulary_analysis: Some(Json(VocabularyAnalysis {
                new_words: vec![VocabularyItem {
                    word: "替え玉".into(),
                    meaning: "extra noodles".into(),
                    note: None
                }],
                misused_words: vec![],
            })),
            created_at: t,
            updated_at: t,
        }
    );
    round_trip!(
        conn,
        tiers,
        Tier,
        NewTier {
            id: "plus".into(),
            name: "Plus".into(),
            description: "More time".into(),
            monthly_conversations: None,
            monthly_seconds: 36000,
            monthly_realtime_sessions: Some(10),
            max_session_length_seconds: 900,
            session_banking_enabled: true,
            max_banked_seconds: 18000,
            max_extensions: 3,
            extension_seconds: 300,
            has_realtime_access: true,
            has_advanced_voices: false,
            has_analytics: true,
            monthly_price_usd_cents: 2900,
            annual_price_usd_cents: 23200,
            stripe_product_id: Some("prod_1".into()),
            stripe_price_id_monthly: Some("price_m".into()),
            stripe_price_id_annual: Some("price_a".into()),
            sort_order: 2,
            is_active: true,
            created_at: t,
            updated_at: t,
        }
    );
    let subscription = round_trip!(
        conn,
        subscriptions,
        Subscription,
        NewSubscription {
            id: new_id(),
            user_id: user.id.clone(),
            tier_id: "plus".into(),
            stripe_subscription_id: Some("sub_1".into()),
            stripe_customer_id: Some("cus_1".into()),
            stripe_price_id: Some("price_m".into()),
            status: SubscriptionStatus::PastDue,
            current_period_start: Some(t),
            current_period_end: Some(t),
            cancel_at_period_end: true,
            is_active: false,
            created_at: t,
            updated_at: t,
        }
    );
    round_trip!(
        conn,
        payments,
        Payment,
        NewPayment {
            id: new_id(),
            user_id: user.id.clone(),
            subscription_id: Some(subscription.id.clone()),
            stripe_payment_intent_id: Some("pi_1".into()),
            stripe_invoice_id: Some("in_1".into()),
            amount_cents: 2900,
            currency: "usd".into(),
            status: PaymentStatus::Succeeded,
            created_at: t,
            updated_at: t,
        }
    );
    round_trip!(
        conn,
        user_usage,
        UserUsage,
        NewUserUsage {
            user_id: user.id.clone(),
            period: "2026-11".into(),
            conversations_used: 3,
            seconds_used: 1200,
            realtime_sessions_used: 1,
            banked_seconds: 600,
            banked_seconds_used: 60,
            created_at: t,
            updated_at: t,
            granted_seconds: 36_000,
            reserved_seconds: 900,
        }
    );
    round_trip!(
        conn,
        conversation_sessions,
        ConversationSession,
        NewConversationSession {
            id: new_id(),
            conversation_id: Some(conversation.id.clone()),
            user_id: Some(user.id.clone()),
            language: "ja".into(),
            start_time: t,
            end_time: Some(t),
            duration_seconds: 300,
            seconds_consumed: 290,
            input_tokens: 1500,
            was_extended: true,
            extensions_used: 1,
            created_at: t,
            updated_at: t,
            period: Some("2026-11".into()),
            guest_id: None,
            hold_seconds: 1200,
            deadline_at: Some(t),
            last_activity_at: Some(t),
            max_extensions: 3,
            extension_seconds: 300,
            state: kaiwa::db::types::SessionState::Settled,
            realtime_call_id: Some("rtc_1".into()),
            call_started_at: Some(t),
            call_ended_at: Some(t),
            call_sideband: true,
        }
    );
    let mut properties = EventProperties::new();
    properties.insert("plan".into(), serde_json::json!("plus"));
    round_trip!(
        conn,
        analytics_events,
        AnalyticsEvent,
        NewAnalyticsEvent {
            id: new_id(),
            user_id: Some(user.id.clone()),
            session_id: Some("ph_1".into()),
            event_name: "checkout_started".into(),
            properties: Json(properties),
            user_agent: Some("test".into()),
            ip_address: Some("127.0.0.1".into()),
            referrer: Some("https://example.com".into()),
            created_at: t,
        }
    );
    let day = ScheduleDay {
        day_index: 1,
        theme: "Greetings".into(),
        description: "Say hello".into(),
        difficulty: "supportive".into(),
        scenario_id: Some(scenario.id.clone()),
    };
    let path = round_trip!(
        conn,
        learning_paths,
        LearningPath,
        NewLearningPath {
            id: "osaka-in-a-month".into(),
            user_id: Some(user.id.clone()),
            title: "Osaka in a month".into(),
            description: "Meet the parents".into(),
            target_language: "ja".into(),
            schedule: Json(vec![day.clone()]),
            is_template: false,
            is_public: true,
            share_slug: Some("osaka-in-a-month".into()),
            status: PathStatus::Active,
            created_by_user_id: Some(user.id.clone()),
            metadata: Json(PathMetadata {
                cefr_level: Some("A2".into()),
                primary_skill: Some("speaking".into()),
                estimated_minutes_per_day: Some(15),
                category: Some("relationships".into()),
                tags: strings(&["family"]),
                plan: None,
                published_template_id: Some("template-id".into()),
            }),
            created_at: t,
            updated_at: t,
        }
    );
    round_trip!(
        conn,
        learning_path_assignments,
        LearningPathAssignment,
        NewLearningPathAssignment {
            id: new_id(),
            path_id: path.id.clone(),
            user_id: user.id.clone(),
            role: AssignmentRole::Tester,
            status: AssignmentStatus::Invited,
            starts_at: t,
            current_day_index: 5,
            completed_at: None,
            email_reminders_enabled: true,
            last_email_sent_at: Some(t),
            metadata: Json(AssignmentMetadata {
                invited_by: Some(user.id.clone()),
                invite_note: Some("Try it".into()),
                feedback_requested: true,
                custom_start_time: Some("08:00".into()),
                days: Vec::new(),
                feedback: vec![kaiwa::db::json::DayFeedback {
                    day_index: 2,
                    rating: 4,
                    comment: "Clear".into(),
                    at: t,
                }],
            }),
            created_at: t,
            updated_at: t,
        }
    );
    round_trip!(
        conn,
        course_invitations,
        kaiwa::db::models::CourseInvitation,
        kaiwa::db::models::CourseInvitation {
            id: new_id(),
            path_id: path.id.clone(),
            email: "tester@example.com".into(),
            token_hash: "ab".repeat(32),
            note: "Day 3 is new".into(),
            invited_by_user_id: Some(user.id.clone()),
            assignment_id: None,
            status: kaiwa::db::types::InvitationStatus::Invited,
            created_at: t,
            updated_at: t,
        }
    );
    round_trip!(
        conn,
        learning_path_previews,
        LearningPathPreview,
        NewLearningPathPreview {
            id: new_id(),
            user_id: Some(user.id.clone()),
            guest_id: None,
            session_id: "abc123".into(),
            intent: "Meeting the parents in Osaka".into(),
            title: "Osaka".into(),
            description: "Four weeks".into(),
            target_language: "ja".into(),
            source_language: Some("ja".into()),
            schedule: Json(vec![day]),
            preview_scenarios: Json(vec![PreviewScenario {
                day_index: 1,
                title: "Hello".into(),
                description: "First".into(),
                persona: Persona::default(),
                learning_objectives: strings(&["Greet"]),
                cefr_level: Some("A1".into())
            }]),
            status: PreviewStatus::Committed,
            committed_path_id: Some(path.id.clone()),
            expires_at: t,
            metadata: Json(PreviewMetadata {
                parsed_intent: Some(serde_json::json!({"city": "Osaka"})),
                refinement_history: strings(&["more food"]),
                regenerated_days: vec![2],
                state: None,
                draft: Some(kaiwa::db::json::DraftProgress {
                    attempts: 1,
                    note: Some("Drafted by the AI planner.".into()),
                    ..Default::default()
                }),
            }),
            created_at: t,
            updated_at: t,
        }
    );
    round_trip!(
        conn,
        scenario_generation_queue,
        ScenarioGenerationJob,
        NewScenarioGenerationJob {
            id: new_id(),
            path_id: path.id.clone(),
            day_index: 4,
            target_generation_date: t,
            status: GenerationStatus::Failed,
            last_error: Some("provider timed out".into()),
            retry_count: 2,
            last_processed_at: Some(t),
            next_attempt_at: Some(t),
            scenario_id: Some(scenario.id.clone()),
            created_at: t,
            updated_at: t,
        }
    );
}

/// Runs raw SQL and says whether the database refused it.
fn refused(conn: &mut DbConn, sql: &str) -> bool {
    diesel::sql_query(sql).execute(conn).is_err()
}

#[tokio::test]
async fn the_database_enforces_the_constraints_the_spec_names() {
    let app = spawn_app_with(|s| s.seed_on_start = true).await;
    let conn: &mut DbConn = &mut app.conn();
    let t = "2026-11-27 10:00:00";
    diesel::sql_query(format!("INSERT INTO users (id, email, created_at, updated_at) VALUES ('u1', 'a@example.com', '{t}', '{t}')")).execute(conn).unwrap();

    // Unique email.
    assert!(refused(conn, &format!("INSERT INTO users (id, email, created_at, updated_at) VALUES ('u2', 'a@example.com', '{t}', '{t}')")));
    // Enums are checked.
    assert!(refused(
        conn,
        "UPDATE scenarios SET role = 'villain' WHERE id = (SELECT MIN(id) FROM scenarios)"
    ));
    assert!(refused(conn, &format!("INSERT INTO user_usage (user_id, period, created_at, updated_at) VALUES ('u1', 'November', '{t}', '{t}')")));
    // Levels stay within 1–100.
    assert!(refused(conn, &format!("INSERT INTO user_preferences (id, user_id, target_language_id, speaking_level, created_at, updated_at) VALUES ('p1', 'u1', 'ja', 101, '{t}', '{t}')")));
    // Foreign keys hold (also on SQLite).
    assert!(refused(conn, &format!("INSERT INTO sessions (id, user_id, expires_at, created_at, updated_at) VALUES ('s1', 'nobody', '{t}', '{t}', '{t}')")));
    // A conversation belongs to a user or a guest.
    assert!(refused(conn, &format!("INSERT INTO conversations (id, target_language_id, created_at, updated_at) VALUES ('c1', 'ja', '{t}', '{t}')")));

    // One assignment per user and path; unique share slug; unique preview session id.
    diesel::sql_query(format!("INSERT INTO learning_paths (id, title, description, target_language, share_slug, created_at, updated_at) VALUES ('p1', 'A', 'B', 'ja', 'slug', '{t}', '{t}')")).execute(conn).unwrap();
    assert!(refused(conn, &format!("INSERT INTO learning_paths (id, title, description, target_language, share_slug, created_at, updated_at) VALUES ('p2', 'A', 'B', 'ja', 'slug', '{t}', '{t}')")));
    diesel::sql_query(format!("INSERT INTO learning_path_assignments (id, path_id, user_id, starts_at, created_at, updated_at) VALUES ('a1', 'p1', 'u1', '{t}', '{t}', '{t}')")).execute(conn).unwrap();
    assert!(refused(conn, &format!("INSERT INTO learning_path_assignments (id, path_id, user_id, starts_at, created_at, updated_at) VALUES ('a2', 'p1', 'u1', '{t}', '{t}', '{t}')")));
    diesel::sql_query(format!("INSERT INTO learning_path_previews (id, user_id, session_id, intent, target_language, expires_at, created_at, updated_at) VALUES ('v1', 'u1', 'abc123', 'x', 'ja', '{t}', '{t}', '{t}')")).execute(conn).unwrap();
    assert!(refused(conn, &format!("INSERT INTO learning_path_previews (id, user_id, session_id, intent, target_language, expires_at, created_at, updated_at) VALUES ('v2', 'u1', 'abc123', 'x', 'ja', '{t}', '{t}', '{t}')")));
    // Composite keys: one progress row per user and scenario, one usage row per user and month.
    diesel::sql_query(format!("INSERT INTO user_scenario_progress (user_id, scenario_id, created_at, updated_at) SELECT 'u1', MIN(id), '{t}', '{t}' FROM scenarios")).execute(conn).unwrap();
    assert!(refused(conn, &format!("INSERT INTO user_scenario_progress (user_id, scenario_id, created_at, updated_at) SELECT 'u1', MIN(id), '{t}', '{t}' FROM scenarios")));

    // Deleting the user takes everything that is theirs with it.
    diesel::sql_query("DELETE FROM users WHERE id = 'u1'")
        .execute(conn)
        .unwrap();
    let left: i64 = learning_path_assignments::table
        .count()
        .get_result(conn)
        .unwrap();
    let previews: i64 = learning_path_previews::table
        .count()
        .get_result(conn)
        .unwrap();
    let progress: i64 = user_scenario_progress::table
        .count()
        .get_result(conn)
        .unwrap();
    assert_eq!((left, previews, progress), (0, 0, 0));
}

#[tokio::test]
async fn migration_folders_match_between_the_two_backends() {
    let names = |dir: &str| {
        let mut v: Vec<String> =
            std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
        v.sort();
        v
    };
    let sqlite = names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("postgres"));
    for name in &sqlite {
        for file in ["up.sql", "down.sql"] {
            for backend in ["sqlite", "postgres"] {
                let path = format!(
                    "{}/migrations/{backend}/{name}/{file}",
                    env!("CARGO_MANIFEST_DIR")
                );
                assert!(std::path::Path::new(&path).exists(), "{path}");
            }
        }
    }
}
