//! The `kaiwa` binary itself: its commands, and how it refuses to start on bad settings —
//! one readable line naming the problem, never a panic trace.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::TestDb;

fn kaiwa() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kaiwa"));
    for var in [
        "DATABASE_URL",
        "KAIWA_BIND",
        "KAIWA_DATA_DIR",
        "KAIWA_SESSION_SECRET",
        "KAIWA_CONFIG",
        "KAIWA_SEED",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("RUST_LOG", "warn");
    cmd
}

/// Runs `kaiwa` with `env` and returns (success, stderr).
fn run(args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let out = kaiwa()
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("kaiwa runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_one_clear_line(stderr: &str, expected: &str) {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line, got: {stderr}");
    assert!(lines[0].starts_with("kaiwa: "), "{stderr}");
    assert!(lines[0].contains(expected), "`{expected}` not in: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn help_lists_every_command() {
    let out = kaiwa().arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for command in ["serve", "migrate", "seed"] {
        assert!(text.contains(command), "{text}");
    }
    let out = kaiwa().args(["serve", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("--bind"));
}

#[test]
fn a_malformed_database_url_stops_start_up_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let (ok, stderr) = run(
        &["serve"],
        &[
            ("DATABASE_URL", "mysql://localhost/kaiwa"),
            ("KAIWA_DATA_DIR", data),
        ],
    );
    assert!(!ok);
    assert_one_clear_line(&stderr, "DATABASE_URL: has the unsupported scheme `mysql`");
}

#[test]
fn an_unreachable_postgres_stops_start_up_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let (ok, stderr) = run(
        &["migrate"],
        &[
            (
                "DATABASE_URL",
                "postgres://kaiwa:hunter2@127.0.0.1:1/kaiwa?connect_timeout=2",
            ),
            ("KAIWA_DATA_DIR", data),
        ],
    );
    assert!(!ok);
    assert_one_clear_line(
        &stderr,
        "cannot connect to the database at postgres://kaiwa:****@127.0.0.1:1/kaiwa",
    );
    assert!(
        !stderr.contains("hunter2"),
        "the password never reaches the output"
    );
}

#[test]
fn an_unwritable_data_folder_stops_start_up_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    // why: tests may run as root, who can write anywhere; a folder under a plain file cannot exist.
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "x").unwrap();
    let data = blocker.join("data");
    let (ok, stderr) = run(&["serve"], &[("KAIWA_DATA_DIR", data.to_str().unwrap())]);
    assert!(!ok);
    assert_one_clear_line(&stderr, "KAIWA_DATA_DIR: ");
}

#[test]
fn a_bad_bind_address_names_the_option() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let (ok, stderr) = run(&["serve", "--bind", "here"], &[("KAIWA_DATA_DIR", data)]);
    assert!(!ok);
    assert_one_clear_line(&stderr, "--bind: `here` is not an address");
}

#[test]
fn migrate_and_seed_run_on_the_database_under_test_and_seed_twice_adds_nothing() {
    let db = TestDb::new();
    let url = match &db.target {
        kaiwa::db::conn::DatabaseTarget::Sqlite(p) => format!("sqlite://{}", p.display()),
        kaiwa::db::conn::DatabaseTarget::Postgres(u) => u.clone(),
    };
    let data = db.dir.path().to_str().unwrap().to_owned();
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("KAIWA_DATA_DIR", data.as_str()),
    ];
    let out = kaiwa().arg("migrate").envs(env).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("up to date"));

    let first = kaiwa().arg("seed").envs(env).output().unwrap();
    let first = String::from_utf8_lossy(&first.stdout).into_owned();
    assert!(first.contains("seeded 16 languages"), "{first}");
    assert!(
        first.contains(" courses") && !first.contains(" 0 courses"),
        "{first}"
    );
    let second = kaiwa().arg("seed").envs(env).output().unwrap();
    let second = String::from_utf8_lossy(&second.stdout).into_owned();
    assert!(
        second.contains("seeded 0 languages, 0 voices, 0 tiers, 0 scenarios, 0 courses"),
        "{second}"
    );
}

#[test]
fn serve_answers_then_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut child = kaiwa()
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("KAIWA_DATA_DIR", dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut answered = false;
    while started.elapsed() < Duration::from_secs(30) {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            s.write_all(b"GET /health HTTP/1.0\r\n\r\n").unwrap();
            let mut body = String::new();
            let _ = s.read_to_string(&mut body);
            answered = body.starts_with("HTTP/1.0 200") || body.starts_with("HTTP/1.1 200");
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(answered, "the server answered /health");
    // With --bind and no KAIWA_BASE_URL, the public URL follows the bound port.
    let robots = {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(b"GET /robots.txt HTTP/1.0\r\n\r\n").unwrap();
        let mut body = String::new();
        let _ = s.read_to_string(&mut body);
        body
    };
    assert!(
        robots.contains(&format!("Sitemap: http://127.0.0.1:{port}/sitemap.xml")),
        "{robots}"
    );
    assert!(
        dir.path().join("kaiwa.db").exists(),
        "the SQLite file is in the data folder"
    );
    assert!(
        dir.path().join("session_secret").exists(),
        "the generated secret is kept"
    );

    // why: only signal our own child while it still runs (a finished child's pid can be reused).
    assert!(
        child.try_wait().unwrap().is_none(),
        "kaiwa is still running"
    );
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let stopped = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(
            stopped.elapsed() < Duration::from_secs(20),
            "kaiwa did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
