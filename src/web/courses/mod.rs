//! Courses: creators' pages under `/creator/courses` (authoring, testers, publishing), the
//! invitation a tester accepts (`/invitations/{token}`), and a tester's day feedback.
//! How a [`CourseError`] is answered is decided here.

mod creator;
mod invitations;

use actix_web::web;

use crate::app::courses::CourseError;
use crate::web::error::AppError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.configure(creator::routes)
        .configure(invitations::routes);
}

impl From<CourseError> for AppError {
    fn from(e: CourseError) -> Self {
        match e {
            CourseError::NotFound => Self::NotFound,
            CourseError::WrongAccount(m) => Self::Forbidden(m),
            CourseError::Invalid(m) => Self::Unprocessable(m),
            CourseError::Throttled(m) => Self::TooManyRequests(m),
            CourseError::Db(d) => d.into(),
            CourseError::Unavailable(d) => d.into(),
            CourseError::Path(p) => p.into(),
        }
    }
}
