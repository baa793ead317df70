//! What the operational routes read: whether the database answers ([`ready`]) and the
//! public pages a sitemap lists ([`public_pages`]).

use chrono::NaiveDateTime;

use crate::app::{Ctx, DbError};
use crate::db::{conn, queries};

/// The most scenarios one sitemap lists (the protocol's limit per file).
const SITEMAP_LIMIT: i64 = 50_000;

/// Whether the database answers.
pub async fn ready(ctx: &Ctx) -> Result<(), DbError> {
    ctx.db.read(conn::ping).await
}

/// A public page: its path and, for a scenario, when it last changed.
pub struct PublicPage {
    pub path: String,
    pub updated: Option<NaiveDateTime>,
}

/// Every public page: home, the catalog and each public, active scenario.
pub async fn public_pages(ctx: &Ctx) -> Result<Vec<PublicPage>, DbError> {
    let scenarios = ctx
        .db
        .read(|c| queries::scenarios::list_public_ids(c, SITEMAP_LIMIT))
        .await?;
    let fixed = ["/", "/scenarios"].into_iter().map(|path| PublicPage {
        path: path.into(),
        updated: None,
    });
    let scenarios = scenarios.into_iter().map(|(id, updated)| PublicPage {
        path: format!("/scenarios/{id}"),
        updated: Some(updated),
    });
    Ok(fixed.chain(scenarios).collect())
}
