//! The HTTP edge: routes, handlers, forms and view models, one folder per area with the same
//! names as `app` and `templates`. Handlers extract, call one service, render.

pub mod accounts;
pub mod admin;
pub mod catalog;
pub mod components;
pub mod conversations;
pub mod csrf;
pub mod error;
pub mod home;
pub mod input;
pub mod layout;
pub mod middleware;
pub mod onboarding;
pub mod system;
pub mod visitor;

/// The choices shared by onboarding and the account pages, at their former path.
use std::sync::Arc;

use actix_web::{web, HttpResponse};
use askama::Template;

use crate::config::Settings;
use crate::db::{DbConn, DbPool};
use crate::web::error::AppError;

/// What every handler can reach: the use cases' context, and (for handlers not yet moved
/// onto use cases) the pool, settings and AI partner it holds.
#[derive(Clone)]
pub struct AppState {
    pub ctx: crate::app::Ctx,
    pub pool: DbPool,
    pub settings: Arc<Settings>,
    /// The AI partner: the OpenAI-compatible adapter, or the offline partner.
    pub ai: Arc<dyn crate::integrations::ai::ChatModel>,
}

impl AppState {
    /// Runs `f` with a pooled connection on the blocking thread pool.
    ///
    /// why: diesel is synchronous; a connection must never be held across an `.await`.
    pub async fn db<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }

    /// Now, from the app's clock.
    pub fn now(&self) -> chrono::NaiveDateTime {
        self.ctx.clock.naive()
    }

    /// An absolute URL on this site for `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.settings.base_url, path)
    }
}

/// Every route of the app.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(system::routes)
        .configure(home::routes)
        .configure(catalog::routes)
        .configure(accounts::routes)
        .configure(onboarding::routes)
        .configure(admin::routes)
        .configure(conversations::routes);
}

/// Renders a page or fragment with another status (422 for a form with errors, say).
pub fn render_with_status<T: Template>(
    status: actix_web::http::StatusCode,
    template: &T,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(template.render()?))
}

/// A 303 to `location` (a path on this site).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location))
        .finish()
}

/// Renders a full page as an HTML response.
pub fn render<T: Template>(template: &T) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(template.render()?))
}
