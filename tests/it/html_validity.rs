//! Every page a learner reaches, checked by the Nu HTML checker (`vnu.jar`) for errors. Runs
//! when `KAIWA_VNU_JAR` names the checker's jar (and `java` is installed); otherwise it says it
//! was skipped. `.ci/check-html` installs the checker from the npm registry and runs it.

use std::process::Command;

use crate::helpers::spawn_app;

#[tokio::test]
async fn every_page_a_learner_reaches_has_no_html_errors() {
    let Ok(jar) = std::env::var("KAIWA_VNU_JAR") else {
        eprintln!(
            "skipped: set KAIWA_VNU_JAR to the Nu HTML checker's vnu.jar (see .ci/check-html)"
        );
        return;
    };
    let app = spawn_app().await;
    let learner = app.learner().onboarded("ja").create().await;
    let conversation = app.conversation(&learner).with_messages(2).create().await;
    let ended = app.conversation(&learner).with_messages(1).create().await;
    learner
        .browser
        .post_form(&format!("/conversations/{ended}/end"), &[])
        .await;
    let (open_preview, dashboard) = crate::paths::open_and_committed(&learner.browser).await;
    // With an AI provider a new preview is drafted by a job: its page while it waits.
    let (with_ai, _provider) = crate::mock_ai::app_with_provider().await;
    let planner_learner = with_ai.learner().onboarded("ja").create().await;
    let drafting = planner_learner
        .browser
        .post_form("/paths/previews", &[("source", "preferences")])
        .await
        .headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    // With realtime calls, a Plus learner's form offers realtime and its call page.
    let (with_voice, _voice_provider) = crate::mock_ai::app_with_realtime().await;
    let caller = with_voice.learner().onboarded("ja").create().await;
    crate::usage::subscribe(
        &with_voice,
        &caller.id,
        "plus",
        kaiwa::app::Clock::naive(&*with_voice.clock),
    );
    let call = caller
        .browser
        .post_form(
            "/conversations",
            &[
                ("scenario_id", "ordering-ramen-osaka"),
                ("language", "ja"),
                ("mode", "realtime"),
            ],
        )
        .await
        .headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    // A creator's course: its edit form, and an invitation as its tester sees it.
    let course = learner
        .browser
        .post_form(
            "/creator/courses",
            &[
                ("title", "Osaka in four weeks"),
                ("description", "Food, trains and shops."),
                ("language", "ja"),
                ("cefr_level", "A2"),
                ("primary_skill", "speaking"),
                ("minutes", "15"),
                ("category", "travel"),
                ("tags", "osaka"),
            ],
        )
        .await
        .headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    let tester = app
        .learner()
        .email("html-tester@example.com")
        .create()
        .await;
    learner
        .browser
        .post_form(
            &format!("{course}/testers"),
            &[("emails", "html-tester@example.com"), ("note", "Try it")],
        )
        .await;
    let link = app.link_in_email("html-tester@example.com", "/invitations/");
    let invitation = link[link.find("/invitations/").unwrap()..].to_owned();
    tester.browser.post_form(&invitation, &[]).await;
    let tested = tester.browser.get(&invitation).await.status();
    assert_eq!(tested, 200);
    crate::courses::Template::new("osaka-food", "Eating out in Osaka").insert(&app);
    crate::courses::Template::new("taken-down", "Taken down")
        .unpublished()
        .insert(&app);
    let anonymous = app.new_browser();
    let pages: Vec<(String, &crate::helpers::Browser)> = vec![
        ("/".into(), &anonymous),
        ("/scenarios".into(), &anonymous),
        ("/scenarios?q=ramen&category=food".into(), &anonymous),
        ("/scenarios/ordering-ramen-osaka".into(), &anonymous),
        ("/signup".into(), &anonymous),
        ("/login".into(), &anonymous),
        ("/forgot-password".into(), &anonymous),
        ("/onboarding".into(), &anonymous),
        ("/courses".into(), &anonymous),
        ("/courses?language=ja&level=A2".into(), &anonymous),
        ("/courses?language=fr".into(), &anonymous),
        ("/courses/osaka-food".into(), &anonymous),
        ("/courses/taken-down".into(), &anonymous),
        ("/pricing".into(), &anonymous),
        ("/pricing?interval=annual".into(), &anonymous),
        ("/no-such-page".into(), &anonymous),
        ("/".into(), &learner.browser),
        ("/scenarios".into(), &learner.browser),
        ("/scenarios/ordering-ramen-osaka".into(), &learner.browser),
        ("/scenarios/new".into(), &learner.browser),
        ("/me/scenarios".into(), &learner.browser),
        ("/settings".into(), &learner.browser),
        ("/account".into(), &learner.browser),
        ("/account/billing".into(), &learner.browser),
        ("/pricing".into(), &learner.browser),
        (
            "/billing/checkout?tier=plus&interval=monthly".into(),
            &learner.browser,
        ),
        ("/paths".into(), &learner.browser),
        ("/courses".into(), &learner.browser),
        ("/courses/osaka-food".into(), &learner.browser),
        ("/courses/osaka-food/start".into(), &learner.browser),
        (open_preview.clone(), &learner.browser),
        (dashboard.clone(), &learner.browser),
        (drafting, &planner_learner.browser),
        ("/creator/courses".into(), &learner.browser),
        ("/creator/courses/new".into(), &learner.browser),
        (course.clone(), &learner.browser),
        (
            format!(
                "/scenarios/new?course={}&day=2",
                course.trim_start_matches("/creator/courses/")
            ),
            &learner.browser,
        ),
        (invitation.clone(), &tester.browser),
        (invitation.clone(), &anonymous),
        (
            course.replace("/creator/courses/", "/paths/"),
            &tester.browser,
        ),
        ("/conversations".into(), &learner.browser),
        (
            "/conversations/new?scenario_id=ordering-ramen-osaka".into(),
            &learner.browser,
        ),
        (format!("/conversations/{conversation}"), &learner.browser),
        (format!("/conversations/{ended}/report"), &learner.browser),
        ("/conversations/new".into(), &caller.browser),
        (call, &caller.browser),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (n, (path, browser)) in pages.iter().enumerate() {
        let res = browser.get(path).await;
        let expected = match path.as_str() {
            "/no-such-page" => 404,
            "/courses/taken-down" => 410,
            _ => 200,
        };
        assert_eq!(res.status(), expected, "{path}");
        let body = res.text().await.unwrap();
        assert!(body.len() > 500, "{path} is a whole page");
        let file = dir.path().join(format!("page{n:02}.html"));
        std::fs::write(&file, body).unwrap();
        files.push((file, path.clone()));
    }
    let out = Command::new("java")
        .args(["-jar", &jar, "--errors-only", "--format", "text"])
        .args(files.iter().map(|(f, _)| f.as_os_str()))
        .output()
        .expect("java runs the checker");
    let mut report = String::from_utf8_lossy(&out.stderr).into_owned();
    report.push_str(&String::from_utf8_lossy(&out.stdout));
    for (file, path) in &files {
        report = report.replace(&file.display().to_string(), path);
    }
    assert!(
        report.contains("Document checking completed"),
        "the checker did not run: {report}"
    );
    let errors = report.lines().filter(|l| l.starts_with("Error:")).count();
    assert_eq!(
        errors,
        0,
        "{errors} Nu checker errors over {} pages:\n{report}",
        files.len()
    );
}
