//! Who is asking: the signed-in user (from the login-session cookie and the `sessions`
//! table), the guest id cookie, the CSRF token and the flash message (both kept in the
//! signed, encrypted actix-session cookie), the client address and user agent.

use std::future::Future;
use std::pin::Pin;

use actix_session::SessionExt;
use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use serde::{Deserialize, Serialize};

use crate::app::accounts;
use crate::db::models::User;
use crate::db::queries::preferences::Owner;
use crate::web::error::AppError;
use crate::web::layout::{Flash, Layout, NavUser};
use crate::web::AppState;

/// The login-session cookie: a random token whose SHA-256 is a `sessions` row id.
pub const AUTH_COOKIE: &str = "kaiwa_auth";
/// The guest cookie: a random id that guest-owned rows carry.
pub const GUEST_COOKIE: &str = "kaiwa_guest";
/// Key of the CSRF token inside the actix-session cookie.
pub const CSRF_KEY: &str = "csrf";
const FLASH_KEY: &str = "flash";
/// Key (in the actix-session cookie) of where onboarding sends the learner when it is done:
/// set by a page that needs preferences first, read when onboarding ends.
pub const AFTER_ONBOARDING_KEY: &str = "after_onboarding";

#[derive(Serialize, Deserialize)]
struct StoredFlash {
    kind: String,
    message: String,
}

/// Leaves a message for the next page this browser shows.
pub fn flash(req: &HttpRequest, kind: &'static str, message: impl Into<String>) {
    let stored = req.get_session().insert(
        FLASH_KEY,
        StoredFlash {
            kind: kind.into(),
            message: message.into(),
        },
    );
    if let Err(e) = stored {
        tracing::error!(error = %e, "a flash message could not be kept in the session");
    }
}

/// Sends a visitor without preferences to onboarding, to come back to `back` when done.
pub fn onboard_first(req: &HttpRequest, back: &str) -> Result<actix_web::HttpResponse, AppError> {
    req.get_session()
        .insert(AFTER_ONBOARDING_KEY, back)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the session could not be kept: {e}")))?;
    Ok(crate::web::see_other("/onboarding"))
}

/// `res` with the guest cookie `cookie` set, when a new guest id was made for this request
/// ([`Visitor::owner_or_new_guest`]).
pub fn with_guest_cookie(
    mut res: actix_web::HttpResponse,
    cookie: Option<Cookie<'static>>,
) -> Result<actix_web::HttpResponse, AppError> {
    if let Some(c) = cookie {
        res.add_cookie(&c)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("a cookie could not be set: {e}")))?;
    }
    Ok(res)
}

/// Key of what a no-JS POST leaves for the page it redirects to (a help panel, say).
const KEPT_KEY: &str = "kept";

/// Keeps `value` in the session for the next page this browser shows (Post/Redirect/Get:
/// the POST answers 303 and the page it leads to shows the result once).
pub fn keep_for_next_page<T: Serialize>(req: &HttpRequest, value: &T) -> Result<(), AppError> {
    req.get_session()
        .insert(KEPT_KEY, value)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("a result could not be kept: {e}")))
}

const RETURN_KEY: &str = "return_to";

/// Remembers `path` as where this browser goes once it has signed up and confirmed its
/// address (an invitation link opened before having an account).
pub fn return_after_sign_up(req: &HttpRequest, path: &str) {
    if let Err(e) = req.get_session().insert(RETURN_KEY, path) {
        tracing::warn!(error = %e, "the page to return to could not be kept");
    }
}

/// Takes the page [`return_after_sign_up`] kept, if any.
pub fn take_return(req: &HttpRequest) -> Option<String> {
    let session = req.get_session();
    if !session.contains_key(RETURN_KEY) {
        return None;
    }
    session.remove_as::<String>(RETURN_KEY).and_then(Result::ok)
}

