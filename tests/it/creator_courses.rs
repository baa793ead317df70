//! Creators' courses through the pages: a course authored with the forms (each validation
//! error once, autosave with htmx), testers invited by email who accept and leave feedback
//! the creator reads, nobody else reaching the draft, and publishing a scrubbed public copy.

use diesel::prelude::*;
use kaiwa::db::models::{CourseInvitation, LearningPath, LearningPathAssignment};
use kaiwa::db::schema::{course_invitations, learning_path_assignments, learning_paths};
use kaiwa::db::types::{AssignmentRole, AssignmentStatus, InvitationStatus, PathStatus};

use crate::helpers::{spawn_app, Browser, Page, TestApp};

/// The edit form's fields in document order (name, value), as a browser would post them.
fn form_fields(page: &Page) -> Vec<(String, String)> {
    let sel = scraper::Selector::parse(
        "form.course-form input[name], form.course-form select[name], form.course-form textarea[name]",
    )
    .unwrap();
    let option = scraper::Selector::parse("option[selected]").unwrap();
    page.html
        .select(&sel)
        .map(|e| {
            let name = e.value().attr("name").unwrap().to_owned();
            let value = match e.value().name() {
                "select" => e
                    .select(&option)
                    .next()
                    .and_then(|o| o.value().attr("value"))
                    .unwrap_or_default()
                    .to_owned(),
                "textarea" => e.text().collect(),
                _ => e.value().attr("value").unwrap_or_default().to_owned(),
            };
            (name, value)
        })
        .filter(|(name, _)| name != "csrf_token")
        .collect()
}

/// Sets the `n`th (1-based) field called `name`.
fn set(fields: &mut [(String, String)], name: &str, n: usize, value: &str) {
    let field = fields
        .iter_mut()
        .filter(|(k, _)| k == name)
        .nth(n - 1)
        .unwrap_or_else(|| panic!("no {name} #{n}"));
    field.1 = value.to_owned();
}

fn as_refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn course(app: &TestApp, id: &str) -> LearningPath {
    learning_paths::table
        .find(id)
        .select(LearningPath::as_select())
        .first(&mut app.conn())
        .unwrap()
}

const COURSE: [(&str, &str); 8] = [
    ("title", "Japanese for a week in Osaka"),
    (
        "description",
        "Four weeks of the Japanese you need for food, trains and shops.",
    ),
    ("language", "ja"),
    ("cefr_level", "A2"),
    ("primary_skill", "speaking"),
    ("minutes", "15"),
    ("category", "travel"),
    ("tags", "osaka, food"),
];

