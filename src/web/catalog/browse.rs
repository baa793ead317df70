//! `/scenarios`: the catalog's query string read leniently into a search, the filters with
//! the current choice marked, and one page of results (only the results for htmx).

use actix_web::http::header::{HeaderValue, VARY};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::views::{self, ScenarioCard};
use super::{is_htmx, Options};
use crate::app::accounts;
use crate::app::catalog::{self, CatalogPage, Search, Sort};
use crate::db::types::{CefrLevel, Difficulty, ScenarioRole, Skill};
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::Visitor;
use crate::web::AppState;

/// The catalog's query string; every field optional and read leniently.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct CatalogQuery {
    q: String,
    category: String,
    tag: String,
    difficulty: String,
    cefr: String,
    role: String,
    skill: String,
    sort: String,
    page: String,
}

impl From<&CatalogQuery> for Search {
    fn from(query: &CatalogQuery) -> Self {
        Search {
            q: query.q.chars().take(200).collect(),
            category: Some(query.category.clone()).filter(|c| !c.is_empty()),
            tag: Some(query.tag.clone()).filter(|t| !t.is_empty()),
            difficulty: query.difficulty.parse::<Difficulty>().ok(),
            cefr_level: query.cefr.parse::<CefrLevel>().ok(),
            role: query.role.parse::<ScenarioRole>().ok(),
            skill: query.skill.parse::<Skill>().ok(),
            sort: Sort::from_slug(&query.sort),
            page: query.page.parse().unwrap_or(1),
        }
    }
}

impl CatalogQuery {
    /// This query's URL for another page.
    fn page_url(&self, page: i64) -> String {
        let mut pairs = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", &self.q),
            ("category", &self.category),
            ("tag", &self.tag),
            ("difficulty", &self.difficulty),
            ("cefr", &self.cefr),
            ("role", &self.role),
            ("skill", &self.skill),
            ("sort", &self.sort),
        ] {
            if !v.is_empty() {
                pairs.append_pair(k, v);
            }
        }
        if page > 1 {
            pairs.append_pair("page", &page.to_string());
        }
        let query = pairs.finish();
        if query.is_empty() {
            "/scenarios".into()
        } else {
            format!("/scenarios?{query}")
        }
    }

    fn is_filtered(&self) -> bool {
        [
            &self.q,
            &self.category,
            &self.tag,
            &self.difficulty,
            &self.cefr,
            &self.role,
            &self.skill,
        ]
        .iter()
        .any(|v| !v.is_empty())
    }
}

fn options<T: Copy>(
    all: &[T],
    value: impl Fn(T) -> String,
    label: impl Fn(T) -> String,
    current: &str,
) -> Options {
    all.iter()
        .map(|x| (value(*x), label(*x), value(*x) == current))
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog/index.html")]
struct IndexPage {
    layout: Layout,
    capped: bool,
    query: CatalogQuery,
    categories: Options,
    difficulties: Options,
    levels: Options,
    roles: Options,
    skills: Options,
    sorts: Options,
    cards: Vec<ScenarioCard>,
    total: i64,
    page: i64,
    pages: i64,
    prev_url: String,
    next_url: String,
    filtered: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog/index.html", block = "results")]
struct ResultsFragment {
    capped: bool,
    cards: Vec<ScenarioCard>,
    total: i64,
    page: i64,
    pages: i64,
    prev_url: String,
    next_url: String,
    filtered: bool,
    /// The sort the results are in (the page marks it in the sort select).
    sort: Sort,
}

impl ResultsFragment {
    fn new(query: &CatalogQuery, listing: CatalogPage) -> Self {
        let url_if = |show: bool, page: i64| {
            if show {
                query.page_url(page)
            } else {
                String::new()
            }
        };
        Self {
            capped: listing.capped,
            cards: listing
                .scenarios
                .iter()
                .map(|(s, saved, rating)| ScenarioCard::listed(s, *saved, *rating))
                .collect(),
            total: listing.total,
            page: listing.page,
            pages: listing.pages,
            prev_url: url_if(listing.page > 1, listing.page - 1),
            next_url: url_if(listing.page < listing.pages, listing.page + 1),
            filtered: query.is_filtered(),
            sort: listing.sort,
        }
    }
}

impl IndexPage {
    fn new(layout: Layout, query: CatalogQuery, results: ResultsFragment) -> Self {
        let levels = [
            CefrLevel::A1,
            CefrLevel::A2,
            CefrLevel::B1,
            CefrLevel::B2,
            CefrLevel::C1,
        ];
        Self {
            layout,
            capped: results.capped,
            categories: views::categories()
                .into_iter()
                .map(|(v, l)| (v.to_owned(), l, v == query.category))
                .collect(),
            difficulties: options(
                Difficulty::ALL,
                |d| d.to_string(),
                |d| d.to_string(),
                &query.difficulty,
            ),
            levels: options(&levels, |l| l.to_string(), |l| l.to_string(), &query.cefr),
            roles: options(
                ScenarioRole::ALL,
                |r| r.to_string(),
                |r| views::role_label(r).to_owned(),
                &query.role,
            ),
            skills: options(
                Skill::ALL,
                |s| s.to_string(),
                |s| s.to_string(),
                &query.skill,
            ),
            sorts: options(
                &Sort::ALL,
                |s| s.slug().to_owned(),
                |s| s.label().to_owned(),
                results.sort.slug(),
            ),
            cards: results.cards,
            total: results.total,
            page: results.page,
            pages: results.pages,
            prev_url: results.prev_url,
            next_url: results.next_url,
            filtered: results.filtered,
            query,
        }
    }
}

/// The catalog; an htmx request (the filters as you type) gets only the results.
pub(super) async fn index(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<CatalogQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let viewer = accounts::owner(visitor.user.as_ref(), visitor.guest_id.as_deref());
    let listing = catalog::browse::browse(&state.ctx, Search::from(&query), viewer).await?;
    let results = ResultsFragment::new(&query, listing);
    let mut res = if is_htmx(&req) {
        visitor.mark_public();
        crate::web::render(&req, results)?
    } else {
        let layout = visitor.public_layout(
            "Scenarios — Kaiwa",
            "Browse and search role-play conversations by situation, level and skill.",
        );
        let page = IndexPage::new(layout.canonical(state.url("/scenarios")), query, results);
        crate::web::render(&req, page)?
    };
    res.headers_mut()
        .insert(VARY, HeaderValue::from_static("HX-Request"));
    Ok(res)
}
