//! Publishing a course as a public template: a copy (`is_template`, `is_public`, a unique
//! share slug from the title) with nothing personal in it — no creator or tester fields are
//! copied, and the free text is checked first ([`findings`], pure) for email addresses,
//! phone numbers, links with personal handles and the names of the creator's testers; the
//! creator sees what was found and confirms. Publishing again updates the same copy;
//! unpublishing keeps the slug (its page then answers 410); an admin can unpublish any.

use super::authoring::owned;
use super::CourseError;
use crate::app::Ctx;
use crate::db::conn::write_transaction;
use crate::db::json::PathMetadata;
use crate::db::models::{LearningPath, LearningPathChanges, NewLearningPath, User};
use crate::db::types::{Json, PathStatus};
use crate::db::{lock, new_id, queries, DbConn};

/// Something in a course's text that looks personal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Where: "Title", "Description", "Day 4".
    pub place: String,
    /// What kind: "an email address", "a phone number", "a link", "a tester's name".
    pub kind: &'static str,
    pub text: String,
}

/// What `publish` came to.
pub enum Published {
    /// Published at this slug.
    At(String),
    /// Looks personal: shown to the creator, who publishes again with `confirmed`.
    Review(Vec<Finding>),
}

/// The personal-looking parts of `texts` (place, text): emails, phone numbers, links to a
/// person's profile or any URL, and any of `names` as a whole word.
pub fn findings(texts: &[(String, String)], names: &[String]) -> Vec<Finding> {
    let mut out = Vec::new();
    for (place, text) in texts {
        for word in text.split(|c: char| c.is_whitespace() || "()[]<>\"“”,;".contains(c)) {
            let word = word.trim_matches(|c: char| ".!?:'".contains(c));
            let kind = if word.contains('@') && word.contains('.') && !word.starts_with('@') {
                Some("an email address")
            } else if word.starts_with('@') && word.len() > 2 {
                Some("a personal handle")
            } else if word.contains("://") || word.starts_with("www.") {
                Some("a link")
            } else {
                None
            };
            if let Some(kind) = kind {
                out.push(Finding {
                    place: place.clone(),
                    kind,
                    text: word.to_owned(),
                });
            }
        }
        out.extend(phone_numbers(text).into_iter().map(|p| Finding {
            place: place.clone(),
            kind: "a phone number",
            text: p,
        }));
        let lower = text.to_lowercase();
        for name in names {
            let n = name.trim().to_lowercase();
            if n.chars().count() >= 3 && contains_word(&lower, &n) {
                out.push(Finding {
                    place: place.clone(),
                    kind: "a tester's name",
                    text: name.trim().to_owned(),
                });
            }
        }
    }
    out
}

/// Runs of digits (with spaces, dots, dashes, brackets or a leading +) holding 7 or more
/// digits: how phone numbers are written.
fn phone_numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run = String::new();
    let mut digits = 0;
    for c in text.chars().chain(std::iter::once('\n')) {
        let part = c.is_ascii_digit()
            || (!run.is_empty() && " .-()".contains(c))
            || (run.is_empty() && c == '+');
        if part {
            digits += usize::from(c.is_ascii_digit());
            run.push(c);
        } else {
            if digits >= 7 {
                out.push(run.trim().to_owned());
            }
            run.clear();
            digits = 0;
        }
    }
    out
}

