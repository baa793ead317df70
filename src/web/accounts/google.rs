//! `/auth/google` and `/auth/google/callback`: Google sign-in. With no Google client
//! configured both answer 404 and the button is hidden.

use actix_session::SessionExt;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::Deserialize;

use super::{finish_sign_in, safe_next};
use crate::app::accounts;
use crate::integrations::google::{self, PendingLogin};
use crate::web::error::AppError;
use crate::web::visitor::Visitor;
use crate::web::AppState;

const PENDING_KEY: &str = "google_login";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/auth/google", web::get().to(start))
        .route("/auth/google/callback", web::get().to(callback));
}

#[derive(Deserialize)]
struct StartQuery {
    next: Option<String>,
}

async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<StartQuery>,
) -> Result<HttpResponse, AppError> {
    let settings = state.settings.google.as_ref().ok_or(AppError::NotFound)?;
    let redirect = state.url("/auth/google/callback");
    let (url, pending) = google::authorize(settings, &redirect, safe_next(query.next.as_deref()))
        .map_err(|e| AppError::Internal(e.into()))?;
    req.get_session()
        .insert(PENDING_KEY, &pending)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("cannot keep the sign-in state: {e}")))?;
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", url))
        .finish())
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

const FAILED: &str = "Signing in with Google didn't work. Please try again.";

async fn callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, AppError> {
    let settings = state.settings.google.as_ref().ok_or(AppError::NotFound)?;
    // why: the pending login is removed before anything else, so a callback URL works once.
    let pending: Option<PendingLogin> = req
        .get_session()
        .remove_as(PENDING_KEY)
        .and_then(Result::ok);
    let query = query.into_inner();
    if query.error.is_some() {
        return Err(AppError::BadRequest("Google sign-in was cancelled.".into()));
    }
    let (Some(pending), Some(code), Some(returned_state)) = (pending, query.code, query.state)
    else {
        return Err(AppError::BadRequest(FAILED.into()));
    };
    if !accounts::tokens::constant_time_eq(&pending.state, &returned_state) {
        tracing::warn!("Google callback with a state that does not match");
        return Err(AppError::BadRequest(FAILED.into()));
    }
    let redirect = state.url("/auth/google/callback");
    let identity = google::exchange(settings, &redirect, &code, &pending, Utc::now().timestamp())
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "Google sign-in failed");
            AppError::BadRequest(FAILED.into())
        })?;
    let result = state
        .db(move |c| {
            Ok(accounts::google_sign_in(
                c,
                identity,
                Utc::now().naive_utc(),
            ))
        })
        .await?;
    match result {
        Ok(user) => {
            finish_sign_in(&state, &visitor, user.id, pending.next.unwrap_or_default()).await
        }
        Err(e @ accounts::AccountError::GoogleEmailUnverified) => {
            Err(AppError::BadRequest(e.to_string()))
        }
        Err(e) => Err(AppError::Internal(e.into())),
    }
}
