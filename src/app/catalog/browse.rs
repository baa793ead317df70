//! Browsing the public catalog: a search as typed values, the sort a viewer gets when none
//! is picked, and one page of results ([`browse`]).

use super::{pages, CatalogError, CATEGORIES, PAGE_SIZE};
use crate::app::{onboarding, Ctx};
use crate::db::models::UserPreferences;
use crate::db::queries::scenarios::{CatalogFilter, CatalogOrder};
use crate::db::queries::{self, preferences::Owner};
use crate::db::search;
use crate::db::types::{CefrLevel, Difficulty, ScenarioRole, Skill};

/// The sorts a learner can pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Relevance,
    Recommended,
    Trending,
    MostSaved,
    TopRated,
    Newest,
}

impl Sort {
    pub const ALL: [Sort; 6] = [
        Sort::Relevance,
        Sort::Recommended,
        Sort::Trending,
        Sort::MostSaved,
        Sort::TopRated,
        Sort::Newest,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Recommended => "recommended",
            Sort::Trending => "trending",
            Sort::MostSaved => "most_saved",
            Sort::TopRated => "top_rated",
            Sort::Newest => "newest",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Relevance => "Best match",
            Sort::Recommended => "Recommended for you",
            Sort::Trending => "Trending",
            Sort::MostSaved => "Most saved",
            Sort::TopRated => "Top rated",
            Sort::Newest => "Newest",
        }
    }

    pub fn from_slug(s: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|x| x.slug() == s)
    }
}

/// A catalog request, as typed values. Unknown filter values are ignored, not errors, so
/// an old shared link still shows something.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub q: String,
    pub category: Option<String>,
    pub tag: Option<String>,
    pub difficulty: Option<Difficulty>,
    pub cefr_level: Option<CefrLevel>,
    pub role: Option<ScenarioRole>,
    pub skill: Option<Skill>,
    pub sort: Option<Sort>,
    pub page: i64,
}

/// The last page number a listing accepts (beyond it: that page, empty).
pub const MAX_PAGE: i64 = 100_000;

/// One page of results.
pub struct CatalogPage {
    /// Each card's scenario, save count and average rating.
    pub scenarios: Vec<crate::db::queries::scenarios::CardRow>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub sort: Sort,
    /// The search had more text matches than it considers (`search::MAX_MATCHES`).
    pub capped: bool,
}

/// One page of the public catalog for `query`, as `viewer` sees it: their preferences, if
/// they have any, drive the "recommended" sort. Listings are kept a minute (`Caches::catalog`),
/// shared by every viewer who gets the same order.
pub async fn browse(
    ctx: &Ctx,
    query: Search,
    viewer: Option<Owner>,
) -> Result<CatalogPage, CatalogError> {
    let prefs = match viewer {
        Some(owner) => {
            ctx.db
                .read(move |c| queries::preferences::find(c, &owner))
                .await?
        }
        None => None,
    };
    let plan = Plan::new(&query, prefs.as_ref());
    let key = plan.key();
    let (now, version) = (ctx.clock.naive(), ctx.cache.public_version());
    let found = match ctx.cache.catalog.get(&key, now, version) {
        Some(found) => found,
        None => {
            let (filter, order, offset) = (plan.filter.clone(), plan.order.clone(), plan.offset());
            let found = ctx
                .db
                .read(move |c| {
                    queries::scenarios::list_catalog(c, &filter, &order, PAGE_SIZE, offset)
                })
                .await?;
            ctx.cache.catalog.put(key, now, version, found)
        }
    };
    Ok(plan.page_of(&found))
}

/// The sort used when none is picked: best match for a search, recommended for a learner
/// with preferences, trending otherwise.
pub fn effective_sort(search: &Search, has_prefs: bool) -> Sort {
    match search.sort {
        Some(Sort::Relevance) if search::terms(&search.q).is_empty() => default_sort(has_prefs),
        Some(Sort::Recommended) if !has_prefs => Sort::Trending,
        Some(s) => s,
        None if !search::terms(&search.q).is_empty() => Sort::Relevance,
        None => default_sort(has_prefs),
    }
}