fn contains_word(haystack: &str, word: &str) -> bool {
    haystack.match_indices(word).any(|(i, _)| {
        let before = haystack[..i].chars().next_back();
        let after = haystack[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// A share slug from `title`: lower-case ASCII words joined by `-`, at most 60 characters.
pub fn slug_of(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars() {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            c => c.to_ascii_lowercase(),
        };
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(60).collect();
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() {
        "course".into()
    } else {
        slug
    }
}

/// Publishes `user`'s course `id`. Unless `confirmed`, anything personal-looking in its
/// text is answered for review first and nothing is published.
pub async fn publish(
    ctx: &Ctx,
    user: User,
    id: String,
    confirmed: bool,
) -> Result<Published, CourseError> {
    let now = ctx.clock.naive();
    let published = ctx
        .db
        .run(move |c| {
            write_transaction(c, |c| {
                lock::key(c, "course", &id)?;
                let course = owned(c, &id, &user)?;
                let schedule = crate::app::paths::schedule_of(&course)?;
                let cands = crate::app::paths::candidates_for(c, &course.target_language)?;
                if let Err(problems) = crate::app::paths::planner::validate(&schedule, &cands) {
                    return Err(CourseError::Invalid(format!(
                        "Fix the course before publishing: {}",
                        problems.join(" ")
                    )));
                }
                if !confirmed {
                    let found = findings(&texts(&course, &schedule), &names(c, &course, &user)?);
                    if !found.is_empty() {
                        return Ok(Published::Review(found));
                    }
                }
                let metadata = PathMetadata {
                    published_template_id: None,
                    ..course.metadata.0.clone()
                };
                let existing = match &course.metadata.0.published_template_id {
                    Some(t) => queries::paths::find_path(c, t)?,
                    None => None,
                };
                let slug = match existing {
                    Some(t) => {
                        let changes = LearningPathChanges {
                            title: Some(course.title.clone()),
                            description: Some(course.description.clone()),
                            target_language: Some(course.target_language.clone()),
                            schedule: Some(course.schedule.clone()),
                            is_public: Some(true),
                            status: Some(PathStatus::Active),
                            metadata: Some(Json(metadata)),
                            updated_at: Some(now),
                            ..Default::default()
                        };
                        queries::paths::update_path(c, &t.id, changes)?;
                        t.share_slug.unwrap_or_default()
                    }
                    None => {
                        let slug = free_slug(c, &slug_of(&course.title))?;
                        let template_id = new_id();
                        queries::paths::insert_path(
                            c,
                            &NewLearningPath {
                                id: template_id.clone(),
                                user_id: None,
                                title: course.title.clone(),
                                description: course.description.clone(),
                                target_language: course.target_language.clone(),
                                schedule: course.schedule.clone(),
                                is_template: true,
                                is_public: true,
                                share_slug: Some(slug.clone()),
                                status: PathStatus::Active,
                                created_by_user_id: Some(user.id.clone()),
                                metadata: Json(metadata),
                                created_at: now,
                                updated_at: now,
                            },
                        )?;
                        let mut meta = course.metadata.0.clone();
                        meta.published_template_id = Some(template_id);
                        let changes = LearningPathChanges {
                            metadata: Some(Json(meta)),
                            status: Some(PathStatus::Active),
                            updated_at: Some(now),
                            ..Default::default()
                        };
                        queries::paths::update_path(c, &course.id, changes)?;
                        slug
                    }
                };
                Ok(Published::At(slug))
            })
        })
        .await?;
    ctx.cache.public_changed();
    Ok(published)
}

/// Takes `user`'s course `id` off the public pages (its slug then answers 410).
pub async fn unpublish(ctx: &Ctx, user: User, id: String) -> Result<(), CourseError> {
    let now = ctx.clock.naive();
    ctx.db
        .run(move |c| {
            write_transaction(c, |c| {
                lock::key(c, "course", &id)?;
                let course = owned(c, &id, &user)?;
                match course.metadata.0.published_template_id {
                    Some(t) => hide(c, &t, now),
                    None => Ok(()),
                }
            })
        })
        .await?;
    ctx.cache.public_changed();
    Ok(())
}

/// An admin takes the public template `slug` off the public pages.
pub async fn unpublish_any(ctx: &Ctx, admin: User, slug: String) -> Result<(), CourseError> {
    if !admin.is_admin {
        return Err(CourseError::NotFound);
    }
    let now = ctx.clock.naive();
    ctx.db
        .run(move |c| {
            write_transaction(c, |c| {
                let t = queries::paths::find_template(c, &slug)?.ok_or(CourseError::NotFound)?;
                hide(c, &t.id, now)
            })
        })
        .await?;
    ctx.cache.public_changed();
    Ok(())
}

fn hide(c: &mut DbConn, template_id: &str, now: chrono::NaiveDateTime) -> Result<(), CourseError> {
    let changes = LearningPathChanges {
        is_public: Some(false),
        updated_at: Some(now),
        ..Default::default()
    };
    Ok(queries::paths::update_path(c, template_id, changes)?)
}

/// `base`, or `base-2`, `base-3`… the first no path has.
fn free_slug(c: &mut DbConn, base: &str) -> Result<String, CourseError> {
    for n in 1..1000 {
        let slug = if n == 1 {
            base.to_owned()
        } else {
            format!("{base}-{n}")
        };
        if !queries::courses::slug_taken(c, &slug)? {
            return Ok(slug);
        }
    }
    Ok(format!("{base}-{}", &new_id()[..8]))
}

/// Every free text a template copies, with where it is.
fn texts(
    course: &LearningPath,
    schedule: &crate::app::paths::planner::Schedule,
) -> Vec<(String, String)> {
    let mut out = vec![
        ("Title".to_owned(), course.title.clone()),
        ("Description".to_owned(), course.description.clone()),
        ("Tags".to_owned(), course.metadata.0.tags.join(" ")),
    ];
    for d in &schedule.days {
        let mut text = format!("{}\n{}", d.theme, d.objectives.join("\n"));
        if let crate::app::paths::planner::ScenarioLink::Generate { brief } = &d.scenario {
            text = format!("{text}\n{brief}");
        }
        out.push((format!("Day {}", d.index), text));
    }
    out
}

/// The names that must not appear: the testers' display names, usernames and the local
/// parts of their addresses, invited or accepted, and the creator's own.
fn names(
    c: &mut DbConn,
    course: &LearningPath,
    creator: &User,
) -> Result<Vec<String>, CourseError> {
    let mut names: Vec<String> = Vec::new();
    let add_user = |u: &User, names: &mut Vec<String>| {
        names.extend(u.display_name.clone());
        names.extend(u.username.clone());
    };
    add_user(creator, &mut names);
    for u in queries::courses::list_testers(c, &course.id)? {
        add_user(&u, &mut names);
    }
    for (i, _) in queries::courses::list_invitations(c, &course.id)? {
        if let Some((local, _)) = i.email.split_once('@') {
            names.push(local.to_owned());
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::{findings, slug_of};

    fn kinds(text: &str, names: &[&str]) -> Vec<&'static str> {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        findings(&[("Day 1".into(), text.into())], &names)
            .into_iter()
            .map(|f| f.kind)
            .collect()
    }

    #[test]
    fn personal_looking_text_is_found_and_ordinary_text_is_not() {
        assert_eq!(
            kinds("Write to ana.b@example.com today.", &[]),
            ["an email address"]
        );
        assert_eq!(
            kinds("Call +81 90-1234-5678 for help", &[]),
            ["a phone number"]
        );
        assert_eq!(kinds("See https://instagram.com/ana_b", &[]), ["a link"]);
        assert_eq!(kinds("Follow @ana_b", &[]), ["a personal handle"]);
        assert_eq!(
            kinds("Thanks to Mariko for testing", &["Mariko"]),
            ["a tester's name"]
        );
        assert!(kinds(
            "Order 2 bowls of ramen at 7 pm, 1,200 yen",
            &["Mariko", "Al"]
        )
        .is_empty());
        assert!(kinds("Marikotown is not a name", &["Mariko"]).is_empty());
    }

    #[test]
    fn slugs_are_lower_case_ascii_words() {
        assert_eq!(
            slug_of("Español para el trabajo: ¡entrevistas!"),
            "espanol-para-el-trabajo-entrevistas"
        );
        assert_eq!(slug_of("日本語"), "course");
    }
}
