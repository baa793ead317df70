//! Typed settings, read once at start-up from environment variables and an optional
//! `kaiwa.toml`, validated, then passed by value (no global). Environment variables win over
//! the file. A bad value is an error naming the variable; secrets never appear in `Debug`.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use rand::RngCore;

use crate::db::conn::DatabaseTarget;

/// Every setting the app reads. Build with [`Settings::load`] (the process environment) or
/// [`Settings::from_sources`] (tests, any map of values).
#[derive(Debug, Clone)]
pub struct Settings {
    /// `KAIWA_DATA_DIR`: where the SQLite file and generated secrets live.
    pub data_dir: PathBuf,
    /// `DATABASE_URL`: which database to use.
    pub database: DatabaseTarget,
    /// `KAIWA_DB_POOL_SIZE`: connections kept by the pool.
    pub db_pool_size: u32,
    /// `KAIWA_PAGE_CACHE_MB` (default 32; 0 turns it off): memory for public pages kept
    /// rendered for visitors without cookies (`web::page_cache`).
    pub page_cache_bytes: usize,
    /// `KAIWA_BIND` or `kaiwa serve --bind`: the listening address (port 0 picks a free port).
    pub bind: SocketAddr,
    /// `KAIWA_BASE_URL`: the public origin used in canonical links and emails.
    pub base_url: String,
    /// Whether `base_url` was derived from the bind address (no `KAIWA_BASE_URL`), so that
    /// `--bind` moves it too.
    pub base_url_from_bind: bool,
    /// `KAIWA_SESSION_SECRET`: signs cookies; generated and kept in the data folder if unset.
    pub session_secret: Secret,
    /// `KAIWA_SEED`: whether `serve` loads the seed content on start (idempotent).
    pub seed_on_start: bool,
    /// `KAIWA_USAGE_LIMITS`: whether conversation time is metered by plan (default true;
    /// false: a private server where everyone practises without limits).
    pub usage_limits: bool,
    /// `KAIWA_TRUST_PROXY`: take the client address from `X-Forwarded-For` (behind a proxy).
    pub trust_proxy: bool,
    /// Job workers `serve` runs in-process (`KAIWA_WORKERS`; 0: none, run `kaiwa worker`).
    pub workers: usize,
    /// How long past the longest job timeout a claimed job stays leased
    /// (`KAIWA_JOB_LEASE_MARGIN_SECONDS`): a dead worker's job is retried after this.
    pub job_lease_margin_seconds: u64,
    /// Google sign-in, when `KAIWA_GOOGLE_CLIENT_ID` and `…_SECRET` are set.
    pub google: Option<GoogleSettings>,
    /// SMTP delivery, when `KAIWA_SMTP_URL` is set; otherwise emails stay in the outbox.
    pub smtp: Option<SmtpSettings>,
    /// An OpenAI-compatible AI provider, when `KAIWA_AI_BASE_URL` is set; otherwise the
    /// built-in offline partner.
    pub ai: Option<AiSettings>,
    /// Stripe billing, when `STRIPE_SECRET_KEY` is set; otherwise the pricing page says
    /// billing is not configured on this server.
    pub stripe: Option<StripeSettings>,
}

/// How Kaiwa reaches Stripe and which prices it sells.
#[derive(Debug, Clone)]
pub struct StripeSettings {
    /// `STRIPE_SECRET_KEY` (`sk_live_…`, `sk_test_…` or a restricted `rk_…` key).
    pub secret_key: Secret,
    /// `STRIPE_WEBHOOK_SECRET` (`whsec_…`): without it every webhook is refused.
    pub webhook_secret: Option<Secret>,
    /// `STRIPE_API_BASE`: another API origin (tests point it at a local mock).
    pub api_base: Option<String>,
    /// `KAIWA_STRIPE_PRICE_{PLUS,PREMIUM}_{MONTHLY,ANNUAL}`: Stripe price ids written into
    /// `tiers.stripe_price_id_*` at start-up (unset ones leave the table's value).
    pub prices: Vec<TierPrice>,
}

/// A Stripe price for a tier and billing interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierPrice {
    pub tier_id: String,
    /// `true` for the yearly price, `false` for the monthly one.
    pub annual: bool,
    pub price_id: String,
}

