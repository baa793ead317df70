//! `/admin/…`: operator pages. Only users with `is_admin` see them; everyone else gets the
//! 404 page (the area does not reveal itself).

use actix_web::{web, HttpResponse};
use askama::Template;

use crate::db::queries;
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::Visitor;
use crate::web::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/outbox", web::get().to(outbox));
}

/// The signed-in admin, or the 404 page for anyone else.
fn require_admin(visitor: &Visitor) -> Result<(), AppError> {
    match &visitor.user {
        Some(u) if u.is_admin => Ok(()),
        _ => Err(AppError::NotFound),
    }
}

struct EmailRow {
    to: String,
    subject: String,
    body: String,
    status: &'static str,
    created: String,
    error: String,
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
struct OutboxPage {
    layout: Layout,
    smtp_configured: bool,
    emails: Vec<EmailRow>,
}

async fn outbox(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, AppError> {
    require_admin(&visitor)?;
    let emails = state
        .db(|c| Ok(queries::outbox::list_recent(c, 200)?))
        .await?;
    crate::web::render(&OutboxPage {
        layout: visitor.layout("Outbox — Kaiwa admin", "Emails the app sent or kept."),
        smtp_configured: state.settings.smtp.is_some(),
        emails: emails
            .into_iter()
            .map(|e| EmailRow {
                to: e.to_address,
                subject: e.subject,
                body: e.body_text,
                status: e.status.as_str(),
                created: e.created_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                error: e.last_error.unwrap_or_default(),
            })
            .collect(),
    })
}
