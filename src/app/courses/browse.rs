//! A page of public courses, filtered by language, level and category.

use std::sync::Arc;

use super::{CourseError, PAGE_SIZE};
use crate::app::Ctx;
use crate::db::models::{CourseCardRow, Language};
use crate::db::queries::{self, courses::CourseFilter};
use crate::db::types::CefrLevel;

/// The last page number a listing accepts (beyond it: that page, empty).
pub const MAX_PAGE: i64 = 10_000;

/// A listing request as typed values; `None` is any.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub language: Option<String>,
    pub level: Option<CefrLevel>,
    pub category: Option<String>,
    /// From 1.
    pub page: i64,
}

/// One page of courses, with the languages there are (for the filter and the cards' names).
pub struct Listing {
    pub cards: Vec<CourseCardRow>,
    pub languages: Vec<Language>,
    /// How many courses match, at most `courses::COUNT_LIMIT`.
    pub total: i64,
    /// More match than were counted.
    pub capped: bool,
    pub page: i64,
    pub pages: i64,
}

impl Listing {
    /// The name of language `id` (the id itself when it is not an active language).
    pub fn language_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.languages
            .iter()
            .find(|l| l.id == id)
            .map_or(id, |l| l.name.as_str())
    }
}

/// One page of the public courses matching `filter`, by title (two reads: the active
/// languages and the page with its count), kept a minute (until public pages change) for
/// every viewer.
pub async fn browse(ctx: &Ctx, filter: Filter) -> Result<Arc<Listing>, CourseError> {
    let page = filter.page.clamp(1, MAX_PAGE);
    let query = CourseFilter {
        language: filter.language,
        level: filter.level,
        category: filter.category,
    };
    let key = format!("{query:?}/{page}");
    let (now, version) = (ctx.clock.naive(), ctx.cache.public_version());
    if let Some(kept) = ctx.cache.courses.get(&key, now, version) {
        return Ok(kept);
    }
    let offset = (page - 1) * PAGE_SIZE;
    let (languages, found) = ctx
        .db
        .read(move |c| {
            let languages = queries::languages::list_active(c)?;
            let found = queries::courses::list_courses(c, &query, PAGE_SIZE, offset)?;
            Ok((languages, found))
        })
        .await?;
    let listing = Listing {
        cards: found.rows,
        languages,
        total: found.total,
        capped: found.capped,
        page,
        pages: crate::app::catalog::pages(found.total, PAGE_SIZE),
    };
    Ok(ctx.cache.courses.put(key, now, version, listing))
}
