//! The web shell: home page, scenario links, health and readiness, static assets, error
//! pages and the headers every response carries.

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_home_page_shows_languages_featured_scenarios_and_pricing() {
    let app = spawn_app().await;
    let page = app.get_html("/").await;
    assert_eq!(page.status, 200);
    assert!(page.text("h1").contains("Practise real conversations"));
    assert_eq!(
        page.attrs("link[rel=canonical]", "href"),
        vec!["http://127.0.0.1/"]
    );

    let languages = page.texts(".languages .native");
    assert!(languages.len() >= 12, "{languages:?}");
    for native in ["日本語", "Español", "한국어", "العربية", "हिन्दी"] {
        assert!(
            languages.iter().any(|l| l == native),
            "{native} missing from {languages:?}"
        );
    }

    let prices = page.texts("#pricing .price");
    assert_eq!(prices, vec!["Free", "$29 / month", "$99 / month"]);
    let free = page.texts("#pricing .tier:first-child li");
    assert!(
        free.contains(&"15 min of conversation a month".to_owned()),
        "{free:?}"
    );
    assert!(
        free.contains(&"Sessions up to 4 min".to_owned()),
        "{free:?}"
    );
}

#[tokio::test]
async fn every_featured_scenario_link_leads_to_its_page() {
    let app = spawn_app().await;
    let page = app.get_html("/").await;
    let links = page.attrs(".cards .card h3 a", "href");
    assert!(links.len() >= 4, "{links:?}");
    let titles = page.texts(".cards .card h3 a");
    for (link, title) in links.iter().zip(titles) {
        let scenario = app.get_html(link).await;
        assert_eq!(scenario.status, 200, "{link}");
        assert_eq!(scenario.text("h1"), title);
        assert!(
            !scenario.texts(".objectives li").is_empty(),
            "{link} lists objectives"
        );
        assert_eq!(scenario.attrs("link[rel=canonical]", "href").len(), 1);
    }
}

#[tokio::test]
async fn the_catalog_pages_through_every_public_scenario() {
    let app = spawn_app().await;
    let first = app.get_html("/scenarios").await;
    assert_eq!(first.status, 200);
    let mut seen = first.attrs(".card h3 a", "href");
    let next = first.attrs("a[rel=next]", "href");
    assert_eq!(next, vec!["/scenarios?page=2"]);
    let mut page = 2;
    loop {
        let more = app.get_html(&format!("/scenarios?page={page}")).await;
        let links = more.attrs(".card h3 a", "href");
        if links.is_empty() {
            assert!(more.text(".empty").contains("No scenarios"));
            break;
        }
        seen.extend(links);
        page += 1;
    }
    seen.sort();
    seen.dedup();
    assert!(seen.len() >= 40, "{} distinct scenarios", seen.len());
}

#[tokio::test]
async fn an_unknown_scenario_or_path_gets_the_404_page() {
    let app = spawn_app().await;
    for path in ["/scenarios/no-such-scenario", "/definitely/not/here"] {
        let page = app.get_html(path).await;
        assert_eq!(page.status, 404, "{path}");
        assert_eq!(page.text("h1"), "Page not found");
        assert_eq!(
            page.header("content-type"),
            Some("text/html; charset=utf-8")
        );
    }
}

#[tokio::test]
async fn health_and_readiness_answer_with_the_backend_in_use() {
    let app = spawn_app().await;
    let health = app.get("/health").await;
    assert_eq!(health.status(), 200);
    let body: serde_json::Value = health.json().await.unwrap();
    assert_eq!(body["status"], "ok");

    let ready = app.get("/ready").await;
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    let expected = if app.db.is_postgres() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(body["database"], expected);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in ["/", "/scenarios", "/nope", "/static/css/app.css", "/health"] {
        let res = app.get(path).await;
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'self'"),
            "{path}"
        );
        assert!(h.contains_key("referrer-policy"), "{path}");
        assert!(h.contains_key("x-request-id"), "{path}");
    }
}

