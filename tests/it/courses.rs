//! Public courses: `/courses` lists public path templates by language, level and category;
//! `/courses/{slug}` shows one (who it suits, the syllabus by week) with a canonical URL,
//! OpenGraph tags and schema.org JSON-LD, cached like the other public pages; an unpublished
//! course is gone (410); the sitemap lists them; Start makes a preview of the template's days.

use diesel::prelude::*;
use kaiwa::app::paths::planner::{self, Schedule};
use kaiwa::app::Clock;
use kaiwa::db::json::{PathMetadata, ScheduleDay};
use kaiwa::db::models::NewLearningPath;
use kaiwa::db::schema::learning_paths;
use kaiwa::db::types::{CefrLevel, ChallengePreference, Json, LearningGoal, PathStatus};

use crate::helpers::{spawn_app, Page, TestApp};

/// A template row to insert, in the shape creators' publishing makes.
pub struct Template {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub language: &'static str,
    pub level: CefrLevel,
    pub category: &'static str,
    pub minutes: u16,
    pub public: bool,
    pub status: PathStatus,
    /// The creator's user id, if one is set.
    pub creator: Option<String>,
}

impl Template {
    /// A public, active course in Japanese at A2 about food, 20 minutes a day.
    pub fn new(slug: &str, title: &str) -> Self {
        Template {
            slug: slug.to_owned(),
            title: title.to_owned(),
            description: format!("Four weeks of {title}: short conversations every day."),
            language: "ja",
            level: CefrLevel::A2,
            category: "food",
            minutes: 20,
            public: true,
            status: PathStatus::Active,
            creator: None,
        }
    }

    pub fn language(mut self, language: &'static str) -> Self {
        self.language = language;
        self
    }

    pub fn level(mut self, level: CefrLevel) -> Self {
        self.level = level;
        self
    }

    pub fn category(mut self, category: &'static str) -> Self {
        self.category = category;
        self
    }

    pub fn unpublished(mut self) -> Self {
        self.public = false;
        self
    }

    /// Inserts the row (its plan made by the planner for a learner at its level) and
    /// returns the plan.
    pub fn insert(self, app: &TestApp) -> Schedule {
        let mut learner = planner::Learner::new(
            self.language,
            self.level,
            ChallengePreference::Challenging,
            LearningGoal::Travel,
        );
        learner.minutes_per_day = self.minutes;
        let schedule = planner::plan(&learner, None, &[]);
        let summary: Vec<ScheduleDay> = schedule
            .days
            .iter()
            .map(|d| ScheduleDay {
                day_index: i32::from(d.index),
                theme: d.theme.clone(),
                description: d.objectives.join(" "),
                difficulty: d.demand.as_str().to_owned(),
                scenario_id: None,
            })
            .collect();
        let now = app.clock.naive();
        let row = NewLearningPath {
            id: kaiwa::db::new_id(),
            user_id: self.creator.clone(),
            title: self.title,
            description: self.description,
            target_language: self.language.to_owned(),
            schedule: Json(summary),
            is_template: true,
            is_public: self.public,
            share_slug: Some(self.slug),
            status: self.status,
            created_by_user_id: self.creator,
            metadata: Json(PathMetadata {
                cefr_level: Some(self.level.as_str().to_owned()),
                primary_skill: Some("speaking".into()),
                estimated_minutes_per_day: Some(i32::from(self.minutes)),
                category: Some(self.category.to_owned()),
                tags: vec!["izakaya".into(), "menus".into()],
                plan: Some(kaiwa::db::json::RawJson::of(&schedule).unwrap()),
                published_template_id: None,
            }),
            created_at: now,
            updated_at: now,
        };
        kaiwa::db::queries::paths::insert_path(&mut app.conn(), &row).unwrap();
        schedule
    }
}

/// The absolute URL of `path` as the site names itself (canonical links, sitemaps).
fn site(app: &TestApp, path: &str) -> String {
    format!("{}{path}", app.ctx.settings.base_url)
}

fn themes(schedule: &Schedule) -> Vec<String> {
    schedule.days.iter().map(|d| d.theme.clone()).collect()
}

