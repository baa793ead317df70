//! `POST /webhooks/stripe`: Stripe's events. Exempt from the CSRF token (`web::csrf` exempts
//! `/webhooks/`; the input gate reads only url-encoded bodies, so the JSON reaches here as
//! sent): the raw body, at most [`MAX_BODY`], goes with its `Stripe-Signature` header to
//! `app::billing::receive`. 400 when the signature does not verify (or no webhook secret is
//! configured), otherwise 200, also for an event seen before.

use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use crate::app::billing;
use crate::web::error::AppError;
use crate::web::AppState;

/// The largest event accepted (Stripe's are a few KB).
pub const MAX_BODY: usize = 64 * 1024;

pub(super) async fn receive(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let payload = read_capped(body, MAX_BODY).await?;
    let signature = req
        .headers()
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    billing::receive(&state.ctx, payload, signature).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "received": true })))
}

/// The body, refused with 413 as soon as it passes `limit` bytes.
async fn read_capped(mut body: web::Payload, limit: usize) -> Result<Vec<u8>, AppError> {
    let too_large = || AppError::PayloadTooLarge(format!("Send at most {} KB.", limit / 1024));
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk =
            chunk.map_err(|e| AppError::BadRequest(format!("The body could not be read: {e}")))?;
        if bytes.len() + chunk.len() > limit {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}
