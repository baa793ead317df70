//! `/scenarios/{id}`: a scenario page, with the learner's progress panel when signed in, the
//! author's and admins' controls, and a canonical URL and JSON-LD when it is public.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use askama_web::WebTemplate;

use super::views::{self, ProgressView, ScenarioDetail, StatsView};
use crate::app::catalog::{self, ScenarioView};
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::Visitor;
use crate::web::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "catalog/show.html")]
struct ShowPage {
    layout: Layout,
    scenario: ScenarioDetail,
    progress: Option<ProgressView>,
    can_edit: bool,
    can_deactivate: bool,
    json_ld: String,
    error: String,
    /// The stats line (save count, rating).
    page_stats: StatsView,
    /// Only set in the progress fragment (an out-of-band swap of the stats line).
    stats: Option<StatsView>,
}

impl ShowPage {
    /// The page of `view` for `visitor`; `url` is the scenario's absolute URL.
    fn new(visitor: &Visitor, view: ScenarioView, url: String) -> Self {
        let s = &view.scenario;
        let viewer = visitor.user.as_ref();
        let detail = ScenarioDetail::new(s, view.metadata.as_ref());
        let mut layout =
            visitor.public_layout(format!("{} — Kaiwa", s.title), s.description.clone());
        let json_ld = if detail.is_public {
            views::json_ld(s, &url)
        } else {
            String::new()
        };
        if detail.is_public {
            layout = layout.canonical(url);
        }
        Self {
            json_ld,
            progress: viewer.map(|_| ProgressView::new(&s.id, view.progress.as_ref())),
            can_edit: catalog::is_author(s, viewer),
            can_deactivate: catalog::can_deactivate(s, viewer),
            scenario: detail,
            layout,
            error: String::new(),
            page_stats: StatsView::new(view.metadata.as_ref()),
            stats: None,
        }
    }
}

pub(super) async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let view = catalog::show::scenario(&state.ctx, id.into_inner(), visitor.user.clone()).await?;
    let url = state.url(&format!("/scenarios/{}", view.scenario.id));
    crate::web::render(&req, ShowPage::new(&visitor, view, url))
}