#[tokio::test]
async fn static_assets_are_embedded_cached_and_revalidated() {
    let app = spawn_app().await;
    let res = app.get("/static/vendor/htmx.min.js").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("javascript"));
    assert!(res.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age="));
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    assert!(res.text().await.unwrap().contains("htmx"));

    let again = app
        .client
        .get(app.url("/static/vendor/htmx.min.js"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    let css = app.get("/static/css/app.css").await;
    assert!(css.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    assert_eq!(app.get("/static/../Cargo.toml").await.status(), 404);
    assert_eq!(app.get("/static/missing.js").await.status(), 404);
}

#[tokio::test]
async fn pages_link_their_stylesheet_and_htmx_and_have_one_main_heading() {
    let app = spawn_app().await;
    for path in ["/", "/scenarios", "/nope"] {
        let page = app.get_html(path).await;
        assert_eq!(page.texts("h1").len(), 1, "{path}");
        let css = page.attrs("link[rel=stylesheet]", "href");
        assert_eq!(css.len(), 1);
        assert!(css[0].starts_with("/static/css/app.css?v="), "{css:?}");
        let scripts = page.attrs("script[src]", "src");
        assert_eq!(scripts.len(), 1);
        assert!(
            scripts[0].starts_with("/static/vendor/htmx.min.js?v="),
            "{scripts:?}"
        );
        // A URL versioned by the content's hash is cached for a year.
        for url in [&css[0], &scripts[0]] {
            let res = app.get(url).await;
            assert_eq!(res.status(), 200, "{url}");
            assert_eq!(
                res.headers()["cache-control"],
                "public, max-age=31536000, immutable"
            );
        }
        assert_eq!(page.attrs("a.skip-link", "href"), vec!["#main"]);
        assert!(!page.text("title").is_empty());
    }
}

#[tokio::test]
async fn a_server_error_page_shows_the_request_id_of_its_log_line() {
    let app = spawn_app().await;
    // Break the catalog on purpose: its page now fails with a 500.
    diesel::RunQueryDsl::execute(
        diesel::sql_query("DROP TABLE scenario_metadata CASCADE".replace(
            " CASCADE",
            if app.db.is_postgres() { " CASCADE" } else { "" },
        )),
        &mut app.conn(),
    )
    .unwrap();
    let res = app.get("/scenarios").await;
    assert_eq!(res.status(), 500);
    let header = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    let page = scraper::Html::parse_document(&res.text().await.unwrap());
    let shown: String = page
        .select(&scraper::Selector::parse(".request-id code").unwrap())
        .flat_map(|e| e.text())
        .collect();
    assert_eq!(
        shown, header,
        "the page names the id the log and the header carry"
    );
}

#[tokio::test]
async fn an_htmx_request_gets_its_error_as_a_fragment_for_the_error_slot() {
    let app = spawn_app().await;
    let page = app.get_html("/scenarios").await;
    assert_eq!(
        page.texts("#htmx-error").len(),
        1,
        "every page has the slot"
    );
    let res = app
        .client
        .get(app.url("/conversations/no-such-conversation"))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["hx-retarget"], "#htmx-error");
    assert_eq!(res.headers()["hx-reswap"], "outerHTML");
    let fragment = scraper::Html::parse_fragment(&res.text().await.unwrap());
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    assert_eq!(fragment.select(&sel("#htmx-error[role=alert]")).count(), 1);
    assert_eq!(
        fragment.select(&sel("h1, nav, footer")).count(),
        0,
        "no page around it"
    );
    let text: String = fragment
        .select(&sel("#htmx-error"))
        .flat_map(|e| e.text())
        .collect();
    assert!(text.contains("couldn't find"), "{text}");
    // The same address without htmx is the whole error page.
    let full = app.get_html("/conversations/no-such-conversation").await;
    assert_eq!(full.status, 404);
    assert_eq!(full.text("h1"), "Page not found");
    assert_eq!(
        full.texts("#htmx-error").len(),
        1,
        "one element with the slot's id"
    );
}

#[tokio::test]
async fn the_site_has_an_icon_and_favicon_ico_leads_to_it() {
    let app = spawn_app().await;
    let page = app.get_html("/").await;
    let icon = page.attrs("link[rel=icon]", "href");
    assert_eq!(icon.len(), 1);
    assert!(icon[0].starts_with("/static/favicon.svg?v="), "{icon:?}");
    let res = app.get("/favicon.ico").await;
    assert_eq!(res.status(), 301);
    assert_eq!(res.headers()["location"], "/static/favicon.svg");
    let svg = app.get("/static/favicon.svg").await;
    assert_eq!(svg.status(), 200);
    assert!(svg.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("image/svg+xml"));
}

#[tokio::test]
async fn htmx_attributes_are_written_as_valid_data_attributes() {
    let app = spawn_app().await;
    let learner = app.learner().onboarded("ja").create().await;
    let conversation = app.conversation(&learner).create().await;
    for path in [
        "/".to_owned(),
        "/scenarios".to_owned(),
        "/scenarios/ordering-ramen-osaka".to_owned(),
        "/onboarding".to_owned(),
        "/settings".to_owned(),
        format!("/conversations/{conversation}"),
    ] {
        let page = learner.browser.get_html(&path).await;
        assert_eq!(page.status, 200, "{path}");
        let sel = scraper::Selector::parse("*").unwrap();
        let bare: Vec<String> = page
            .html
            .select(&sel)
            .flat_map(|e| e.value().attrs().map(|(name, _)| name.to_owned()))
            .filter(|name| name.starts_with("hx-"))
            .collect();
        assert!(bare.is_empty(), "{path}: {bare:?}");
        let data_hx = page
            .html
            .select(&sel)
            .flat_map(|e| e.value().attrs().map(|(name, _)| name.to_owned()))
            .filter(|name| name.starts_with("data-hx-"))
            .count();
        assert!(data_hx > 0, "{path} uses htmx");
    }
}
