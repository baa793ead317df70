//! Realtime voice: `POST …/realtime/offer` (the browser's WebRTC offer, `application/sdp`;
//! the provider's answer back, with `Kaiwa-Sideband: held` when the server follows the call
//! and sends the wrap-up itself) and `POST …/realtime/transcript` (the call's lines, JSON,
//! each with the provider's item id when the browser has it). Both are posted by
//! `static/js/realtime.js` with the `X-CSRF-Token` header.

use super::*;
use crate::app::conversations::realtime::{self, Line};
use crate::db::types::MessageRole;

/// The largest offer accepted (the route's payload limit).
pub(super) const MAX_OFFER_BYTES: usize = realtime::MAX_OFFER_BYTES;
/// The largest transcript post accepted.
pub(super) const MAX_TRANSCRIPT_BYTES: usize = 256 * 1024;
/// The offer's answer header that says the server follows the call.
const SIDEBAND_HEADER: &str = "Kaiwa-Sideband";

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
    let offered = realtime::offer(&state.ctx, owner, id, body).await?;
    let mut res = HttpResponse::Created();
    if offered.sideband {
        res.insert_header((SIDEBAND_HEADER, "held"));
    }
    Ok(res.content_type("application/sdp").body(offered.answer_sdp))
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
    /// The provider's item id of the line (`item_id` of its event).
    #[serde(default)]
    item_id: Option<String>,
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
                Ok(Line {
                    role,
                    text: l.text,
                    item_id: l.item_id,
                })
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
