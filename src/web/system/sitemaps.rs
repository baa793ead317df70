//! The sitemaps: `/sitemap.xml` is a sitemap index of `/sitemaps/site.xml` (home, catalog,
//! courses), `/sitemaps/scenarios-{n}.xml` (at most 10,000 scenarios each) and
//! `/sitemaps/courses-{n}.xml` (as many public courses each). Each document is built
//! once a minute at most (kept in [`SitemapCache`], plain and gzipped) and served with
//! `ETag` and `Last-Modified`, answering `If-None-Match` / `If-Modified-Since` with 304.
//! A client that accepts gzip (every search engine's crawler does) gets the kept gzip body,
//! about a fifteenth of the text, with no compression work per request.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Mutex;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use sha2::Digest;

use crate::app::cache::{Freshness, Stamp};
use crate::app::system::{self, PublicPage, Sitemap};
use crate::web::error::AppError;
use crate::web::AppState;

/// How long a built sitemap is served before it is built again; the first request to find
/// it stale builds it, the others meanwhile get the stale one, so a burst of crawlers at
/// expiry costs one build.
const FRESHNESS: Freshness = Freshness::new(chrono::Duration::seconds(60));

/// A built sitemap document, as text and gzipped, each with its own strong `ETag`.
#[derive(Clone)]
struct Built {
    stamp: Stamp,
    body: web::Bytes,
    etag: String,
    gzipped: web::Bytes,
    gzipped_etag: String,
    last_modified: Option<NaiveDateTime>,
}

/// The sitemaps built lately, by path.
#[derive(Default)]
pub struct SitemapCache(Mutex<HashMap<String, Built>>);

pub async fn index(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let built = cached(&state, "/sitemap.xml", || async {
        let entries = system::sitemap_index(&state.ctx).await?;
        let newest = entries.iter().filter_map(|(_, t)| *t).max();
        Ok(Some((index_xml(&entries, |p| state.url(p)), newest)))
    })
    .await?;
    Ok(answer(&req, built.ok_or(AppError::NotFound)?))
}

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let name = name.into_inner();
    let numbered = |prefix: &str| {
        name.strip_prefix(prefix)
            .and_then(|n| n.strip_suffix(".xml"))
            .and_then(|n| n.parse::<i64>().ok())
            .filter(|n| (1..=100_000).contains(n))
    };
    let sitemap = match name.as_str() {
        "site.xml" => Sitemap::Site,
        _ => numbered("scenarios-")
            .map(Sitemap::Scenarios)
            .or_else(|| numbered("courses-").map(Sitemap::Courses))
            .ok_or(AppError::NotFound)?,
    };
    let path = sitemap.path();
    let built = cached(&state, &path, || async {
        let Some(pages) = system::sitemap_page(&state.ctx, sitemap).await? else {
            return Ok(None);
        };
        let newest = pages.iter().filter_map(|p| p.updated).max();
        Ok(Some((urlset_xml(&pages, |p| state.url(p)), newest)))
    })
    .await?;
    Ok(answer(&req, built.ok_or(AppError::NotFound)?))
}

/// The document at `path`, from the cache while fresh, else built by `build`.
async fn cached<F, Fut>(state: &AppState, path: &str, build: F) -> Result<Option<Built>, AppError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Option<(String, Option<NaiveDateTime>)>, AppError>>,
{
    let now = state.now();
    let cache = &state.sitemaps.0;
    let kept = cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_mut(path)
        .and_then(|b| FRESHNESS.serves(&mut b.stamp, now).then(|| b.clone()));
    if kept.is_some() {
        return Ok(kept);
    }
    let Some((xml, last_modified)) = build().await? else {
        return Ok(None);
    };
    let digest = sha2::Sha256::digest(xml.as_bytes());
    let etag = hex::encode(&digest[..16]);
    let gzipped = gzip(xml.as_bytes()).map_err(|e| AppError::Internal(e.into()))?;
    let built = Built {
        stamp: Stamp::new(now),
        etag: format!("\"{etag}\""),
        body: web::Bytes::from(xml),
        gzipped_etag: format!("\"{etag}-gz\""),
        gzipped: web::Bytes::from(gzipped),
        last_modified,
    };
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(path.to_owned(), built.clone());
    Ok(Some(built))
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes)?;
    gz.finish()
}

fn http_date(t: NaiveDateTime) -> String {
    t.and_utc().format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Whether an `Accept-Encoding` value accepts gzip (named, or `*`, with a q above 0).
fn accepts_gzip(accept: &str) -> bool {
    accept.split(',').any(|coding| {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or("");
        let refused = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
    })
}

/// The document (gzipped when the client accepts it), or 304 when the request's validators
/// say the client has it.
fn answer(req: &HttpRequest, built: Built) -> HttpResponse {
    let header = |name| {
        req.headers()
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let gzip = header(header::ACCEPT_ENCODING).is_some_and(accepts_gzip);
    let (body, etag) = match gzip {
        true => (built.gzipped, built.gzipped_etag),
        false => (built.body, built.etag),
    };
    let not_modified = match header(header::IF_NONE_MATCH) {
        Some(tags) => tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"),
        None => match (header(header::IF_MODIFIED_SINCE), built.last_modified) {
            (Some(since), Some(modified)) => {
                chrono::DateTime::parse_from_rfc2822(&since.replace("GMT", "+0000"))
                    .is_ok_and(|since| modified.and_utc().timestamp() <= since.timestamp())
            }
            _ => false,
        },
    };
    let mut res = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.content_type("application/xml; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .insert_header((header::VARY, "Accept-Encoding"))
        .insert_header((header::ETAG, etag));
    if gzip {
        // why: with Content-Encoding set, actix's Compress middleware leaves the body alone.
        res.insert_header((header::CONTENT_ENCODING, "gzip"));
    }
    if let Some(t) = built.last_modified {
        res.insert_header((header::LAST_MODIFIED, http_date(t)));
    }
    if not_modified {
        res.finish()
    } else {
        res.body(body)
    }
}

/// The sitemap index of `entries`; `url` makes a path absolute.
fn index_xml(entries: &[(Sitemap, Option<NaiveDateTime>)], url: impl Fn(&str) -> String) -> String {
    let items = entries.iter().map(|(s, t)| (url(&s.path()), *t));
    document("sitemapindex", "sitemap", items)
}

/// The sitemap of `pages`; `url` makes a path absolute.
fn urlset_xml(pages: &[PublicPage], url: impl Fn(&str) -> String) -> String {
    document(
        "urlset",
        "url",
        pages.iter().map(|p| (url(&p.path), p.updated)),
    )
}

/// A sitemaps.org document: `root` holding one `item` (its `loc` and `lastmod`) per entry.
fn document(
    root: &str,
    item: &str,
    entries: impl Iterator<Item = (String, Option<NaiveDateTime>)>,
) -> String {
    let mut xml = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root} xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (loc, updated) in entries {
        let loc = xml_escape(&loc);
        match updated {
            Some(t) => xml.push_str(&format!(
                "  <{item}><loc>{loc}</loc><lastmod>{}</lastmod></{item}>\n",
                t.format("%Y-%m-%d")
            )),
            None => xml.push_str(&format!("  <{item}><loc>{loc}</loc></{item}>\n")),
        }
    }
    xml.push_str(&format!("</{root}>\n"));
    xml
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}
