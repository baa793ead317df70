//! `/courses`: the query string read leniently into a filter, the filters with the current
//! choice marked, and one page of course cards (only the results for htmx).

use actix_web::http::header::{HeaderValue, VARY};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::views::CourseCard;
use crate::app::courses::{self, Filter, Listing};
use crate::db::types::CefrLevel;
use crate::web::catalog::views::categories;
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::Visitor;
use crate::web::{is_htmx, AppState};

/// A select's options: (value, label, selected).
type Options = Vec<(String, String, bool)>;

/// The listing's query string; every field optional and read leniently.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct CoursesQuery {
    language: String,
    level: String,
    category: String,
    page: String,
}

/// `value` unless empty or longer than any language id or category slug is.
fn given(value: &str) -> Option<String> {
    Some(value.trim().to_owned()).filter(|v| !v.is_empty() && v.len() <= 40)
}

impl From<&CoursesQuery> for Filter {
    fn from(q: &CoursesQuery) -> Self {
        Filter {
            language: given(&q.language),
            level: q.level.parse::<CefrLevel>().ok(),
            category: given(&q.category),
            page: q.page.parse().unwrap_or(1),
        }
    }
}

impl CoursesQuery {
    /// This filter's URL for page `page`.
    fn page_url(&self, page: i64) -> String {
        let mut pairs = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("language", &self.language),
            ("level", &self.level),
            ("category", &self.category),
        ] {
            if !v.is_empty() {
                pairs.append_pair(k, v);
            }
        }
        if page > 1 {
            pairs.append_pair("page", &page.to_string());
        }
        match pairs.finish() {
            query if query.is_empty() => "/courses".into(),
            query => format!("/courses?{query}"),
        }
    }

    fn is_filtered(&self) -> bool {
        [&self.language, &self.level, &self.category]
            .iter()
            .any(|v| !v.is_empty())
    }
}

/// One page of cards with its count and page links.
struct Results {
    cards: Vec<CourseCard>,
    total: i64,
    capped: bool,
    page: i64,
    pages: i64,
    prev_url: String,
    next_url: String,
    filtered: bool,
}

impl Results {
    fn new(query: &CoursesQuery, listing: &Listing) -> Self {
        let url_if = |show: bool, page: i64| match show {
            true => query.page_url(page),
            false => String::new(),
        };
        Self {
            cards: listing
                .cards
                .iter()
                .map(|row| CourseCard::new(row, listing))
                .collect(),
            total: listing.total,
            capped: listing.capped,
            page: listing.page,
            pages: listing.pages,
            prev_url: url_if(listing.page > 1, listing.page - 1),
            next_url: url_if(listing.page < listing.pages, listing.page + 1),
            filtered: query.is_filtered(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "courses/index.html")]
struct IndexPage {
    layout: Layout,
    languages: Options,
    levels: Options,
    categories: Options,
    results: Results,
}

/// Only the results, for htmx.
#[derive(Template, WebTemplate)]
#[template(path = "courses/index.html", block = "results")]
struct ResultsFragment {
    results: Results,
}

impl IndexPage {
    fn new(layout: Layout, query: &CoursesQuery, listing: &Listing) -> Self {
        let mark = |v: &str, current: &str| v == current;
        Self {
            layout,
            languages: listing
                .languages
                .iter()
                .map(|l| (l.id.clone(), l.name.clone(), mark(&l.id, &query.language)))
                .collect(),
            levels: CefrLevel::ALL
                .iter()
                .map(|l| (l.to_string(), l.to_string(), mark(l.as_str(), &query.level)))
                .collect(),
            categories: categories()
                .into_iter()
                .map(|(v, l)| (v.to_owned(), l, mark(v, &query.category)))
                .collect(),
            results: Results::new(query, listing),
        }
    }
}

/// The courses; an htmx request (a filter changed) gets only the results.
pub(super) async fn index(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<CoursesQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let listing = courses::browse(&state.ctx, Filter::from(&query)).await?;
    let mut res = if is_htmx(&req) {
        visitor.mark_public();
        let results = Results::new(&query, &listing);
        crate::web::render(&req, ResultsFragment { results })?
    } else {
        let layout = visitor.public_layout(
            "Courses: four-week learning paths — Kaiwa",
            "Four-week conversation courses by language, level and topic: a few minutes a day.",
        );
        let canonical = state.url(&query.page_url(listing.page));
        let page = IndexPage::new(layout.canonical(canonical), &query, &listing);
        crate::web::render(&req, page)?
    };
    res.headers_mut()
        .insert(VARY, HeaderValue::from_static("HX-Request"));
    Ok(res)
}
