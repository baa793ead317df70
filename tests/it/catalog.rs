//! The scenario catalog through the front door: filters, sorts, search ranking, pages,
//! htmx fragments, saving/rating/notes with exact aggregates, private scenarios, authoring
//! and the public pages search engines read.

use diesel::prelude::*;
use kaiwa::db::models::{Scenario, ScenarioMetadata};
use kaiwa::db::schema::{scenario_metadata, scenarios};

use crate::helpers::{spawn_app, Page, TestApp};

fn ids(page: &Page) -> Vec<String> {
    page.attrs(".cards .card h3 a", "href")
        .into_iter()
        .map(|h| h.trim_start_matches("/scenarios/").to_owned())
        .collect()
}

fn scenario(app: &TestApp, id: &str) -> Scenario {
    scenarios::table
        .find(id)
        .select(Scenario::as_select())
        .first(&mut app.conn())
        .unwrap()
}

fn public_count(app: &TestApp, predicate: impl Fn(&Scenario) -> bool) -> usize {
    let all: Vec<Scenario> = scenarios::table
        .select(Scenario::as_select())
        .load(&mut app.conn())
        .unwrap();
    all.iter()
        .filter(|s| {
            s.is_active && s.visibility == kaiwa::db::types::Visibility::Public && predicate(s)
        })
        .count()
}

