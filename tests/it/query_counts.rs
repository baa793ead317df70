//! How many queries a page costs, counted on the pool's connections (both databases):
//! at most 3 for a public page, 5 for a signed-in one. The `BEGIN` and `COMMIT` of a page's
//! read transaction (SQLite, `Db::page`) are not counted: they read nothing. To see them:
//! `RUST_LOG=kaiwa::db::queries=trace cargo test --test it query_counts -- --nocapture`.

use crate::helpers::{spawn_app, Browser, TestApp};

fn queries(app: &TestApp) -> u64 {
    kaiwa::db::conn::query_count(&app.db.target)
}

async fn count(app: &TestApp, b: &Browser, path: &str) -> u64 {
    // why: the first visit may make a CSRF token or warm a cache; measure the steady state.
    assert_eq!(b.get(path).await.status(), 200, "{path}");
    let before = queries(app);
    assert_eq!(b.get(path).await.status(), 200, "{path}");
    queries(app) - before
}

#[tokio::test]
async fn public_pages_take_at_most_three_queries_and_signed_in_ones_five() {
    let app = spawn_app().await;
    crate::courses::Template::new("osaka-food", "Eating out in Osaka").insert(&app);
    let visitor = app.new_browser();
    let mut report = Vec::new();
    for path in [
        "/",
        "/scenarios",
        "/scenarios?q=ramen",
        "/scenarios?category=food&cefr_level=A1",
        "/scenarios?sort=newest",
        "/scenarios/ordering-ramen-osaka",
        "/sitemap.xml",
        "/sitemaps/scenarios-1.xml",
        "/courses",
        "/courses?language=ja&level=A2&category=food",
        "/courses/osaka-food",
        "/sitemaps/courses-1.xml",
        "/pricing",
    ] {
        report.push((path.to_owned(), count(&app, &visitor, path).await, 3));
    }
    let learner = app.learner().onboarded("ja").create().await;
    let conversation = app.conversation(&learner).with_messages(50).create().await;
    let (preview, dashboard) = crate::paths::open_and_committed(&learner.browser).await;
    for path in [
        dashboard,
        preview,
        "/".to_owned(),
        "/scenarios".to_owned(),
        "/scenarios?q=ramen".to_owned(),
        "/scenarios/ordering-ramen-osaka".to_owned(),
        "/conversations".to_owned(),
        format!("/conversations/{conversation}"),
        "/account".to_owned(),
        "/me/scenarios".to_owned(),
        "/courses".to_owned(),
        "/courses?language=ja".to_owned(),
        "/courses/osaka-food".to_owned(),
        "/pricing".to_owned(),
        "/account/billing".to_owned(),
    ] {
        let n = count(&app, &learner.browser, &path).await;
        report.push((format!("{path} (signed in)"), n, 5));
    }
    // why: the figures are worth seeing (`-- --nocapture`), not only the ones over the bound.
    for (path, n, _) in &report {
        println!("{n} queries: {path}");
    }
    let over: Vec<String> = report
        .iter()
        .filter(|(_, n, most)| n > most)
        .map(|(p, n, most)| format!("{p}: {n} queries (at most {most})"))
        .collect();
    assert!(over.is_empty(), "{}", over.join("\n"));
}

#[tokio::test]
async fn course_pages_rendered_afresh_take_at_most_three_queries_and_then_none() {
    // why: with the page cache on, a repeated anonymous request costs nothing; this counts
    // what a render itself costs (what a visitor with cookies gets): the first one reads,
    // later ones render from the listing and the course kept for a minute.
    let app = crate::helpers::spawn_app_with(|s| {
        s.seed_on_start = true;
        s.page_cache_bytes = 0;
    })
    .await;
    crate::courses::Template::new("osaka-food", "Eating out in Osaka").insert(&app);
    let visitor = app.new_browser();
    for path in [
        "/courses",
        "/courses?language=ja&level=A2&category=food&page=1",
        "/courses/osaka-food",
    ] {
        let before = queries(&app);
        assert_eq!(visitor.get(path).await.status(), 200, "{path}");
        let first = queries(&app) - before;
        assert!(first <= 3, "{path}: {first} queries (at most 3)");
        assert!(first > 0, "{path}: the first render reads the database");
        let again = visitor.get(path).await;
        assert!(
            again.text().await.unwrap().contains("Eating out in Osaka"),
            "{path}"
        );
        assert_eq!(
            queries(&app) - before,
            first,
            "{path}: rendered again from what was kept"
        );
    }
}
