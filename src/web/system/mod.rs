//! Operational routes: `/health` (the process answers), `/ready` (the database answers),
//! embedded static assets, `robots.txt`, and the 404 page for everything unmatched.

use actix_web::http::header::{self, EntityTag};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, HttpResponseBuilder};
use rust_embed::RustEmbed;
use serde::Serialize;

use crate::app::system;
use crate::web::error::AppError;
use crate::web::AppState;

pub mod sitemaps;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/health", web::get().to(health))
        .route("/ready", web::get().to(ready))
        .route("/robots.txt", web::get().to(robots))
        .route("/favicon.ico", web::get().to(favicon))
        .route("/sitemap.xml", web::get().to(sitemaps::index))
        .service(web::scope("/sitemaps").route("/{name}", web::get().to(sitemaps::page)))
        .service(web::scope("/static").route("/{path:.*}", web::get().to(asset)));
}

#[derive(Serialize)]
struct Status {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    database: Option<&'static str>,
}

async fn health() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Status {
            status: "ok",
            database: None,
        })
}

async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let (code, status) = match system::ready(&state.ctx).await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        }
    };
    HttpResponse::build(code)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Status {
            status,
            database: Some(state.settings.database.backend_name()),
        })
}

/// Browsers ask for `/favicon.ico` before they read the page's icon link; send them to it.
async fn favicon() -> HttpResponse {
    HttpResponse::MovedPermanently()
        .insert_header(("Location", "/static/favicon.svg"))
        .insert_header(("Cache-Control", "public, max-age=86400"))
        .finish()
}

async fn robots(state: web::Data<AppState>) -> HttpResponse {
    let body = format!(
        "User-agent: *\nAllow: /\nSitemap: {}\n",
        state.url("/sitemap.xml")
    );
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(body)
}

/// CSS, images, small scripts and the vendored htmx, compiled into the binary.
#[derive(RustEmbed)]
#[folder = "static/"]
pub struct Assets;

/// The content hash that versions an asset's URL (the first 16 bytes of its SHA-256).
fn content_hash(file: &rust_embed::EmbeddedFile) -> String {
    hex::encode(&file.metadata.sha256_hash()[..16])
}

/// `/static/{path}?v={hash}`: an asset's URL that changes whenever its content does, so it
/// can be cached for a year. Templates link assets through it.
pub fn versioned(path: &str) -> String {
    static URLS: std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<String, String>>> =
        std::sync::OnceLock::new();
    let urls = URLS.get_or_init(Default::default);
    let mut urls = urls.lock().unwrap_or_else(|e| e.into_inner());
    urls.entry(path.to_owned())
        .or_insert_with(|| match Assets::get(path) {
            Some(file) => format!("/static/{path}?v={}", content_hash(&file)),
            None => format!("/static/{path}"),
        })
        .clone()
}

async fn asset(req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let file = Assets::get(&path).ok_or(AppError::NotFound)?;
    let hash = content_hash(&file);
    let etag = EntityTag::new_strong(hash.clone());
    // why: a URL carrying the content's hash never changes meaning; any other may.
    let immutable = req.query_string() == format!("v={hash}");
    if is_fresh(&req, &etag) {
        return Ok(asset_headers(HttpResponse::NotModified(), etag, immutable).finish());
    }
    Ok(asset_headers(HttpResponse::Ok(), etag, immutable)
        .content_type(file.metadata.mimetype())
        .body(file.data.into_owned()))
}

/// Whether the browser already holds the asset tagged `etag`.
fn is_fresh(req: &HttpRequest, etag: &EntityTag) -> bool {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag.to_string()))
}

/// An asset answer's validator and caching headers.
fn asset_headers(
    mut res: HttpResponseBuilder,
    etag: EntityTag,
    immutable: bool,
) -> HttpResponseBuilder {
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=86400, stale-while-revalidate=604800"
    };
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache));
    res
}

/// The answer for every path no route claims.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}
