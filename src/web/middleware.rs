//! Cross-cutting response behaviour: security and cache headers on every response and one log line
//! per request with its id, method, path, status and time taken.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    HeaderMap, HeaderName, HeaderValue, CACHE_CONTROL, ETAG, IF_NONE_MATCH, SET_COOKIE, VARY,
};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::HttpMessage;
use actix_web::{web, Error, HttpResponse, ResponseError};
use sha2::Digest;

use crate::web::visitor::{PublicPage, AUTH_COOKIE, GUEST_COOKIE};
use crate::web::AppState;

/// The Content-Security-Policy every response carries. Scripts and styles only from this
/// origin; htmx is configured not to inject inline styles (the layout's `htmx-config` meta).
const CSP: &str = "default-src 'self'; img-src 'self' data: https:; style-src 'self'; \
     script-src 'self'; connect-src 'self'; media-src 'self' blob:; object-src 'none'; \
     base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// How public pages may be cached: a minute fresh, then served stale for ten while a cache
/// revalidates (by ETag).
const PUBLIC_CACHE: &str = "public, max-age=60, stale-while-revalidate=600";

/// Public pages ([`PublicPage`]) get a strong `ETag` (a hash of the body), public caching and
/// `304 Not Modified` for a request whose `If-None-Match` names it. Anything that sets a
/// cookie, and every other response, passes through untouched. A cookieless GET is answered
/// from the [`PageCache`](crate::web::page_cache::PageCache) when the page is kept there.
pub async fn cache_validation(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let cacheable_method = matches!(req.method().as_str(), "GET" | "HEAD");
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let kept = state.as_ref().and_then(|s| {
        let key = s.page_cache.key(&req)?;
        Some((key, s.now(), s.ctx.cache.public_version()))
    });
    if let (Some(state), Some((key, now, version))) = (&state, &kept) {
        if let Some(entry) = state.page_cache.get(key, *now, *version) {
            let not_modified = names_etag(req.headers(), &entry.etag);
            let mut res = HttpResponse::Ok().finish();
            *res.headers_mut() = entry.headers;
            let res = if not_modified {
                *res.status_mut() = StatusCode::NOT_MODIFIED;
                res
            } else {
                res.set_body(BoxBody::new(entry.body))
            };
            return Ok(req.into_response(res));
        }
    }
    let res = next.call(req).await?.map_into_boxed_body();
    let public = res.request().extensions().get::<PublicPage>().is_some();
    if !cacheable_method
        || !public
        || res.status() != StatusCode::OK
        || res.headers().contains_key(SET_COOKIE)
    {
        return Ok(res);
    }
    let (req, res) = res.into_parts();
    let (mut head, body) = res.into_parts();
    let bytes = match actix_web::body::to_bytes(body).await {
        Ok(b) => b,
        Err(e) => return Err(actix_web::error::ErrorInternalServerError(e.to_string())),
    };
    let digest = sha2::Sha256::digest(&bytes);
    let etag = format!("\"{}\"", hex::encode(&digest[..16]));
    let matches = names_etag(req.headers(), &etag);
    let headers = head.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(PUBLIC_CACHE));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(ETAG, value);
    }
    let vary = match headers.get(VARY).and_then(|v| v.to_str().ok()) {
        Some(existing) if !existing.is_empty() => format!("{existing}, Cookie"),
        _ => "Cookie".to_owned(),
    };
    if let Ok(value) = HeaderValue::from_str(&vary) {
        headers.insert(VARY, value);
    }
    // why: a HEAD's body is empty; only a GET's page is worth keeping.
    if let (Some(state), Some((key, now, version)), true) =
        (&state, kept, req.method() == actix_web::http::Method::GET)
    {
        let kept_headers = head.headers().clone();
        state
            .page_cache
            .put(key, version, now, kept_headers, bytes.clone(), etag);
    }
    let res = if matches {
        *head.status_mut() = StatusCode::NOT_MODIFIED;
        head.set_body(BoxBody::new(()))
    } else {
        head.set_body(BoxBody::new(bytes))
    };
    Ok(ServiceResponse::new(req, res))
}

