//! Voice and reading aids: the partner's provider voice (`…/messages/{id}/audio`), spoken
//! answers transcribed by the provider (`…/transcribe`), and the reading-aids toggle.

use super::*;

/// The partner's message spoken by the provider's voice for the conversation's speaker.
/// Offline there is no provider voice: 404, and the page uses the browser's voices.
pub(super) async fn audio(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(ConversationId, MessageId)>,
) -> Result<HttpResponse, AppError> {
    let (owner, (id, message_id)) = (owner(&state, &visitor).0, path.into_inner());
    let bytes = convo::voice::speech(&state.ctx, owner, id, message_id).await?;
    Ok(HttpResponse::Ok()
        .content_type("audio/mpeg")
        .insert_header(("Cache-Control", "private, max-age=86400"))
        .body(bytes))
}

/// The largest recording accepted for transcription.
pub(super) const MAX_AUDIO_BYTES: usize = convo::voice::MAX_AUDIO_BYTES;

pub(super) fn header<'a>(req: &'a HttpRequest, name: &str) -> &'a str {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// Turns a recorded answer (the request body, as the browser recorded it) into text.
pub(super) async fn transcribe(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ConversationId>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (owner, id) = (owner(&state, &visitor).0, id.into_inner());
    let recording = convo::voice::Recording {
        audio: body.to_vec(),
        content_type: header(&req, "content-type").to_owned(),
        // why: the browser says how long it recorded; bounded so a bad header can't inflate usage.
        seconds: header(&req, "x-audio-seconds")
            .parse::<f64>()
            .map(|s| s.clamp(0.0, 600.0).round() as i32)
            .unwrap_or(0),
    };
    let text = convo::voice::transcribe(&state.ctx, owner, id, recording).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "text": text })))
}

/// The cookie that remembers which reading aids the learner wants in a language
/// (`kaiwa_aids_ja`; see `visitor::ReadingAidsCookies`).
pub(super) const AIDS_COOKIE_PREFIX: &str = "kaiwa_aids_";

#[derive(Deserialize)]
pub(super) struct AidsForm {
    #[serde(default)]
    show: String,
}

/// Remembers which reading aids this browser shows in the conversation's language (furigana,
/// romaji, both or none) and goes back to the conversation.
pub(super) async fn toggle_aids(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ConversationId>,
    form: web::Form<AidsForm>,
) -> Result<HttpResponse, AppError> {
    let (owner, id) = (owner(&state, &visitor).0, id.into_inner());
    let conversation = convo::show::check(&state.ctx, owner, id.clone()).await?;
    let language = conversation.target_language_id;
    let shown = views::AidsShown::for_language(&language, Some(&form.show));
    let cookie =
        actix_web::cookie::Cookie::build(format!("{AIDS_COOKIE_PREFIX}{language}"), shown.as_str())
            .path("/")
            .http_only(true)
            .same_site(actix_web::cookie::SameSite::Lax)
            .secure(state.settings.secure_cookies())
            .max_age(actix_web::cookie::time::Duration::days(365))
            .finish();
    let mut res = to_conversation(&id);
    res.add_cookie(&cookie)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("a cookie could not be set: {e}")))?;
    Ok(res)
}
