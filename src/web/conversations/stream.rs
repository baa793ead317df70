//! The reply stream: server-sent events relaying the partner's tokens, then the stored
//! message's HTML (`done`), or `failed` with the learner's message kept.

use futures_util::StreamExt;

use super::*;
use crate::app::conversations::reply::ReplyEvent;

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

/// The hint panel for the partner's new line (`#help` on the page).
#[derive(Template)]
#[template(path = "conversations/_help.html")]
struct HelpFragment<'a> {
    id: &'a str,
    csrf_token: &'a str,
    lang: &'a str,
    hint: String,
    suggestions: Vec<(String, String)>,
    stuck: bool,
}

/// The progress line for the partner's new line (`#progress` on the page).
#[derive(Template)]
#[template(path = "conversations/_progress.html")]
struct ProgressFragment {
    progress: String,
}

/// What the `done` event's fragments need besides the event.
struct Page {
    id: String,
    csrf_token: String,
    lang: String,
}

/// One reply event as server-sent event bytes.
///
/// why: in `done`, the first element replaces the pending bubble; the page's script swaps any
/// further element (the learner's message with its new correction, the hint panel `#help`,
/// the progress line `#progress`) in by its id.
fn event_bytes(event: ReplyEvent, page: &Page) -> Result<web::Bytes, actix_web::Error> {
    let lang = page.lang.as_str();
    Ok(match event {
        ReplyEvent::Token(t) => sse("token", &t),
        ReplyEvent::Failed(message) => sse("failed", &message),
        ReplyEvent::Done {
            reply,
            corrected,
            help,
            progress,
        } => {
            let mut html = String::new();
            for m in reply.iter().chain(corrected.iter()) {
                let fragment = MessageFragment {
                    m: MessageView::new(m, lang),
                };
                html.push_str(&fragment.render().map_err(AppError::from)?);
            }
            if let (Some(_), Some(progress)) = (&reply, progress) {
                let help = HelpFragment {
                    id: &page.id,
                    csrf_token: &page.csrf_token,
                    lang,
                    hint: help.hint.clone().unwrap_or_default(),
                    suggestions: help.suggested_replies.clone(),
                    stuck: progress.stuck(),
                };
                html.push_str(&help.render().map_err(AppError::from)?);
                let progress = ProgressFragment {
                    progress: views::progress_sentence(&progress),
                };
                html.push_str(&progress.render().map_err(AppError::from)?);
            }
            sse("done", &html)
        }
    })
}

/// Streams the owed reply as server-sent events: `token` chunks, then `done` with the
/// stored message's HTML, or `failed` (the learner's message stays; the page offers a retry).
pub(super) async fn stream(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ConversationId>,
) -> Result<HttpResponse, AppError> {
    let (owner, _) = owner(&state, &visitor);
    let id = id.into_inner();
    let reply = convo::reply::stream(&state.ctx, owner, id.clone()).await?;
    let page = Page {
        id: id.0,
        csrf_token: visitor.csrf_token(),
        lang: reply.language,
    };
    let body = reply.events.map(move |e| event_bytes(e, &page));
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body))
}
