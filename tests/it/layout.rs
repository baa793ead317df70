//! Pages on a phone: every page a learner reaches, opened in headless Chromium at 390 px wide,
//! scrolls no wider than the viewport. Runs when `chromedriver` (Debian's `chromium-driver`)
//! is installed; otherwise it says it was skipped. CI installs it.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::spawn_app;

const WIDTH: u64 = 390;

struct Driver {
    child: Child,
    base: String,
    session: String,
    http: reqwest::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    async fn start() -> Option<Driver> {
        let binary = std::env::var("KAIWA_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let child = Command::new(&binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let started = Instant::now();
        while http.get(format!("{base}/status")).send().await.is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let chromium =
            std::env::var("KAIWA_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run",
                     "--window-size=500,900"],
            // why: desktop Chromium will not make a window narrower than 500 px; a phone's
            // metrics come from mobile emulation.
            "mobileEmulation": {"deviceMetrics": {"width": WIDTH, "height": 844, "pixelRatio": 3.0}},
        }}}});
        let res: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        let session = res["value"]["sessionId"].as_str()?.to_owned();
        Some(Driver {
            child,
            base,
            session,
            http,
        })
    }

    async fn call(&self, path: &str, body: Value) -> Value {
        self.http
            .post(format!("{}/session/{}/{path}", self.base, self.session))
            .json(&body)
            .send()
            .await
            .expect("chromedriver answers")
            .json()
            .await
            .expect("JSON")
    }

    async fn open(&self, url: &str) {
        self.call("url", json!({ "url": url })).await;
    }

    async fn script(&self, script: &str) -> Value {
        self.call("execute/sync", json!({ "script": script, "args": [] }))
            .await["value"]
            .clone()
    }
}

#[tokio::test]
async fn no_page_is_wider_than_a_390_px_phone() {
    let Some(driver) = Driver::start().await else {
        eprintln!(
            "skipped: chromedriver is not installed (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let app = spawn_app().await;
    let learner = app.learner().onboarded("ja").create().await;
    let conversation = app.conversation(&learner).with_messages(3).create().await;
    let ended = app.conversation(&learner).with_messages(1).create().await;
    learner
        .browser
        .post_form(&format!("/conversations/{ended}/end"), &[])
        .await;
    let (open_preview, dashboard) = crate::paths::open_and_committed(&learner.browser).await;
    crate::courses::Template::new("osaka-food", "Eating out in Osaka").insert(&app);
    let public = [
        "/",
        "/scenarios",
        "/scenarios/ordering-ramen-osaka",
        "/signup",
        "/login",
        "/onboarding",
        "/courses",
        "/courses/osaka-food",
        "/pricing",
    ];
    let signed_in = [
        "/".to_owned(),
        "/scenarios".to_owned(),
        "/scenarios/ordering-ramen-osaka".to_owned(),
        "/scenarios/new".to_owned(),
        "/me/scenarios".to_owned(),
        "/settings".to_owned(),
        "/account".to_owned(),
        "/account/billing".to_owned(),
        "/pricing".to_owned(),
        "/paths".to_owned(),
        "/courses/osaka-food".to_owned(),
        "/courses/osaka-food/start".to_owned(),
        open_preview.clone(),
        dashboard.clone(),
        "/conversations".to_owned(),
        format!("/conversations/{conversation}"),
        format!("/conversations/{ended}/report"),
    ];
    let measure =
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]";
    let mut too_wide = Vec::new();
    let mut check = |path: String, widths: Value| {
        let (scroll, inner) = (
            widths[0].as_u64().unwrap_or(0),
            widths[1].as_u64().unwrap_or(0),
        );
        assert!(inner > 0 && inner <= WIDTH, "{path}: viewport {inner}");
        if scroll > inner {
            too_wide.push(format!("{path}: {scroll} px in a {inner} px viewport"));
        }
    };
    for path in public {
        driver.open(&app.url(path)).await;
        check(format!("{path} (visitor)"), driver.script(measure).await);
    }
    // Sign the browser in: the learner's session cookie, set on the app's origin.
    let token = kaiwa::app::accounts::start_session(
        &mut app.conn(),
        &learner.id,
        None,
        None,
        None,
        chrono::Utc::now().naive_utc(),
    )
    .unwrap();
    driver
        .call(
            "cookie",
            json!({"cookie": {"name": "kaiwa_auth", "value": token, "path": "/"}}),
        )
        .await;
    for path in signed_in {
        driver.open(&app.url(&path)).await;
        check(format!("{path} (signed in)"), driver.script(measure).await);
    }
    // The composer stays reachable on the conversation page: it comes before the help panels.
    driver
        .open(&app.url(&format!("/conversations/{conversation}")))
        .await;
    let order = driver
        .script("var c = document.querySelector('form.composer'), a = document.getElementById('assist'); return c && a ? c.getBoundingClientRect().top < a.getBoundingClientRect().top : null")
        .await;
    // Fields look alike: the search box and number inputs like text fields, buttons in the
    // page's font.
    let style = "var s = getComputedStyle(document.querySelector(arguments[0] || 'body')); return [s.fontFamily, s.borderTopLeftRadius, s.paddingLeft, s.borderTopStyle].join('|')";
    let look = |selector: &str| style.replace("arguments[0]", &format!("{selector:?}"));
    driver.open(&app.url("/scenarios/new")).await;
    let text_field = driver.script(&look("input[type=text]")).await;
    assert_eq!(driver.script(&look("input[type=number]")).await, text_field);
    let body_font = driver
        .script("return getComputedStyle(document.body).fontFamily")
        .await;
    let button_font = driver
        .script("return getComputedStyle(document.querySelector('main button')).fontFamily")
        .await;
    assert_eq!(button_font, body_font, "buttons in the page font");
    driver.open(&app.url("/scenarios")).await;
    assert_eq!(driver.script(&look("input[type=search]")).await, text_field);
    assert!(too_wide.is_empty(), "{}", too_wide.join("\n"));
    assert_eq!(
        order,
        json!(true),
        "the message box comes before the help panels"
    );
}
