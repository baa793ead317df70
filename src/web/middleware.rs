//! Cross-cutting response behaviour: security headers on every response and one log line
//! per request with its id, method, path, status and time taken.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::Error;

/// Headers every response carries. Scripts and styles only from this origin; htmx is
/// configured not to inject inline styles (see the layout's `htmx-config` meta tag).
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add(("Permissions-Policy", "camera=(), geolocation=(), microphone=(self)"))
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; \
             connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'self'; \
             form-action 'self'; frame-ancestors 'none'",
        ))
}

/// Logs each request once it is answered and tags the response with `X-Request-Id`.
pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let request_id = uuid::Uuid::now_v7().simple().to_string();
    let method = req.method().clone();
    let path = req.path().to_owned();
    let result = next.call(req).await;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    match &result {
        Ok(res) => tracing::info!(
            request_id = %request_id, %method, %path, status = res.status().as_u16(),
            elapsed_ms = format!("{elapsed_ms:.1}"), "request"
        ),
        Err(e) => {
            tracing::warn!(request_id = %request_id, %method, %path, error = %e, "request failed")
        }
    }
    result.map(|mut res| {
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            res.headers_mut()
                .insert(HeaderName::from_static("x-request-id"), value);
        }
        res
    })
}