/// The price variables, by tier and interval.
const PRICE_VARIABLES: [(&str, &str, bool); 4] = [
    ("KAIWA_STRIPE_PRICE_PLUS_MONTHLY", "plus", false),
    ("KAIWA_STRIPE_PRICE_PLUS_ANNUAL", "plus", true),
    ("KAIWA_STRIPE_PRICE_PREMIUM_MONTHLY", "premium", false),
    ("KAIWA_STRIPE_PRICE_PREMIUM_ANNUAL", "premium", true),
];

/// Where the AI partner runs.
#[derive(Debug, Clone)]
pub struct AiSettings {
    /// `KAIWA_AI_BASE_URL`, e.g. `https://api.openai.com/v1` or `http://localhost:11434/v1`.
    pub base_url: String,
    /// `KAIWA_AI_API_KEY` (local servers accept anything).
    pub api_key: Secret,
    /// `KAIWA_AI_MODEL`, default `gpt-4o-mini`.
    pub model: String,
    /// `KAIWA_AI_MODEL_TRANSLATION`, `…_HINTS`, `…_ANALYSIS`: per-task models (default: `model`).
    pub translation_model: String,
    pub hint_model: String,
    pub analysis_model: String,
    /// `KAIWA_AI_TTS_MODEL`, default `tts-1`: the partner's voice.
    pub tts_model: String,
    /// `KAIWA_AI_STT_MODEL`, default `whisper-1`: the learner's spoken answers.
    pub stt_model: String,
    /// `KAIWA_AI_REALTIME_MODEL`, e.g. `gpt-realtime`: realtime voice calls
    /// (`/realtime/calls`); unset, realtime voice is not offered.
    pub realtime_model: Option<String>,
}

/// The OAuth client Kaiwa is registered as with Google (or a compatible provider).
#[derive(Debug, Clone)]
pub struct GoogleSettings {
    pub client_id: String,
    pub client_secret: Secret,
    /// `KAIWA_GOOGLE_AUTH_URL`, default Google's authorization endpoint.
    pub auth_url: String,
    /// `KAIWA_GOOGLE_TOKEN_URL`, default Google's token endpoint.
    pub token_url: String,
    /// `KAIWA_GOOGLE_ISSUER`: the `iss` an ID token must carry.
    pub issuer: String,
}

/// Where and as whom emails are sent.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// `KAIWA_SMTP_URL`, e.g. `smtps://user:pass@smtp.example.com` or `smtp://localhost:2525`.
    pub url: Secret,
    /// `KAIWA_MAIL_FROM`, default `Kaiwa <no-reply@localhost>`.
    pub from: String,
}

/// A value that must never be printed. `Debug` and `Display` show `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A setting that could not be used: the variable's name and why, on one line.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {reason}")]
pub struct SettingsError {
    pub variable: &'static str,
    pub reason: String,
}

fn invalid(variable: &'static str, reason: impl Into<String>) -> SettingsError {
    SettingsError {
        variable,
        reason: reason.into(),
    }
}

/// Where each value comes from: environment first, then `kaiwa.toml` (keys in lower case
/// without the `KAIWA_` prefix, e.g. `bind = "0.0.0.0:8080"`, `database_url = "…"`).
pub struct Sources {
    env: HashMap<String, String>,
    file: HashMap<String, String>,
}

impl Sources {
    /// Values from the given map alone (no file).
    pub fn from_map(env: HashMap<String, String>) -> Self {
        Self {
            env,
            file: HashMap::new(),
        }
    }

    /// The process environment plus `KAIWA_CONFIG` (default `./kaiwa.toml`, if present).
    pub fn from_process() -> Result<Self, SettingsError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        let path = env.get("KAIWA_CONFIG").cloned();
        let explicit = path.is_some();
        let path = PathBuf::from(path.unwrap_or_else(|| "kaiwa.toml".into()));
        let file = if path.exists() {
            read_toml(&path)?
        } else if explicit {
            return Err(invalid(
                "KAIWA_CONFIG",
                format!("{} does not exist", path.display()),
            ));
        } else {
            HashMap::new()
        };
        Ok(Self { env, file })
    }

    fn get(&self, variable: &'static str) -> Option<String> {
        if let Some(value) = self.env.get(variable) {
            return Some(value.clone());
        }
        let key = variable
            .strip_prefix("KAIWA_")
            .unwrap_or(variable)
            .to_ascii_lowercase();
        self.file.get(&key).cloned()
    }
}

