//! The offline partner through the page, without JS and over the stream: it moves on when it
//! recognises an answer (a tapped suggested reply, or a close variant), praises only a close
//! match, says in character that it didn't catch anything else and offers the replies again,
//! shows how far the learner is, and the report names the rule that completed the
//! conversation.

use diesel::prelude::*;
use kaiwa::db::models::{Conversation, UserScenarioProgress};
use kaiwa::db::schema::{conversations, user_scenario_progress};
use kaiwa::db::types::Completion;

use crate::helpers::{spawn_app, Browser, Page as Html};

const CLASS: &str = "greetings-first-day-language-class";

/// Sends `text` without JS (the reply comes with the redirect) and reads the page after.
async fn say(b: &Browser, path: &str, text: &str) -> Html {
    let res = b
        .post_form(&format!("{path}/messages"), &[("content", text)])
        .await;
    assert_eq!(res.status(), 303, "{text}");
    b.get_html(path).await
}

/// The suggested replies the page offers as buttons (the text each one sends).
fn offered(page: &Html) -> Vec<String> {
    page.attrs(".suggestion-form input[name=content]", "value")
}

fn last_partner_line(page: &Html) -> String {
    page.texts(".message.partner .text")
        .pop()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_tapped_reply_moves_on_with_praise_and_a_close_variant_without() {
    let app = spawn_app().await;
    let b = app.new_browser();
    let path = b.start_conversation(CLASS, "ja").await;
    let page = b.get_html(&path).await;
    assert!(page
        .text(".conversation-progress")
        .contains("0 of 6 lines answered"));
    let replies = offered(&page);
    assert_eq!(replies.len(), 2, "the opening's replies are buttons");

    let page = say(&b, &path, &replies[0]).await;
    let line = last_partner_line(&page);
    assert!(
        line.starts_with("いいですね！"),
        "a close match is praised: {line}"
    );
    assert!(line.contains("はどこですか"), "{line}");
    assert!(page.text(".conversation-progress").contains("1 of 6"));

    // The same structure with another country: recognised, moved on, not praised.
    let page = say(&b, &path, "フランスから来ました").await;
    let line = last_partner_line(&page);
    assert!(
        line.contains("どこに"),
        "moved on to where they live: {line}"
    );
    assert!(
        !line.contains("いいですね") && !line.contains("上手"),
        "{line}"
    );
    assert!(page.text(".conversation-progress").contains("2 of 6"));
}

#[tokio::test]
async fn nonsense_and_hesitation_get_a_clarify_line_and_the_same_replies_again() {
    let app = spawn_app().await;
    let b = app.new_browser();
    let path = b.start_conversation(CLASS, "ja").await;
    let before = offered(&b.get_html(&path).await);

    for (said, n) in [
        ("ばなな ぴかぴか 123", 1),
        ("えーと…", 2),
        ("えーと…あれ…はい", 3),
    ] {
        let page = say(&b, &path, said).await;
        let line = last_partner_line(&page);
        assert!(
            line.starts_with("すみません") || line.starts_with("ごめんなさい"),
            "{said}: {line}"
        );
        for claim in [
            "了解",
            "わかりました",
            "いいですね",
            "上手",
            "よくできました",
        ] {
            assert!(!line.contains(claim), "{said}: {line}");
        }
        assert_eq!(
            offered(&page),
            before,
            "{said}: the same replies, offered again"
        );
        assert!(
            !page.attrs("details.help", "open").is_empty(),
            "{said}: the hint panel opens"
        );
        assert!(page.text(".hint-text").contains("couldn't match"), "{said}");
        assert!(
            page.text(".conversation-progress").contains("0 of 6"),
            "{said} ({n})"
        );
    }
    // The offline partner's notice, open before the first message, is still on the page.
    assert!(b
        .get_html(&path)
        .await
        .text(".offline-badge")
        .contains("can't understand free text"));
}

#[tokio::test]
async fn spanish_no_se_gets_the_question_again_and_no_praise() {
    let app = spawn_app().await;
    let b = app.new_browser();
    let path = b.start_conversation(CLASS, "es").await;
    let page = b.get_html(&path).await;
    let opening = last_partner_line(&page);
    let page = say(&b, &path, "no sé...").await;
    let line = last_partner_line(&page);
    assert_eq!(line, opening, "asked again");
    assert!(!line.to_lowercase().contains("muy bien"));
}

#[tokio::test]
async fn over_the_stream_the_help_panel_and_progress_follow_the_match() {
    let app = spawn_app().await;
    let b = app.new_browser();
    let path = b.start_conversation(CLASS, "fr").await;
    let page = b.get_html(&path).await;
    let replies = offered(&page);
    let res = b
        .htmx_post(&format!("{path}/messages"), &[("content", "xqzt blorf")])
        .await;
    assert_eq!(res.status(), 200);
    let done = b.get(&format!("{path}/stream")).await.text().await.unwrap();
    let done = done.split("event: done").nth(1).expect("a done event");
    assert!(done.contains("id=\"help\""), "the hint panel is swapped in");
    assert!(
        done.contains("<details class=\"help\" open>"),
        "and opened: {done}"
    );
    let data: String = done
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .collect();
    let fragment = scraper::Html::parse_fragment(&data);
    let inputs = scraper::Selector::parse(".suggestion-form input[name=content]").unwrap();
    let again: Vec<&str> = fragment
        .select(&inputs)
        .filter_map(|i| i.value().attr("value"))
        .collect();
    assert_eq!(again, replies, "offered again");
    assert!(done.contains("id=\"progress\"") && done.contains("0 of "));
}

#[tokio::test]
async fn finishing_the_dialogue_completes_it_and_the_report_says_so() {
    let app = spawn_app().await;
    let learner = app.learner().onboarded("fr").create().await;
    let b = &learner.browser;
    let path = b.start_conversation(CLASS, "fr").await;
    let mut page = b.get_html(&path).await;
    let mut turns = 0;
    while let Some(reply) = offered(&page).into_iter().next() {
        page = say(b, &path, &reply).await;
        turns += 1;
        assert!(turns < 20, "the dialogue ends");
    }
    assert!(page
        .text(".conversation-progress")
        .contains("You reached the end of the dialogue"));
    assert_eq!(b.post_form(&format!("{path}/end"), &[]).await.status(), 303);
    let report = b.get_html(&format!("{path}/report")).await;
    assert_eq!(
        report.text(".completion"),
        "Completed: you reached the end of the dialogue."
    );
    assert!(report
        .text(".goals-note")
        .contains("can't tell which of these goals you met"));
    assert!(!report.text("main").contains("What you practised"));
    let id = path.trim_start_matches("/conversations/");
    let c: Conversation = conversations::table
        .find(id)
        .select(Conversation::as_select())
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(c.completion, Some(Completion::DialogueFinished));
    let p: UserScenarioProgress = user_scenario_progress::table
        .find((&learner.id, CLASS))
        .select(UserScenarioProgress::as_select())
        .first(&mut app.conn())
        .unwrap();
    assert_eq!((p.times_attempted, p.times_completed), (1, 1));
}

#[tokio::test]
async fn many_unrecognised_turns_do_not_complete_a_scenario() {
    let app = spawn_app().await;
    let learner = app.learner().onboarded("es").create().await;
    let b = &learner.browser;
    let path = b.start_conversation(CLASS, "es").await;
    for _ in 0..6 {
        say(b, &path, "asdf qwer zxcv").await;
    }
    b.post_form(&format!("{path}/end"), &[]).await;
    let report = b.get_html(&format!("{path}/report")).await;
    assert!(
        report
            .text(".completion")
            .starts_with("Not completed yet: you answered 0"),
        "{}",
        report.text(".completion")
    );
    let p: UserScenarioProgress = user_scenario_progress::table
        .find((&learner.id, CLASS))
        .select(UserScenarioProgress::as_select())
        .first(&mut app.conn())
        .unwrap();
    assert_eq!((p.times_attempted, p.times_completed), (1, 0));
}
