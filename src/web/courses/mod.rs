//! Courses on the web. Public: `/courses` (public path templates by language, level and
//! category; htmx swaps the results when a filter changes) in `browse.rs`, and a course's
//! page `/courses/{slug}` with its syllabus, canonical URL, OpenGraph tags and schema.org
//! JSON-LD, and starting a path from it (`/courses/{slug}/start`) in `show.rs`. Creators:
//! `/creator/courses` (authoring, testers, publishing) in `creator.rs`; the invitation a
//! tester accepts (`/invitations/{token}`) and a tester's day feedback in `invitations.rs`.
//! How a [`CourseError`] is answered is decided here; an unpublished course is gone (410).

mod browse;
mod creator;
mod invitations;
mod show;
pub mod views;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use askama_web::WebTemplate;

use crate::app::courses::CourseError;
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::Visitor;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.configure(creator::routes)
        .configure(invitations::routes)
        .service(
            web::scope("/courses")
                .route("", web::get().to(browse::index))
                .route("/{slug}", web::get().to(show::show))
                .route("/{slug}/start", web::get().to(show::confirm))
                .route("/{slug}/start", web::post().to(show::start)),
        );
}

impl From<CourseError> for AppError {
    fn from(e: CourseError) -> Self {
        match e {
            CourseError::NotFound | CourseError::Unpublished => Self::NotFound,
            CourseError::NeedsPreferences => Self::Unprocessable(e.to_string()),
            CourseError::WrongAccount(m) => Self::Forbidden(m),
            CourseError::Invalid(m) => Self::Unprocessable(m),
            CourseError::Throttled(m) => Self::TooManyRequests(m),
            CourseError::Path(p) => p.into(),
            CourseError::Db(d) => d.into(),
            CourseError::Unavailable(d) => d.into(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "courses/gone.html")]
struct GonePage {
    layout: Layout,
}

/// The page of a course its creator unpublished: 410, and where to go instead.
fn gone(req: &HttpRequest, visitor: &Visitor) -> Result<HttpResponse, AppError> {
    let layout = visitor.public_layout(
        "Course no longer published — Kaiwa",
        "This course is no longer published.",
    );
    crate::web::render_with_status(req, StatusCode::GONE, GonePage { layout })
}
