//! The reply stream: server-sent events relaying the provider's tokens, then the stored
//! message's HTML (or `failed`, with the learner's message kept).

use super::*;

#[derive(Template)]
#[template(path = "conversations/_message.html")]
pub(super) struct MessageFragment {
    m: MessageView,
}

pub(super) fn sse(event: &str, data: &str) -> web::Bytes {
    let mut out = format!("event: {event}\n");
    for line in data.split('\n') {
        out.push_str("data: ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
    web::Bytes::from(out)
}

/// Streams the owed reply as server-sent events: `token` chunks, then `done` with the
/// stored message's HTML, or `failed` (the learner's message stays; the page offers a retry).
pub(super) async fn stream(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (owner, _) = owner(&state, &visitor);
    let (o, i) = (owner.clone(), id.clone());
    let request = state
        .db(move |c| Ok(convo::reply_request(c, &o, &i)?))
        .await?;
    let lang = queries_lang(&state, &owner, &id).await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<web::Bytes>(64);
    let Some(request) = request else {
        let _ = tx.send(sse("done", "")).await;
        drop(tx);
        return Ok(sse_response(rx));
    };
    let st = state.clone();
    actix_web::rt::spawn(async move {
        let extras = st.ai.extras(&request);
        let mut chunks = st.ai.reply(request);
        let mut text = String::new();
        let mut failed = None;
        while let Some(chunk) = chunks.next().await {
            match chunk {
                Ok(t) => {
                    text.push_str(&t);
                    let _ = tx.send(sse("token", &t)).await;
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        if let Some(e) = failed {
            tracing::warn!(error = %e, "a streamed reply failed midway; nothing stored");
            let _ = tx
                .send(sse(
                    "failed",
                    "The reply was interrupted. Your message is saved: try again.",
                ))
                .await;
            return;
        }
        let provider = st.ai.name();
        let saved = st
            .db(move |c| {
                let saved = convo::save_reply(
                    c,
                    &owner,
                    &id,
                    &text,
                    &extras,
                    provider,
                    Utc::now().naive_utc(),
                )?;
                // The learner's message may have gained an immediate correction.
                let learner = queries::conversations::list_messages(c, &id)?
                    .into_iter()
                    .rev()
                    .find(|m| m.role == crate::db::types::MessageRole::User);
                Ok((saved, learner))
            })
            .await;
        // why: the first element replaces the pending bubble; the page's script swaps any
        // further element (the corrected learner message) in by its id.
        let html = match saved {
            Ok((Some(m), learner)) => {
                let mut html = MessageFragment {
                    m: MessageView::new(&m, &lang),
                }
                .render()
                .unwrap_or_default();
                if let Some(l) = learner.filter(|l| l.grammar_analysis.is_some()) {
                    html.push_str(
                        &MessageFragment {
                            m: MessageView::new(&l, &lang),
                        }
                        .render()
                        .unwrap_or_default(),
                    );
                }
                html
            }
            _ => String::new(),
        };
        let _ = tx.send(sse("done", &html)).await;
    });
    Ok(sse_response(rx))
}

pub(super) fn sse_response(rx: tokio::sync::mpsc::Receiver<web::Bytes>) -> HttpResponse {
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, actix_web::Error>(b), rx))
    });
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body)
}