fn default_sort(has_prefs: bool) -> Sort {
    if has_prefs {
        Sort::Recommended
    } else {
        Sort::Trending
    }
}

/// CEFR levels ordered by closeness to the learner's target level.
pub fn levels_by_closeness(prefs: &UserPreferences) -> Vec<CefrLevel> {
    let all = [
        CefrLevel::A1,
        CefrLevel::A2,
        CefrLevel::B1,
        CefrLevel::B2,
        CefrLevel::C1,
        CefrLevel::C2,
    ];
    let target = all
        .iter()
        .position(|l| *l == onboarding::target_level(prefs))
        .unwrap_or(0) as i32;
    let mut levels = all.to_vec();
    // why: ties (one above, one below) prefer the easier level.
    levels.sort_by_key(|l| {
        let i = all.iter().position(|x| x == l).unwrap_or(0) as i32;
        ((i - target).abs() * 2, i > target)
    });
    levels
}

/// What a catalog request reads: the filter, the order, the sort shown and the page.
struct Plan {
    filter: CatalogFilter,
    order: CatalogOrder,
    sort: Sort,
    page: i64,
}

impl Plan {
    fn new(s: &Search, prefs: Option<&UserPreferences>) -> Self {
        let sort = effective_sort(s, prefs.is_some());
        let filter = CatalogFilter {
            terms: search::terms(&s.q),
            category: s
                .category
                .clone()
                .filter(|c| CATEGORIES.contains(&c.as_str())),
            tag: s
                .tag
                .clone()
                .map(|t| t.trim().to_lowercase())
                .filter(|t| !t.is_empty()),
            difficulty: s.difficulty,
            cefr_level: s.cefr_level,
            role: s.role,
            skill: s.skill,
        };
        let order = match sort {
            Sort::Relevance => CatalogOrder::Relevance,
            Sort::Recommended => match prefs {
                Some(p) => CatalogOrder::Recommended {
                    levels: levels_by_closeness(p),
                    goal: Some(p.learning_goal),
                },
                None => CatalogOrder::Trending,
            },
            Sort::Trending => CatalogOrder::Trending,
            Sort::MostSaved => CatalogOrder::MostSaved,
            Sort::TopRated => CatalogOrder::TopRated,
            Sort::Newest => CatalogOrder::Newest,
        };
        Self {
            filter,
            order,
            sort,
            // why: a page number far past the end would overflow the offset; nobody pages
            // that far.
            page: s.page.clamp(1, MAX_PAGE),
        }
    }

    /// What makes two requests read the same listing.
    fn key(&self) -> String {
        format!("{:?}|{:?}|{}", self.filter, self.order, self.page)
    }

    fn offset(&self) -> i64 {
        (self.page - 1) * PAGE_SIZE
    }

    fn page_of(&self, found: &queries::scenarios::CatalogPage) -> CatalogPage {
        CatalogPage {
            scenarios: found.rows.clone(),
            total: found.total,
            page: self.page,
            pages: pages(found.total, PAGE_SIZE),
            sort: self.sort,
            capped: found.capped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_sort_follows_the_search_and_the_viewer() {
        let mut s = Search::default();
        assert_eq!(effective_sort(&s, false), Sort::Trending);
        assert_eq!(effective_sort(&s, true), Sort::Recommended);
        s.q = "ramen".into();
        assert_eq!(effective_sort(&s, true), Sort::Relevance);
        s.sort = Some(Sort::Newest);
        assert_eq!(effective_sort(&s, true), Sort::Newest);
        s.q.clear();
        s.sort = Some(Sort::Relevance);
        assert_eq!(
            effective_sort(&s, false),
            Sort::Trending,
            "no words, no relevance"
        );
        s.sort = Some(Sort::Recommended);
        assert_eq!(
            effective_sort(&s, false),
            Sort::Trending,
            "no preferences, no recommendation"
        );
    }
}
