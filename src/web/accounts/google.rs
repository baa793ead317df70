//! `/auth/google` and `/auth/google/callback`: Google sign-in. With no Google client
//! configured both answer 404 and the button is hidden. What the callback must match is
//! kept in the signed, encrypted session cookie between the two.

use actix_session::SessionExt;

use super::*;
use crate::app::accounts::google::{self, Callback, PendingLogin};

const PENDING_KEY: &str = "google_login";

#[derive(Deserialize)]
pub(super) struct StartQuery {
    next: Option<String>,
}

pub(super) async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<StartQuery>,
) -> Result<HttpResponse, AppError> {
    let (url, pending) = google::begin(&state.ctx, safe_next(query.next.as_deref())).await?;
    req.get_session()
        .insert(PENDING_KEY, &pending)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("cannot keep the sign-in state: {e}")))?;
    Ok(see_other(&url))
}

#[derive(Deserialize)]
pub(super) struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

impl From<CallbackQuery> for Callback {
    fn from(q: CallbackQuery) -> Self {
        Self {
            code: q.code,
            state: q.state,
            error: q.error,
        }
    }
}

pub(super) async fn callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, AppError> {
    // why: the pending login is removed before anything else, so a callback URL works once.
    let pending: Option<PendingLogin> = req
        .get_session()
        .remove_as(PENDING_KEY)
        .and_then(Result::ok);
    let callback = query.into_inner().into();
    let done = google::finish(&state.ctx, pending, callback, browser(&visitor)).await?;
    Ok(signed_in(
        &state,
        done.session,
        done.next.unwrap_or_default(),
    ))
}
