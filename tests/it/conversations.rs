//! Conversations through the front door, with the offline partner and with the real
//! OpenAI-compatible adapter against a local mock provider: starting, sending (plain form and
//! htmx), the streamed reply, a provider failing midway, ending with a report, history,
//! reading aids, bad input, and one learner unable to reach another's conversation.

use diesel::prelude::*;
use kaiwa::db::models::{Conversation, ConversationSession, Message, UserScenarioProgress};
use kaiwa::db::schema::{
    conversation_sessions, conversations, messages, scenario_metadata, user_scenario_progress,
};
use kaiwa::db::types::{ConversationStatus, MessageRole};

use crate::helpers::{spawn_app, Page, TestApp};
use crate::mock_ai::{app_with_provider, Mode};

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn messages_of(app: &TestApp, conversation: &str) -> Vec<Message> {
    messages::table
        .filter(messages::conversation_id.eq(conversation))
        .order(messages::position)
        .select(Message::as_select())
        .load(&mut app.conn())
        .unwrap()
}

fn id_of(path: &str) -> String {
    path.trim_start_matches("/conversations/").to_owned()
}

#[tokio::test]
async fn a_guest_practises_a_scenario_with_the_offline_partner_without_js() {
    let app = spawn_app().await;
    let b = app.new_browser();
    let path = b.start_conversation("ordering-ramen-osaka", "ja").await;
    let page = b.get_html(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.text(".offline-badge").contains("Offline partner"));
    let opening = page.texts(".message.partner .text");
    assert_eq!(opening.len(), 1);
    assert!(opening[0].contains("いらっしゃい"), "{opening:?}");
    assert!(
        !page.text(".hint-text").is_empty(),
        "a hint for the opening"
    );
    assert_eq!(page.texts(".suggestions li").len(), 2);
    assert_eq!(
        page.texts(".translation p").len(),
        1,
        "the partner's line has its translation"
    );

    let res = b
        .post_form(
            &format!("{path}/messages"),
            &[("content", "ラーメンをください")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = b.get_html(&path).await;
    let texts = page.texts(".message .text");
    assert_eq!(texts.len(), 3);
    assert_eq!(texts[1], "ラーメンをください");
    assert_eq!(
        page.text(".message.learner .romanization"),
        "Rāmen o kudasai"
    );

    let stored = messages_of(&app, &id_of(&path));
    let roles: Vec<MessageRole> = stored.iter().map(|m| m.role).collect();
    assert_eq!(
        roles,
        [
            MessageRole::Assistant,
            MessageRole::User,
            MessageRole::Assistant
        ]
    );
    assert_eq!(stored[2].translation_provider.as_deref(), Some("offline"));
    assert!(stored[2].translated_content.is_some());

    let res = b
        .post_form(
            &format!("{path}/end"),
            &[("comfort_rating", "4"), ("engagement", "high")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("{path}/report"));
    let report = b.get_html(&format!("{path}/report")).await;
    assert_eq!(report.status, 200);
    assert_eq!(report.text(".learner-count"), "1");
    assert!(report.text("main").contains("4 of 5"));
    let c: Conversation = conversations::table
        .find(id_of(&path))
        .select(Conversation::as_select())
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(c.status, ConversationStatus::Ended);
    assert_eq!(c.message_count, 3);
    assert_eq!(c.comfort_rating, Some(4));
    assert!(c.guest_id.is_some() && c.user_id.is_none());
    let session: ConversationSession = conversation_sessions::table
        .filter(conversation_sessions::conversation_id.eq(id_of(&path)))
        .select(ConversationSession::as_select())
        .first(&mut app.conn())
        .unwrap();
    assert!(session.end_time.is_some());
    assert!(session.input_tokens > 0);

    // The guest sees it in their history; sending to an ended conversation is refused.
    let history = b.get_html("/conversations").await;
    assert_eq!(
        history.attrs("table.history-table a", "href"),
        vec![format!("{path}/report")]
    );
    assert_eq!(
        b.post_form(&format!("{path}/messages"), &[("content", "まだ？")])
            .await
            .status(),
        422
    );
}

#[tokio::test]
async fn with_htmx_the_learners_message_appears_and_the_reply_streams_in() {
    let app = spawn_app().await;
    let b = app.new_browser();
    let path = b.start_conversation("", "es").await;
    let res = b
        .htmx_post(
            &format!("{path}/messages"),
            &[("content", "Hola, ¿qué tal?")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let fragment = scraper::Html::parse_fragment(&res.text().await.unwrap());
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    assert_eq!(
        fragment
            .select(&sel(".message.learner .text"))
            .next()
            .unwrap()
            .text()
            .collect::<String>(),
        "Hola, ¿qué tal?"
    );
    let pending = fragment.select(&sel(".message.pending")).next().unwrap();
    let stream_url = pending.value().attr("data-stream").unwrap().to_owned();
    assert_eq!(stream_url, format!("{path}/stream"));

    let res = b.get(&stream_url).await;
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let body = res.text().await.unwrap();
    let tokens = body.matches("event: token").count();
    assert!(tokens > 1, "the reply arrives in pieces: {body}");
    assert!(body.contains("event: done"));
    let stored = messages_of(&app, &id_of(&path));
    assert_eq!(stored.len(), 3);
    assert!(
        body.contains(&format!("id=\"m-{}\"", stored[2].id)),
        "done carries the stored message"
    );
    // Nothing more is owed: a second stream stores nothing.
    let again = b.get(&stream_url).await.text().await.unwrap();
    assert!(!again.contains("event: token"));
    assert_eq!(messages_of(&app, &id_of(&path)).len(), 3);
}

#[tokio::test]
async fn empty_or_oversized_messages_are_refused_and_write_nothing() {
    let app = spawn_app().await;
    let b = app.new_browser();
    let path = b.start_conversation("", "fr").await;
    let before = messages_of(&app, &id_of(&path)).len();
    let empty = b
        .post_page(&format!("{path}/messages"), &[("content", "   ")])
        .await;
    assert_eq!(empty.status, 422);
    assert!(empty.text(".form-error").contains("Write something"));
    let long = "a".repeat(2001);
    let res = b
        .htmx_post(&format!("{path}/messages"), &[("content", &long)])
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("under 2000 characters"));
    assert_eq!(messages_of(&app, &id_of(&path)).len(), before);
    // Starting with a language that doesn't exist is refused too.
    let bad = b
        .post_form(
            "/conversations",
            &[("language", "xx"), ("mode", "traditional")],
        )
        .await;
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn one_learner_cannot_read_or_post_to_anothers_conversation() {
    let app = spawn_app().await;
    let owner = app.browser_for(&app.create_user("own@example.com"));
    let path = owner
        .start_conversation("asking-directions-seoul", "ko")
        .await;
    let stranger = app.browser_for(&app.create_user("other@example.com"));
    let guest = app.new_browser();
    for b in [&stranger, &guest] {
        assert_eq!(b.get(&path).await.status(), 404);
        assert_eq!(b.get(&format!("{path}/stream")).await.status(), 404);
        assert_eq!(
            b.post_form(&format!("{path}/messages"), &[("content", "hi")])
                .await
                .status(),
            404
        );
        assert_eq!(b.post_form(&format!("{path}/end"), &[]).await.status(), 404);
        assert_eq!(b.get(&format!("{path}/report")).await.status(), 404);
        assert!(b
            .get_html("/conversations")
            .await
            .attrs("table.history-table a", "href")
            .is_empty());
    }
    assert_eq!(messages_of(&app, &id_of(&path)).len(), 1);
}

#[tokio::test]
async fn ending_a_scenario_conversation_updates_the_learners_progress_and_the_aggregates() {
    let app = spawn_app().await;
    let uid = app.create_user("pro@example.com");
    let b = app.browser_for(&uid);
    let path = b.start_conversation("ordering-coffee-lisbon", "es").await;
    // Answers the offline partner recognises (the first reply it offers each time), one per
    // goal of the scenario.
    for _ in 0..5 {
        let page = b.get_html(&path).await;
        let line = page.attrs(".suggestion-form input[name=content]", "value")[0].clone();
        assert_eq!(
            b.post_form(&format!("{path}/messages"), &[("content", &line)])
                .await
                .status(),
            303
        );
    }
    assert_eq!(
        b.post_form(&format!("{path}/end"), &[("comfort_rating", "5")])
            .await
            .status(),
        303
    );
    let p: UserScenarioProgress = user_scenario_progress::table
        .find((&uid, "ordering-coffee-lisbon"))
        .select(UserScenarioProgress::as_select())
        .first(&mut app.conn())
        .unwrap();
    assert_eq!((p.times_attempted, p.times_completed), (1, 1));
    assert!(p.last_attempt_at.is_some());
    let (attempts, completions, rate): (i32, i32, f64) = scenario_metadata::table
        .find("ordering-coffee-lisbon")
        .select((
            scenario_metadata::total_attempts,
            scenario_metadata::total_completions,
            scenario_metadata::completion_rate,
        ))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!((attempts, completions), (1, 1));
    assert!((rate - 1.0).abs() < 1e-9);
    let page = b.get_html("/scenarios/ordering-coffee-lisbon").await;
    assert_eq!(page.text("#progress .attempts"), "1");
    // Ending twice changes nothing.
    b.post_form(&format!("{path}/end"), &[]).await;
    let again: i32 = scenario_metadata::table
        .find("ordering-coffee-lisbon")
        .select(scenario_metadata::total_attempts)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(again, 1);
}

#[tokio::test]
async fn reading_aids_annotate_mandarin_korean_and_japanese() {
    let app = spawn_app().await;
    let b = app.new_browser();
    for (language, sentence, selector, expected) in [
        (
            "zh",
            "我想喝咖啡",
            ".message.learner ruby rt",
            "wǒ xiǎng hē kā fēi",
        ),
        (
            "ko",
            "감사합니다",
            ".message.learner .romanization",
            "gamsahamnida",
        ),
        (
            "ja",
            "ありがとうございます",
            ".message.learner .romanization",
            "Arigatō gozaimasu",
        ),
    ] {
        let path = b.start_conversation("", language).await;
        b.post_form(&format!("{path}/messages"), &[("content", sentence)])
            .await;
        let page = b.get_html(&path).await;
        assert_eq!(page.texts(selector).join(" "), expected, "{language}");
        let stored = messages_of(&app, &id_of(&path));
        let learner = stored.iter().find(|m| m.role == MessageRole::User).unwrap();
        assert!(learner.romanization.is_some(), "{language}");
        if language == "zh" {
            assert_eq!(learner.pinyin.as_deref(), Some("wǒ xiǎng hē kā fēi"));
        }
    }
}

#[tokio::test]
async fn japanese_messages_show_furigana_over_every_kanji_run() {
    let app = spawn_app().await;
    let learner = app.learner().onboarded("ja").create().await;
    let id = app.conversation(&learner).create().await;
    let path = format!("/conversations/{id}");
    let res = learner
        .browser
        .post_form(
            &format!("{path}/messages"),
            &[("content", "ラーメンを一杯ください。今日は寒いです。")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = learner.browser.get_html(&path).await;
    let bases = page.texts(".message.learner ruby");
    let readings = page.texts(".message.learner ruby rt");
    assert_eq!(
        readings.len(),
        3,
        "一杯, 今日 and 寒 each get a reading: {bases:?}"
    );
    assert!(
        bases[0].starts_with("一杯") && readings[0] == "いっぱい",
        "{bases:?} {readings:?}"
    );
    assert!(
        bases[2].starts_with("寒") && readings[2] == "さむ",
        "okurigana stays bare: {readings:?}"
    );
    let text = page.text(".message.learner .text");
    assert!(
        text.contains("ください"),
        "the kana are there, without a reading"
    );
    // The partner's lines get furigana too when they have kanji.
    let partner_kanji = page
        .texts(".message.partner .text")
        .iter()
        .any(|t| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
    if partner_kanji {
        assert!(!page.texts(".message.partner ruby rt").is_empty());
    }
}

#[tokio::test]
async fn with_a_provider_replies_stream_from_the_openai_compatible_api() {
    let (app, provider) = app_with_provider().await;
    let b = app.new_browser();
    let path = b.start_conversation("pharmacy-fever-lyon", "fr").await;
    let page = b.get_html(&path).await;
    assert!(page.texts(".offline-badge").is_empty(), "not offline");
    assert_eq!(
        page.text(".message.partner .text"),
        "Bonjour ! Comment allez-vous ?"
    );

    let request = provider.requests.lock().unwrap()[0].clone();
    assert_eq!(request["auth"], "Bearer sk-test");
    assert_eq!(request["body"]["model"], "test-model");
    assert_eq!(request["body"]["stream"], true);
    let system = request["body"]["messages"][0]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(system.contains("Speak only French"), "{system}");
    assert!(system.contains("Do not agree with everything"));
    assert!(
        system.contains("Pharmacist") || system.to_lowercase().contains("pharmac"),
        "the persona is in the prompt"
    );

    b.htmx_post(
        &format!("{path}/messages"),
        &[("content", "J'ai de la fièvre.")],
    )
    .await;
    let body = b.get(&format!("{path}/stream")).await.text().await.unwrap();
    assert_eq!(body.matches("event: token").count(), 3);
    assert!(body.contains("event: done"));
    let stored = messages_of(&app, &id_of(&path));
    assert_eq!(
        stored.last().unwrap().content,
        "Bonjour ! Comment allez-vous ?"
    );
    let last_request = provider.requests.lock().unwrap().last().unwrap().clone();
    let sent: Vec<&str> = last_request["body"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        sent.last(),
        Some(&"J'ai de la fièvre."),
        "the conversation so far goes to the provider"
    );
}

#[tokio::test]
async fn a_reply_failing_midway_keeps_the_learners_message_and_can_be_retried() {
    let (app, provider) = app_with_provider().await;
    let b = app.new_browser();
    let path = b.start_conversation("", "fr").await;
    *provider.mode.lock().unwrap() = Mode::FailMidway;
    b.htmx_post(
        &format!("{path}/messages"),
        &[("content", "Je voudrais un café.")],
    )
    .await;
    let body = b.get(&format!("{path}/stream")).await.text().await.unwrap();
    assert!(body.contains("event: failed"), "{body}");
    let stored = messages_of(&app, &id_of(&path));
    assert_eq!(
        stored.last().unwrap().content,
        "Je voudrais un café.",
        "the learner's message is kept, no half reply stored"
    );

    // Without JS the page offers to get the reply; the provider is down: still nothing lost.
    *provider.mode.lock().unwrap() = Mode::Down;
    let page = b.get_html(&path).await;
    assert_eq!(
        page.attrs(".no-js-retry", "action"),
        vec![format!("{path}/reply")]
    );
    assert_eq!(
        b.post_form(&format!("{path}/reply"), &[]).await.status(),
        303
    );
    assert_eq!(messages_of(&app, &id_of(&path)).len(), stored.len());

    // Back up: the retry stores the whole reply.
    *provider.mode.lock().unwrap() = Mode::Stream;
    assert_eq!(
        b.post_form(&format!("{path}/reply"), &[]).await.status(),
        303
    );
    let after = messages_of(&app, &id_of(&path));
    assert_eq!(after.len(), stored.len() + 1);
    assert_eq!(after.last().unwrap().role, MessageRole::Assistant);
}

#[tokio::test]
async fn a_learner_sees_their_conversations_newest_first() {
    let app = spawn_app().await;
    let b = app.browser_for(&app.create_user("h@example.com"));
    let first = b.start_conversation("ordering-ramen-osaka", "ja").await;
    let second = b.start_conversation("", "de").await;
    let page = b.get_html("/conversations").await;
    let links = page.attrs("table.history-table a", "href");
    assert_eq!(links, vec![second.clone(), first.clone()], "newest first");
    assert!(page
        .texts("table.history-table td")
        .iter()
        .any(|t| t == "Ordering Ramen in Osaka"));
}

#[tokio::test]
async fn ending_with_a_provider_stores_the_analysis_and_the_report_lists_corrections() {
    let (app, provider) = app_with_provider().await;
    let b = app.new_browser();
    let path = b.start_conversation("", "fr").await;
    for line in [
        "Bonjour",
        "Je suis allé au marché hier et je achète des pommes",
    ] {
        assert_eq!(
            b.post_form(&format!("{path}/messages"), &[("content", line)])
                .await
                .status(),
            303
        );
    }
    *provider.completion.lock().unwrap() = serde_json::json!({
        "messages": [{"index": 2, "corrections": [{"original": "je achète", "corrected": "j'ai acheté", "explanation": "Past event: passé composé, and elision before a vowel."}], "wentWell": ["A clear greeting"]}],
        "newWords": [{"word": "marché", "meaning": "market"}]
    })
    .to_string();
    assert_eq!(
        b.post_form(&format!("{path}/end"), &[("comfort_rating", "3")])
            .await
            .status(),
        303
    );
    // The analysis is a job: until it has run, the report says so and polls itself.
    let waiting = b.get_html(&format!("{path}/report")).await;
    assert!(waiting
        .text(".analysis-preparing")
        .contains("being prepared"));
    assert_eq!(
        waiting.attrs("#feedback", "data-hx-get"),
        vec![format!("{path}/report")]
    );
    assert!(
        waiting
            .attrs(".analysis-preparing a", "href")
            .contains(&format!("{path}/report")),
        "a plain refresh link without JS"
    );
    assert!(waiting.texts(".corrections li").is_empty());
    assert_eq!(app.run_jobs_until_idle().await, 1);
    let fragment = b
        .client
        .get(b.url(&format!("{path}/report")))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    let fragment = scraper::Html::parse_fragment(&fragment.text().await.unwrap());
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    assert_eq!(
        fragment.select(&sel(".corrections li")).count(),
        1,
        "the fragment has the feedback"
    );
    assert_eq!(
        fragment.select(&sel("[data-hx-trigger]")).count(),
        0,
        "and stops polling"
    );
    assert_eq!(fragment.select(&sel("h1")).count(), 0, "only the fragment");
    let analysis_request = provider.requests.lock().unwrap().last().unwrap().clone();
    assert_eq!(
        analysis_request["body"]["model"], "test-analysis-model",
        "the analysis task's own model"
    );
    assert_eq!(
        analysis_request["body"]["response_format"]["type"],
        "json_object"
    );
    let report = b.get_html(&format!("{path}/report")).await;
    assert_eq!(report.texts(".corrections li").len(), 1);
    assert!(report.text(".corrections li").contains("j'ai acheté"));
    assert_eq!(report.texts(".went-well li"), vec!["A clear greeting"]);
    assert!(report.texts(".analysis-missing").is_empty());
    let learner: Vec<Message> = messages_of(&app, &id_of(&path))
        .into_iter()
        .filter(|m| m.role == MessageRole::User)
        .collect();
    assert!(learner[0]
        .grammar_analysis
        .as_ref()
        .unwrap()
        .corrections
        .is_empty());
    assert_eq!(
        learner[1].grammar_analysis.as_ref().unwrap().corrections[0].original,
        "je achète"
    );
    assert_eq!(
        learner[1].vocabulary_analysis.as_ref().unwrap().new_words[0].word,
        "marché"
    );
}

#[tokio::test]
async fn a_malformed_analysis_leaves_a_clear_report_and_stores_nothing() {
    let (app, provider) = app_with_provider().await;
    let b = app.new_browser();
    let path = b.start_conversation("", "fr").await;
    b.post_form(&format!("{path}/messages"), &[("content", "Bonjour")])
        .await;
    *provider.completion.lock().unwrap() = "Sure! Here are my thoughts: great job overall.".into();
    assert_eq!(b.post_form(&format!("{path}/end"), &[]).await.status(), 303);
    // Every attempt gets the same nonsense; after the last one the job is dead.
    for _ in 0..6 {
        app.run_jobs_until_idle().await;
        app.clock.advance(chrono::Duration::hours(2));
    }
    let report = b.get_html(&format!("{path}/report")).await;
    assert_eq!(report.status, 200);
    assert!(report.text(".analysis-missing").contains("isn't available"));
    assert!(messages_of(&app, &id_of(&path))
        .iter()
        .all(|m| m.grammar_analysis.is_none()));
    let c: Conversation = conversations::table
        .find(id_of(&path))
        .select(Conversation::as_select())
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        c.status,
        ConversationStatus::Ended,
        "the conversation still ends"
    );
}

#[tokio::test]
async fn hints_say_it_in_my_language_and_translations_come_from_the_provider() {
    let (app, provider) = app_with_provider().await;
    let b = app.new_browser();
    let path = b.start_conversation("", "fr").await;
    *provider.completion.lock().unwrap() =
        r#"{"hint":"Say how you are.","replies":[{"text":"Ça va bien, merci.","translation":"I'm fine, thanks."},{"text":"Pas mal, et vous ?","translation":"Not bad, and you?"}]}"#.into();
    // Without JS: a 303 back to the page, which shows the hint once (a refresh posts nothing).
    let res = b.post_form(&format!("{path}/hint"), &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), path);
    let page = b.get_html(&path).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.text("#assist .hint-text"), "Say how you are.");
    assert_eq!(page.texts("#assist .suggestions li").len(), 2);
    let reloaded = b.get_html(&path).await;
    assert!(
        reloaded.texts("#assist .hint-text").is_empty(),
        "shown once"
    );
    // With htmx the page comes back at once (htmx selects #assist from it).
    let res = b.htmx_post(&format!("{path}/hint"), &[]).await;
    assert_eq!(res.status(), 200);
    let fragment = scraper::Html::parse_document(&res.text().await.unwrap());
    let sel = scraper::Selector::parse("#assist .hint-text").unwrap();
    assert_eq!(
        fragment
            .select(&sel)
            .next()
            .unwrap()
            .text()
            .collect::<String>(),
        "Say how you are."
    );

    *provider.completion.lock().unwrap() = "\"Je voudrais un café.\"".into();
    let res = b
        .post_form(
            &format!("{path}/say"),
            &[("sentence", "I would like a coffee")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = b.get_html(&path).await;
    assert!(page
        .text("#assist .suggestions li")
        .starts_with("Je voudrais un café."));
    let empty = b
        .post_page(&format!("{path}/say"), &[("sentence", " ")])
        .await;
    assert_eq!(empty.status, 422);

    let partner = messages_of(&app, &id_of(&path))
        .into_iter()
        .find(|m| m.role == MessageRole::Assistant)
        .unwrap();
    assert!(partner.translated_content.is_none());
    *provider.completion.lock().unwrap() = "Hello! How are you?".into();
    let form = b
        .get_html(&path)
        .await
        .attrs(&format!("#m-{} form", partner.id), "action");
    assert_eq!(
        form,
        vec![format!("{path}/messages/{}/translate", partner.id)]
    );
    let res = b.post_form(&form[0], &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        provider.requests.lock().unwrap().last().unwrap()["body"]["model"],
        "test-translation-model"
    );
    let translated: Message = messages::table
        .find(&partner.id)
        .select(Message::as_select())
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        translated.translated_content.as_deref(),
        Some("Hello! How are you?")
    );
    assert_eq!(
        translated.translation_provider.as_deref(),
        Some("openai-compatible")
    );
    assert_eq!(translated.translation_confidence, Some(0.8));
    // Someone else cannot translate (or read) it.
    assert_eq!(
        app.new_browser().post_form(&form[0], &[]).await.status(),
        404
    );
}

#[tokio::test]
async fn the_offline_partner_says_plainly_what_needs_a_provider() {
    let app = spawn_app().await;
    let b = app.new_browser();
    let path = b.start_conversation("", "it").await;
    let res = b.post_form(&format!("{path}/hint"), &[]).await;
    assert_eq!(res.status(), 303);
    let page = b.get_html(&path).await;
    assert!(page
        .text("#assist .hint-text")
        .contains("needs an AI provider"));
}

#[tokio::test]
async fn a_guest_onboards_before_the_first_conversation_and_is_brought_back() {
    let app = spawn_app().await;
    let b = app.new_browser();
    let res = b
        .get("/conversations/new?scenario_id=ordering-ramen-osaka")
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/onboarding");
    let steps: [&[(&str, &str)]; 6] = [
        &[("step", "language"), ("language", "ja")],
        &[("step", "goal"), ("goal", "Travel")],
        &[
            ("step", "levels"),
            ("speaking", "10"),
            ("listening", "10"),
            ("reading", "10"),
            ("writing", "10"),
        ],
        &[("step", "challenge"), ("challenge", "comfortable")],
        &[("step", "correction"), ("correction", "gentle")],
        &[("step", "goals"), ("goals", "")],
    ];
    for fields in steps {
        assert_eq!(b.post_form("/onboarding", fields).await.status(), 303);
    }
    let done = b.get_html("/onboarding?step=done").await;
    assert_eq!(
        done.attrs("#onboarding-step a.button", "href"),
        vec!["/conversations/new?scenario_id=ordering-ramen-osaka"]
    );
    let form = b
        .get_html("/conversations/new?scenario_id=ordering-ramen-osaka")
        .await;
    assert_eq!(form.status, 200);
    assert_eq!(
        form.attrs("select[name=language] option[selected]", "value"),
        vec!["ja"],
        "the chosen language is preselected"
    );
    assert_eq!(
        form.attrs("input[name=scenario_id]", "value"),
        vec!["ordering-ramen-osaka"]
    );
}

#[tokio::test]
async fn with_immediate_corrections_the_learners_message_gets_its_correction_inline() {
    let (app, provider) = app_with_provider().await;
    let b = app.new_browser();
    for fields in [
        [("step", "language"), ("language", "fr")],
        [("step", "correction"), ("correction", "immediate")],
    ] {
        assert_eq!(b.post_form("/onboarding", &fields).await.status(), 303);
    }
    let path = b.start_conversation("", "fr").await;
    *provider.mode.lock().unwrap() = Mode::Correcting;
    b.htmx_post(
        &format!("{path}/messages"),
        &[("content", "Hier je achète du pain.")],
    )
    .await;
    let body = b.get(&format!("{path}/stream")).await.text().await.unwrap();
    let system = provider.requests.lock().unwrap().last().unwrap()["body"]["messages"][0]
        ["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        system.contains("✎"),
        "the immediate style asks for correction lines: {system}"
    );

    let stored = messages_of(&app, &id_of(&path));
    let reply = stored.last().unwrap();
    assert_eq!(
        reply.content, "Très bien !\nEt ensuite ?",
        "the correction is not part of the partner's words"
    );
    let learner = &stored[stored.len() - 2];
    let correction = &learner.grammar_analysis.as_ref().unwrap().corrections[0];
    assert_eq!(
        (
            correction.corrected.as_str(),
            correction.explanation.as_str()
        ),
        ("J'ai acheté", "passé composé for a finished action")
    );
    assert!(
        body.contains(&format!("id=\"m-{}\"", learner.id)),
        "the done event carries the corrected learner message"
    );
    let page = b.get_html(&path).await;
    assert!(page
        .text(".message.learner .correction")
        .contains("J'ai acheté"));
}

#[tokio::test]
async fn a_japanese_message_shows_furigana_from_its_morphemes_and_a_romaji_line() {
    let app = spawn_app().await;
    let b = app.new_browser();
    let path = b.start_conversation("", "ja").await;
    b.post_form(
        &format!("{path}/messages"),
        &[("content", "今日は豚骨を食べに大阪へ行きます。")],
    )
    .await;
    let page = b.get_html(&path).await;
    assert_eq!(
        page.texts(".message.learner ruby rt"),
        vec!["きょう", "とんこつ", "た", "おおさか", "い"],
        "each kanji run gets its morpheme's reading; okurigana stay bare"
    );
    assert_eq!(
        page.texts(".message.learner ruby")[2],
        "食た",
        "only 食 of 食べ is under the ruby"
    );
    assert_eq!(
        page.text(".message.learner .romanization"),
        "Kyō wa tonkotsu o tabe ni Ōsaka e ikimasu."
    );
}

#[tokio::test]
async fn the_reading_aids_choice_is_remembered_per_language() {
    let app = spawn_app().await;
    let b = app.new_browser();
    let ja = b.start_conversation("", "ja").await;
    b.post_form(&format!("{ja}/messages"), &[("content", "大阪へ行きます")])
        .await;
    let classes = |page: &Page| page.attrs("#transcript", "class")[0].clone();
    let chosen = |page: &Page| page.attrs(".aids-toggle input[name=show][checked]", "value");
    let page = b.get_html(&ja).await;
    assert_eq!(chosen(&page), vec!["both"], "Japanese shows both at first");
    assert!(!classes(&page).contains("aids-ruby-off") && !classes(&page).contains("aids-line-off"));
    assert_eq!(
        page.texts(".message.learner ruby rt"),
        vec!["おおさか", "い"]
    );
    assert_eq!(
        page.text(".message.learner .romanization"),
        "Ōsaka e ikimasu"
    );
    assert_eq!(
        page.texts(".aids-toggle label"),
        vec![
            "Furigana and romaji",
            "Furigana only",
            "Romaji only",
            "None"
        ],
        "every choice is a labelled radio button"
    );

    for (choice, ruby_off, line_off) in [
        ("line", true, false),
        ("ruby", false, true),
        ("none", true, true),
        ("both", false, false),
        ("line", true, false),
    ] {
        let res = b
            .post_form(&format!("{ja}/aids"), &[("show", choice)])
            .await;
        assert_eq!(res.status(), 303, "{choice}");
        let page = b.get_html(&ja).await;
        assert_eq!(chosen(&page), vec![choice], "remembered: {choice}");
        assert_eq!(
            classes(&page).contains("aids-ruby-off"),
            ruby_off,
            "{choice}"
        );
        assert_eq!(
            classes(&page).contains("aids-line-off"),
            line_off,
            "{choice}"
        );
    }

    // Another Japanese conversation keeps the choice; Mandarin has its own.
    let other = b.start_conversation("", "ja").await;
    assert_eq!(chosen(&b.get_html(&other).await), vec!["line"]);
    let zh = b.start_conversation("", "zh").await;
    let page = b.get_html(&zh).await;
    assert_eq!(
        chosen(&page),
        vec!["ruby"],
        "Mandarin shows pinyin over the characters"
    );
    assert!(classes(&page).contains("aids-line-off") && !classes(&page).contains("aids-ruby-off"));
    b.post_form(&format!("{zh}/aids"), &[("show", "none")])
        .await;
    assert_eq!(chosen(&b.get_html(&zh).await), vec!["none"]);
    assert_eq!(
        chosen(&b.get_html(&ja).await),
        vec!["line"],
        "Japanese unchanged"
    );

    assert_eq!(
        app.new_browser()
            .post_form(&format!("{ja}/aids"), &[("show", "none")])
            .await
            .status(),
        404,
        "only the owner's conversation"
    );
}

#[tokio::test]
async fn with_a_provider_the_partner_speaks_in_the_speakers_voice_and_answers_are_transcribed() {
    let (app, provider) = app_with_provider().await;
    let b = app.new_browser();
    let path = b.start_conversation("pharmacy-fever-lyon", "fr").await;
    let page = b.get_html(&path).await;
    assert_eq!(page.attrs("#transcript", "data-provider-voice"), vec!["1"]);
    let partner = messages_of(&app, &id_of(&path))
        .into_iter()
        .find(|m| m.role == MessageRole::Assistant)
        .unwrap();
    let res = b
        .get(&format!("{path}/messages/{}/audio", partner.id))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "audio/mpeg");
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"ID3-fake-mp3");
    let spoken = provider.requests.lock().unwrap().last().unwrap()["speech"].clone();
    assert_eq!(spoken["input"], partner.content.as_str());
    let voice = spoken["voice"].as_str().unwrap().to_owned();
    let default_french_voice: String =
        kaiwa::db::queries::languages::list_speakers(&mut app.conn(), "fr").unwrap()[0]
            .openai_voice_id
            .clone()
            .unwrap();
    assert_eq!(
        voice, default_french_voice,
        "the conversation's speaker's voice"
    );

    let token = b.csrf().await;
    let res = b
        .client
        .post(b.url(&format!("{path}/transcribe")))
        .header("Content-Type", "audio/webm")
        .header("X-CSRF-Token", &token)
        .header("X-Audio-Seconds", "4.6")
        .body(b"fake-webm-audio".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let json: serde_json::Value = res.json().await.unwrap();
    assert_eq!(json["text"], "J'ai mal à la tête.");
    let sent = provider.requests.lock().unwrap().last().unwrap().clone();
    assert!(sent["content_type"]
        .as_str()
        .unwrap()
        .starts_with("multipart/form-data"));
    assert!(sent["transcription"]
        .as_str()
        .unwrap()
        .contains("fake-webm-audio"));
    assert!(sent["transcription"]
        .as_str()
        .unwrap()
        .contains("whisper-1"));

    // Not audio, or someone else's conversation: refused.
    let bad = b
        .client
        .post(b.url(&format!("{path}/transcribe")))
        .header("Content-Type", "text/plain")
        .header("X-CSRF-Token", &token)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert_eq!(
        app.new_browser()
            .get(&format!("{path}/messages/{}/audio", partner.id))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn offline_the_browser_speaks_and_the_provider_voice_routes_are_absent() {
    let app = spawn_app().await;
    let b = app.new_browser();
    let path = b.start_conversation("", "es").await;
    let page = b.get_html(&path).await;
    assert!(page.attrs("#transcript", "data-provider-voice").is_empty());
    assert_eq!(page.attrs("#transcript", "data-voice"), vec!["es-ES"]);
    let partner = messages_of(&app, &id_of(&path)).into_iter().next().unwrap();
    assert_eq!(
        b.get(&format!("{path}/messages/{}/audio", partner.id))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn the_report_offers_practise_again_and_a_next_scenario_and_never_congratulates_unanalysed() {
    let app = spawn_app().await;
    let learner = app.learner().onboarded("ja").create().await;
    let id = app.conversation(&learner).with_messages(2).create().await;
    let res = learner
        .browser
        .post_form(&format!("/conversations/{id}/end"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let report = learner
        .browser
        .get_html(&format!("/conversations/{id}/report"))
        .await;
    assert_eq!(report.status, 200);
    let actions = report.attrs(".report-actions a", "href");
    assert_eq!(
        actions[0], "/conversations/new?scenario_id=ordering-ramen-osaka",
        "practise again"
    );
    let next = report.attrs(".report-actions a.next-scenario", "href");
    assert_eq!(next.len(), 1);
    assert!(next[0].starts_with("/scenarios/") && !next[0].ends_with("ordering-ramen-osaka"));
    assert_eq!(
        app.get(&next[0]).await.status(),
        200,
        "the next scenario exists"
    );
    let text = report.text("main");
    assert!(!text.contains("Well done"), "nothing was analysed: {text}");
    assert!(
        !text.contains("What you practised"),
        "no claim about objectives met"
    );
    assert!(
        report
            .text(".completion")
            .starts_with("Not completed yet: you answered 0 of the dialogue's"),
        "two turns the offline partner didn't recognise: {}",
        report.text(".completion")
    );
}

#[tokio::test]
async fn offline_the_page_offers_only_what_works_and_the_aids_toggle_only_where_there_are_aids() {
    let app = spawn_app().await;
    let learner = app.learner().onboarded("ja").create().await;
    let ja = app.conversation(&learner).create().await;
    let page = learner
        .browser
        .get_html(&format!("/conversations/{ja}"))
        .await;
    assert!(
        page.texts("form[action$='/hint']").is_empty(),
        "no provider-only hint button"
    );
    assert!(page.texts("form[action$='/say']").is_empty());
    assert!(
        page.texts("form[action$='/translate']").is_empty(),
        "no translate buttons offline"
    );
    assert!(
        !page.texts(".help .hint-text").is_empty(),
        "the authored hint is there"
    );
    assert_eq!(
        page.texts("form.aids-toggle").len(),
        1,
        "Japanese has reading aids"
    );
    let de = app
        .conversation(&learner)
        .scenario("ordering-ramen-osaka", "de")
        .create()
        .await;
    let page = learner
        .browser
        .get_html(&format!("/conversations/{de}"))
        .await;
    assert!(
        page.texts("form.aids-toggle").is_empty(),
        "German has none to toggle"
    );
}

/// The `data:` lines of the `done` event, joined (its HTML).
fn done_html(body: &str) -> String {
    let start = body.find("event: done").expect("a done event");
    body[start..]
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("data:"))
        .map(|l| l.trim_start_matches("data:").trim_start())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn after_a_streamed_reply_the_hint_panel_belongs_to_the_new_line() {
    let app = spawn_app().await;
    let learner = app.learner().onboarded("ja").create().await;
    let id = app.conversation(&learner).create().await;
    let path = format!("/conversations/{id}");
    let before = learner.browser.get_html(&path).await;
    let first_hint = before.text("#help .hint-text");
    let res = learner
        .browser
        .htmx_post(
            &format!("{path}/messages"),
            &[("content", "ラーメンをください")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let body = learner
        .browser
        .get(&format!("{path}/stream"))
        .await
        .text()
        .await
        .unwrap();
    let html = scraper::Html::parse_fragment(&done_html(&body));
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    let help = html
        .select(&sel("#help"))
        .next()
        .expect("the hint panel comes with the reply");
    let streamed_hint: String = help
        .select(&sel(".hint-text"))
        .flat_map(|e| e.text())
        .collect();
    // The panel the stream sends is the one a reload shows for the new line.
    let after = learner.browser.get_html(&path).await;
    assert_eq!(streamed_hint.trim(), after.text("#help .hint-text"));
    assert_ne!(
        streamed_hint.trim(),
        first_hint,
        "not the previous line's hint"
    );
}

#[tokio::test]
async fn the_analysis_says_which_goals_were_met_and_meeting_all_completes_the_scenario() {
    let (app, provider) = app_with_provider().await;
    let uid = app.create_user("goals@example.com");
    let b = app.browser_for(&uid);
    let path = b.start_conversation("ordering-ramen-osaka", "ja").await;
    let goals: Vec<String> = {
        use kaiwa::db::models::Scenario;
        use kaiwa::db::schema::scenarios;
        scenarios::table
            .find("ordering-ramen-osaka")
            .select(Scenario::as_select())
            .first(&mut app.conn())
            .unwrap()
            .learning_objectives
            .0
    };
    assert!(goals.len() >= 2, "{goals:?}");
    b.post_form(
        &format!("{path}/messages"),
        &[("content", "ラーメンをください")],
    )
    .await;
    let met: Vec<usize> = (1..=goals.len()).collect();
    *provider.completion.lock().unwrap() =
        serde_json::json!({"messages": [], "objectivesMet": met}).to_string();
    b.post_form(&format!("{path}/end"), &[]).await;
    let waiting = b.get_html(&format!("{path}/report")).await;
    assert!(
        waiting
            .text(".completion")
            .starts_with("Not completed yet: 1 of the"),
        "{}",
        waiting.text(".completion")
    );
    assert!(waiting
        .text(".goals-note")
        .contains("The analysis will say"));
    app.run_jobs_until_idle().await;
    let prompt = provider.requests.lock().unwrap().last().unwrap()["body"]["messages"][0]
        ["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(prompt.contains(&format!("1. {}", goals[0])), "{prompt}");
    let report = b.get_html(&format!("{path}/report")).await;
    assert_eq!(
        report.text(".completion"),
        "Completed: the analysis found every goal of this scenario met."
    );
    assert_eq!(report.texts(".objectives.met li"), goals);
    let p: UserScenarioProgress = user_scenario_progress::table
        .find((&uid, "ordering-ramen-osaka"))
        .select(UserScenarioProgress::as_select())
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        (p.times_attempted, p.times_completed),
        (1, 1),
        "completed late"
    );
    let completions: i32 = scenario_metadata::table
        .find("ordering-ramen-osaka")
        .select(scenario_metadata::total_completions)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(completions, 1);
}

#[tokio::test]
async fn a_goal_the_analysis_did_not_find_met_is_listed_to_practise_not_as_practised() {
    let (app, provider) = app_with_provider().await;
    let b = app.new_browser();
    let path = b.start_conversation("ordering-ramen-osaka", "ja").await;
    b.post_form(&format!("{path}/messages"), &[("content", "ばなな")])
        .await;
    *provider.completion.lock().unwrap() =
        serde_json::json!({"messages": [], "objectivesMet": [1]}).to_string();
    b.post_form(&format!("{path}/end"), &[]).await;
    app.run_jobs_until_idle().await;
    let report = b.get_html(&format!("{path}/report")).await;
    assert_eq!(report.texts(".objectives.met li").len(), 1);
    assert!(!report.texts(".objectives.to-practise li").is_empty());
    assert!(report.text("#goals-heading").contains("Still to practise"));
    assert!(report.text(".completion").starts_with("Not completed yet"));
    let c: Conversation = conversations::table
        .find(id_of(&path))
        .select(Conversation::as_select())
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(c.completion, None);
    assert_eq!(c.objectives_met.map(|m| m.0.len()), Some(1));
}

#[tokio::test]
async fn messages_stored_with_older_reading_aids_are_recomputed_by_a_job() {
    use kaiwa::app::conversations::reading_aids::VERSION;
    use kaiwa::app::conversations::recompute_aids::enqueue_if_stale;

    let app = spawn_app().await;
    let learner = app.learner().onboarded("ja").create().await;
    let id = app.conversation(&learner).with_messages(3).create().await;
    let now = chrono::Utc::now().naive_utc();
    let mut conn = app.conn();
    assert!(
        !enqueue_if_stale(&mut conn, now).unwrap(),
        "new messages are up to date"
    );
    // Messages as an older version stored them.
    diesel::update(messages::table.filter(messages::conversation_id.eq(&id)))
        .set((
            messages::aids_version.eq(0),
            messages::ruby.eq(None::<String>),
            messages::romanization.eq(Some("old")),
        ))
        .execute(&mut conn)
        .unwrap();
    assert!(
        enqueue_if_stale(&mut conn, now).unwrap(),
        "start-up queues the job"
    );
    assert!(!enqueue_if_stale(&mut conn, now).unwrap(), "once");
    drop(conn);
    assert_eq!(app.run_jobs_until_idle().await, 1);
    let rows: Vec<Message> = messages::table
        .filter(messages::conversation_id.eq(&id))
        .select(Message::as_select())
        .load(&mut app.conn())
        .unwrap();
    assert!(rows.len() >= 6, "learner and partner messages");
    for m in &rows {
        assert_eq!(m.aids_version, VERSION, "{}", m.content);
        assert!(m.ruby.is_some(), "{}", m.content);
        assert_ne!(m.romanization.as_deref(), Some("old"), "{}", m.content);
    }
    assert!(
        !enqueue_if_stale(&mut app.conn(), now).unwrap(),
        "nothing left to do"
    );
}