/// Whether `If-None-Match` in `headers` names `etag` (or is `*`).
fn names_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
}

/// One year, the least HSTS preload lists accept.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Headers every response carries — errors from extractors, body limits and other
/// middleware included: the security headers, `Strict-Transport-Security` when the site is
/// served over https, and a `Cache-Control` for responses that set none (pages are built for
/// one visitor: they hold its CSRF token and, signed in, its name and data, so no shared
/// cache may keep them).
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let policy = HeaderPolicy {
        https: req
            .app_data::<web::Data<AppState>>()
            .is_some_and(|s| s.settings.base_url.starts_with("https://")),
        has_session: req.cookie(AUTH_COOKIE).is_some() || req.cookie(GUEST_COOKIE).is_some(),
    };
    match next.call(req).await {
        Ok(mut res) => {
            policy.apply(res.headers_mut());
            Ok(res.map_into_boxed_body())
        }
        // why: an error that escapes a middleware becomes a response only after every
        // middleware has run; wrapped, its response gets the same headers.
        Err(error) => Err(WithHeaders { error, policy }.into()),
    }
}

#[derive(Debug, Clone, Copy)]
struct HeaderPolicy {
    https: bool,
    has_session: bool,
}

impl HeaderPolicy {
    fn apply(self, headers: &mut HeaderMap) {
        let mut set = |name: &'static str, value: &'static str| {
            headers.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        };
        set("x-content-type-options", "nosniff");
        set("x-frame-options", "DENY");
        set("referrer-policy", "strict-origin-when-cross-origin");
        set("cross-origin-opener-policy", "same-origin");
        set(
            "permissions-policy",
            "camera=(), geolocation=(), microphone=(self)",
        );
        set("content-security-policy", CSP);
        if self.https {
            set("strict-transport-security", HSTS);
        }
        if !headers.contains_key(CACHE_CONTROL) {
            let value = if self.has_session {
                "private, no-store"
            } else {
                "private, no-cache"
            };
            headers.insert(CACHE_CONTROL, HeaderValue::from_static(value));
            let vary = match headers.get(VARY).and_then(|v| v.to_str().ok()) {
                Some(existing) if !existing.is_empty() => format!("{existing}, Cookie"),
                _ => "Cookie".to_owned(),
            };
            if let Ok(value) = HeaderValue::from_str(&vary) {
                headers.insert(VARY, value);
            }
        }
    }
}

/// An error whose response carries the headers of [`HeaderPolicy`].
#[derive(Debug)]
struct WithHeaders {
    error: Error,
    policy: HeaderPolicy,
}

impl std::fmt::Display for WithHeaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl ResponseError for WithHeaders {
    fn status_code(&self) -> StatusCode {
        self.error.as_response_error().status_code()
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = self.error.error_response();
        self.policy.apply(res.headers_mut());
        res
    }
}

/// What the rest of a request's handling may need to know about it without holding it: the
/// id in its log line (error pages show the same one) and whether htmx sent it (errors then
/// answer a fragment for the page's error slot).
#[derive(Debug, Clone)]
pub struct RequestInfo {
    pub id: String,
    pub htmx: bool,
}

tokio::task_local! {
    static REQUEST: RequestInfo;
}

/// The request being answered, when called while one is (from a handler or an error's
/// response); `None` elsewhere.
pub fn current_request() -> Option<RequestInfo> {
    REQUEST.try_with(Clone::clone).ok()
}

/// Logs each request once it is answered and tags the response with `X-Request-Id`.
pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let info = RequestInfo {
        id: uuid::Uuid::now_v7().simple().to_string(),
        htmx: req.headers().contains_key("hx-request"),
    };
    let request_id = info.id.clone();
    let method = req.method().clone();
    let path = req.path().to_owned();
    let result = REQUEST.scope(info, next.call(req)).await;
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