fn read_toml(path: &Path) -> Result<HashMap<String, String>, SettingsError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        invalid(
            "KAIWA_CONFIG",
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        invalid(
            "KAIWA_CONFIG",
            format!("{} is not valid TOML: {}", path.display(), e.message()),
        )
    })?;
    Ok(table
        .into_iter()
        .map(|(k, v)| {
            let value = match v {
                toml::Value::String(s) => s,
                other => other.to_string(),
            };
            (k.to_ascii_lowercase(), value)
        })
        .collect())
}

impl Settings {
    /// Reads and validates the settings of this process.
    pub fn load() -> Result<Self, SettingsError> {
        Self::from_sources(&Sources::from_process()?)
    }

    /// Builds settings from explicit sources; generates the session secret if none is given.
    pub fn from_sources(sources: &Sources) -> Result<Self, SettingsError> {
        let data_dir = PathBuf::from(
            sources
                .get("KAIWA_DATA_DIR")
                .unwrap_or_else(|| "./data".into()),
        );
        if data_dir.as_os_str().is_empty() {
            return Err(invalid("KAIWA_DATA_DIR", "is empty"));
        }
        let database = match sources.get("DATABASE_URL") {
            Some(url) => {
                DatabaseTarget::parse(&url).map_err(|reason| invalid("DATABASE_URL", reason))?
            }
            None => DatabaseTarget::Sqlite(data_dir.join("kaiwa.db")),
        };
        let db_pool_size = match sources.get("KAIWA_DB_POOL_SIZE") {
            Some(v) => match v.trim().parse::<u32>() {
                Ok(n) if (1..=256).contains(&n) => n,
                _ => {
                    return Err(invalid(
                        "KAIWA_DB_POOL_SIZE",
                        format!("`{v}` is not a number from 1 to 256"),
                    ))
                }
            },
            None => 8,
        };
        let page_cache_bytes = match sources.get("KAIWA_PAGE_CACHE_MB") {
            Some(v) => match v.trim().parse::<usize>() {
                Ok(n) if n <= 4096 => n << 20,
                _ => {
                    return Err(invalid(
                        "KAIWA_PAGE_CACHE_MB",
                        format!("`{v}` is not a number from 0 to 4096"),
                    ))
                }
            },
            None => 32 << 20,
        };
        let bind = parse_bind(
            &sources
                .get("KAIWA_BIND")
                .unwrap_or_else(|| "127.0.0.1:8080".into()),
        )
        .map_err(|reason| invalid("KAIWA_BIND", reason))?;
        let base_url_from_bind = sources.get("KAIWA_BASE_URL").is_none();
        let base_url = match sources.get("KAIWA_BASE_URL") {
            Some(v) => parse_base_url(&v).map_err(|reason| invalid("KAIWA_BASE_URL", reason))?,
            None => format!("http://{bind}"),
        };
        let seed_on_start = match sources.get("KAIWA_SEED") {
            Some(v) => parse_bool(&v)
                .ok_or_else(|| invalid("KAIWA_SEED", format!("`{v}` is not true or false")))?,
            None => true,
        };
        let usage_limits = match sources.get("KAIWA_USAGE_LIMITS") {
            Some(v) => parse_bool(&v).ok_or_else(|| {
                invalid("KAIWA_USAGE_LIMITS", format!("`{v}` is not true or false"))
            })?,
            None => true,
        };
        let session_secret = match sources.get("KAIWA_SESSION_SECRET") {
            Some(v) if v.len() >= 32 => Secret::new(v),
            Some(_) => {
                return Err(invalid(
                    "KAIWA_SESSION_SECRET",
                    "must be at least 32 characters",
                ))
            }
            None => load_or_create_secret(&data_dir)
                .map_err(|reason| invalid("KAIWA_DATA_DIR", reason))?,
        };
        let workers = match sources.get("KAIWA_WORKERS") {
            Some(v) => v
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| *n <= 64)
                .ok_or_else(|| {
                    invalid(
                        "KAIWA_WORKERS",
                        format!("`{v}` is not a number from 0 to 64"),
                    )
                })?,
            None => 2,
        };
        let job_lease_margin_seconds = match sources.get("KAIWA_JOB_LEASE_MARGIN_SECONDS") {
            Some(v) => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n <= 86_400)
                .ok_or_else(|| {
                    invalid(
                        "KAIWA_JOB_LEASE_MARGIN_SECONDS",
                        format!("`{v}` is not a number of seconds up to 86400"),
                    )
                })?,
            None => 30,
        };
        let trust_proxy = match sources.get("KAIWA_TRUST_PROXY") {
            Some(v) => parse_bool(&v).ok_or_else(|| {
                invalid("KAIWA_TRUST_PROXY", format!("`{v}` is not true or false"))
            })?,
            None => false,
        };
        let google = match (
            sources.get("KAIWA_GOOGLE_CLIENT_ID"),
            sources.get("KAIWA_GOOGLE_CLIENT_SECRET"),
        ) {
            (Some(id), Some(secret)) if !id.trim().is_empty() && !secret.trim().is_empty() => {
                Some(GoogleSettings {
                    client_id: id.trim().to_owned(),
                    client_secret: Secret::new(secret.trim()),
                    auth_url: checked_url(
                        sources,
                        "KAIWA_GOOGLE_AUTH_URL",
                        "https://accounts.google.com/o/oauth2/v2/auth",
                    )?,
                    token_url: checked_url(
                        sources,
                        "KAIWA_GOOGLE_TOKEN_URL",
                        "https://oauth2.googleapis.com/token",
                    )?,
                    issuer: sources
                        .get("KAIWA_GOOGLE_ISSUER")
                        .unwrap_or_else(|| "https://accounts.google.com".into()),
                })
            }
            (Some(id), None) if !id.trim().is_empty() => {
                return Err(invalid(
                    "KAIWA_GOOGLE_CLIENT_SECRET",
                    "is needed when KAIWA_GOOGLE_CLIENT_ID is set",
                ))
            }
            _ => None,
        };
        let smtp = match sources.get("KAIWA_SMTP_URL") {
            Some(v) if !v.trim().is_empty() => {
                let parsed = url::Url::parse(v.trim()).map_err(|_| {
                    invalid("KAIWA_SMTP_URL", "is not a URL like smtps://user:pass@host")
                })?;
                if !matches!(parsed.scheme(), "smtp" | "smtps") {
                    return Err(invalid(
                        "KAIWA_SMTP_URL",
                        "must start with smtp:// or smtps://",
                    ));
                }
                Some(SmtpSettings {
                    url: Secret::new(v.trim()),
                    from: sources
                        .get("KAIWA_MAIL_FROM")
                        .unwrap_or_else(|| "Kaiwa <no-reply@localhost>".into()),
                })
            }
            _ => None,
        };
        let ai = match sources.get("KAIWA_AI_BASE_URL") {
            Some(v) if !v.trim().is_empty() => Some(AiSettings {
                base_url: checked_url(sources, "KAIWA_AI_BASE_URL", "")?
                    .trim_end_matches('/')
                    .to_owned(),
                api_key: Secret::new(
                    sources
                        .get("KAIWA_AI_API_KEY")
                        .unwrap_or_else(|| "none".into()),
                ),
                model: sources
                    .get("KAIWA_AI_MODEL")
                    .unwrap_or_else(|| "gpt-4o-mini".into()),
                translation_model: task_model(sources, "KAIWA_AI_MODEL_TRANSLATION"),
                hint_model: task_model(sources, "KAIWA_AI_MODEL_HINTS"),
                analysis_model: task_model(sources, "KAIWA_AI_MODEL_ANALYSIS"),
                tts_model: sources
                    .get("KAIWA_AI_TTS_MODEL")
                    .unwrap_or_else(|| "tts-1".into()),
                stt_model: sources
                    .get("KAIWA_AI_STT_MODEL")
                    .unwrap_or_else(|| "whisper-1".into()),
                realtime_model: sources
                    .get("KAIWA_AI_REALTIME_MODEL")
                    .map(|m| m.trim().to_owned())
                    .filter(|m| !m.is_empty()),
            }),
            _ => None,
        };
        let stripe = stripe_settings(sources)?;
        Ok(Self {
            data_dir,
            database,
            db_pool_size,
            page_cache_bytes,
            bind,
            base_url,
            session_secret,
            base_url_from_bind,
            seed_on_start,
            usage_limits,
            trust_proxy,
            workers,
            job_lease_margin_seconds,
            google,
            smtp,
            ai,
            stripe,
        })
    }

    /// Settings for a test: the given database, port 0, a fixed secret, no seed on start, no
    /// background job workers.
    pub fn for_tests(data_dir: PathBuf, database: DatabaseTarget) -> Self {
        Self {
            data_dir,
            database,
            db_pool_size: 4,
            page_cache_bytes: 32 << 20,
            bind: "127.0.0.1:0".parse().expect("a valid address"),
            base_url: "http://127.0.0.1".into(),
            base_url_from_bind: false,
            session_secret: Secret::new("test-secret-test-secret-test-secret-0123"),
            seed_on_start: false,
            usage_limits: true,
            trust_proxy: false,
            // why: tests run jobs themselves (`run_jobs_until_idle`), so each sees its jobs' effects
            // at a known point; a test that wants background workers sets this.
            workers: 0,
            job_lease_margin_seconds: 30,
            google: None,
            smtp: None,
            ai: None,
            stripe: None,
        }
    }

    /// Listens on `bind` (`kaiwa serve --bind`); a public URL derived from the old address
    /// follows it, one set with `KAIWA_BASE_URL` stays.
    pub fn rebind(&mut self, bind: SocketAddr) {
        self.bind = bind;
        if self.base_url_from_bind {
            self.base_url = format!("http://{bind}");
        }
    }

    /// Whether cookies must be marked `Secure` (the public origin is https).
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

