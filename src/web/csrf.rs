//! CSRF protection for every state-changing request: the request must not come from another
//! site (`Sec-Fetch-Site` / `Origin`), and must carry the per-session token, as the form field
//! `csrf_token` or the `X-CSRF-Token` header (htmx sends it from the layout's `hx-headers`).
//! Refused requests get 403 and never reach a handler, so nothing is written. The token is
//! replaced whenever the signed-in account changes.

use actix_session::SessionExt;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, Error, ResponseError};

use crate::app::accounts::tokens::constant_time_eq;
use crate::web::error::AppError;
use crate::web::visitor::CSRF_KEY;

/// Routes that authenticate themselves another way (signed webhooks).
const EXEMPT_PREFIXES: &[&str] = &["/webhooks/"];

/// Whether `path` authenticates itself: a webhook, or a one-click unsubscribe link
/// (`/unsubscribe/{signed token}`, POSTed by mail clients without any session, RFC 8058).
fn exempt(path: &str) -> bool {
    let unsubscribe = path
        .strip_prefix("/unsubscribe/")
        .is_some_and(|token| !token.is_empty() && !token.contains('/'));
    unsubscribe || EXEMPT_PREFIXES.iter().any(|p| path.starts_with(p))
}

pub async fn protect(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && !exempt(req.path()) {
        if cross_site(&req) {
            return Ok(refuse(req));
        }
        let expected = req.get_session().get::<String>(CSRF_KEY).ok().flatten();
        let header = req
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let sent = match header {
            Some(h) => Some(h),
            None if is_form(&req) => {
                let bytes = req.extract::<web::Bytes>().await?;
                let token = form_field(&bytes, "csrf_token");
                crate::web::input::restore(&mut req, bytes);
                token
            }
            None => None,
        };
        let valid = matches!((expected, sent), (Some(e), Some(s)) if constant_time_eq(&e, &s));
        if !valid {
            return Ok(refuse(req));
        }
    }
    let res = next.call(req).await?.map_into_boxed_body();
    rotate_on_account_change(&res);
    Ok(res)
}

/// why: a token that survives sign-in lets whoever planted it before sign-in forge requests
/// after it. Whenever a response sets or removes the login cookie (sign-in, sign-out,
/// switching accounts) the session gets a new token; the next page carries it.
fn rotate_on_account_change(res: &ServiceResponse<BoxBody>) {
    let changed = res
        .response()
        .cookies()
        .any(|c| c.name() == crate::web::visitor::AUTH_COOKIE);
    if changed {
        let (token, _) = crate::app::accounts::tokens::generate();
        if let Err(e) = res.request().get_session().insert(CSRF_KEY, token) {
            tracing::error!(error = %e, "could not rotate the CSRF token");
        }
    }
}

fn cross_site(req: &ServiceRequest) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if header("sec-fetch-site") == Some("cross-site") {
        return true;
    }
    match (header("origin"), header("host")) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => url::Url::parse(origin)
            .map(|u| {
                let origin_host = match u.port() {
                    Some(port) => format!("{}:{port}", u.host_str().unwrap_or_default()),
                    None => u.host_str().unwrap_or_default().to_owned(),
                };
                origin_host != host
            })
            .unwrap_or(true),
        _ => false,
    }
}

fn is_form(req: &ServiceRequest) -> bool {
    req.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"))
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn refuse(req: ServiceRequest) -> ServiceResponse<BoxBody> {
    tracing::warn!(path = %req.path(), "refused a request without a valid CSRF token");
    let response = AppError::Forbidden(
        "This form has expired or came from somewhere else. Reload the page and try again.".into(),
    )
    .error_response();
    req.into_response(response)
}

#[cfg(test)]
mod tests {
    use super::exempt;

    #[test]
    fn only_webhooks_and_the_unsubscribe_link_skip_the_token() {
        assert!(exempt("/unsubscribe/abc.def"));
        assert!(exempt("/webhooks/stripe"));
        for path in [
            "/unsubscribe/",
            "/unsubscribe/a/b",
            "/unsubscribe",
            "/paths/1/reminders",
        ] {
            assert!(!exempt(path), "{path}");
        }
    }
}
