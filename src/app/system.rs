//! What the operational routes read: whether the database answers ([`ready`]) and the
//! public pages the sitemaps list: a sitemap index ([`sitemap_index`]) of the fixed pages
//! and of pages of at most [`SITEMAP_PAGE`] scenarios each ([`sitemap_page`]), in the order
//! scenarios were created, so a new scenario only ever changes the last page.

use chrono::NaiveDateTime;

use crate::app::{Ctx, DbError};
use crate::db::{conn, queries};

/// The most scenarios one sitemap page lists (the protocol allows 50,000; smaller pages are
/// quicker to build and to fetch).
pub const SITEMAP_PAGE: i64 = 10_000;

/// Whether the database answers.
pub async fn ready(ctx: &Ctx) -> Result<(), DbError> {
    ctx.db.read(conn::ping).await
}

/// A public page: its path and, for a scenario, when it last changed.
pub struct PublicPage {
    pub path: String,
    pub updated: Option<NaiveDateTime>,
}

/// One sitemap the index lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sitemap {
    /// The fixed public pages: home and the catalog.
    Site,
    /// Scenarios `(n - 1) * SITEMAP_PAGE ..` in creation order (n from 1).
    Scenarios(i64),
}

impl Sitemap {
    /// Its path.
    pub fn path(&self) -> String {
        match self {
            Sitemap::Site => "/sitemaps/site.xml".into(),
            Sitemap::Scenarios(n) => format!("/sitemaps/scenarios-{n}.xml"),
        }
    }
}

/// The sitemaps there are, and when the newest page among each last changed (one read).
pub async fn sitemap_index(ctx: &Ctx) -> Result<Vec<(Sitemap, Option<NaiveDateTime>)>, DbError> {
    let times = ctx
        .db
        .read(queries::scenarios::list_public_update_times)
        .await?;
    let pages = times
        .chunks(SITEMAP_PAGE as usize)
        .enumerate()
        .map(|(i, page)| (Sitemap::Scenarios(i as i64 + 1), page.iter().max().copied()));
    Ok(std::iter::once((Sitemap::Site, None))
        .chain(pages)
        .collect())
}

/// The pages one sitemap lists; `None` past the last.
pub async fn sitemap_page(ctx: &Ctx, sitemap: Sitemap) -> Result<Option<Vec<PublicPage>>, DbError> {
    let n = match sitemap {
        Sitemap::Site => {
            let fixed = ["/", "/scenarios"].into_iter().map(|path| PublicPage {
                path: path.into(),
                updated: None,
            });
            return Ok(Some(fixed.collect()));
        }
        Sitemap::Scenarios(n) if n >= 1 => n,
        Sitemap::Scenarios(_) => return Ok(None),
    };
    let offset = (n - 1).saturating_mul(SITEMAP_PAGE);
    let rows = ctx
        .db
        .read(move |c| queries::scenarios::list_public_ids(c, SITEMAP_PAGE, offset))
        .await?;
    if rows.is_empty() && n > 1 {
        return Ok(None);
    }
    Ok(Some(
        rows.into_iter()
            .map(|(id, updated)| PublicPage {
                path: format!("/scenarios/{id}"),
                updated: Some(updated),
            })
            .collect(),
    ))
}