/// The page's JSON-LD documents, parsed.
fn json_ld(page: &Page) -> Vec<serde_json::Value> {
    let sel = scraper::Selector::parse(r#"script[type="application/ld+json"]"#).unwrap();
    page.html
        .select(&sel)
        .map(|s| serde_json::from_str(&s.inner_html()).expect("JSON-LD parses"))
        .collect()
}

fn meta(page: &Page, property: &str) -> String {
    page.attrs(&format!(r#"meta[property="{property}"]"#), "content")
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no {property}"))
}

#[tokio::test]
async fn the_listing_shows_public_courses_only_filtered_by_language_level_and_category() {
    let app = without_seeded_courses(spawn_app().await);
    Template::new("osaka-food", "Eating out in Osaka").insert(&app);
    Template::new("madrid-trip", "A week in Madrid")
        .language("es")
        .level(CefrLevel::B1)
        .category("travel")
        .insert(&app);
    Template::new("kyoto-trip", "Travelling around Kyoto")
        .level(CefrLevel::B1)
        .category("travel")
        .insert(&app);
    Template::new("taken-down", "Taken down")
        .unpublished()
        .insert(&app);
    let mut archived = Template::new("archived", "Archived course");
    archived.status = PathStatus::Archived;
    archived.insert(&app);
    // A learner's own path is no course.
    let learner = app.learner().onboarded("ja").create().await;
    crate::paths::open_and_committed(&learner.browser).await;

    let visitor = app.new_browser();
    let page = visitor.get_html("/courses").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.text("h1"), "Courses");
    assert_eq!(
        page.texts(".course-card h3"),
        [
            "A week in Madrid",
            "Eating out in Osaka",
            "Travelling around Kyoto"
        ],
        "public courses by title"
    );
    assert_eq!(page.text("#results-heading"), "3 courses");
    assert_eq!(
        page.attrs(".course-card h3 a", "href"),
        [
            "/courses/madrid-trip",
            "/courses/osaka-food",
            "/courses/kyoto-trip"
        ]
    );
    let osaka = &page.texts(".course-card")[1];
    for text in [
        "Japanese",
        "A2",
        "20 min a day",
        "Food",
        "Four weeks of Eating out in Osaka",
    ] {
        assert!(osaka.contains(text), "{text} in {osaka}");
    }
    for label in ["Language", "Level", "Category"] {
        assert!(page.text("form.catalog-filters").contains(label));
    }

    let titles = |path: &'static str| {
        let b = &visitor;
        async move { b.get_html(path).await.texts(".course-card h3") }
    };
    assert_eq!(
        titles("/courses?language=ja").await,
        ["Eating out in Osaka", "Travelling around Kyoto"]
    );
    assert_eq!(
        titles("/courses?level=B1").await,
        ["A week in Madrid", "Travelling around Kyoto"]
    );
    assert_eq!(
        titles("/courses?language=ja&category=travel").await,
        ["Travelling around Kyoto"]
    );
    assert_eq!(
        titles("/courses?level=Z9&category=").await.len(),
        3,
        "an unknown level is ignored"
    );
    let none = visitor.get_html("/courses?language=fr").await;
    assert_eq!(none.text("#results-heading"), "0 courses");
    assert_eq!(none.attrs(".empty a.button", "href"), ["/courses"]);
    let selected = visitor
        .get_html("/courses?language=ja&level=B1")
        .await
        .attrs("option[selected]", "value");
    assert_eq!(selected, ["ja", "B1"], "the choice is marked");

    // htmx gets the results only.
    let fragment = visitor.htmx_get("/courses?language=es").await;
    assert_eq!(fragment.status(), 200);
    assert!(fragment.headers()["vary"]
        .to_str()
        .unwrap()
        .contains("HX-Request"));
    let body = fragment.text().await.unwrap();
    assert!(body.contains("A week in Madrid") && !body.contains("Eating out in Osaka"));
    assert!(!body.contains("<h1") && !body.contains("<html"));
}

#[tokio::test]
async fn the_listing_is_paginated() {
    let app = without_seeded_courses(spawn_app().await);
    for n in 0..26 {
        Template::new(&format!("course-{n:02}"), &format!("Course {n:02}")).insert(&app);
    }
    let b = app.new_browser();
    let first = b.get_html("/courses").await;
    assert_eq!(first.texts(".course-card").len(), 24);
    assert_eq!(first.text("#results-heading"), "26 courses");
    assert_eq!(first.attrs("a[rel=next]", "href"), ["/courses?page=2"]);
    let second = b.get_html("/courses?page=2").await;
    assert_eq!(second.texts(".course-card h3"), ["Course 24", "Course 25"]);
    assert_eq!(second.attrs("a[rel=prev]", "href"), ["/courses"]);
    assert_eq!(
        second.attrs(r#"link[rel="canonical"]"#, "href"),
        [site(&app, "/courses?page=2")]
    );
    assert!(b
        .get_html("/courses?page=99")
        .await
        .texts(".course-card")
        .is_empty());
}

#[tokio::test]
async fn a_course_page_says_who_it_suits_and_shows_the_syllabus_by_week_and_nothing_personal() {
    let app = without_seeded_courses(spawn_app().await);
    let creator = app.create_user("creator-secret@example.com");
    diesel::update(kaiwa::db::schema::users::table.find(&creator))
        .set(kaiwa::db::schema::users::display_name.eq(Some("Secret Creator")))
        .execute(&mut app.conn())
        .unwrap();
    let mut template = Template::new("osaka-food", "Eating out in Osaka");
    template.creator = Some(creator.clone());
    let schedule = template.insert(&app);
    let res = app.new_browser().get("/courses/osaka-food").await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    for secret in ["creator-secret", "Secret Creator", creator.as_str()] {
        assert!(
            !body.contains(secret),
            "nothing about the creator: {secret}"
        );
    }
    let page = Page {
        status: reqwest::StatusCode::OK,
        headers: Default::default(),
        html: scraper::Html::parse_document(&body),
    };
    assert_eq!(page.text("h1"), "Eating out in Osaka");
    assert!(page.text(".lead").contains("short conversations every day"));
    let facts = page.text(".course-facts");
    for text in [
        "Japanese",
        "A2 (elementary)",
        "Food",
        "20 minutes a day for 28 days",
        "Speaking",
    ] {
        assert!(facts.contains(text), "{text} in {facts}");
    }
    assert_eq!(
        page.texts(".week h3"),
        [
            "Week 1 supportive",
            "Week 2 realistic",
            "Week 3 challenging",
            "Week 4 mastery"
        ]
    );
    assert_eq!(page.texts("li.day .day-theme"), themes(&schedule));
    assert_eq!(page.texts("li.day").len(), 28);
    assert_eq!(page.text("#day-6 .day-kind"), "Review");
    assert_eq!(page.text("#day-28 .day-kind"), "Capstone");
    assert_eq!(
        page.texts("#day-1 .objectives li"),
        schedule.days[0].objectives,
        "each day's objectives"
    );
    assert_eq!(
        page.texts(".breadcrumbs li"),
        ["Home", "Courses", "Eating out in Osaka"]
    );

    let url = site(&app, "/courses/osaka-food");
    assert_eq!(
        page.attrs(r#"link[rel="canonical"]"#, "href"),
        [url.as_str()]
    );
    assert_eq!(meta(&page, "og:url"), url);
    assert_eq!(meta(&page, "og:title"), "Eating out in Osaka — Kaiwa");
    assert!(meta(&page, "og:description").starts_with("Four weeks of Eating out in Osaka"));
    assert_eq!(meta(&page, "og:type"), "website");
    assert_eq!(
        page.attrs("form.start-course", "action"),
        ["/courses/osaka-food/start", "/courses/osaka-food/start"]
    );
    assert_eq!(
        page.attrs("form.start-course", "method"),
        ["get", "get"],
        "a public page carries no token: its button asks for the form"
    );
}

#[tokio::test]
async fn a_course_page_describes_the_course_and_its_breadcrumbs_in_json_ld() {
    let app = without_seeded_courses(spawn_app().await);
    Template::new("osaka-food", "Eating out in Osaka").insert(&app);
    let page = app.new_browser().get_html("/courses/osaka-food").await;
    let docs = json_ld(&page);
    assert_eq!(docs.len(), 2);
    let course = docs
        .iter()
        .find(|d| d["@type"] == "Course")
        .expect("a Course");
    let url = site(&app, "/courses/osaka-food");
    assert_eq!(course["@context"], "https://schema.org");
    assert_eq!(course["name"], "Eating out in Osaka");
    assert_eq!(
        course["description"],
        "Four weeks of Eating out in Osaka: short conversations every day."
    );
    assert_eq!(course["url"], url.as_str());
    assert_eq!(course["inLanguage"], "ja");
    assert_eq!(course["educationalLevel"], "A2");
    assert_eq!(course["timeRequired"], "PT9H20M", "20 minutes × 28 days");
    for who in ["provider", "publisher"] {
        assert_eq!(course[who]["@type"], "Organization", "{who}");
        assert_eq!(course[who]["name"], "Kaiwa", "{who}");
        assert_eq!(course[who]["url"], site(&app, "/").as_str(), "{who}");
    }
    let instance = &course["hasCourseInstance"];
    assert_eq!(instance["@type"], "CourseInstance");
    assert_eq!(instance["courseMode"], "online");
    assert_eq!(instance["courseWorkload"], "PT9H20M");
    assert_eq!(instance["courseSchedule"]["duration"], "PT20M");
    assert_eq!(instance["courseSchedule"]["repeatCount"], 28);

    let crumbs = docs
        .iter()
        .find(|d| d["@type"] == "BreadcrumbList")
        .expect("a BreadcrumbList");
    let items = crumbs["itemListElement"].as_array().unwrap();
    let trail: Vec<(i64, &str, &str)> = items
        .iter()
        .map(|i| {
            assert_eq!(i["@type"], "ListItem");
            (
                i["position"].as_i64().unwrap(),
                i["name"].as_str().unwrap(),
                i["item"].as_str().unwrap(),
            )
        })
        .collect();
    let (home, courses) = (site(&app, "/"), site(&app, "/courses"));
    assert_eq!(
        trail,
        [
            (1, "Home", home.as_str()),
            (2, "Courses", courses.as_str()),
            (3, "Eating out in Osaka", url.as_str())
        ]
    );
}

#[tokio::test]
async fn markup_in_a_course_title_is_escaped_in_the_page_and_in_its_json_ld() {
    let app = without_seeded_courses(spawn_app().await);
    let title = "Tapas </script><b>x";
    Template::new("tapas", title).insert(&app);
    for path in ["/courses/tapas", "/courses"] {
        let res = app.new_browser().get(path).await;
        let body = res.text().await.unwrap();
        assert!(!body.contains("</script><b>x"), "{path}: escaped");
        let page = Page {
            status: reqwest::StatusCode::OK,
            headers: Default::default(),
            html: scraper::Html::parse_document(&body),
        };
        assert!(
            page.texts("main b").is_empty(),
            "{path}: no element injected"
        );
        if path == "/courses" {
            assert_eq!(page.text(".course-card h3"), title);
            continue;
        }
        assert_eq!(page.text("h1"), title);
        assert!(body.contains(r"Tapas \u003c/script\u003e\u003cb\u003ex"));
        let docs = json_ld(&page);
        assert_eq!(docs.len(), 2, "both scripts are whole");
        assert_eq!(docs[0]["name"], title, "the JSON reads back the same");
        assert_eq!(docs[1]["itemListElement"][2]["name"], title);
    }
}

#[tokio::test]
async fn course_pages_are_public_revalidate_with_304_and_are_private_when_signed_in() {
    let app = without_seeded_courses(spawn_app().await);
    Template::new("osaka-food", "Eating out in Osaka").insert(&app);
    let client = reqwest::Client::new();
    let paths = [
        "/courses",
        "/courses?language=ja&level=A2",
        "/courses/osaka-food",
    ];
    for path in paths {
        let res = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert!(
            res.headers().get("set-cookie").is_none(),
            "{path}: no cookie"
        );
        assert_eq!(
            res.headers()["cache-control"],
            "public, max-age=60, stale-while-revalidate=600",
            "{path}"
        );
        assert!(res.headers()["vary"].to_str().unwrap().contains("Cookie"));
        let etag = res.headers()["etag"].to_str().unwrap().to_owned();
        assert!(etag.starts_with('"') && etag.len() > 20, "{path}: {etag}");
        assert!(!res.text().await.unwrap().contains("csrf_token"), "{path}");
        let again = client
            .get(app.url(path))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(again.headers()["etag"], etag.as_str());
        assert!(again.headers().get("set-cookie").is_none());
    }
    let learner = app.learner().onboarded("ja").create().await;
    for path in paths {
        let res = learner.browser.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(
            res.headers()["cache-control"],
            "private, no-store",
            "{path}"
        );
        assert!(res.headers().get("etag").is_none(), "{path}");
    }
}

#[tokio::test]
async fn an_unpublished_course_is_gone_and_an_unknown_one_is_not_found() {
    let app = without_seeded_courses(spawn_app().await);
    Template::new("taken-down", "Taken down")
        .unpublished()
        .insert(&app);
    let mut archived = Template::new("archived", "Archived course");
    archived.status = PathStatus::Archived;
    archived.insert(&app);
    let visitor = app.new_browser();
    for path in ["/courses/taken-down", "/courses/archived"] {
        let page = visitor.get_html(path).await;
        assert_eq!(page.status, 410, "{path}");
        assert!(page.text("h1").contains("no longer published"));
        assert!(page
            .attrs("main a.button", "href")
            .contains(&"/courses".to_owned()));
        assert_eq!(page.attrs(r#"meta[name="robots"]"#, "content"), ["noindex"]);
    }
    assert_eq!(visitor.get("/courses/no-such-course").await.status(), 404);
    assert_eq!(
        visitor.get("/courses/no-such-course/start").await.status(),
        404
    );
    assert_eq!(visitor.get("/courses/taken-down/start").await.status(), 410);

    let learner = app.learner().onboarded("ja").create().await;
    let res = learner
        .browser
        .post_form("/courses/taken-down/start", &[])
        .await;
    assert_eq!(res.status(), 410, "starting it is refused the same way");
    let res = learner
        .browser
        .post_form("/courses/no-such-course/start", &[])
        .await;
    assert_eq!(res.status(), 404);
    let res = learner
        .browser
        .post_form(
            "/paths/previews",
            &[("source", "template"), ("template", "archived")],
        )
        .await;
    assert_eq!(res.status(), 404, "an archived template is no template");
    assert_eq!(
        app.get_html("/courses").await.text("#results-heading"),
        "0 courses"
    );
}

#[tokio::test]
async fn the_sitemap_lists_the_courses_with_their_last_change() {
    let app = without_seeded_courses(spawn_app().await);
    Template::new("osaka-food", "Eating out in Osaka").insert(&app);
    Template::new("taken-down", "Taken down")
        .unpublished()
        .insert(&app);
    let updated = chrono::NaiveDate::from_ymd_opt(2026, 11, 3)
        .unwrap()
        .and_hms_opt(9, 30, 0)
        .unwrap();
    diesel::update(learning_paths::table.filter(learning_paths::share_slug.eq("osaka-food")))
        .set(learning_paths::updated_at.eq(updated))
        .execute(&mut app.conn())
        .unwrap();
    let index = app.get("/sitemap.xml").await.text().await.unwrap();
    let courses = site(&app, "/sitemaps/courses-1.xml");
    assert!(
        index.contains(&format!(
            "<sitemap><loc>{courses}</loc><lastmod>2026-11-03</lastmod></sitemap>"
        )),
        "{index}"
    );
    let res = app.get("/sitemaps/courses-1.xml").await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["last-modified"],
        "Tue, 03 Nov 2026 09:30:00 GMT"
    );
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let body = res.text().await.unwrap();
    assert!(
        body.contains(&format!(
            "<url><loc>{}</loc><lastmod>2026-11-03</lastmod></url>",
            site(&app, "/courses/osaka-food")
        )),
        "{body}"
    );
    assert!(!body.contains("taken-down"), "only published courses");
    let again = app
        .client
        .get(app.url("/sitemaps/courses-1.xml"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    let site_xml = app.get("/sitemaps/site.xml").await.text().await.unwrap();
    assert!(site_xml.contains(&format!("<loc>{}</loc>", site(&app, "/courses"))));
    assert_eq!(app.get("/sitemaps/courses-2.xml").await.status(), 404);
}

#[tokio::test]
async fn a_guest_who_starts_a_course_onboards_first_then_gets_a_preview_of_its_days() {
    let app = without_seeded_courses(spawn_app().await);
    let schedule = Template::new("osaka-food", "Eating out in Osaka").insert(&app);
    let b = app.new_browser();
    let page = b.get_html("/courses/osaka-food").await;
    assert!(page.attrs("input[name=csrf_token]", "value").is_empty());
    let res = b.get("/courses/osaka-food/start").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/onboarding", "onboarding first");
    assert_eq!(b.get("/onboarding").await.status(), 200);
    let answered = b
        .post_form("/onboarding", &[("step", "language"), ("language", "es")])
        .await;
    assert_eq!(answered.status(), 303);

    // Back on the course, the page holds the visitor's token and starts the path at once.
    let page = b.get_html("/courses/osaka-food").await;
    assert_eq!(page.attrs("form.start-course", "method")[0], "post");
    assert_eq!(page.header("cache-control"), Some("private, no-store"));
    let res = b.post_form("/courses/osaka-food/start", &[]).await;
    assert_eq!(res.status(), 303);
    let preview = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(preview.starts_with("/paths/previews/"), "{preview}");
    let page = b.get_html(&preview).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.text("h1"), "Eating out in Osaka");
    assert_eq!(page.texts("li.day .day-theme"), themes(&schedule));
    assert!(page.text("main").contains("Sign in to start this path"));

    // A guest with a session but no preferences who posts goes to onboarding, and back here.
    let other = app.new_browser();
    let res = other.post_form("/courses/osaka-food/start", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/onboarding");
    assert!(res
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|c| c.to_str().unwrap().starts_with("kaiwa_guest=")));
}

#[tokio::test]
async fn a_signed_in_learner_starts_a_course_and_gets_a_preview_with_its_day_themes() {
    let app = without_seeded_courses(spawn_app().await);
    let schedule = Template::new("osaka-food", "Eating out in Osaka").insert(&app);
    let learner = app.learner().onboarded("es").create().await;
    let b = &learner.browser;
    let page = b.get_html("/courses/osaka-food").await;
    assert_eq!(page.attrs("form.start-course", "method"), ["post", "post"]);
    assert_eq!(
        b.get_html("/courses/osaka-food/start")
            .await
            .attrs("form[method=post]", "action")
            .last()
            .map(String::as_str),
        Some("/courses/osaka-food/start"),
        "the confirm page has the form too"
    );
    let res = b.post_form("/courses/osaka-food/start", &[]).await;
    assert_eq!(res.status(), 303);
    let preview = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(preview.starts_with("/paths/previews/"), "{preview}");
    let page = b.get_html(&preview).await;
    assert_eq!(page.text("h1"), "Eating out in Osaka");
    assert_eq!(page.texts("li.day .day-theme"), themes(&schedule));
    let language: String = kaiwa::db::schema::learning_path_previews::table
        .select(kaiwa::db::schema::learning_path_previews::target_language)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(language, "ja", "the course's language, not the learner's");
}

/// The app with the seed's public courses removed, so a test sees only the courses it made.
fn without_seeded_courses(app: crate::helpers::TestApp) -> crate::helpers::TestApp {
    use diesel::prelude::*;
    use kaiwa::db::schema::learning_paths;
    diesel::delete(
        learning_paths::table
            .filter(learning_paths::is_template.eq(true))
            .filter(learning_paths::created_by_user_id.is_null()),
    )
    .execute(&mut app.conn())
    .unwrap();
    app
}
