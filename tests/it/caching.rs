//! HTTP caching: public pages served to a visitor without a session set no cookie, may be
//! cached publicly and answer `If-None-Match` with 304; anything personal stays
//! `private, no-store`; a browser with a session gets a new cookie only when it changed.

use crate::helpers::spawn_app;

const PUBLIC: [&str; 4] = [
    "/",
    "/scenarios",
    "/scenarios?q=ramen&difficulty=beginner",
    "/scenarios/ordering-ramen-osaka",
];

#[tokio::test]
async fn public_pages_are_cacheable_and_revalidate_with_304() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    for path in PUBLIC {
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
        assert!(
            etag.starts_with('"') && etag.len() > 20,
            "{path}: a strong ETag {etag}"
        );
        let body = res.text().await.unwrap();
        assert!(
            !body.contains("csrf_token"),
            "{path}: nothing personal in it"
        );

        let again = client
            .get(app.url(path))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(again.headers()["etag"], etag.as_str());
        assert!(again.headers().contains_key("content-security-policy"));
        assert!(again.text().await.unwrap().is_empty());

        let stale = client
            .get(app.url(path))
            .header("If-None-Match", "\"not-this-one\"")
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), 200, "{path}: another tag gets the page");
    }
    // The htmx fragment of the catalog is public too, with its own tag.
    let page = client.get(app.url("/scenarios")).send().await.unwrap();
    let fragment = client
        .get(app.url("/scenarios"))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(fragment.status(), 200);
    assert_ne!(fragment.headers()["etag"], page.headers()["etag"]);
    assert!(fragment.headers()["vary"]
        .to_str()
        .unwrap()
        .contains("HX-Request"));
}

#[tokio::test]
async fn personal_pages_and_forms_are_never_public() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    // A page with a form gets its token in a session cookie, privately.
    let login = client.get(app.url("/login")).send().await.unwrap();
    assert!(login.headers().get("set-cookie").is_some());
    assert!(login.headers().get("etag").is_none());
    assert!(login.headers()["cache-control"]
        .to_str()
        .unwrap()
        .starts_with("private"));
    // Signed in, the public pages are the learner's own.
    let learner = app.learner().onboarded("ja").create().await;
    for path in PUBLIC {
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
async fn a_session_cookie_is_sent_again_only_when_it_changed() {
    let app = spawn_app().await;
    let learner = app.learner().onboarded("ja").create().await;
    // The first page with a form makes the CSRF token; after that, pages change nothing.
    learner.browser.get("/scenarios").await;
    for path in ["/scenarios", "/", "/conversations", "/account"] {
        let res = learner.browser.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert!(
            res.headers().get("set-cookie").is_none(),
            "{path}: {:?}",
            res.headers().get("set-cookie")
        );
    }
}

/// The form a creator sends for a new public scenario titled `title`.
fn public_draft(title: &str) -> Vec<(&str, &str)> {
    vec![
        ("title", title),
        ("description", "Returning a jacket whose zip broke."),
        ("role", "character"),
        ("difficulty", "intermediate"),
        ("cefr_level", "B1"),
        ("primary_skill", "speaking"),
        ("visibility", "public"),
        ("context", "A shop counter on a Saturday."),
        ("persona_title", "Shop assistant"),
        ("persona_setting", "A department store in Lyon"),
        ("persona_intro", "Bonjour, je peux vous aider ?"),
        ("expected_outcome", "A refund or an exchange."),
        ("objectives", "Explain a problem\nAsk for a refund"),
        ("categories", "shopping"),
        ("tags", "returns"),
        ("estimated_minutes", "8"),
    ]
}

#[tokio::test]
async fn an_anonymous_page_is_rendered_once_a_minute_and_again_as_soon_as_the_catalog_changes() {
    let app = spawn_app().await;
    let queries = || kaiwa::db::conn::query_count(&app.db.target);
    let client = reqwest::Client::new();
    let get = |path: &'static str| {
        let (client, url) = (client.clone(), app.url(path));
        async move { client.get(url).send().await.unwrap() }
    };
    let path = "/scenarios?q=zipper";
    let first = get(path).await.text().await.unwrap();
    assert!(!first.contains("Mending a zipper"));
    let before = queries();
    let again = get(path).await;
    let etag = again.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(again.text().await.unwrap(), first);
    assert_eq!(
        queries() - before,
        0,
        "the second visitor is served the kept page"
    );

    // A visitor with a cookie gets the page rendered for them.
    let before = queries();
    let with_cookie = client
        .get(app.url(path))
        .header("Cookie", "kaiwa_guest=0190a3f0-0000-7000-8000-000000000000")
        .send()
        .await
        .unwrap();
    assert_eq!(with_cookie.status(), 200);
    assert!(queries() > before, "not from the cache");

    // A kept page's tag still answers 304.
    let revalidated = client
        .get(app.url(path))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), 304);
    assert!(revalidated
        .headers()
        .contains_key("content-security-policy"));

    // A creator publishes: anonymous visitors see it at once, not a minute later.
    let uid = app.create_user("ana@example.com");
    let res = app
        .browser_for(&uid)
        .post_form("/scenarios", &public_draft("Mending a zipper"))
        .await;
    assert_eq!(res.status(), 303);
    let fresh = get(path).await;
    assert_ne!(fresh.headers()["etag"].to_str().unwrap(), etag);
    assert!(fresh.text().await.unwrap().contains("Mending a zipper"));

    // Without changes, a kept page is rendered again after a minute.
    let before = queries();
    get(path).await;
    assert_eq!(queries() - before, 0);
    app.clock.advance(chrono::Duration::seconds(61));
    get(path).await;
    assert!(queries() > before, "a minute later it is read again");
}
