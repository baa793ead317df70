//! The catalog's pages: `/scenarios` (search, filters, sorts, pages; htmx swaps the results
//! as you type) in `browse.rs`, `/scenarios/{id}` in `show.rs`, saving, rating, notes and
//! `/me/scenarios` in `progress.rs`, creators' forms in `authoring.rs`, and the display
//! pieces they share in `views.rs`. How a [`CatalogError`] is answered is decided here.

mod authoring;
mod browse;
mod progress;
mod show;
pub mod views;

use actix_web::web;

use crate::app::catalog::CatalogError;
use crate::web::error::AppError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // why: one scope per first segment, so a request for another area compares one prefix
    // instead of running each `/scenarios/{id}…` pattern's regex.
    cfg.service(
        web::scope("/scenarios")
            .route("", web::get().to(browse::index))
            .configure(authoring::routes)
            .route("/{id}", web::get().to(show::show))
            .configure(progress::scenario_routes),
    )
    .configure(progress::routes);
}

impl From<CatalogError> for AppError {
    fn from(e: CatalogError) -> Self {
        match e {
            CatalogError::NotFound => Self::NotFound,
            CatalogError::Invalid(m) => Self::Unprocessable(m),
            CatalogError::Db(d) => d.into(),
            CatalogError::Unavailable(d) => d.into(),
        }
    }
}

/// A select's options: (value, label, selected).
type Options = Vec<(String, String, bool)>;

use crate::web::{is_htmx, see_other};