/// Stripe, when `STRIPE_SECRET_KEY` is set; a webhook secret or price without a key is an
/// error (it would silently do nothing).
fn stripe_settings(sources: &Sources) -> Result<Option<StripeSettings>, SettingsError> {
    let set = |variable: &'static str| {
        sources
            .get(variable)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let Some(secret_key) = set("STRIPE_SECRET_KEY") else {
        if set("STRIPE_WEBHOOK_SECRET").is_some() {
            return Err(invalid(
                "STRIPE_SECRET_KEY",
                "is needed when STRIPE_WEBHOOK_SECRET is set",
            ));
        }
        return Ok(None);
    };
    if !(secret_key.starts_with("sk_") || secret_key.starts_with("rk_")) {
        return Err(invalid(
            "STRIPE_SECRET_KEY",
            "is not a Stripe secret key (sk_… or rk_…)",
        ));
    }
    let api_base = match set("STRIPE_API_BASE") {
        Some(_) => Some(checked_url(sources, "STRIPE_API_BASE", "")?),
        None => None,
    };
    let mut prices = Vec::new();
    for (variable, tier_id, annual) in PRICE_VARIABLES {
        if let Some(price_id) = set(variable) {
            if !price_id.starts_with("price_") || price_id.len() > 255 {
                return Err(invalid(variable, "is not a Stripe price id (price_…)"));
            }
            prices.push(TierPrice {
                tier_id: tier_id.to_owned(),
                annual,
                price_id,
            });
        }
    }
    Ok(Some(StripeSettings {
        secret_key: Secret::new(secret_key),
        webhook_secret: set("STRIPE_WEBHOOK_SECRET").map(Secret::new),
        api_base,
        prices,
    }))
}

