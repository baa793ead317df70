//! Which error type is used where:
//! - `anyhow::Error` for start-up, the CLI and job internals;
//! - `diesel::QueryResult` in `db`;
//! - a per-area `thiserror` enum in `app`;
//! - [`AppError`] at the web edge: users get a safe message and a request id (the one in the
//!   request's log line), the log gets the whole cause chain. A full request gets the error
//!   page; an htmx request gets the message as a fragment for the layout's error slot
//!   ([`ERROR_SLOT`]), with `HX-Retarget`/`HX-Reswap` so htmx swaps it there.

use actix_web::http::header::ContentType;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use crate::web::layout::Layout;

/// An error as the web layer answers it.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The thing asked for does not exist or is not the caller's to see.
    #[error("not found")]
    NotFound,
    /// The request itself is wrong; the message is shown to the user.
    #[error("{0}")]
    BadRequest(String),
    /// The input was understood but cannot be used; the message says why.
    #[error("{0}")]
    Unprocessable(String),
    /// The page needs a signed-in user; they are sent to sign in and brought back.
    #[error("sign in required")]
    SignInRequired(String),
    /// The request is refused (bad CSRF token, someone else's resource); shown as is.
    #[error("{0}")]
    Forbidden(String),
    /// The body is larger than the app accepts; the message says the limit.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// Too many attempts; the message says how long to wait.
    #[error("{0}")]
    TooManyRequests(String),
    /// The AI provider failed or answered something unusable (the cause goes to the log).
    #[error("the AI provider failed: {0}")]
    Provider(String),
    /// The payment service (Stripe) failed or refused (the cause goes to the log).
    #[error("the payment service failed: {0}")]
    PaymentProvider(String),
    /// A feature this server is not set up for (billing without Stripe keys); shown as is.
    #[error("{0}")]
    NotConfigured(String),
    /// The database did not answer in time or at all.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug or an outage. Logged in full, shown as a generic page.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Self::NotFound,
            other => Self::Internal(other.into()),
        }
    }
}

impl From<crate::app::DbError> for AppError {
    fn from(e: crate::app::DbError) -> Self {
        match e {
            crate::app::DbError::Query(q) => q.into(),
            crate::app::DbError::Unavailable(m) => Self::Unavailable(m),
        }
    }
}

impl From<r2d2::Error> for AppError {
    fn from(e: r2d2::Error) -> Self {
        Self::Unavailable(e.to_string())
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::Internal(anyhow::anyhow!("a blocking task failed: {e}"))
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        Self::Internal(anyhow::anyhow!("rendering a template failed: {e}"))
    }
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage {
    layout: Layout,
    heading: &'static str,
    message: String,
    request_id: String,
}

/// What an htmx request gets instead of the page: the message for the layout's error slot.
#[derive(Template)]
#[template(path = "errors/error.html", block = "message")]
struct ErrorFragment {
    heading: &'static str,
    message: String,
    request_id: String,
}

/// The id of the layout's element an htmx error is swapped into.
pub const ERROR_SLOT: &str = "#htmx-error";

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::SignInRequired(_) => StatusCode::SEE_OTHER,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unavailable(_) | Self::NotConfigured(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Provider(_) | Self::PaymentProvider(_) => StatusCode::BAD_GATEWAY,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if let Self::SignInRequired(next) = self {
            let target = format!(
                "/login?next={}",
                url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            );
            return HttpResponse::SeeOther()
                .insert_header(("Location", target))
                .finish();
        }
        let request = crate::web::middleware::current_request();
        let request_id = request
            .as_ref()
            .map(|r| r.id.clone())
            .unwrap_or_else(|| uuid::Uuid::now_v7().simple().to_string());
        let htmx = request.is_some_and(|r| r.htmx);
        let (heading, message) = match self {
            Self::NotFound => (
                "Page not found",
                "We couldn't find that page. It may have moved, or it may not be yours to see."
                    .to_owned(),
            ),
            Self::BadRequest(msg) => ("That didn't work", msg.clone()),
            Self::SignInRequired(_) => ("Please sign in", "Sign in to see this page.".to_owned()),
            Self::Unprocessable(msg) => ("Please check that", msg.clone()),
            Self::Forbidden(msg) => ("Not allowed", msg.clone()),
            Self::TooManyRequests(msg) => ("Slow down", msg.clone()),
            Self::PayloadTooLarge(msg) => ("That was too much", msg.clone()),
            Self::Provider(_) => (
                "The AI partner isn't answering",
                "The AI provider didn't answer as expected. Your work is saved; please try again \
                 in a moment."
                    .to_owned(),
            ),
            Self::PaymentProvider(_) => (
                "The payment service isn't answering",
                "Stripe didn't answer as expected, so nothing changed. Please try again in a \
                 moment."
                    .to_owned(),
            ),
            Self::NotConfigured(msg) => ("Not available on this server", msg.clone()),
            Self::Unavailable(_) => (
                "Kaiwa is busy",
                "We can't reach our database right now. Please try again in a minute.".to_owned(),
            ),
            Self::Internal(_) => (
                "Something went wrong",
                "Something broke on our side. We've logged it; please try again.".to_owned(),
            ),
        };
        if status.is_server_error() {
            tracing::error!(request_id = %request_id, error = ?self, "request failed");
        }
        let request_id = if status.is_server_error() {
            request_id
        } else {
            String::new()
        };
        let rendered = if htmx {
            ErrorFragment {
                heading,
                message,
                request_id,
            }
            .render()
        } else {
            ErrorPage {
                layout: Layout::new(heading, message.clone()),
                heading,
                message,
                request_id,
            }
            .render()
        };
        // why: not through askama_web's responder: `error_response` has no request to answer
        // (an error that escapes the middleware is answered with none at all).
        let mut res = match rendered {
            Ok(html) => HttpResponse::build(status)
                .insert_header(ContentType::html())
                .body(html),
            Err(_) => HttpResponse::build(status)
                .insert_header(ContentType::plaintext())
                .body(heading),
        };
        if htmx {
            // why: the fragment goes into the page's error slot, whatever the request targeted.
            let headers = res.headers_mut();
            headers.insert(
                actix_web::http::header::HeaderName::from_static("hx-retarget"),
                actix_web::http::header::HeaderValue::from_static(ERROR_SLOT),
            );
            headers.insert(
                actix_web::http::header::HeaderName::from_static("hx-reswap"),
                actix_web::http::header::HeaderValue::from_static("outerHTML"),
            );
        }
        res
    }
}