/// Takes what [`keep_for_next_page`] kept, if anything (and it is of type `T`).
pub fn take_kept<T: serde::de::DeserializeOwned>(req: &HttpRequest) -> Option<T> {
    let session = req.get_session();
    // why: removing marks the session changed (a new cookie) even when nothing was there.
    if !session.contains_key(KEPT_KEY) {
        return None;
    }
    session.remove_as::<T>(KEPT_KEY).and_then(Result::ok)
}

/// Marks a response as a page any visitor without a session would get the same (no user, no
/// CSRF token, no flash): it may be cached publicly and answered with 304 by its ETag
/// (`web::middleware::cache_validation`).
#[derive(Debug, Clone, Copy)]
pub struct PublicPage;

/// The request's visitor. Extracting it costs one indexed query when an auth cookie is sent.
pub struct Visitor {
    pub user: Option<User>,
    pub auth_token: Option<String>,
    pub guest_id: Option<String>,
    /// The CSRF token, once known: read from the session, or made by [`Visitor::csrf_token`].
    csrf: std::cell::OnceCell<String>,
    request: HttpRequest,
    pub flash: Option<Flash>,
    pub ip: String,
    pub user_agent: Option<String>,
    /// Whether this browser shows reading aids (off only when the learner turned them off).
    pub reading_aids: ReadingAidsCookies,
}

impl Visitor {
    /// The signed-in user, or a redirect to the sign-in page that comes back to `next`.
    pub fn require_user(&self, next: &str) -> Result<&User, AppError> {
        self.user
            .as_ref()
            .ok_or_else(|| AppError::SignInRequired(next.to_owned()))
    }

    /// Whose work this request acts on: the signed-in user, or the guest, whose id (and the
    /// cookie to set) is created on first use.
    pub fn owner_or_new_guest(&self, secure: bool) -> (Owner, Option<Cookie<'static>>) {
        match (&self.user, &self.guest_id) {
            (Some(u), _) => (Owner::User(u.id.clone()), None),
            (None, Some(g)) => (Owner::Guest(g.clone()), None),
            (None, None) => {
                let id = uuid::Uuid::now_v7().to_string();
                (Owner::Guest(id.clone()), Some(guest_cookie(id, secure)))
            }
        }
    }

    /// The CSRF token forms send back, made (and kept in the session) on first use.
    pub fn csrf_token(&self) -> String {
        self.csrf
            .get_or_init(|| {
                let (token, _) = accounts::tokens::generate();
                if let Err(e) = self.request.get_session().insert(CSRF_KEY, &token) {
                    tracing::error!(error = %e, "the CSRF token could not be kept");
                }
                token
            })
            .clone()
    }

    /// The layout for a page this visitor sees (with a CSRF token for its forms).
    pub fn layout(&self, title: impl Into<String>, description: impl Into<String>) -> Layout {
        let mut layout = self.public_layout(title, description);
        layout.csrf_token = self.csrf_token();
        layout
    }

    /// Marks the response as [`PublicPage`] when this visitor is anonymous in every way that
    /// could change a public page: not signed in, no CSRF token, no flash to show.
    pub fn mark_public(&self) {
        if self.user.is_none() && self.csrf.get().is_none() && self.flash.is_none() {
            self.request.extensions_mut().insert(PublicPage);
        }
    }

    /// The layout for a public page (home, catalog, scenario): a visitor who is not signed
    /// in and has no token yet gets none, so the page sets no cookie and may be cached
    /// publicly; the forms such a page shows must not need one.
    pub fn public_layout(
        &self,
        title: impl Into<String>,
        description: impl Into<String>,
    ) -> Layout {
        let mut layout = Layout::new(title, description);
        layout.csrf_token = match (&self.user, self.csrf.get()) {
            (Some(_), _) => self.csrf_token(),
            (None, Some(token)) => token.clone(),
            (None, None) => String::new(),
        };
        self.mark_public();
        layout.flash = self.flash.clone();
        layout.user = self.user.as_ref().map(|u| NavUser {
            name: u
                .display_name
                .clone()
                .or_else(|| u.username.clone())
                .unwrap_or_else(|| u.email.clone()),
            is_admin: u.is_admin,
        });
        layout
    }
}

