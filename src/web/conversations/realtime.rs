//! Realtime voice: `POST …/realtime/offer` (the browser's WebRTC offer, `application/sdp`;
//! the provider's answer back) and `POST …/realtime/transcript` (the call's lines, JSON).
//! Both are posted by `static/js/realtime.js` with the `X-CSRF-Token` header.

use super::*;
use crate::app::conversations::realtime::{self, Line};
use crate::db::types::MessageRole;

/// The largest offer accepted (the route's payload limit).
pub(super) const MAX_OFFER_BYTES: usize = realtime::MAX_OFFER_BYTES;
/// The largest transcript post accepted.
pub(super) const MAX_TRANSCRIPT_BYTES: usize = 256 * 1024;

/// Relays the browser's SDP offer to the provider and answers with the provider's SDP.
pub(super) async fn offer(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ConversationId>,
    body: String,
) -> Result<HttpResponse, AppError> {
    if !voice::header(&req, "content-type").starts_with("application/sdp") {
        return Err(AppError::BadRequest(
            "Send the offer as application/sdp.".into(),
        ));
    }
    let (owner, id) = (owner(&state, &visitor).0, id.into_inner());
    let answer = realtime::offer(&state.ctx, owner, id, body).await?;
    Ok(HttpResponse::Created()
        .content_type("application/sdp")
        .body(answer))
}

#[derive(Deserialize)]
pub(super) struct TranscriptBody {
    #[serde(default)]
    lines: Vec<TranscriptLine>,
}

#[derive(Deserialize)]
pub(super) struct TranscriptLine {
    /// `learner` or `partner`.
    role: String,
    text: String,
}

impl TryFrom<TranscriptBody> for Vec<Line> {
    type Error = AppError;

    fn try_from(body: TranscriptBody) -> Result<Self, AppError> {
        body.lines
            .into_iter()
            .map(|l| {
                let role = match l.role.as_str() {
                    "learner" => MessageRole::User,
                    "partner" => MessageRole::Assistant,
                    _ => {
                        return Err(AppError::BadRequest(
                            "A line is the learner's or the partner's.".into(),
                        ))
                    }
                };
                Ok(Line { role, text: l.text })
            })
            .collect()
    }
}

/// Stores the call's lines as the conversation's messages; how many were stored.
pub(super) async fn transcript(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ConversationId>,
    body: web::Json<TranscriptBody>,
) -> Result<HttpResponse, AppError> {
    let (owner, id) = (owner(&state, &visitor).0, id.into_inner());
    let lines = Vec::<Line>::try_from(body.into_inner())?;
    let stored = realtime::transcript(&state.ctx, owner, id, lines).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "stored": stored })))
}
