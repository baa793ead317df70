//! Full-text search over the scenario catalog, one function per backend behind one entry
//! point. Text is normalized in Rust (lower case, accents removed) before it is stored and
//! before it is searched, so "Café" finds "cafe" on both databases.
//! SQLite: FTS5 table `scenarios_fts` (external content, BM25 with the title weighted 10×).
//! PostgreSQL: generated `search_vector` with a GIN index, ranked with `ts_rank`.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::db::DbConn;

/// Lower case with accents removed: "Crème Brûlée" → "creme brulee".
pub fn normalize(text: &str) -> String {
    text.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
}

/// The stored search text of a scenario: (title, everything else).
pub fn searchable(
    title: &str,
    description: &str,
    persona: &str,
    words: &[&[String]],
) -> (String, String) {
    let mut body = format!("{description} {persona}");
    for list in words {
        for w in list.iter() {
            body.push(' ');
            body.push_str(&w.replace(['_', '-'], " "));
        }
    }
    (words_only(&normalize(title)), words_only(&normalize(&body)))
}

/// Letters and digits with single spaces between words.
///
/// why: PostgreSQL's parser reads `<b>…</b>`-like text as markup and drops it; keeping only
/// words makes both backends index exactly the same tokens.
fn words_only(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The words of a search box, normalized, at most 8, letters and digits only.
pub fn terms(query: &str) -> Vec<String> {
    normalize(query)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(str::to_owned)
        .collect()
}

/// A search considers at most this many text matches (before other filters), so its cost
/// stays bounded however large the catalog grows. On SQLite these are the newest matches
/// (FTS5 walks its index by rowid and stops, where ranking every match first would cost time
/// in proportion to the matches); PostgreSQL takes the best-ranked ones. Under the limit,
/// both rank every match.
pub const MAX_MATCHES: i64 = 250;

/// A search spelled for one backend: SQL around one bound match expression, for the
/// filter (`filter.0 ? filter.1`) and the relevance score (`rank.0 ? rank.1`, higher is better).
#[derive(Clone)]
pub struct Matcher {
    pub expr: String,
    pub filter: (&'static str, &'static str),
    pub rank: (&'static str, &'static str),
}

/// Prepares the match for `terms` (every term must match, as a prefix) on the connection's
/// backend. `None` when there are no terms.
///
/// why: each backend spells full-text search its own way; this is the only place that knows.
/// On SQLite the matches and their BM25 scores are computed once into a per-connection temp
/// table: ranking with a correlated `MATCH` per row would run the full-text query once for
/// every match (quadratic; seconds on a 100,000-scenario catalog).
pub fn matcher(conn: &mut DbConn, terms: &[String]) -> QueryResult<Option<Matcher>> {
    if terms.is_empty() {
        return Ok(None);
    }
    Ok(Some(match conn {
        DbConn::Sqlite(_) => {
            let expr = terms.iter().map(|t| format!("\"{t}\"*")).collect::<Vec<_>>().join(" ");
            conn.batch_execute(
                "CREATE TEMP TABLE IF NOT EXISTS search_rank (rowid INTEGER PRIMARY KEY, score REAL NOT NULL); \
                 DELETE FROM temp.search_rank;",
            )?;
            diesel::sql_query(
                "INSERT INTO temp.search_rank (rowid, score) \
                 SELECT rowid, -bm25(scenarios_fts, 10.0, 1.0) FROM scenarios_fts \
                 WHERE scenarios_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
            )
            .bind::<Text, _>(&expr)
            .bind::<diesel::sql_types::BigInt, _>(MAX_MATCHES)
            .execute(conn)?;
            Matcher {
                expr,
                // why: the match is already in the temp table; the bound expression only keeps
                // one SQL shape for both backends (`? <> ''` is always true here).
                filter: ("scenarios.rowid IN (SELECT rowid FROM temp.search_rank) AND ", " <> ''"),
                rank: ("(SELECT score FROM temp.search_rank r WHERE r.rowid = scenarios.rowid AND ", " <> '')"),
            }
        }
        DbConn::Postgres(_) => Matcher {
            expr: terms.iter().map(|t| format!("{t}:*")).collect::<Vec<_>>().join(" & "),
            // why: the same bound as SQLite's: only the best MAX_MATCHES text matches.
            filter: (
                "scenarios.id IN (SELECT s2.id FROM scenarios s2, to_tsquery('simple', ",
                ") q WHERE s2.search_vector @@ q ORDER BY ts_rank(s2.search_vector, q) DESC LIMIT 250)",
            ),
            rank: ("ts_rank(scenarios.search_vector, to_tsquery('simple', ", "))::float8"),
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizing_removes_case_and_accents() {
        assert_eq!(normalize("Crème Brûlée à Paris"), "creme brulee a paris");
        assert_eq!(normalize("São Paulo"), "sao paulo");
        assert_eq!(normalize("ラーメン"), "ラーメン");
    }

    #[test]
    fn terms_keep_only_words() {
        assert_eq!(
            terms(" Café, \"order\"* (food) "),
            ["cafe", "order", "food"]
        );
        assert_eq!(terms("a b c d e f g h i j").len(), 8);
        assert!(terms("  -- ").is_empty());
    }

    #[test]
    fn searchable_text_includes_tags_as_words() {
        let tags = vec!["polite-requests".to_owned()];
        let (title, body) = searchable("Ordering Ramen", "At a counter", "Chef", &[&tags]);
        assert_eq!(title, "ordering ramen");
        assert!(body.contains("polite requests"));
    }
}
