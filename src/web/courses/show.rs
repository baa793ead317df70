//! `/courses/{slug}`: a course page for visitors from search engines (who it suits, the
//! syllabus by week, canonical URL, OpenGraph, a schema.org `Course` and `BreadcrumbList`),
//! and starting a path from it.
//!
//! The page is public (cached, no cookie) for a visitor without a session, so it can carry no
//! CSRF token: its Start button is then a GET to `/courses/{slug}/start`, which sends a first
//! visitor to onboarding or shows the POST form with a token. A visitor who has a token gets
//! the POST form on the page itself.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use askama_web::WebTemplate;

use super::gone;
use super::views::{breadcrumbs_json_ld, course_json_ld, short, CourseDetail};
use crate::app::courses::{self, Course, CourseError};
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::{onboard_first, with_guest_cookie, Visitor};
use crate::web::{see_other, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "courses/show.html")]
struct ShowPage {
    layout: Layout,
    course: CourseDetail,
    course_ld: String,
    breadcrumbs_ld: String,
}

impl ShowPage {
    /// The page of `course` for `visitor`; `url` is its absolute URL, `site` the home page's.
    fn new(visitor: &Visitor, course: &Course, url: String, site: &str) -> Self {
        let layout = visitor.public_layout(
            format!("{} — Kaiwa", course.title),
            short(&course.description),
        );
        Self {
            course_ld: course_json_ld(course, &url, site),
            breadcrumbs_ld: breadcrumbs_json_ld(&course.title, &url, site),
            course: CourseDetail::new(course),
            layout: layout.canonical(url),
        }
    }
}

pub(super) async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let course = match courses::course(&state.ctx, slug.into_inner()).await {
        Err(CourseError::Unpublished) => return gone(&req, &visitor),
        course => course?,
    };
    let url = state.url(&courses::href(&course.slug));
    let page = ShowPage::new(&visitor, &course, url, &state.url("/"));
    crate::web::render(&req, page)
}

#[derive(Template, WebTemplate)]
#[template(path = "courses/start.html")]
struct StartPage {
    layout: Layout,
    course: CourseDetail,
}

/// The Start button of a page without a token: a first visitor (no cookie at all, so no
/// preferences yet) goes to onboarding and comes back to the course; anyone else gets the
/// form that starts it.
pub(super) async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let course = match courses::course(&state.ctx, slug.into_inner()).await {
        Err(CourseError::Unpublished) => return gone(&req, &visitor),
        course => CourseDetail::new(&*course?),
    };
    if visitor.user.is_none() && visitor.guest_id.is_none() {
        return onboard_first(&req, &course.href);
    }
    let layout = visitor.layout(format!("Start {} — Kaiwa", course.title), "Start a course.");
    crate::web::render(&req, StartPage { layout, course })
}

/// Starts a preview from the course; without preferences, onboarding first and back here.
pub(super) async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let (owner, cookie) = visitor.owner_or_new_guest(state.settings.secure_cookies());
    let res = match courses::start(&state.ctx, owner, slug.clone()).await {
        Err(CourseError::NeedsPreferences) => onboard_first(&req, &courses::href(&slug))?,
        Err(CourseError::Unpublished) => gone(&req, &visitor)?,
        started => see_other(&format!("/paths/previews/{}", started?)),
    };
    with_guest_cookie(res, cookie)
}
