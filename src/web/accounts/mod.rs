//! Sign-up, sign-in, sign-out, email verification and password reset
//! (`/signup`, `/login`, `/logout`, `/verify-email`, `/forgot-password`, `/reset-password`),
//! and Google sign-in (`google.rs`).

mod google;
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
        .configure(google::routes);
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
        AccountError::LinkInvalid | AccountError::GoogleEmailUnverified => StatusCode::BAD_REQUEST,
        AccountError::Db(_) | AccountError::Internal(_) => return None,
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

/// Only local paths are followed after sign-in (no open redirects).
pub(crate) fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .map(str::to_owned)
}

#[derive(Deserialize)]
pub(super) struct TokenQuery {
    token: Option<String>,
}
