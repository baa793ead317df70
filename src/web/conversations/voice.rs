//! Voice and reading aids: the partner's provider voice (`…/messages/{id}/audio`), spoken
//! answers transcribed by the provider (`…/transcribe`), and the reading-aids toggle.

use super::*;

/// The partner's message spoken by the provider's voice for the conversation's speaker.
/// Offline there is no provider voice: 404, and the page uses the browser's voices.
pub(super) async fn audio(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, message_id) = path.into_inner();
    let (owner, _) = owner(&state, &visitor);
    if state.ai.is_offline() {
        return Err(AppError::NotFound);
    }
    let (o, i) = (owner.clone(), id.clone());
    let (text, voice) = state
        .db(move |c| {
            let conversation = convo::get(c, &o, &i)?;
            let message = queries::conversations::list_messages(c, &i)?
                .into_iter()
                .find(|m| m.id == message_id && m.role == crate::db::types::MessageRole::Assistant)
                .ok_or(AppError::NotFound)?;
            let voice = match &conversation.speaker_id {
                Some(s) => queries::languages::list_speakers(c, &conversation.target_language_id)?
                    .into_iter()
                    .find(|sp| &sp.id == s)
                    .and_then(|sp| sp.openai_voice_id),
                None => None,
            };
            Ok((message.content, voice.unwrap_or_else(|| "alloy".into())))
        })
        .await?;
    let bytes = state.ai.speech(text, voice).await.map_err(|e| {
        tracing::warn!(error = %e, "speech failed");
        AppError::Unavailable("the voice provider did not answer".into())
    })?;
    Ok(HttpResponse::Ok()
        .content_type("audio/mpeg")
        .insert_header(("Cache-Control", "private, max-age=86400"))
        .body(bytes))
}

/// The largest recording accepted for transcription.
pub(super) const MAX_AUDIO_BYTES: usize = 10 * 1024 * 1024;

/// Turns a recorded answer (the request body, as the browser recorded it) into text.
pub(super) async fn transcribe(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (owner, _) = owner(&state, &visitor);
    let language = queries_lang(&state, &owner, &id).await?;
    if state.ai.is_offline() {
        return Err(AppError::NotFound);
    }
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if !content_type.starts_with("audio/") || body.is_empty() || body.len() > MAX_AUDIO_BYTES {
        return Err(AppError::Unprocessable(
            "Send a recording of up to 10 MB.".into(),
        ));
    }
    // why: the browser says how long it recorded; bounded so a bad header can't inflate usage.
    let seconds = req
        .headers()
        .get("x-audio-seconds")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<f64>().ok())
        .map(|s| s.clamp(0.0, 600.0).round() as i32)
        .unwrap_or(0);
    let text = state
        .ai
        .transcribe(body.to_vec(), content_type, language)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "transcription failed");
            AppError::Unavailable("the speech provider did not answer".into())
        })?;
    if seconds > 0 {
        let i = id.clone();
        state
            .db(move |c| {
                Ok(queries::conversations::add_audio_seconds(
                    c,
                    &i,
                    seconds,
                    Utc::now().naive_utc(),
                )?)
            })
            .await?;
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({ "text": text })))
}

/// The cookie that remembers whether the learner wants reading aids.
pub(super) const AIDS_COOKIE: &str = "kaiwa_aids";

#[derive(Deserialize)]
pub(super) struct AidsForm {
    #[serde(default)]
    show: String,
}

/// Turns reading aids on or off for this browser and goes back to the conversation.
pub(super) async fn toggle_aids(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
    form: web::Form<AidsForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (owner, _) = owner(&state, &visitor);
    convo_exists(&state, &owner, &id).await?;
    let value = if form.show == "on" { "on" } else { "off" };
    let cookie = actix_web::cookie::Cookie::build(AIDS_COOKIE, value)
        .path("/")
        .http_only(true)
        .same_site(actix_web::cookie::SameSite::Lax)
        .secure(state.settings.secure_cookies())
        .max_age(actix_web::cookie::time::Duration::days(365))
        .finish();
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", format!("/conversations/{id}")))
        .cookie(cookie)
        .finish())
}