fn client_ip(req: &HttpRequest, trust_proxy: bool) -> String {
    if trust_proxy {
        if let Some(ip) = req.connection_info().realip_remote_addr() {
            return ip.to_owned();
        }
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

impl FromRequest for Visitor {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("app state missing")))?;
            let session = req.get_session();
            let csrf = std::cell::OnceCell::new();
            if let Some(token) = session.get::<String>(CSRF_KEY).ok().flatten() {
                let _ = csrf.set(token);
            }
            // why: removing marks the session changed (a new cookie) even when nothing was there.
            let flash = session
                .contains_key(FLASH_KEY)
                .then(|| session.remove_as::<StoredFlash>(FLASH_KEY))
                .flatten()
                .and_then(Result::ok)
                .map(|f| Flash {
                    kind: if f.kind == "error" { "error" } else { "info" },
                    message: f.message,
                });
            let auth_token = req
                .cookie(AUTH_COOKIE)
                .map(|c| c.value().to_owned())
                .filter(|t| t.len() == 64);
            let now = state.now();
            let user = match auth_token.clone() {
                Some(token) => accounts::sessions::signed_in(&state.ctx, token, now).await?,
                None => None,
            };
            let guest_id = req
                .cookie(GUEST_COOKIE)
                .map(|c| c.value().to_owned())
                .filter(|g| uuid::Uuid::parse_str(g).is_ok());
            Ok(Visitor {
                user,
                auth_token,
                guest_id,
                csrf,
                request: req.clone(),
                flash,
                ip: client_ip(&req, state.settings.trust_proxy),
                user_agent: req
                    .headers()
                    .get("user-agent")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                reading_aids: ReadingAidsCookies::read(&req),
            })
        })
    }
}

fn cookie(
    name: &'static str,
    value: String,
    secure: bool,
    max_age: time::Duration,
) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(max_age)
        .finish()
}

/// The login-session cookie for `token`.
pub fn auth_cookie(token: String, secure: bool) -> Cookie<'static> {
    cookie(
        AUTH_COOKIE,
        token,
        secure,
        time::Duration::days(accounts::SESSION_LIFETIME.num_days()),
    )
}

/// A cookie that removes `name` from the browser.
pub fn removal(name: &'static str, secure: bool) -> Cookie<'static> {
    let mut c = cookie(name, String::new(), secure, time::Duration::ZERO);
    c.make_removal();
    c
}

/// The guest cookie for `id` (kept 90 days).
pub fn guest_cookie(id: String, secure: bool) -> Cookie<'static> {
    cookie(GUEST_COOKIE, id, secure, time::Duration::days(90))
}

/// The reading-aid choices this browser remembers: one cookie per language
/// (`kaiwa_aids_ja=ruby`), and the older all-languages on/off cookie (`kaiwa_aids`).
#[derive(Debug, Clone, Default)]
pub struct ReadingAidsCookies {
    per_language: Vec<(String, String)>,
    all_off: bool,
}

impl ReadingAidsCookies {
    fn read(req: &actix_web::HttpRequest) -> Self {
        let per_language = crate::app::conversations::reading_aids::WITH_AIDS
            .iter()
            .filter_map(|lang| {
                req.cookie(&format!("kaiwa_aids_{lang}"))
                    .map(|c| ((*lang).to_owned(), c.value().to_owned()))
            })
            .collect();
        Self {
            per_language,
            all_off: req.cookie("kaiwa_aids").is_some_and(|c| c.value() == "off"),
        }
    }

    /// The stored choice for `language` (`both`, `ruby`, `line`, `none`), if any.
    pub fn choice(&self, language: &str) -> Option<&str> {
        self.per_language
            .iter()
            .find(|(l, _)| l == language)
            .map(|(_, v)| v.as_str())
            .or(self.all_off.then_some("none"))
    }
}
