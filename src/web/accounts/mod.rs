//! Sign-up, sign-in, sign-out, email verification and password reset
//! (`/signup`, `/login`, `/logout`, `/verify-email`, `/forgot-password`, `/reset-password`),
//! Google sign-in (`google.rs`) and the account page (`profile.rs`, `/account`).

mod google;
mod profile;
mod recovery;
mod sign_in;
mod signup;

pub(crate) use sign_in::finish_sign_in;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use crate::app::accounts::{self, AccountError, SignUp};
use crate::db::queries::{self, preferences::Owner};
use crate::db::types::TokenPurpose;
use crate::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::{auth_cookie, flash, removal, Visitor, AUTH_COOKIE, GUEST_COOKIE};
use crate::web::AppState;

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
        .configure(google::routes)
        .configure(profile::routes);
}

/// The status a form answers with for an account error, or `None` for internal failures.
fn form_status(e: &AccountError) -> Option<StatusCode> {
    Some(match e {
        AccountError::InvalidEmail | AccountError::WeakPassword(_) | AccountError::Invalid(_) => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AccountError::InvalidCredentials => StatusCode::UNAUTHORIZED,
        AccountError::Unverified => StatusCode::FORBIDDEN,
        AccountError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        AccountError::LinkInvalid
        | AccountError::GoogleEmailUnverified
        | AccountError::GoogleCancelled
        | AccountError::GoogleFailed => StatusCode::BAD_REQUEST,
        AccountError::GoogleOff | AccountError::Db(_) | AccountError::Internal(_) => return None,
    })
}

/// Turns an account error into the form page with its message, or an internal error.
fn form_error<T: Template>(
    e: AccountError,
    page: impl FnOnce(String) -> T,
) -> Result<HttpResponse, AppError> {
    match form_status(&e) {
        Some(status) => render_status(status, &page(e.to_string())),
        None => Err(match e {
            AccountError::Db(d) => d.into(),
            other => AppError::Internal(other.into()),
        }),
    }
}

pub(crate) fn render_status<T: Template>(
    status: StatusCode,
    page: &T,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location))
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

#[derive(Deserialize)]
pub(super) struct TokenQuery {
    token: Option<String>,
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