/// A creator's new course (through the new-course form); its edit address.
async fn new_course(b: &Browser) -> String {
    let res = b.post_form("/creator/courses", &COURSE).await;
    assert_eq!(res.status(), 303);
    res.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_creator_authors_a_course_with_the_forms_and_every_mistake_is_named() {
    let app = spawn_app().await;
    let creator = app.learner().create().await;
    let b = &creator.browser;
    assert_eq!(b.get("/creator/courses/new").await.status(), 200);

    // The new-course form: each field's mistake, nothing written.
    let long = "x".repeat(2001);
    let bad = [
        ("title", ""),
        ("description", long.as_str()),
        ("language", "xx"),
        ("cefr_level", "Z9"),
        ("primary_skill", "juggling"),
        ("minutes", "500"),
        ("category", "astrology"),
        ("tags", "a,b,c,d,e,f,g,h,i,j,k"),
    ];
    let res = b.post_form("/creator/courses", &bad).await;
    assert_eq!(res.status(), 422);
    let page = Page {
        status: res.status(),
        headers: res.headers().clone(),
        html: scraper::Html::parse_document(&res.text().await.unwrap()),
    };
    let errors = page.attrs("#form-error a", "href");
    assert_eq!(
        errors,
        [
            "#title",
            "#description",
            "#language",
            "#cefr_level",
            "#primary_skill",
            "#minutes",
            "#category",
            "#tags"
        ]
    );
    assert_eq!(
        learning_paths::table
            .filter(learning_paths::is_template.eq(false))
            .count()
            .get_result::<i64>(&mut app.conn())
            .unwrap(),
        0
    );

    // A draft with 28 days from the planner, listed as the creator's.
    let edit = new_course(b).await;
    let id = edit.trim_start_matches("/creator/courses/").to_owned();
    let row = course(&app, &id);
    assert_eq!(row.status, PathStatus::Draft);
    assert_eq!(
        (row.is_template, row.is_public, row.user_id.as_deref()),
        (false, false, None)
    );
    assert!(b
        .get_html("/creator/courses")
        .await
        .text("main")
        .contains("Japanese for a week in Osaka"));
    let page = b.get_html(&edit).await;
    let fields = form_fields(&page);
    assert_eq!(fields.iter().filter(|(k, _)| k == "theme").count(), 28);

    // Every day's mistake on the edit form is named at its field; nothing is saved.
    let mut wrong = fields.clone();
    set(&mut wrong, "theme", 3, "");
    set(&mut wrong, "objectives", 4, "Only one objective");
    set(&mut wrong, "scenario", 5, "no-such-scenario");
    set(&mut wrong, "difficulty", 6, "impossible");
    let res = b.post_form(&edit, &as_refs(&wrong)).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    for (field, message) in [
        ("#day-3-theme", "Day 3: write its theme."),
        ("#day-4-objectives", "Day 4: write 2 or 3 objectives"),
        (
            "#day-5-scenario",
            "“no-such-scenario” is not a scenario you can use",
        ),
        ("#day-6-difficulty", "Day 6: choose a difficulty."),
    ] {
        assert!(body.contains(&format!("href=\"{field}\"")), "{field}");
        assert!(body.contains(message), "{message}");
    }
    assert_eq!(course(&app, &id), row, "an invalid form changes nothing");

    // Autosave (htmx): the save line, and the change is in the row.
    let mut good = fields.clone();
    set(&mut good, "theme", 2, "Ordering ramen at a counter");
    set(&mut good, "scenario", 2, "ordering-ramen-osaka");
    set(
        &mut good,
        "objectives",
        2,
        "Order a bowl\nAsk for less salt",
    );
    let res = b.htmx_post(&edit, &as_refs(&good)).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Saved at"));
    let plan: serde_json::Value = course(&app, &id).metadata.0.plan.unwrap().parse().unwrap();
    assert_eq!(plan["days"][1]["theme"], "Ordering ramen at a counter");
    assert_eq!(plan["days"][1]["scenario"]["id"], "ordering-ramen-osaka");
    let res = b.htmx_post(&edit, &as_refs(&wrong)).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Not saved"));

    // A plain submit saves and comes back to the form.
    set(&mut good, "theme", 9, "Buying a rail pass");
    let res = b.post_form(&edit, &as_refs(&good)).await;
    assert_eq!(res.status(), 303);
    let page = b.get_html(&edit).await;
    assert_eq!(page.attrs("#day-9-theme", "value"), ["Buying a rail pass"]);

    // Day buttons: move a day down, copy it onto the next, and refill a week from the planner.
    let mut pressed = good.clone();
    pressed.push(("action".into(), "move-down-9".into()));
    let res = b.post_form(&edit, &as_refs(&pressed)).await;
    assert_eq!(res.headers()["location"], format!("{edit}#day-10"));
    let plan: serde_json::Value = course(&app, &id).metadata.0.plan.unwrap().parse().unwrap();
    assert_eq!(plan["days"][9]["theme"], "Buying a rail pass");
    assert_eq!(plan["days"][9]["kind"], "practice");
    let mut pressed = form_fields(&b.get_html(&edit).await);
    pressed.push(("action".into(), "copy-2".into()));
    assert_eq!(b.post_form(&edit, &as_refs(&pressed)).await.status(), 303);
    let plan: serde_json::Value = course(&app, &id).metadata.0.plan.unwrap().parse().unwrap();
    assert_eq!(plan["days"][2]["theme"], "Ordering ramen at a counter");
    let mut pressed = form_fields(&b.get_html(&edit).await);
    set(&mut pressed, "theme", 15, "Something to be replaced");
    pressed.push(("action".into(), "fill-week-3".into()));
    let res = b.post_form(&edit, &as_refs(&pressed)).await;
    assert_eq!(res.headers()["location"], format!("{edit}#day-15"));
    let plan: serde_json::Value = course(&app, &id).metadata.0.plan.unwrap().parse().unwrap();
    assert_ne!(plan["days"][14]["theme"], "Something to be replaced");
    assert_eq!(
        plan["days"][2]["theme"], "Ordering ramen at a counter",
        "other weeks stay"
    );

    // The scenario field suggests catalog scenarios as the creator types.
    let res = b
        .htmx_get(&format!("{edit}/scenarios?scenario=ramen"))
        .await;
    assert_eq!(res.status(), 200);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("value=\"ordering-ramen-osaka\""));
}

