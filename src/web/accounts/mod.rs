//! The accounts area at the HTTP edge: sign-up and email verification (`signup.rs`),
//! sign-in and sign-out (`sign_in.rs`), forgotten passwords (`recovery.rs`), Google sign-in
//! (`google.rs`) and the account page (`profile.rs`: profile, email change, sessions, data
//! export, deletion). Handlers extract, call one use case of [`crate::app::accounts`] and
//! render; they never query the database or read the clock.
//!
//! Errors: an [`AccountError`] becomes an [`AppError`] through the one `From` below. On a
//! form page, an error about the input re-renders the form with its message at that
//! error's status ([`form_error`]); anything else becomes the error page.

mod google;
mod profile;
mod recovery;
mod sign_in;
mod signup;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use crate::app::accounts::{AccountError, Browser, SignedIn};
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::{auth_cookie, flash, removal, Visitor, AUTH_COOKIE, GUEST_COOKIE};
use crate::web::{render, render_with_status as render_status, see_other, AppState};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/signup", web::get().to(signup::signup_form))
        .route("/signup", web::post().to(signup::signup))
        .route("/login", web::get().to(sign_in::login_form))
        .route("/login", web::post().to(sign_in::login))
        .route("/logout", web::post().to(sign_in::logout))
        .route("/verify-email", web::get().to(signup::verify_form))
        .route("/verify-email", web::post().to(signup::verify))
        .route("/forgot-password", web::get().to(recovery::forgot_form))
        .route("/forgot-password", web::post().to(recovery::forgot))
        .route("/reset-password", web::get().to(recovery::reset_form))
        .route("/reset-password", web::post().to(recovery::reset))
        .route("/auth/google", web::get().to(google::start))
        .route("/auth/google/callback", web::get().to(google::callback))
        .route("/account", web::get().to(profile::show))
        .route("/account", web::post().to(profile::update))
        .route("/account/email", web::post().to(profile::change_email))
        .route(
            "/account/confirm-email",
            web::get().to(profile::confirm_email_form),
        )
        .route(
            "/account/confirm-email",
            web::post().to(profile::confirm_email),
        )
        .route(
            "/account/sessions/revoke",
            web::post().to(profile::sign_out_everywhere),
        )
        .route("/account/export", web::get().to(profile::export))
        .route("/account/delete", web::post().to(profile::destroy));
}

impl From<AccountError> for AppError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::InvalidEmail
            | AccountError::WeakPassword(_)
            | AccountError::Invalid(_) => Self::Unprocessable(e.to_string()),
            // why: AppError has no 401. These show only on the sign-in form, which answers
            // a wrong password with 401 ([`form_message`]) and an unverified account with 403.
            AccountError::InvalidCredentials | AccountError::Unverified => {
                Self::Forbidden(e.to_string())
            }
            AccountError::Throttled { .. } => Self::TooManyRequests(e.to_string()),
            AccountError::LinkInvalid
            | AccountError::GoogleEmailUnverified
            | AccountError::GoogleCancelled
            | AccountError::GoogleFailed => Self::BadRequest(e.to_string()),
            AccountError::GoogleOff => Self::NotFound,
            AccountError::Db(d) => d.into(),
            AccountError::Internal(i) => Self::Internal(i),
        }
    }
}

/// The status and message a form shows for an account error, or the error page's error
/// when it is not about the input.
fn form_message(e: AccountError) -> Result<(StatusCode, String), AppError> {
    let unauthorized = matches!(e, AccountError::InvalidCredentials);
    let error = AppError::from(e);
    let status = if unauthorized {
        StatusCode::UNAUTHORIZED
    } else {
        error.status_code()
    };
    match error {
        AppError::BadRequest(m)
        | AppError::Unprocessable(m)
        | AppError::Forbidden(m)
        | AppError::TooManyRequests(m) => Ok((status, m)),
        other => Err(other),
    }
}

/// The form page `page` makes from the error's message, at the error's status.
fn form_error<T: Template + actix_web::Responder>(
    req: &HttpRequest,
    e: AccountError,
    page: impl FnOnce(String) -> T,
) -> Result<HttpResponse, AppError> {
    let (status, message) = form_message(e)?;
    render_status(req, status, page(message))
}

/// The request's browser, as the sign-in use cases need it.
fn browser(visitor: &Visitor) -> Browser {
    Browser {
        ip: visitor.ip.clone(),
        session_token: visitor.auth_token.clone(),
        guest_id: visitor.guest_id.clone(),
        user_agent: visitor.user_agent.clone(),
    }
}

/// The answer to a browser that has just signed in: the login cookie set, the guest cookie
/// removed, and a 303 to `next`, or (with none) home, or onboarding for a new learner.
fn signed_in(state: &AppState, signed: SignedIn, next: String) -> HttpResponse {
    let target = match (next.is_empty(), signed.onboarded) {
        (false, _) => next,
        (true, true) => "/".to_owned(),
        (true, false) => "/onboarding".to_owned(),
    };
    let secure = state.settings.secure_cookies();
    HttpResponse::SeeOther()
        .insert_header(("Location", target))
        .cookie(auth_cookie(signed.token, secure))
        .cookie(removal(GUEST_COOKIE, secure))
        .finish()
}

/// A 303 to `location` that removes the login cookie (the session is already gone).
fn signed_out(state: &AppState, location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location))
        .cookie(removal(AUTH_COOKIE, state.settings.secure_cookies()))
        .finish()
}

/// The local path to return to after sign-in, or `None` for the default page.
///
/// why: browsers strip tab, CR and LF inside URLs and read `\` as `/`, so `/\t/evil.example`
/// would leave the site. A safe `next` starts with exactly one `/`, holds no control
/// characters, backslashes or `//`, and is re-serialised from the parsed URL (so it is always
/// a valid header value); anything else goes to the default page.
pub(crate) fn safe_next(next: Option<&str>) -> Option<String> {
    let next = next?;
    let plain = next.starts_with('/')
        && !next.contains("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
        && next.chars().count() <= crate::web::input::MAX_NEXT_CHARS;
    if !plain {
        return None;
    }
    let base = url::Url::parse("http://kaiwa.invalid/").expect("a valid base");
    let parsed = base.join(next).ok()?;
    if parsed.origin() != base.origin() {
        return None;
    }
    let mut out = parsed.path().to_owned();
    if let Some(q) = parsed.query() {
        out.push('?');
        out.push_str(q);
    }
    if let Some(f) = parsed.fragment() {
        out.push('#');
        out.push_str(f);
    }
    (out.starts_with('/') && !out.starts_with("//")).then_some(out)
}

/// A one-time link's query.
#[derive(Deserialize)]
pub(super) struct TokenQuery {
    token: Option<String>,
}

/// A form that carries a one-time link's token.
#[derive(Deserialize)]
pub(super) struct TokenForm {
    token: String,
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn local_paths_come_back_re_serialised() {
        assert_eq!(
            safe_next(Some("/scenarios?q=ramen")).as_deref(),
            Some("/scenarios?q=ramen")
        );
        assert_eq!(safe_next(Some("/a b")).as_deref(), Some("/a%20b"));
        assert_eq!(safe_next(Some("/café")).as_deref(), Some("/caf%C3%A9"));
    }

    #[test]
    fn anything_that_could_leave_the_site_is_refused() {
        for bad in [
            "/\t/evil.example",
            "/\tevil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/\u{b}/evil.example",
            "//evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "https://evil.example/",
            "evil.example",
            "/a//b",
            "/\0",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), None, "{bad:?}");
        }
    }
}