/// A per-task model: its own variable, else `KAIWA_AI_MODEL`, else the default model.
fn task_model(sources: &Sources, variable: &'static str) -> String {
    sources
        .get(variable)
        .or_else(|| sources.get("KAIWA_AI_MODEL"))
        .unwrap_or_else(|| "gpt-4o-mini".into())
}

fn checked_url(
    sources: &Sources,
    variable: &'static str,
    default: &str,
) -> Result<String, SettingsError> {
    let value = sources.get(variable).unwrap_or_else(|| default.to_owned());
    match url::Url::parse(&value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(value),
        _ => Err(invalid(
            variable,
            format!("`{value}` is not an http(s) URL"),
        )),
    }
}

/// Parses `HOST:PORT` (or `:PORT`, meaning 127.0.0.1).
pub fn parse_bind(value: &str) -> Result<SocketAddr, String> {
    let value = value.trim();
    let full = if value.starts_with(':') {
        format!("127.0.0.1{value}")
    } else {
        value.to_owned()
    };
    full.parse()
        .map_err(|_| format!("`{value}` is not an address like 127.0.0.1:8080"))
}

fn parse_base_url(value: &str) -> Result<String, String> {
    let parsed = url::Url::parse(value.trim())
        .map_err(|_| format!("`{value}` is not a URL like https://kaiwa.example"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(format!("`{value}` must be an http or https URL"));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

const SECRET_FILE: &str = "session_secret";

fn load_or_create_secret(data_dir: &Path) -> Result<Secret, String> {
    let path = data_dir.join(SECRET_FILE);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        if existing.len() >= 32 {
            return Ok(Secret::new(existing));
        }
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    write_private(&path, &secret)
        .map_err(|e| format!("{} is not writable: {e}", data_dir.display()))?;
    Ok(Secret::new(secret))
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(pairs: &[(&str, &str)]) -> Sources {
        Sources::from_map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn defaults_need_nothing_but_a_writable_data_folder() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let settings =
            Settings::from_sources(&sources(&[("KAIWA_DATA_DIR", data.to_str().unwrap())]))
                .unwrap();
        assert_eq!(
            settings.database,
            DatabaseTarget::Sqlite(data.join("kaiwa.db"))
        );
        assert_eq!(settings.bind.to_string(), "127.0.0.1:8080");
        assert!(settings.seed_on_start);
        let again = Settings::from_sources(&sources(&[("KAIWA_DATA_DIR", data.to_str().unwrap())]))
            .unwrap();
        assert_eq!(
            settings.session_secret, again.session_secret,
            "the generated secret is kept"
        );
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let secret = ("KAIWA_SESSION_SECRET", "0123456789abcdef0123456789abcdef");
        let err =
            Settings::from_sources(&sources(&[secret, ("KAIWA_BIND", "nowhere")])).unwrap_err();
        assert!(err.to_string().starts_with("KAIWA_BIND: "), "{err}");
        let err =
            Settings::from_sources(&sources(&[secret, ("DATABASE_URL", "mysql://x")])).unwrap_err();
        assert!(err.to_string().starts_with("DATABASE_URL: "), "{err}");
        let err =
            Settings::from_sources(&sources(&[secret, ("KAIWA_DB_POOL_SIZE", "0")])).unwrap_err();
        assert!(err.to_string().starts_with("KAIWA_DB_POOL_SIZE: "), "{err}");
        let err =
            Settings::from_sources(&sources(&[("KAIWA_SESSION_SECRET", "short")])).unwrap_err();
        assert!(
            err.to_string().starts_with("KAIWA_SESSION_SECRET: "),
            "{err}"
        );
    }

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let secret = "0123456789abcdef0123456789abcdef-very-secret";
        let settings =
            Settings::from_sources(&sources(&[("KAIWA_SESSION_SECRET", secret)])).unwrap();
        assert!(!format!("{settings:?}").contains(secret));
    }

    #[test]
    fn stripe_is_optional_and_its_values_are_checked() {
        let secret = ("KAIWA_SESSION_SECRET", "0123456789abcdef0123456789abcdef");
        let none = Settings::from_sources(&sources(&[secret])).unwrap();
        assert!(none.stripe.is_none());
        let full = Settings::from_sources(&sources(&[
            secret,
            ("STRIPE_SECRET_KEY", "sk_test_123"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_abc"),
            ("KAIWA_STRIPE_PRICE_PLUS_ANNUAL", "price_plus_year"),
        ]))
        .unwrap();
        let stripe = full.stripe.expect("stripe settings");
        assert_eq!(
            stripe.prices,
            vec![TierPrice {
                tier_id: "plus".into(),
                annual: true,
                price_id: "price_plus_year".into()
            }]
        );
        assert!(!format!("{stripe:?}").contains("sk_test_123"));
        for (pairs, variable) in [
            (
                vec![("STRIPE_WEBHOOK_SECRET", "whsec_abc")],
                "STRIPE_SECRET_KEY",
            ),
            (
                vec![("STRIPE_SECRET_KEY", "pk_test_1")],
                "STRIPE_SECRET_KEY",
            ),
            (
                vec![
                    ("STRIPE_SECRET_KEY", "sk_test_1"),
                    ("KAIWA_STRIPE_PRICE_PREMIUM_MONTHLY", "prod_1"),
                ],
                "KAIWA_STRIPE_PRICE_PREMIUM_MONTHLY",
            ),
            (
                vec![("STRIPE_SECRET_KEY", "sk_test_1"), ("STRIPE_API_BASE", "x")],
                "STRIPE_API_BASE",
            ),
        ] {
            let mut all = vec![secret];
            all.extend(pairs);
            let err = Settings::from_sources(&sources(&all)).unwrap_err();
            assert!(err.to_string().starts_with(variable), "{err}");
        }
    }

    #[test]
    fn the_bind_address_accepts_a_bare_port() {
        assert_eq!(parse_bind(":9000").unwrap().to_string(), "127.0.0.1:9000");
        assert!(parse_bind("localhost").is_err());
    }
}