#[tokio::test]
async fn testers_are_invited_accept_give_feedback_the_creator_reads_and_nobody_else_gets_in() {
    let app = spawn_app().await;
    let creator = app.learner().create().await;
    let b = &creator.browser;
    let edit = new_course(b).await;
    let id = edit.trim_start_matches("/creator/courses/").to_owned();
    let known = app
        .learner()
        .email("known-tester@example.com")
        .create()
        .await;

    let res = b
        .post_form(
            &format!("{edit}/testers"),
            &[
                (
                    "emails",
                    "known-tester@example.com,\nNew-Tester@Example.com",
                ),
                ("note", "Please try the first week."),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let bad = b
        .post_form(
            &format!("{edit}/testers"),
            &[("emails", "not an address"), ("note", "")],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let invitations: Vec<CourseInvitation> = course_invitations::table
        .select(CourseInvitation::as_select())
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(invitations.len(), 2);
    let known_link = app.link_in_email("known-tester@example.com", "/invitations/");
    let new_link = app.link_in_email("new-tester@example.com", "/invitations/");
    let path = |link: &str| link[link.find("/invitations/").unwrap()..].to_owned();
    let (known_invite, new_invite) = (path(&known_link), path(&new_link));
    let email = app
        .outbox()
        .into_iter()
        .find(|e| e.to_address == "new-tester@example.com")
        .unwrap();
    assert!(email.body_text.contains("Please try the first week."));

    // A third account: not its invitation, not its draft.
    let other = app.learner().create().await;
    let page = other.browser.get_html(&known_invite).await;
    assert!(page.text("main").contains("another email address"));
    assert_eq!(
        other.browser.post_form(&known_invite, &[]).await.status(),
        403
    );
    assert_eq!(other.browser.get(&edit).await.status(), 404);
    assert_eq!(
        other.browser.get(&format!("/paths/{id}")).await.status(),
        404
    );
    assert_eq!(
        other
            .browser
            .post_form(&format!("{edit}/publish"), &[])
            .await
            .status(),
        404
    );
    // A guest is asked to sign in (or up) with the invited address.
    let guest = app.new_browser();
    let page = guest.get_html(&known_invite).await;
    assert_eq!(page.status, 200);
    assert!(page.attrs("a[href^='/login?next=']", "href")[0].contains("invitations"));

    // Both accept: the one with an account, and the one who signs up first.
    let res = known.browser.post_form(&known_invite, &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("/paths/{id}"));
    let newbie = app.new_browser();
    assert_eq!(newbie.get(&new_invite).await.status(), 200);
    let res = newbie
        .post_form(
            "/signup",
            &[
                ("email", "new-tester@example.com"),
                ("password", "a long enough passphrase 42"),
                ("display_name", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let token = app.token_in_email("new-tester@example.com", "/verify-email?token=");
    let res = newbie
        .post_form("/verify-email", &[("token", &token)])
        .await;
    assert_eq!(
        res.headers()["location"],
        new_invite.as_str(),
        "confirming the address comes back to the invitation"
    );
    assert!(newbie
        .get_html(&new_invite)
        .await
        .text("main")
        .contains("Accept"));
    assert_eq!(newbie.post_form(&new_invite, &[]).await.status(), 303);
    let assignments: Vec<LearningPathAssignment> = learning_path_assignments::table
        .filter(learning_path_assignments::path_id.eq(&id))
        .select(LearningPathAssignment::as_select())
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(assignments.len(), 2);
    assert!(assignments
        .iter()
        .all(|a| a.role == AssignmentRole::Tester && a.status == AssignmentStatus::Active));
    assert_eq!(course(&app, &id).status, PathStatus::Active);

    // A tester follows it like a learner and rates day 1; the creator reads it.
    let dashboard = known.browser.get_html(&format!("/paths/{id}")).await;
    assert!(dashboard
        .text("main")
        .contains("You are testing this course"));
    // The creator's edit shows on the tester's next view (the parsed plan kept for the
    // dashboard follows the course's row).
    let mut fields = form_fields(&b.get_html(&edit).await);
    set(&mut fields, "theme", 1, "Greeting the ryokan's owner");
    assert_eq!(b.post_form(&edit, &as_refs(&fields)).await.status(), 303);
    let dashboard = known.browser.get_html(&format!("/paths/{id}")).await;
    assert!(
        dashboard
            .text("#day-1")
            .contains("Greeting the ryokan's owner"),
        "{}",
        dashboard.text("#day-1")
    );
    let feedback = format!("/paths/{id}/days/1/feedback");
    assert_eq!(
        dashboard
            .attrs(&format!("form[action='{feedback}']"), "method")
            .len(),
        1
    );
    let res = known
        .browser
        .post_form(&feedback, &[("rating", "6"), ("comment", "")])
        .await;
    assert_eq!(res.status(), 422);
    let res = known
        .browser
        .post_form(
            &feedback,
            &[
                ("rating", "4"),
                ("comment", "The izakaya role-play was great"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        other
            .browser
            .post_form(&feedback, &[("rating", "1"), ("comment", "")])
            .await
            .status(),
        404
    );
    let testers = b.get_html(&edit).await.text("#testers");
    assert!(
        testers.contains("known-tester@example.com Testing"),
        "{testers}"
    );
    assert!(
        testers.contains("Day 1: 4/5 — The izakaya role-play was great"),
        "{testers}"
    );

    // Revoked: the link and the course are gone for that tester.
    let newbie_invitation = invitations
        .iter()
        .find(|i| i.email == "new-tester@example.com")
        .unwrap();
    let res = b
        .post_form(
            &format!("{edit}/testers/{}/revoke", newbie_invitation.id),
            &[],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(newbie.get(&format!("/paths/{id}")).await.status(), 404);
    assert_eq!(newbie.get(&new_invite).await.status(), 404);
    let row: CourseInvitation = course_invitations::table
        .find(&newbie_invitation.id)
        .select(CourseInvitation::as_select())
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(row.status, InvitationStatus::Revoked);
}

#[tokio::test]
async fn an_invitation_accepted_by_many_clicks_at_once_makes_one_assignment() {
    let app = spawn_app().await;
    let creator = app.learner().create().await;
    let edit = new_course(&creator.browser).await;
    let id = edit.trim_start_matches("/creator/courses/").to_owned();
    let tester = app.learner().email("racer@example.com").create().await;
    creator
        .browser
        .post_form(
            &format!("{edit}/testers"),
            &[("emails", "racer@example.com"), ("note", "")],
        )
        .await;
    let link = app.link_in_email("racer@example.com", "/invitations/");
    let invite = link[link.find("/invitations/").unwrap()..].to_owned();
    tester.browser.csrf().await;
    let clicks = (0..24).map(|_| tester.browser.post_form(&invite, &[]));
    for res in futures_util::future::join_all(clicks).await {
        assert_eq!(res.status(), 303);
    }
    let count: i64 = learning_path_assignments::table
        .filter(learning_path_assignments::path_id.eq(&id))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn publishing_checks_for_personal_text_then_makes_a_scrubbed_public_copy_that_starts_a_path()
{
    let app = spawn_app().await;
    let creator = app.learner().create().await;
    let b = &creator.browser;
    let edit = new_course(b).await;
    let id = edit.trim_start_matches("/creator/courses/").to_owned();
    let _tester = app.learner().email("quuxtester@example.com").create().await;
    b.post_form(
        &format!("{edit}/testers"),
        &[("emails", "quuxtester@example.com"), ("note", "")],
    )
    .await;

    // Text naming a tester and an address is shown for review; nothing is published.
    let mut fields = form_fields(&b.get_html(&edit).await);
    set(
        &mut fields,
        "description",
        1,
        "Thanks to quuxtester for testing. Questions: zorblax@example.com or +81 90-1234-5678.",
    );
    assert_eq!(b.post_form(&edit, &as_refs(&fields)).await.status(), 303);
    let res = b.post_form(&format!("{edit}/publish"), &[]).await;
    assert_eq!(res.status(), 200);
    let review = res.text().await.unwrap();
    for kind in ["a tester&#39;s name", "an email address", "a phone number"] {
        assert!(review.contains(kind), "{kind}: {review}");
    }
    let templates = || -> Vec<LearningPath> {
        learning_paths::table
            .filter(learning_paths::is_template.eq(true))
            .filter(learning_paths::created_by_user_id.is_not_null())
            .select(LearningPath::as_select())
            .load(&mut app.conn())
            .unwrap()
    };
    assert!(templates().is_empty());

    // Fixed, it is published as a copy with a slug from the title.
    set(
        &mut fields,
        "description",
        1,
        "Four weeks of the Japanese you need in Osaka.",
    );
    assert_eq!(b.post_form(&edit, &as_refs(&fields)).await.status(), 303);
    assert_eq!(
        b.post_form(&format!("{edit}/publish"), &[]).await.status(),
        303
    );
    let published = templates();
    assert_eq!(published.len(), 1);
    let t = &published[0];
    assert_eq!(
        t.share_slug.as_deref(),
        Some("japanese-for-a-week-in-osaka")
    );
    assert!(t.is_public && t.user_id.is_none());
    assert!(t.metadata.0.published_template_id.is_none());
    assert!(b
        .get_html(&edit)
        .await
        .text("#publishing")
        .contains("/courses/japanese-for-a-week-in-osaka"));

    // A visitor's learner starts a path from it.
    let learner = app.learner().onboarded("ja").create().await;
    let res = learner
        .browser
        .post_form(
            "/paths/previews",
            &[
                ("source", "template"),
                ("template", "japanese-for-a-week-in-osaka"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);

    // Another course with the same title gets its own slug.
    let second = new_course(b).await;
    assert_eq!(
        b.post_form(&format!("{second}/publish"), &[])
            .await
            .status(),
        303
    );
    let slugs: Vec<Option<String>> = templates().into_iter().map(|t| t.share_slug).collect();
    assert!(
        slugs.contains(&Some("japanese-for-a-week-in-osaka-2".into())),
        "{slugs:?}"
    );

    // Unpublished by the creator; an admin can unpublish any, others cannot.
    assert_eq!(
        b.post_form(&format!("{edit}/unpublish"), &[])
            .await
            .status(),
        303
    );
    let t = learning_paths::table
        .find(&published[0].id)
        .select(LearningPath::as_select())
        .first(&mut app.conn())
        .unwrap();
    assert!(!t.is_public);
    let admin_route = "/admin/courses/japanese-for-a-week-in-osaka-2/unpublish";
    assert_eq!(
        learner.browser.post_form(admin_route, &[]).await.status(),
        404
    );
    let admin = app.learner().create().await;
    diesel::update(kaiwa::db::schema::users::table.find(&admin.id))
        .set(kaiwa::db::schema::users::is_admin.eq(true))
        .execute(&mut app.conn())
        .unwrap();
    assert_eq!(
        admin.browser.post_form(admin_route, &[]).await.status(),
        303
    );
    assert!(templates().iter().all(|t| !t.is_public));
    let _ = id;
}

#[tokio::test]
async fn a_course_starts_from_a_brief_refined_on_the_preview_screen() {
    let app = spawn_app().await;
    let creator = app.learner().onboarded("es").create().await;
    let b = &creator.browser;
    let res = b
        .post_form(
            "/paths/previews",
            &[
                ("source", "intent"),
                ("intent", "job interview in Madrid, formal"),
            ],
        )
        .await;
    let preview = res.headers()["location"].to_str().unwrap().to_owned();
    let page = b.get_html(&preview).await;
    let course_form = format!("{preview}/course");
    assert_eq!(
        page.attrs(&format!("form[action='{course_form}']"), "method")
            .len(),
        1
    );
    let first_theme = page.text("#day-1 .day-theme");

    // Nobody else makes a course of it.
    let other = app.learner().onboarded("es").create().await;
    assert_eq!(
        other.browser.post_form(&course_form, &[]).await.status(),
        404
    );

    let res = b.post_form(&course_form, &[]).await;
    assert_eq!(res.status(), 303);
    let edit = res.headers()["location"].to_str().unwrap().to_owned();
    let page = b.get_html(&edit).await;
    assert_eq!(page.attrs("#day-1-theme", "value"), [first_theme]);
    assert_eq!(page.attrs("#language option[selected]", "value"), ["es"]);
    let id = edit.trim_start_matches("/creator/courses/");
    let row = course(&app, id);
    assert_eq!(row.status, PathStatus::Draft);
    assert_eq!(row.created_by_user_id.as_deref(), Some(creator.id.as_str()));
    // The course saves as it came: the preview's schedule keeps the planner's rules.
    let fields = form_fields(&page);
    assert_eq!(b.post_form(&edit, &as_refs(&fields)).await.status(), 303);
}

#[tokio::test]
async fn invitation_emails_are_limited_to_a_hundred_a_day_per_creator() {
    let app = spawn_app().await;
    let creator = app.learner().create().await;
    let edit = new_course(&creator.browser).await;
    let form = |batch: usize| -> String {
        (0..20)
            .map(|n| format!("t{batch}-{n}@example.com"))
            .collect::<Vec<_>>()
            .join(",")
    };
    for batch in 0..5 {
        let emails = form(batch);
        let res = creator
            .browser
            .post_form(
                &format!("{edit}/testers"),
                &[("emails", &emails), ("note", "")],
            )
            .await;
        assert_eq!(res.status(), 303, "batch {batch}");
    }
    let emails = form(5);
    let res = creator
        .browser
        .post_form(
            &format!("{edit}/testers"),
            &[("emails", &emails), ("note", "")],
        )
        .await;
    assert_eq!(res.status(), 429);
    assert!(res.text().await.unwrap().contains("100 invitations a day"));
    let count: i64 = course_invitations::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(count, 100, "the refused form wrote nothing");
    app.clock
        .advance(chrono::Duration::days(1) + chrono::Duration::minutes(1));
    let res = creator
        .browser
        .post_form(
            &format!("{edit}/testers"),
            &[("emails", &emails), ("note", "")],
        )
        .await;
    assert_eq!(res.status(), 303, "the next day");
}

/// Every `href` on `page` that starts with `prefix`.
fn links(page: &Page, prefix: &str) -> Vec<String> {
    page.attrs("a[href]", "href")
        .into_iter()
        .filter(|h| h.starts_with(prefix))
        .collect()
}

#[tokio::test]
async fn nothing_personal_of_the_creator_or_testers_reaches_an_anonymous_crawl() {
    use kaiwa::db::schema::users;
    let app = spawn_app().await;
    let creator = app
        .learner()
        .email("zq-creator-mail@example.com")
        .create()
        .await;
    let tester = app
        .learner()
        .email("zq-tester-mail@example.com")
        .create()
        .await;
    for (id, name, handle) in [
        (&creator.id, "Zqcreatorname", "zqcreatorhandle"),
        (&tester.id, "Zqtestername", "zqtesterhandle"),
    ] {
        diesel::update(users::table.find(id))
            .set((users::display_name.eq(name), users::username.eq(handle)))
            .execute(&mut app.conn())
            .unwrap();
    }
    let b = &creator.browser;
    let edit = new_course(b).await;
    let id = edit.trim_start_matches("/creator/courses/").to_owned();
    b.post_form(
        &format!("{edit}/testers"),
        &[
            ("emails", "zq-tester-mail@example.com"),
            ("note", "Zqinvitenote"),
        ],
    )
    .await;
    let link = app.link_in_email("zq-tester-mail@example.com", "/invitations/");
    let invite = link[link.find("/invitations/").unwrap()..].to_owned();
    assert_eq!(tester.browser.post_form(&invite, &[]).await.status(), 303);
    let feedback = format!("/paths/{id}/days/1/feedback");
    tester
        .browser
        .post_form(
            &feedback,
            &[("rating", "5"), ("comment", "Zqfeedbackcomment")],
        )
        .await;
    assert_eq!(
        b.post_form(&format!("{edit}/publish"), &[]).await.status(),
        303
    );

    let markers = [
        "zq-creator-mail",
        "zq-tester-mail",
        "Zqcreatorname",
        "Zqtestername",
        "zqcreatorhandle",
        "zqtesterhandle",
        "Zqinvitenote",
        "Zqfeedbackcomment",
        creator.id.as_str(),
        tester.id.as_str(),
    ];
    let visitor = app.new_browser();
    let mut pages = vec!["/courses".to_owned(), "/sitemap.xml".to_owned()];
    let mut seen = std::collections::BTreeSet::new();
    let mut courses = 0;
    while let Some(path) = pages.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let res = visitor.get(&path).await;
        assert_eq!(res.status(), 200, "{path}");
        let body = res.text().await.unwrap();
        for m in markers {
            assert!(!body.contains(m), "{m} on {path}");
        }
        if path.ends_with(".xml") {
            for loc in body.split("<loc>").skip(1) {
                let url = loc.split("</loc>").next().unwrap();
                let path = &url[url.find("://").map_or(0, |i| i + 3)..];
                let path = &path[path.find('/').unwrap_or(0)..];
                if path.starts_with("/sitemaps/") || path.starts_with("/courses") {
                    pages.push(path.to_owned());
                }
            }
            continue;
        }
        let page = Page {
            status: reqwest::StatusCode::OK,
            headers: Default::default(),
            html: scraper::Html::parse_document(&body),
        };
        for l in links(&page, "/courses") {
            let l = l.replace("&amp;", "&");
            if l.starts_with("/courses/") {
                courses += 1;
            }
            pages.push(l);
        }
    }
    assert!(
        seen.contains("/courses/japanese-for-a-week-in-osaka"),
        "{seen:?}"
    );
    assert!(
        courses >= 13,
        "the seeded courses and the published one: {courses}"
    );
}

#[tokio::test]
async fn a_new_scenario_written_from_a_day_comes_back_linked_into_that_day() {
    let app = spawn_app().await;
    let creator = app.learner().create().await;
    let b = &creator.browser;
    let edit = new_course(b).await;
    let id = edit.rsplit('/').next().unwrap().to_owned();
    let page = b.get_html(&edit).await;
    let link = format!("/scenarios/new?course={id}&day=3");
    assert!(
        page.attrs("#day-3 a", "href").contains(&link),
        "day 3 offers to write its scenario"
    );
    let theme = page.attrs("#day-3-theme", "value")[0].clone();

    // The scenario form, filled from the day, knows where it comes from.
    let form = b.get_html(&link).await;
    assert_eq!(form.status, 200);
    assert_eq!(form.attrs("#title", "value")[0].clone(), theme);
    assert!(form
        .text("main")
        .contains("For day 3 of “Japanese for a week in Osaka”"));
    assert_eq!(form.attrs("input[name=course]", "value"), vec![id.clone()]);

    // Another account reaches neither the form for the day nor the course.
    let other = app.learner().create().await;
    assert_eq!(other.browser.get(&link).await.status(), 404);
    assert_eq!(
        b.get(&format!("/scenarios/new?course={id}&day=29"))
            .await
            .status(),
        404
    );

    // A mistake comes back on the same form, still for the day; nothing is linked.
    let day = id.as_str();
    let bad = [("course", day), ("day", "3"), ("title", "")];
    let again = b.post_page("/scenarios", &bad).await;
    assert_eq!(again.status, 422);
    assert_eq!(again.attrs("input[name=day]", "value"), ["3"]);

    let title = "Asking the way to Dotonbori";
    let fields = [
        ("course", day),
        ("day", "3"),
        ("title", title),
        ("description", "Finding the canal on foot."),
        ("role", "character"),
        ("difficulty", "beginner"),
        ("cefr_level", "A2"),
        ("primary_skill", "speaking"),
        ("visibility", "private"),
        ("context", "A street corner in Namba at dusk."),
        ("persona_title", "Passer-by"),
        ("persona_setting", "Namba, Osaka"),
        ("persona_intro", "すみません、何かお探しですか？"),
        ("expected_outcome", "You know the way."),
        ("objectives", "Ask for directions\nRepeat them back"),
        ("categories", "travel"),
        ("estimated_minutes", "15"),
    ];
    let res = b.post_form("/scenarios", &fields).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!("/creator/courses/{id}#day-3")
    );
    let back = b.get_html(&edit).await;
    assert!(
        back.text("body").contains("now day 3's scenario"),
        "the flash says so"
    );
    let linked = back.attrs("#day-3-scenario", "value")[0].clone();
    let scenario: (String, String) = kaiwa::db::schema::scenarios::table
        .find(&linked)
        .select((
            kaiwa::db::schema::scenarios::title,
            kaiwa::db::schema::scenarios::created_by_user_id.assume_not_null(),
        ))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(scenario.0, title);
    assert_eq!(scenario.1, creator.id);
    let plan: serde_json::Value = course(&app, &id).metadata.0.plan.unwrap().parse().unwrap();
    assert!(
        plan["days"][2].to_string().contains(&linked),
        "day 3 of the saved course links it"
    );
}
