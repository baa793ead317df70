//! Full-text search over the scenario catalog, one function per backend behind one entry
//! point. Text is normalized in Rust (lower case, accents removed) before it is stored and
//! before it is searched, so "Café" finds "cafe" on both databases.
//! SQLite: FTS5 table `scenarios_fts` (external content); PostgreSQL: generated
//! `search_vector` with a GIN index. Either finds the matches; `rank` orders them.

use diesel::dsl::sql;
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::db::conn::MultiBackend;
use crate::db::schema::{scenario_metadata, scenarios};
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
/// stays bounded however large the catalog grows: on SQLite the newest matches (FTS5 walks
/// its index by rowid and stops), on PostgreSQL the first ones its index yields (ranking
/// every match first would read every matching row). Under the limit, both rank every
/// match. About four pages of results.
pub const MAX_MATCHES: i64 = 100;

/// How much a term found at the start of a title word weighs against one found in the body.
const TITLE_WEIGHT: f64 = 10.0;
/// Body occurrences of one term count up to this many times (a long description repeating
/// a word is not ten times as relevant).
const BODY_HITS: usize = 3;

/// How well a scenario's search text (as `searchable` stores it) matches normalized `terms`,
/// each read as a word prefix: higher is better, 0 for no match. A term at the start of a
/// title word counts `TITLE_WEIGHT`, each body word starting with it 1 (up to `BODY_HITS`);
/// shorter titles win ties, as a title that is mostly the query is the closer match.
pub fn score(title: &str, body: &str, terms: &[&str]) -> f64 {
    let words = |text: &str, term: &str| {
        text.split(' ')
            .filter(|w| w.starts_with(term))
            .take(BODY_HITS)
            .count()
    };
    let mut total = 0.0;
    for term in terms.iter().filter(|t| !t.is_empty()) {
        if words(title, term) > 0 {
            total += TITLE_WEIGHT;
        }
        total += words(body, term) as f64;
    }
    if total > 0.0 {
        total += 1.0 / (1.0 + title.split(' ').count() as f64);
    }
    total
}

/// A text match as ranking reads it.
#[derive(Queryable)]
pub struct Found {
    pub id: String,
    pub title: String,
    pub search_title: String,
    pub search_body: String,
    pub times_used: i32,
}

/// The ids of `found`, best match for `terms` first (see `score`); ties go to the most used,
/// then by title and id, so pages never overlap.
///
/// why: ranked here rather than in SQL: SQLite's `bm25()` counts every match in the whole
/// index to weigh each term (a cost that grows with the catalog), and one ranking in Rust
/// orders results the same way on both databases.
pub fn rank(found: Vec<Found>, terms: &[String]) -> Vec<String> {
    let terms: Vec<&str> = terms.iter().map(String::as_str).collect();
    let mut scored: Vec<(f64, Found)> = found
        .into_iter()
        .map(|f| (score(&f.search_title, &f.search_body, &terms), f))
        .collect();
    scored.sort_by(|(sa, a), (sb, b)| {
        sb.total_cmp(sa)
            .then(b.times_used.cmp(&a.times_used))
            .then_with(|| a.title.cmp(&b.title))
            .then_with(|| a.id.cmp(&b.id))
    });
    scored.into_iter().map(|(_, f)| f.id).collect()
}

type CatalogSource = diesel::dsl::InnerJoinQuerySource<scenarios::table, scenario_metadata::table>;
type Condition = Box<dyn BoxableExpression<CatalogSource, MultiBackend, SqlType = Bool>>;

/// The text matches of a search (at most `MAX_MATCHES`), found once.
pub struct Matcher {
    keys: Keys,
}

/// The matches, keyed the way each backend finds rows fastest.
enum Keys {
    /// SQLite: rowids, newest first.
    Rowids(Vec<i64>),
    /// PostgreSQL: scenario ids, in the index's order.
    Ids(Vec<String>),
}

#[derive(QueryableByName)]
struct FoundRowid {
    #[diesel(sql_type = BigInt)]
    rowid: i64,
}

#[derive(QueryableByName)]
struct FoundId {
    #[diesel(sql_type = Text)]
    id: String,
}

