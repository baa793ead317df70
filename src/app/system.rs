//! What the operational routes read: whether the database answers ([`ready`]) and the
//! public pages the sitemaps list: a sitemap index ([`sitemap_index`]) of the fixed pages
//! and of pages of at most [`SITEMAP_PAGE`] scenarios or public courses each
//! ([`sitemap_page`]), in the order they were created, so a new one only ever changes the
//! last page of its kind.

use chrono::NaiveDateTime;

use crate::app::{Ctx, DbError};
use crate::db::{conn, queries};

/// The most scenarios one sitemap page lists. The protocol allows 50,000; a page of 500 is
/// about 45 KB (under 2 KB gzipped), as quick to build, keep and fetch as any other page,
/// and 200 of them cover 100,000 scenarios.
pub const SITEMAP_PAGE: i64 = 500;

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
    /// The fixed public pages: home, the catalog and the courses.
    Site,
    /// Scenarios `(n - 1) * SITEMAP_PAGE ..` in creation order (n from 1).
    Scenarios(i64),
    /// Public courses `(n - 1) * SITEMAP_PAGE ..` in creation order (n from 1).
    Courses(i64),
}

impl Sitemap {
    /// Its path.
    pub fn path(&self) -> String {
        match self {
            Sitemap::Site => "/sitemaps/site.xml".into(),
            Sitemap::Scenarios(n) => format!("/sitemaps/scenarios-{n}.xml"),
            Sitemap::Courses(n) => format!("/sitemaps/courses-{n}.xml"),
        }
    }
}

/// The sitemaps there are, and when the newest page among each last changed (one read of
/// each kind's update times).
pub async fn sitemap_index(ctx: &Ctx) -> Result<Vec<(Sitemap, Option<NaiveDateTime>)>, DbError> {
    let (scenarios, courses) = ctx
        .db
        .read(|c| {
            let scenarios = queries::scenarios::list_public_page_times(c, SITEMAP_PAGE)?;
            let courses = queries::courses::list_course_update_times(c)?;
            Ok((scenarios, courses))
        })
        .await?;
    let scenarios = scenarios
        .into_iter()
        .enumerate()
        .map(|(i, newest)| (Sitemap::Scenarios(i as i64 + 1), Some(newest)));
    let courses = courses
        .chunks(SITEMAP_PAGE as usize)
        .enumerate()
        .map(|(i, page)| (Sitemap::Courses(i as i64 + 1), page.iter().max().copied()));
    Ok(std::iter::once((Sitemap::Site, None))
        .chain(scenarios)
        .chain(courses)
        .collect())
}

/// The pages one sitemap lists; `None` past the last.
pub async fn sitemap_page(ctx: &Ctx, sitemap: Sitemap) -> Result<Option<Vec<PublicPage>>, DbError> {
    let n = match sitemap {
        Sitemap::Site => {
            let fixed = ["/", "/scenarios", "/courses"]
                .into_iter()
                .map(|path| PublicPage {
                    path: path.into(),
                    updated: None,
                });
            return Ok(Some(fixed.collect()));
        }
        Sitemap::Scenarios(n) | Sitemap::Courses(n) if n >= 1 => n,
        Sitemap::Scenarios(_) | Sitemap::Courses(_) => return Ok(None),
    };
    let offset = (n - 1).saturating_mul(SITEMAP_PAGE);
    let courses = matches!(sitemap, Sitemap::Courses(_));
    let rows = ctx
        .db
        .read(move |c| match courses {
            true => queries::courses::list_course_slugs(c, SITEMAP_PAGE, offset),
            false => queries::scenarios::list_public_ids(c, SITEMAP_PAGE, offset),
        })
        .await?;
    if rows.is_empty() && n > 1 {
        return Ok(None);
    }
    Ok(Some(
        rows.into_iter()
            .map(|(key, updated)| PublicPage {
                path: match courses {
                    true => crate::app::courses::href(&key),
                    false => format!("/scenarios/{key}"),
                },
                updated: Some(updated),
            })
            .collect(),
    ))
}
