//! `/scenarios` (search, filters, sorts, pages; htmx swaps the results as you type),
//! `/scenarios/{id}` (a scenario; saving, rating and notes in `progress.rs`), authoring in
//! `authoring.rs`, and `/me/scenarios`.

mod authoring;
mod progress;
pub mod views;

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::accounts;
use crate::app::catalog::{self, Search, Sort};
use crate::db::types::{CefrLevel, Difficulty, ScenarioRole, Skill};
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::Visitor;
use crate::web::AppState;
use views::{ProgressView, ScenarioCard, ScenarioDetail};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/scenarios", web::get().to(index))
        .configure(authoring::routes)
        .route("/scenarios/{id}", web::get().to(show))
        .configure(progress::routes);
}

/// The catalog's query string; every field optional and read leniently.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CatalogQuery {
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

impl CatalogQuery {
    fn to_search(&self) -> Search {
        Search {
            q: self.q.chars().take(200).collect(),
            category: Some(self.category.clone()).filter(|c| !c.is_empty()),
            tag: Some(self.tag.clone()).filter(|t| !t.is_empty()),
            difficulty: self.difficulty.parse::<Difficulty>().ok(),
            cefr_level: self.cefr.parse::<CefrLevel>().ok(),
            role: self.role.parse::<ScenarioRole>().ok(),
            skill: self.skill.parse::<Skill>().ok(),
            sort: Sort::from_slug(&self.sort),
            page: self.page.parse().unwrap_or(1),
        }
    }

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

/// A select's options: (value, label, selected).
type Options = Vec<(String, String, bool)>;

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

#[derive(Template)]
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

#[derive(Template)]
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
}

async fn index(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<CatalogQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let search = query.to_search();
    let owner = accounts::owner(visitor.user.as_ref(), visitor.guest_id.as_deref());
    let s = search.clone();
    let listing = state
        .db(move |c| Ok(catalog::search(c, &s, owner.as_ref())?))
        .await?;
    let cards: Vec<ScenarioCard> = listing
        .scenarios
        .iter()
        .map(|(s, m)| ScenarioCard::with_metadata(s, m))
        .collect();
    let prev_url = if listing.page > 1 {
        query.page_url(listing.page - 1)
    } else {
        String::new()
    };
    let next_url = if listing.page < listing.pages {
        query.page_url(listing.page + 1)
    } else {
        String::new()
    };
    let filtered = query.is_filtered();
    let mut res = HttpResponse::Ok();
    res.content_type("text/html; charset=utf-8")
        .insert_header(("Vary", "HX-Request"));
    if req.headers().contains_key("hx-request") {
        let body = ResultsFragment {
            capped: listing.capped,
            cards,
            total: listing.total,
            page: listing.page,
            pages: listing.pages,
            prev_url,
            next_url,
            filtered,
        }
        .render()?;
        return Ok(res.body(body));
    }
    let sort = listing.sort.slug();
    let page = IndexPage {
        capped: listing.capped,
        layout: visitor
            .layout(
                "Scenarios — Kaiwa",
                "Browse and search role-play conversations by situation, level and skill.",
            )
            .canonical(state.url("/scenarios")),
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
        levels: options(
            &[
                CefrLevel::A1,
                CefrLevel::A2,
                CefrLevel::B1,
                CefrLevel::B2,
                CefrLevel::C1,
            ],
            |l| l.to_string(),
            |l| l.to_string(),
            &query.cefr,
        ),
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
            sort,
        ),
        cards,
        total: listing.total,
        page: listing.page,
        pages: listing.pages,
        prev_url,
        next_url,
        filtered,
        query,
    };
    Ok(res.body(page.render()?))
}

#[derive(Template)]
#[template(path = "catalog/show.html")]
struct ShowPage {
    layout: Layout,
    scenario: ScenarioDetail,
    progress: Option<ProgressView>,
    can_edit: bool,
    can_deactivate: bool,
    json_ld: String,
    error: String,
}

async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let viewer = visitor.user.clone();
    let view = state
        .db(move |c| Ok(catalog::show(c, &id, viewer.as_ref())?))
        .await?;
    let s = &view.scenario;
    let detail = ScenarioDetail::new(s, view.metadata.as_ref());
    let url = state.url(&format!("/scenarios/{}", s.id));
    let is_author = visitor
        .user
        .as_ref()
        .is_some_and(|u| s.created_by_user_id.as_deref() == Some(u.id.as_str()));
    let mut layout = visitor.layout(format!("{} — Kaiwa", s.title), s.description.clone());
    if detail.is_public {
        layout = layout.canonical(url.clone());
    }
    crate::web::render(&ShowPage {
        json_ld: if detail.is_public {
            views::json_ld(s, &url)
        } else {
            String::new()
        },
        progress: visitor
            .user
            .as_ref()
            .map(|_| ProgressView::new(&s.id, view.progress.as_ref())),
        can_edit: is_author,
        can_deactivate: s.is_active
            && (is_author || visitor.user.as_ref().is_some_and(|u| u.is_admin)),
        scenario: detail,
        layout,
        error: String::new(),
    })
}