/// Runs the full-text match for `terms` (every term must match, as a word prefix);
/// `None` when there are no terms.
///
/// why: each backend spells full-text search its own way; this is the only place that
/// knows. The matches are read once, so the page can be ranked and counted from them, and
/// `capped` knows whether the limit was reached before any other filter applied.
pub fn matcher(conn: &mut DbConn, terms: &[String]) -> QueryResult<Option<Matcher>> {
    if terms.is_empty() {
        return Ok(None);
    }
    let keys = match conn {
        DbConn::Sqlite(_) => {
            let expr = terms
                .iter()
                .map(|t| format!("\"{t}\"*"))
                .collect::<Vec<_>>()
                .join(" ");
            let rows: Vec<FoundRowid> = diesel::sql_query(
                "SELECT rowid FROM scenarios_fts WHERE scenarios_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
            )
            .bind::<Text, _>(expr)
            .bind::<BigInt, _>(MAX_MATCHES)
            .load(conn)?;
            Keys::Rowids(rows.into_iter().map(|r| r.rowid).collect())
        }
        DbConn::Postgres(_) => {
            let rows: Vec<FoundId> = diesel::sql_query(
                "SELECT s.id FROM scenarios s WHERE s.search_vector @@ to_tsquery('simple', $1) LIMIT $2",
            )
            .bind::<Text, _>(tsquery(terms))
            .bind::<BigInt, _>(MAX_MATCHES)
            .load(conn)?;
            Keys::Ids(rows.into_iter().map(|r| r.id).collect())
        }
    };
    Ok(Some(Matcher { keys }))
}

fn tsquery(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| format!("{t}:*"))
        .collect::<Vec<_>>()
        .join(" & ")
}

impl Matcher {
    /// Whether nothing matched the text at all.
    pub fn is_empty(&self) -> bool {
        match &self.keys {
            Keys::Rowids(r) => r.is_empty(),
            Keys::Ids(i) => i.is_empty(),
        }
    }

    /// Whether the text matched more scenarios than a search considers.
    pub fn capped(&self) -> bool {
        let n = match &self.keys {
            Keys::Rowids(r) => r.len(),
            Keys::Ids(i) => i.len(),
        };
        n as i64 >= MAX_MATCHES
    }

    /// Narrows the catalog to the matches.
    pub fn condition(&self) -> Condition {
        match &self.keys {
            // why: the rowids are integers read from the database, never user input; written
            // into the SQL they let SQLite look each row up by its key.
            Keys::Rowids(rowids) => {
                let list = rowids
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(",");
                Box::new(sql::<Bool>(&format!("scenarios.rowid IN ({list})")))
            }
            Keys::Ids(ids) => Box::new(scenarios::id.eq_any(ids.clone())),
        }
    }
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
    fn a_title_match_outranks_body_mentions() {
        let in_title = score("ordering coffee in lisbon", "a counter", &["coffee"]);
        let in_body = score("breakfast", "coffee coffee coffee coffee", &["coffee"]);
        assert!(in_title > in_body, "{in_title} vs {in_body}");
        // Body mentions count, up to a few.
        assert!(score("x", "coffee coffee", &["coffee"]) > score("x", "coffee", &["coffee"]));
        assert_eq!(
            score("x", "coffee coffee coffee", &["coffee"]),
            score("x", "coffee coffee coffee coffee coffee", &["coffee"])
        );
    }

    #[test]
    fn terms_match_word_prefixes_and_shorter_titles_win_ties() {
        assert!(score("job interview", "", &["interv"]) > 0.0);
        assert_eq!(score("reviewing notes", "preview", &["view"]), 0.0);
        assert!(
            score("ordering ramen", "", &["ramen"])
                > score("ordering ramen in osaka", "", &["ramen"])
        );
        // Every term adds to the score.
        assert!(
            score("job interview", "", &["job", "interview"])
                > score("job", "", &["job", "interview"])
        );
    }

    #[test]
    fn ranking_puts_the_best_match_first_then_the_most_used() {
        let found = |id: &str, title: &str, body: &str, used: i32| Found {
            id: id.to_owned(),
            title: title.to_owned(),
            search_title: normalize(title),
            search_body: body.to_owned(),
            times_used: used,
        };
        let ranked = rank(
            vec![
                found("body", "Breakfast", "coffee and toast", 90),
                found("b", "Coffee beans", "", 5),
                found("a", "Coffee beans", "", 5),
                found("popular", "Coffee beans", "", 40),
                found("short", "Coffee", "", 0),
            ],
            &["coffee".to_owned()],
        );
        assert_eq!(ranked, ["short", "popular", "a", "b", "body"]);
    }

    #[test]
    fn searchable_text_includes_tags_as_words() {
        let tags = vec!["polite-requests".to_owned()];
        let (title, body) = searchable("Ordering Ramen", "At a counter", "Chef", &[&tags]);
        assert_eq!(title, "ordering ramen");
        assert!(body.contains("polite requests"));
    }
}
