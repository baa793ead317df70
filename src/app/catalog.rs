//! The scenario catalog as visitors see it. (Search, filters, saving and authoring arrive
//! with the catalog issue; this module owns them when they do.)

use crate::db::models::{Scenario, ScenarioMetadata};
use crate::db::queries;
use crate::db::DbConn;

/// How many scenarios a catalog page lists.
pub const PAGE_SIZE: i64 = 24;

/// One page of the public catalog.
pub struct CatalogPage {
    pub scenarios: Vec<Scenario>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

/// The public catalog's `page` (1-based; out-of-range pages come back empty).
pub fn list(conn: &mut DbConn, page: i64) -> diesel::QueryResult<CatalogPage> {
    let page = page.max(1);
    let total = queries::scenarios::count_public(conn)?;
    let scenarios = queries::scenarios::list_public(conn, PAGE_SIZE, (page - 1) * PAGE_SIZE)?;
    Ok(CatalogPage {
        scenarios,
        total,
        page,
        pages: pages(total, PAGE_SIZE),
    })
}

/// A public scenario with its aggregates; `None` when it isn't public or doesn't exist.
pub fn show(
    conn: &mut DbConn,
    id: &str,
) -> diesel::QueryResult<Option<(Scenario, Option<ScenarioMetadata>)>> {
    let Some(scenario) = queries::scenarios::find_public(conn, id)? else {
        return Ok(None);
    };
    let metadata = queries::scenarios::find_metadata(conn, id)?;
    Ok(Some((scenario, metadata)))
}

/// How many pages of `size` hold `total` items (at least one).
pub fn pages(total: i64, size: i64) -> i64 {
    ((total + size - 1) / size).max(1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn pages_round_up_and_never_drop_to_zero() {
        assert_eq!(super::pages(0, 24), 1);
        assert_eq!(super::pages(24, 24), 1);
        assert_eq!(super::pages(25, 24), 2);
    }
}