fn total(page: &Page) -> usize {
    page.text(".results-count")
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn every_filter_narrows_the_catalog_to_exactly_what_matches() {
    let app = spawn_app().await;
    type Check = Box<dyn Fn(&Scenario) -> bool>;
    let cases: Vec<(&str, Check)> = vec![
        (
            "category=food",
            Box::new(|s: &Scenario| s.categories.contains(&"food".to_owned())),
        ),
        (
            "category=emergencies",
            Box::new(|s: &Scenario| s.categories.contains(&"emergencies".to_owned())),
        ),
        (
            "difficulty=advanced",
            Box::new(|s: &Scenario| s.difficulty.as_str() == "advanced"),
        ),
        (
            "cefr=A1",
            Box::new(|s: &Scenario| s.cefr_level.as_str() == "A1"),
        ),
        (
            "role=expert",
            Box::new(|s: &Scenario| s.role.as_str() == "expert"),
        ),
        (
            "skill=listening",
            Box::new(|s: &Scenario| s.primary_skill.as_str() == "listening"),
        ),
        (
            "tag=restaurant",
            Box::new(|s: &Scenario| s.tags.contains(&"restaurant".to_owned())),
        ),
        (
            "difficulty=beginner&role=tutor",
            Box::new(|s: &Scenario| {
                s.difficulty.as_str() == "beginner" && s.role.as_str() == "tutor"
            }),
        ),
    ];
    for (query, check) in cases {
        let page = app.get_html(&format!("/scenarios?{query}")).await;
        assert_eq!(page.status, 200, "{query}");
        let expected = public_count(&app, &check);
        assert!(expected > 0, "the seed has something for {query}");
        assert_eq!(total(&page), expected, "{query}");
        for id in ids(&page) {
            assert!(check(&scenario(&app, &id)), "{id} does not match {query}");
        }
    }
}

#[tokio::test]
async fn search_is_ranked_and_tolerant_of_case_and_accents() {
    let app = spawn_app().await;
    let ramen = app.get_html("/scenarios?q=RAMEN").await;
    assert_eq!(
        ids(&ramen).first().map(String::as_str),
        Some("ordering-ramen-osaka")
    );

    // An accent in the query or in the text makes no difference.
    let cafe = ids(&app.get_html("/scenarios?q=caf%C3%A9").await);
    let plain = ids(&app.get_html("/scenarios?q=cafe").await);
    assert_eq!(cafe, plain);
    assert!(cafe.contains(&"ordering-coffee-lisbon".to_owned()));

    // Every word must match; a title match outranks a mention in the description.
    let both = ids(&app.get_html("/scenarios?q=coffee%20lisbon").await);
    assert_eq!(both, vec!["ordering-coffee-lisbon"]);
    let coffee = ids(&app.get_html("/scenarios?q=coffee").await);
    let in_title: Vec<&String> = coffee
        .iter()
        .filter(|id| scenario(&app, id).title.to_lowercase().contains("coffee"))
        .collect();
    let first_without = coffee
        .iter()
        .position(|id| !scenario(&app, id).title.to_lowercase().contains("coffee"));
    if let Some(pos) = first_without {
        assert_eq!(pos, in_title.len(), "title matches come first: {coffee:?}");
    }

    // Prefixes match as you type, and search combines with filters.
    assert!(ids(&app.get_html("/scenarios?q=interv").await)
        .iter()
        .any(|id| id.contains("interview")));
    let filtered = app.get_html("/scenarios?q=coffee&cefr=A1").await;
    for id in ids(&filtered) {
        assert_eq!(scenario(&app, &id).cefr_level.as_str(), "A1");
    }

    // Quotes and operators in the box are just text.
    let odd = app
        .get_html("/scenarios?q=%22ramen%22%20OR%20*%20NEAR(")
        .await;
    assert_eq!(odd.status, 200);
}

#[tokio::test]
async fn an_empty_result_says_so_and_offers_to_clear_the_filters() {
    let app = spawn_app().await;
    let page = app
        .get_html("/scenarios?q=xylophone&difficulty=advanced")
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(total(&page), 0);
    assert!(page
        .text(".empty")
        .contains("No scenarios match these filters"));
    assert_eq!(page.attrs(".empty a", "href"), vec!["/scenarios"]);
    // Unknown filter values are ignored rather than failing.
    assert_eq!(
        app.get_html("/scenarios?difficulty=legendary&page=abc")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn the_sorts_read_the_aggregates() {
    let app = spawn_app().await;
    let set = |id: &str, saved: i32, rating: Option<f64>, used: i32| {
        diesel::update(scenario_metadata::table.find(id))
            .set((
                scenario_metadata::amount_saved_count.eq(saved),
                scenario_metadata::average_rating.eq(rating),
                scenario_metadata::ratings_count.eq(i32::from(rating.is_some())),
                scenario_metadata::total_times_used.eq(used),
            ))
            .execute(&mut app.conn())
            .unwrap();
    };
    set("ordering-ramen-osaka", 50, Some(3.0), 1);
    set("ordering-coffee-lisbon", 10, Some(4.9), 2);
    set("greetings-first-day-language-class", 1, None, 99);
    let first = |q: &'static str| {
        let app = &app;
        async move { ids(&app.get_html(&format!("/scenarios?sort={q}")).await)[0].clone() }
    };
    assert_eq!(first("most_saved").await, "ordering-ramen-osaka");
    assert_eq!(first("top_rated").await, "ordering-coffee-lisbon");
    assert_eq!(
        first("trending").await,
        "greetings-first-day-language-class"
    );
    diesel::update(scenarios::table.find("ordering-coffee-lisbon"))
        .set(scenarios::created_at.eq(chrono::Utc::now().naive_utc() + chrono::Duration::days(1)))
        .execute(&mut app.conn())
        .unwrap();
    assert_eq!(first("newest").await, "ordering-coffee-lisbon");
    let sorted = app.get_html("/scenarios?sort=top_rated").await;
    assert_eq!(
        sorted.attrs("select[name=sort] option[selected]", "value"),
        vec!["top_rated"]
    );
}

#[tokio::test]
async fn recommended_puts_the_learners_level_and_goal_first() {
    let app = spawn_app().await;
    let b = app.new_browser();
    for (step, field, value) in [("language", "language", "es"), ("goal", "goal", "Career")] {
        assert_eq!(
            b.post_form("/onboarding", &[("step", step), (field, value)])
                .await
                .status(),
            303
        );
    }
    let levels = [
        ("step", "levels"),
        ("speaking", "65"),
        ("listening", "65"),
        ("reading", "65"),
        ("writing", "65"),
    ];
    assert_eq!(b.post_form("/onboarding", &levels).await.status(), 303);
    let page = b.get_html("/scenarios").await;
    assert_eq!(
        page.attrs("select[name=sort] option[selected]", "value"),
        vec!["recommended"]
    );
    let top: Vec<Scenario> = ids(&page)
        .iter()
        .take(3)
        .map(|id| scenario(&app, id))
        .collect();
    for s in &top {
        assert_eq!(s.cefr_level.as_str(), "B2", "{}", s.id);
    }
    assert_eq!(
        top[0].learning_goal.map(|g| g.to_string()).as_deref(),
        Some("Career")
    );
    // A visitor with no preferences gets trending by default.
    let anonymous = app.new_browser().get_html("/scenarios").await;
    assert_eq!(
        anonymous.attrs("select[name=sort] option[selected]", "value"),
        vec!["trending"]
    );
}

#[tokio::test]
async fn pages_keep_the_filters_and_the_htmx_fragment_is_just_the_results() {
    let app = spawn_app().await;
    let page = app.get_html("/scenarios?sort=newest").await;
    assert!(page
        .header("vary")
        .unwrap_or_default()
        .contains("HX-Request"));
    let next = page.attrs("a[rel=next]", "href");
    assert_eq!(next, vec!["/scenarios?sort=newest&page=2"]);
    let second = app.get_html(&next[0]).await;
    let overlap: Vec<String> = ids(&second)
        .into_iter()
        .filter(|id| ids(&page).contains(id))
        .collect();
    assert!(overlap.is_empty(), "pages do not repeat: {overlap:?}");
    assert_eq!(
        second.attrs("a[rel=prev]", "href"),
        vec!["/scenarios?sort=newest"]
    );

    let res = app
        .client
        .get(app.url("/scenarios?q=ramen"))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    let html = scraper::Html::parse_fragment(&res.text().await.unwrap());
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    assert_eq!(html.select(&sel("section#results")).count(), 1);
    assert_eq!(
        html.select(&sel("h1")).count(),
        0,
        "no page chrome in the fragment"
    );
    assert_eq!(html.select(&sel("form")).count(), 0);
    assert_eq!(html.select(&sel(".card")).count(), 1);

    // The full page carries the htmx wiring for search-as-you-type, and a plain GET form.
    let full = app.get_html("/scenarios").await;
    assert_eq!(full.attrs("form.catalog-filters", "method"), vec!["get"]);
    assert_eq!(
        full.attrs("form.catalog-filters", "data-hx-push-url"),
        vec!["true"]
    );
    assert!(full.attrs("form.catalog-filters", "data-hx-trigger")[0].contains("delay:"));
}

async fn get_metadata(app: &TestApp, id: &str) -> ScenarioMetadata {
    scenario_metadata::table
        .find(id)
        .select(ScenarioMetadata::as_select())
        .first(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn saving_rating_and_notes_round_trip_and_keep_the_aggregates() {
    let app = spawn_app().await;
    let uid = app.create_user("rio@example.com");
    let b = app.browser_for(&uid);
    let id = "ordering-ramen-osaka";
    let path = format!("/scenarios/{id}");
    assert_eq!(
        b.post_form(&format!("{path}/save"), &[("saved", "true")])
            .await
            .status(),
        303
    );
    assert_eq!(
        b.post_form(&format!("{path}/save"), &[("saved", "true")])
            .await
            .status(),
        303,
        "saving twice counts once"
    );
    assert_eq!(
        b.post_form(&format!("{path}/rating"), &[("rating", "4")])
            .await
            .status(),
        303
    );
    assert_eq!(
        b.post_form(&format!("{path}/rating"), &[("rating", "2")])
            .await
            .status(),
        303
    );
    assert_eq!(
        b.post_form(
            &format!("{path}/notes"),
            &[("notes", "Ask for <b>kaedama</b>")]
        )
        .await
        .status(),
        303
    );
    let m = get_metadata(&app, id).await;
    assert_eq!(
        (m.amount_saved_count, m.ratings_count, m.ratings_sum),
        (1, 1, 2)
    );
    assert_eq!(m.average_rating, Some(2.0));

    let page = b.get_html(&path).await;
    assert!(page
        .text("#progress button[aria-pressed=true]")
        .contains("Saved"));
    assert_eq!(
        page.attrs("#progress input[name=rating][checked]", "value"),
        vec!["2"]
    );
    assert_eq!(
        page.text("#progress textarea[name=notes]"),
        "Ask for <b>kaedama</b>"
    );
    assert_eq!(page.text(".stats .saves"), "1");

    // htmx gets the panel back, not a redirect.
    let res = b
        .htmx_post(&format!("{path}/save"), &[("saved", "false")])
        .await;
    assert_eq!(res.status(), 200);
    let fragment = scraper::Html::parse_fragment(&res.text().await.unwrap());
    let pressed = scraper::Selector::parse("#progress button[aria-pressed=false]").unwrap();
    assert_eq!(fragment.select(&pressed).count(), 1);
    assert_eq!(get_metadata(&app, id).await.amount_saved_count, 0);

    // Bad input: a clear message and nothing written.
    let bad = b
        .htmx_post(&format!("{path}/rating"), &[("rating", "9")])
        .await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("Rate from 1 to 5"));
    let long = "x".repeat(4001);
    assert_eq!(
        b.post_form(&format!("{path}/notes"), &[("notes", &long)])
            .await
            .status(),
        422
    );
    assert_eq!(get_metadata(&app, id).await.ratings_sum, 2);

    // Signed out: sent to sign in; my scenarios lists what is saved.
    let anon = app
        .new_browser()
        .post_form(&format!("{path}/save"), &[("saved", "true")])
        .await;
    assert_eq!(anon.status(), 303);
    assert!(anon.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login?next="));
    b.post_form(&format!("{path}/save"), &[("saved", "true")])
        .await;
    let mine = b.get_html("/me/scenarios").await;
    assert_eq!(mine.attrs("#saved .card h3 a", "href"), vec![path.clone()]);
}

#[tokio::test]
async fn aggregates_match_a_recount_after_fifty_concurrent_saves_and_ratings() {
    let app = spawn_app().await;
    let id = "asking-directions-seoul";
    let browsers: Vec<_> = (0..50)
        .map(|i| app.browser_for(&app.create_user(&format!("u{i}@example.com"))))
        .collect();
    for b in &browsers {
        b.csrf().await;
    }
    let path = format!("/scenarios/{id}");
    let requests = browsers.iter().enumerate().map(|(i, b)| {
        let path = path.clone();
        async move {
            let rating = ((i % 5) + 1).to_string();
            let (save_path, rate_path) = (format!("{path}/save"), format!("{path}/rating"));
            let save_fields = [("saved", "true")];
            let rate_fields = [("rating", rating.as_str())];
            let (a, r) = tokio::join!(
                b.post_form(&save_path, &save_fields),
                b.post_form(&rate_path, &rate_fields)
            );
            assert_eq!((a.status().as_u16(), r.status().as_u16()), (303, 303));
            if i % 10 == 0 {
                let u = b
                    .post_form(&format!("{path}/save"), &[("saved", "false")])
                    .await;
                assert_eq!(u.status(), 303);
            }
        }
    });
    futures_util::future::join_all(requests).await;
    let m = get_metadata(&app, id).await;
    let (saved, rated, sum) = kaiwa::db::queries::progress::recount(&mut app.conn(), id).unwrap();
    assert_eq!(saved, 45);
    assert_eq!(
        (
            m.amount_saved_count as i64,
            m.ratings_count as i64,
            m.ratings_sum as i64
        ),
        (saved, rated, sum)
    );
    assert_eq!(rated, 50);
    assert!((m.average_rating.unwrap() - sum as f64 / rated as f64).abs() < 1e-9);
}

fn draft<'a>(title: &'a str, visibility: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("description", "Returning a jacket whose zip broke."),
        ("role", "character"),
        ("difficulty", "intermediate"),
        ("cefr_level", "B1"),
        ("primary_skill", "speaking"),
        ("visibility", visibility),
        ("context", "A shop counter on a Saturday."),
        ("persona_title", "Shop assistant"),
        ("persona_setting", "A department store in Lyon"),
        ("persona_intro", "Bonjour, je peux vous aider ?"),
        ("expected_outcome", "A refund or an exchange."),
        ("objectives", "Explain a problem\nAsk for a refund"),
        ("categories", "shopping"),
        ("categories", "services"),
        ("tags", "returns, polite requests"),
        ("estimated_minutes", "8"),
    ]
}

#[tokio::test]
async fn a_creator_writes_previews_edits_and_deactivates_a_scenario() {
    let app = spawn_app().await;
    let uid = app.create_user("ana@example.com");
    let b = app.browser_for(&uid);
    assert_eq!(
        app.new_browser().get("/scenarios/new").await.status(),
        303,
        "signed out: sign in first"
    );
    assert_eq!(b.get_html("/scenarios/new").await.status, 200);

    let mut preview = draft("Returning a jacket", "public");
    preview.push(("action", "preview"));
    let shown = b.post_page("/scenarios", &preview).await;
    assert_eq!(shown.status, 200);
    assert_eq!(shown.text(".preview .card h3"), "Returning a jacket");
    let count = |app: &TestApp| -> i64 {
        scenarios::table
            .filter(scenarios::created_by_user_id.eq(&uid))
            .count()
            .get_result(&mut app.conn())
            .unwrap()
    };
    assert_eq!(count(&app), 0, "a preview saves nothing");

    let res = b
        .post_form("/scenarios", &draft("Returning a jacket", "public"))
        .await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let id = location.trim_start_matches("/scenarios/").to_owned();
    let s = scenario(&app, &id);
    assert_eq!(s.categories.0, ["shopping", "services"]);
    assert_eq!(s.tags.0, ["returns", "polite-requests"]);
    assert_eq!(s.created_by_user_id.as_deref(), Some(uid.as_str()));
    assert_eq!(s.estimated_duration_seconds, 480);
    assert!(get_metadata(&app, &id).await.amount_saved_count == 0);
    assert_eq!(
        ids(&app.get_html("/scenarios?q=jacket").await),
        vec![id.clone()],
        "searchable at once"
    );

    let edit = b.get_html(&format!("/scenarios/{id}/edit")).await;
    assert_eq!(
        edit.attrs("input[name=title]", "value"),
        vec!["Returning a jacket"]
    );
    assert_eq!(
        edit.attrs("input[name=categories][checked]", "value"),
        vec!["services", "shopping"]
    );
    let res = b
        .post_form(
            &format!("/scenarios/{id}/edit"),
            &draft("Returning a winter coat", "public"),
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(scenario(&app, &id).title, "Returning a winter coat");
    let found = app.get_html("/scenarios?q=winter%20coat").await;
    assert_eq!(ids(&found), vec![id.clone()], "the index follows edits");
    assert_eq!(found.text(".card h3"), "Returning a winter coat");
    // Categories and tags filter as rows that follow edits too.
    let listed = |page: Page| ids(&page).contains(&id);
    assert!(listed(
        app.get_html("/scenarios?category=shopping&tag=polite-requests&sort=newest")
            .await
    ));
    let mut moved = draft("Returning a winter coat", "public");
    moved.retain(|(k, _)| *k != "categories" && *k != "tags");
    moved.push(("categories", "travel"));
    moved.push(("tags", "airports"));
    let res = b.post_form(&format!("/scenarios/{id}/edit"), &moved).await;
    assert_eq!(res.status(), 303);
    assert!(!listed(
        app.get_html("/scenarios?category=shopping&sort=newest")
            .await
    ));
    assert!(!listed(
        app.get_html("/scenarios?tag=returns&sort=newest").await
    ));
    assert!(listed(
        app.get_html("/scenarios?category=travel&tag=airports&sort=newest")
            .await
    ));

    // Someone else can neither edit nor deactivate it.
    let other = app.browser_for(&app.create_user("eve@example.com"));
    assert_eq!(
        other.get(&format!("/scenarios/{id}/edit")).await.status(),
        404
    );
    assert_eq!(
        other
            .post_form(
                &format!("/scenarios/{id}/edit"),
                &draft("Mine now", "public")
            )
            .await
            .status(),
        404
    );
    assert_eq!(
        other
            .post_form(&format!("/scenarios/{id}/deactivate"), &[])
            .await
            .status(),
        404
    );
    assert!(scenario(&app, &id).is_active);

    assert_eq!(
        b.post_form(&format!("/scenarios/{id}/deactivate"), &[])
            .await
            .status(),
        303
    );
    assert!(!scenario(&app, &id).is_active);
    assert!(ids(&app.get_html("/scenarios?q=winter%20coat").await).is_empty());
    assert_eq!(app.get(&format!("/scenarios/{id}")).await.status(), 404);
}

#[tokio::test]
async fn an_admin_can_deactivate_any_scenario() {
    let app = spawn_app().await;
    let admin = app.create_user("root@example.com");
    diesel::update(kaiwa::db::schema::users::table.find(&admin))
        .set(kaiwa::db::schema::users::is_admin.eq(true))
        .execute(&mut app.conn())
        .unwrap();
    let b = app.browser_for(&admin);
    assert_eq!(
        b.post_form("/scenarios/ordering-ramen-osaka/deactivate", &[])
            .await
            .status(),
        303
    );
    assert!(!scenario(&app, "ordering-ramen-osaka").is_active);
}

#[tokio::test]
async fn authoring_validation_names_each_problem_and_writes_nothing() {
    let app = spawn_app().await;
    let b = app.browser_for(&app.create_user("val@example.com"));
    let before: i64 = scenarios::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    let mut missing = draft("", "public");
    missing.retain(|(k, _)| *k != "categories");
    let page = b.post_page("/scenarios", &missing).await;
    assert_eq!(page.status, 422);
    let errors = page.texts(".form-error li");
    assert!(
        errors.iter().any(|e| e.contains("title is required")),
        "{errors:?}"
    );
    assert!(errors.iter().any(|e| e.contains("category")), "{errors:?}");
    assert_eq!(
        page.attrs("input[name=persona_title]", "value"),
        vec!["Shop assistant"],
        "the form keeps what was typed"
    );

    // Past the field's own limit, within what any form field may hold: the form explains.
    let huge = "x".repeat(5_000);
    let mut big = draft("Big", "public");
    big.retain(|(k, _)| *k != "description");
    big.push(("description", &huge));
    let page = b.post_page("/scenarios", &big).await;
    assert_eq!(page.status, 422);
    assert!(page
        .texts(".form-error li")
        .iter()
        .any(|e| e.contains("description must be at most")));
    // 100 KB is refused at the gate every form goes through, naming the field.
    let mut huge_form = draft("Huge", "public");
    huge_form.retain(|(k, _)| *k != "description");
    let hundred_kb = "x".repeat(100 * 1024);
    huge_form.push(("description", &hundred_kb));
    let page = b.post_page("/scenarios", &huge_form).await;
    assert_eq!(page.status, 400);
    assert!(page.text("main").contains("description"));
    let after: i64 = scenarios::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(before, after);
}

#[tokio::test]
async fn script_in_every_field_is_rendered_inert() {
    let app = spawn_app().await;
    let b = app.browser_for(&app.create_user("xss@example.com"));
    let evil = "<script>alert('x')</script>";
    let fields: Vec<(&str, &str)> = draft(evil, "public")
        .into_iter()
        .map(|(k, v)| match k {
            "role" | "difficulty" | "cefr_level" | "primary_skill" | "visibility"
            | "categories" | "estimated_minutes" | "tags" => (k, v),
            _ => (k, evil),
        })
        .collect();
    let res = b.post_form("/scenarios", &fields).await;
    assert_eq!(res.status(), 303);
    let path = res.headers()["location"].to_str().unwrap().to_owned();
    for page_path in [path.as_str(), "/scenarios?q=alert", "/me/scenarios"] {
        let page = b.get_html(page_path).await;
        assert_eq!(page.status, 200, "{page_path}");
        let scripts = page.texts("script");
        assert!(
            scripts
                .iter()
                .all(|s| !s.contains("alert('x')") || s.contains("\\u003cscript")),
            "{page_path}: {scripts:?}"
        );
        assert!(
            page.text("main").contains(evil),
            "{page_path} shows the text literally"
        );
    }
    let page = b.get_html(&path).await;
    let ld = page.texts("script[type='application/ld+json']");
    let parsed: serde_json::Value = serde_json::from_str(&ld[0]).unwrap();
    assert_eq!(
        parsed["name"], evil,
        "JSON-LD keeps the value but cannot close the script"
    );
}

#[tokio::test]
async fn a_private_scenario_is_visible_only_to_its_author() {
    let app = spawn_app().await;
    let author = app.browser_for(&app.create_user("own@example.com"));
    let res = author
        .post_form("/scenarios", &draft("Secret rehearsal", "private"))
        .await;
    let path = res.headers()["location"].to_str().unwrap().to_owned();
    let page = author.get_html(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.attrs("link[rel=canonical]", "href").is_empty());
    assert_eq!(page.attrs("meta[name=robots]", "content"), vec!["noindex"]);
    assert_eq!(
        author
            .get_html("/me/scenarios")
            .await
            .attrs("#authored .card h3 a", "href"),
        vec![path.clone()]
    );

    let stranger = app.browser_for(&app.create_user("who@example.com"));
    assert_eq!(stranger.get(&path).await.status(), 404);
    assert_eq!(app.get(&path).await.status(), 404);
    assert_eq!(
        stranger
            .post_form(&format!("{path}/save"), &[("saved", "true")])
            .await
            .status(),
        404
    );
    for browser in [&author, &stranger] {
        assert!(
            ids(&browser.get_html("/scenarios?q=secret").await).is_empty(),
            "the catalog lists public scenarios only"
        );
    }
    let sitemap = app
        .get("/sitemaps/scenarios-1.xml")
        .await
        .text()
        .await
        .unwrap();
    assert!(sitemap.contains("/scenarios/ordering-ramen-osaka"));
    assert!(!sitemap.contains(path.trim_start_matches('/')));
}

#[tokio::test]
async fn public_scenario_pages_carry_canonical_opengraph_json_ld_and_the_sitemap_lists_them() {
    let app = spawn_app().await;
    let page = app.get_html("/scenarios/ordering-ramen-osaka").await;
    assert_eq!(
        page.attrs("link[rel=canonical]", "href"),
        vec!["http://127.0.0.1/scenarios/ordering-ramen-osaka"]
    );
    assert_eq!(
        page.attrs("meta[property='og:title']", "content"),
        vec!["Ordering Ramen in Osaka — Kaiwa"]
    );
    assert_eq!(
        page.attrs("meta[property='og:type']", "content"),
        vec!["article"]
    );
    let ld: serde_json::Value =
        serde_json::from_str(&page.texts("script[type='application/ld+json']")[0]).unwrap();
    assert_eq!(ld["@type"], "LearningResource");
    assert_eq!(ld["url"], "http://127.0.0.1/scenarios/ordering-ramen-osaka");
    assert!(ld["teaches"].as_array().unwrap().len() >= 3);
    assert!(
        page.text("main").contains("Sign in"),
        "a visitor is invited to sign in, and sees nobody's data"
    );
    assert!(page.texts("#progress").is_empty());

    let res = app.get("/sitemap.xml").await;
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/xml"));
    let index = res.text().await.unwrap();
    assert!(index.contains("<sitemapindex"));
    let locs: Vec<String> = index
        .split("<loc>")
        .skip(1)
        .map(|s| s.split("</loc>").next().unwrap().to_owned())
        .collect();
    assert_eq!(
        locs,
        [
            "http://127.0.0.1/sitemaps/site.xml",
            "http://127.0.0.1/sitemaps/scenarios-1.xml",
            "http://127.0.0.1/sitemaps/courses-1.xml"
        ]
    );
    let site = app.get("/sitemaps/site.xml").await.text().await.unwrap();
    assert!(site.contains("<loc>http://127.0.0.1/</loc>"));
    let res = app.get("/sitemaps/scenarios-1.xml").await;
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let modified = res.headers()["last-modified"].to_str().unwrap().to_owned();
    let xml = res.text().await.unwrap();
    assert!(xml.contains("<loc>http://127.0.0.1/scenarios/ordering-ramen-osaka</loc>"));
    let listed = xml.matches("<loc>http://127.0.0.1/scenarios/").count();
    assert_eq!(listed, public_count(&app, |_| true));
    let client = reqwest::Client::new();
    for (name, value) in [("If-None-Match", etag), ("If-Modified-Since", modified)] {
        let again = client
            .get(app.url("/sitemaps/scenarios-1.xml"))
            .header(name, value)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{name}");
    }
    assert_eq!(app.get("/sitemaps/scenarios-2.xml").await.status(), 404);
    assert_eq!(app.get("/sitemaps/nothing.xml").await.status(), 404);
}

#[tokio::test]
async fn a_search_matching_more_than_it_ranks_says_so_even_when_filtered() {
    let app = spawn_app().await;
    let author = app.browser_for(&app.create_user("many@example.com"));
    let limit = kaiwa::db::search::MAX_MATCHES as usize;
    for i in 0..limit + 6 {
        let title = format!("Zither lesson {i}");
        let mut form = draft(&title, "public");
        if i % 3 == 0 {
            form.retain(|(k, _)| *k != "cefr_level");
            form.push(("cefr_level", "A2"));
        }
        let res = author.post_form("/scenarios", &form).await;
        assert_eq!(res.status(), 303, "scenario {i} saved");
    }

    let broad = app.get_html("/scenarios?q=zither").await;
    assert_eq!(
        broad.text(".results-count"),
        format!("{limit}+ scenarios"),
        "a lower bound, not an exact count"
    );
    assert!(broad
        .text(".hint")
        .contains("More scenarios match than are listed"));
    assert_eq!(ids(&broad).len(), kaiwa::app::catalog::PAGE_SIZE as usize);

    // Filters apply after the text match: the count is still only a lower bound.
    let filtered = app.get_html("/scenarios?q=zither&cefr=A2").await;
    let count = filtered.text(".results-count");
    assert!(count.contains("+ scenarios"), "{count}");
    assert!(filtered
        .text(".hint")
        .contains("More scenarios match than are listed"));
    for id in ids(&filtered) {
        assert_eq!(scenario(&app, &id).cefr_level.as_str(), "A2");
    }

    let narrow = app.get_html("/scenarios?q=ramen").await;
    assert!(!narrow.text(".results-count").contains('+'));
    assert!(narrow.texts(".hint").is_empty());
}

#[tokio::test]
async fn browsing_a_huge_catalog_counts_up_to_a_limit() {
    use kaiwa::db::queries::scenarios::BROWSE_COUNT_LIMIT;
    let app = spawn_app().await;
    let before = app.get_html("/scenarios").await;
    assert!(!before.text(".results-count").contains('+'));

    // Copies of one seeded scenario until the catalog passes the limit.
    let cols = "title, description, role, difficulty, difficulty_rating, cefr_level, \
        instructions, context, learning_goal, cefr_recommendation, persona, expected_outcome, \
        learning_objectives, comfort_indicators, categories, tags, primary_skill, \
        search_keywords, thumbnail_url, estimated_duration_seconds, created_by_user_id, \
        visibility, usage_count, is_active, created_at, updated_at, search_title, search_body";
    let mut conn = app.conn();
    diesel::sql_query(format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {BROWSE_COUNT_LIMIT}) \
         INSERT INTO scenarios (id, {cols}) SELECT 'copy-' || n.i, {cols} FROM n, scenarios \
         WHERE scenarios.id = 'ordering-ramen-osaka'"
    ))
    .execute(&mut conn)
    .unwrap();
    diesel::sql_query(
        "INSERT INTO scenario_metadata (scenario_id, amount_saved_count, total_times_used, \
         total_attempts, total_completions, ratings_count, ratings_sum, completion_rate, \
         average_time_spent, created_at, updated_at) SELECT id, 0, 0, 0, 0, 0, 0, 0, 0, \
         created_at, updated_at FROM scenarios WHERE id LIKE 'copy-%'",
    )
    .execute(&mut conn)
    .unwrap();
    // why: rows written behind the app's back show once the minute its pages are kept has
    // passed (the app's own writes show at once).
    app.clock.advance(chrono::Duration::seconds(61));

    let page = app.get_html("/scenarios").await;
    assert_eq!(
        page.text(".results-count"),
        format!("{BROWSE_COUNT_LIMIT}+ scenarios")
    );
    assert!(page
        .text(".hint")
        .contains("More scenarios match than are listed"));
    // The sorts that a large catalog reads straight from their indexes order pages right.
    let set = |id: &str, used: i32, saved: i32| {
        diesel::update(scenario_metadata::table.find(id))
            .set((
                scenario_metadata::total_times_used.eq(used),
                scenario_metadata::amount_saved_count.eq(saved),
            ))
            .execute(&mut app.conn())
            .unwrap();
    };
    set("copy-7", 500, 1);
    set("copy-9", 500, 3);
    set("copy-3", 2, 900);
    app.clock.advance(chrono::Duration::seconds(61));
    let trending = ids(&app.get_html("/scenarios?sort=trending").await);
    assert_eq!(trending[..2], ["copy-9", "copy-7"]);
    assert_eq!(
        ids(&app.get_html("/scenarios?sort=most_saved").await)[0],
        "copy-3"
    );
    let copied = scenario(&app, "ordering-ramen-osaka");
    let filtered = ids(&app
        .get_html(&format!(
            "/scenarios?sort=trending&difficulty={}&cefr={}",
            copied.difficulty.as_str(),
            copied.cefr_level.as_str()
        ))
        .await);
    assert_eq!(filtered[..2], ["copy-9", "copy-7"]);
    diesel::update(scenario_metadata::table.find("copy-5"))
        .set((
            scenario_metadata::average_rating.eq(Some(4.5)),
            scenario_metadata::ratings_count.eq(2),
        ))
        .execute(&mut app.conn())
        .unwrap();
    let rated = ids(&app.get_html("/scenarios?sort=top_rated").await);
    assert_eq!(rated[0], "copy-5", "unrated scenarios come last");
    let next = ids(&app.get_html("/scenarios?sort=trending&page=2").await);
    assert_eq!(next.len(), trending.len());
    assert!(
        next.iter().all(|id| !trending.contains(id)),
        "pages never overlap"
    );

    // A filter that leaves fewer is counted exactly.
    let a1 = app.get_html("/scenarios?cefr=C2").await;
    assert!(!a1.text(".results-count").contains('+'));
    assert_eq!(
        total(&a1),
        public_count(&app, |s| s.cefr_level.as_str() == "C2")
    );
}

#[tokio::test]
async fn saving_and_rating_over_htmx_update_the_counts_on_the_page_with_the_right_plural() {
    let app = spawn_app().await;
    let learner = app.learner().create().await;
    let path = "/scenarios/ordering-ramen-osaka";
    let before = learner.browser.get_html(path).await;
    assert_eq!(before.text("#stats"), "Saved by 0 learners");
    let res = learner
        .browser
        .htmx_post(&format!("{path}/save"), &[("saved", "true")])
        .await;
    assert_eq!(res.status(), 200);
    let fragment = scraper::Html::parse_fragment(&res.text().await.unwrap());
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    let stats = fragment
        .select(&sel("#stats[data-hx-swap-oob=true]"))
        .next()
        .expect("the stats line comes along, swapped out of band");
    assert_eq!(stats.text().collect::<String>(), "Saved by 1 learner");
    let res = learner
        .browser
        .htmx_post(&format!("{path}/rating"), &[("rating", "5")])
        .await;
    let fragment = scraper::Html::parse_fragment(&res.text().await.unwrap());
    let rating: String = fragment
        .select(&sel("#stats .rating"))
        .flat_map(|e| e.text())
        .collect();
    assert_eq!(rating, "5.0", "the new rating, not the old one");
    let after = learner.browser.get_html(path).await;
    assert_eq!(after.text("#stats"), "Saved by 1 learner · rated 5.0 of 5");
    assert_eq!(
        after.texts("#stats").len(),
        1,
        "one stats line on the full page"
    );
}

#[tokio::test]
async fn a_large_catalog_s_sitemap_is_split_into_pages_and_sent_gzipped_to_crawlers() {
    let app = spawn_app().await;
    let page_size = kaiwa::app::system::SITEMAP_PAGE;
    let columns = "title, description, role, difficulty, difficulty_rating, cefr_level, \
        instructions, context, learning_goal, cefr_recommendation, persona, expected_outcome, \
        learning_objectives, comfort_indicators, categories, tags, primary_skill, \
        search_keywords, thumbnail_url, estimated_duration_seconds, created_by_user_id, \
        visibility, usage_count, is_active, created_at, updated_at, search_title, search_body";
    // why: one statement on either backend; the copies sort after every seeded scenario.
    diesel::sql_query(format!(
        "INSERT INTO scenarios (id, {columns}) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {page_size}) \
         SELECT 'zz-copy-' || n.i, {columns} FROM n, \
         (SELECT * FROM scenarios WHERE id = 'ordering-ramen-osaka') s"
    ))
    .execute(&mut app.conn())
    .unwrap();
    let public = public_count(&app, |_| true);
    assert!(public > page_size as usize);
    // why: the copy with the greatest id is the last scenario, on the second page.
    let changed = chrono::NaiveDate::from_ymd_opt(2031, 5, 6)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap();
    diesel::update(scenarios::table.find("zz-copy-99"))
        .set(scenarios::updated_at.eq(changed))
        .execute(&mut app.conn())
        .unwrap();

    let index = app.get("/sitemap.xml").await.text().await.unwrap();
    assert!(index.contains(
        "<loc>http://127.0.0.1/sitemaps/scenarios-2.xml</loc><lastmod>2031-05-06</lastmod>"
    ));
    assert!(!index.contains("scenarios-1.xml</loc><lastmod>2031"));
    assert!(!index.contains("scenarios-3.xml"));
    let mut listed = 0;
    for n in 1..=2 {
        let xml = app
            .get(&format!("/sitemaps/scenarios-{n}.xml"))
            .await
            .text()
            .await
            .unwrap();
        let locs = xml.matches("<loc>http://127.0.0.1/scenarios/").count();
        assert!(locs <= page_size as usize, "page {n} holds {locs}");
        listed += locs;
    }
    assert_eq!(listed, public, "every public scenario is on one page");
    assert_eq!(app.get("/sitemaps/scenarios-3.xml").await.status(), 404);

    let plain = app.get("/sitemaps/scenarios-1.xml").await;
    let plain_etag = plain.headers()["etag"].to_str().unwrap().to_owned();
    let plain = plain.text().await.unwrap();
    let client = reqwest::Client::new();
    let crawl = |headers: &[(&'static str, String)]| {
        let mut req = client.get(app.url("/sitemaps/scenarios-1.xml"));
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        req.send()
    };
    let res = crawl(&[("Accept-Encoding", "gzip, deflate, br".into())])
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-encoding"], "gzip");
    assert_eq!(res.headers()["vary"], "Accept-Encoding");
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(etag, plain_etag, "each encoding has its own strong ETag");
    let body = res.bytes().await.unwrap();
    assert!(
        body.len() * 5 < plain.len(),
        "{} of {}",
        body.len(),
        plain.len()
    );
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&body[..]), &mut text).unwrap();
    assert_eq!(text, plain);
    let again = crawl(&[("Accept-Encoding", "gzip".into()), ("If-None-Match", etag)]);
    assert_eq!(again.await.unwrap().status(), 304);
    let refused = crawl(&[("Accept-Encoding", "gzip;q=0, identity".into())]);
    let refused = refused.await.unwrap();
    assert!(refused.headers().get("content-encoding").is_none());
    assert_eq!(refused.text().await.unwrap(), plain);
}
