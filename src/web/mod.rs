//! The HTTP edge: routes, handlers, forms and view models, one folder per area with the same
//! names as `app` and `templates`. Handlers extract, call one service, render.

pub mod accounts;
pub mod admin;
pub mod billing;
pub mod catalog;
pub mod components;
pub mod conversations;
pub mod courses;
pub mod csrf;
pub mod error;
pub mod home;
pub mod input;
pub mod layout;
pub mod middleware;
pub mod onboarding;
pub mod page_cache;
pub mod paths;
pub mod system;
pub mod visitor;

/// The choices shared by onboarding and the account pages, at their former path.
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, Responder};
use askama::Template;

use crate::config::Settings;
use crate::web::error::AppError;

/// What every handler can reach: the use cases' context, and the settings and AI partner it
/// holds.
#[derive(Clone)]
pub struct AppState {
    pub ctx: crate::app::Ctx,
    pub settings: Arc<Settings>,
    /// The AI partner: the OpenAI-compatible adapter, or the offline partner.
    pub ai: Arc<dyn crate::integrations::ai::ChatModel>,
    /// Sitemaps built in the last minute.
    pub sitemaps: Arc<system::sitemaps::SitemapCache>,
    /// Public pages rendered in the last minute, for visitors without cookies.
    pub page_cache: Arc<page_cache::PageCache>,
}

impl AppState {
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
        .configure(courses::routes)
        .configure(accounts::routes)
        .configure(onboarding::routes)
        .configure(admin::routes)
        .configure(billing::routes)
        .configure(conversations::routes)
        .configure(paths::routes);
}

/// A page or fragment (a template deriving askama_web's `WebTemplate`) as the response with
/// another status (422 for a form with errors, say). The responder sets the HTML content type.
pub fn render_with_status<T: Template + Responder>(
    req: &HttpRequest,
    status: StatusCode,
    template: T,
) -> Result<HttpResponse, AppError> {
    let mut res = template.respond_to(req).map_into_boxed_body();
    // why: askama_web answers a template that fails to render with a bare 500 in plain text
    // (and logs the cause); the user gets the error page, as for any other internal error.
    if res.status() == StatusCode::INTERNAL_SERVER_ERROR {
        return Err(AppError::Internal(anyhow::anyhow!(
            "rendering a template failed (askama_web logged the cause)"
        )));
    }
    *res.status_mut() = status;
    Ok(res)
}

/// A 303 to `location` (a path on this site).
/// Whether htmx sent the request (it then gets a fragment, not the whole page).
pub fn is_htmx(req: &HttpRequest) -> bool {
    req.headers().contains_key("hx-request")
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location))
        .finish()
}

/// A page or fragment (a template deriving askama_web's `WebTemplate`) as a 200 response.
pub fn render<T: Template + Responder>(
    req: &HttpRequest,
    template: T,
) -> Result<HttpResponse, AppError> {
    render_with_status(req, StatusCode::OK, template)
}

#[cfg(test)]
mod tests {
    use std::fmt;

    use actix_web::http::StatusCode;
    use askama::Template;
    use askama_web::WebTemplate;

    use super::{render, render_with_status};
    use crate::web::error::AppError;

    #[derive(Template, WebTemplate)]
    #[template(source = "<p>{{ text }}</p>", ext = "html")]
    struct Page {
        text: &'static str,
    }

    /// A value whose `Display` fails, so the template that shows it fails to render.
    struct Broken;

    impl fmt::Display for Broken {
        fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
            Err(fmt::Error)
        }
    }

    #[derive(Template, WebTemplate)]
    #[template(source = "<p>{{ broken }}</p>", ext = "html")]
    struct BrokenPage {
        broken: Broken,
    }

    fn content_type(res: &actix_web::HttpResponse) -> &str {
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    #[actix_web::test]
    async fn a_page_is_escaped_html_with_its_status() {
        let req = actix_web::test::TestRequest::default().to_http_request();
        let ok = render(&req, Page { text: "<b>&" }).unwrap();
        assert_eq!(ok.status(), StatusCode::OK);
        assert_eq!(content_type(&ok), "text/html; charset=utf-8");
        let body = actix_web::body::to_bytes(ok.into_body()).await.unwrap();
        assert_eq!(&body[..], b"<p>&#60;b&#62;&#38;</p>");

        let refused = render_with_status(&req, StatusCode::UNPROCESSABLE_ENTITY, Page { text: "" });
        let refused = refused.unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(content_type(&refused), "text/html; charset=utf-8");
    }

    #[actix_web::test]
    async fn a_template_that_fails_to_render_is_an_internal_error() {
        let req = actix_web::test::TestRequest::default().to_http_request();
        let page = BrokenPage { broken: Broken };
        let failed = render_with_status(&req, StatusCode::UNPROCESSABLE_ENTITY, page);
        assert!(matches!(failed, Err(AppError::Internal(_))));
    }
}
