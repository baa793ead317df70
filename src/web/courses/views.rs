//! Courses as their pages show them: a listing's card, a course page's details and syllabus,
//! and its schema.org description (a `Course` and the page's `BreadcrumbList`).

use crate::app::courses::{self, Course, Listing};
use crate::app::paths::planner::{DayKind, WeekDemand};
use crate::db::models::CourseCardRow;
use crate::db::types::CefrLevel;
use crate::web::catalog::views::category_label;
use crate::web::components::json_ld::script_json;

/// The longest description a card shows before it is cut at a word.
const SHORT: usize = 160;

/// `text` cut to at most `SHORT` characters at a word boundary, with "…" when cut.
pub fn short(text: &str) -> String {
    if text.chars().count() <= SHORT {
        return text.to_owned();
    }
    let cut: String = text.chars().take(SHORT).collect();
    let at_word = cut
        .rsplit_once(char::is_whitespace)
        .map_or(&cut[..], |(head, _)| head);
    format!("{}…", at_word.trim_end_matches([',', '.', ';', ':', ' ']))
}

/// What a CEFR level means, in a word.
pub fn level_name(level: CefrLevel) -> &'static str {
    match level {
        CefrLevel::A1 => "beginner",
        CefrLevel::A2 => "elementary",
        CefrLevel::B1 => "intermediate",
        CefrLevel::B2 => "upper intermediate",
        CefrLevel::C1 => "advanced",
        CefrLevel::C2 => "proficient",
    }
}

/// What a week's demand asks of the learner.
fn demand_note(demand: WeekDemand) -> &'static str {
    match demand {
        WeekDemand::Supportive => "Slower speech, hints on hand and a partner who helps.",
        WeekDemand::Realistic => "Natural speed: the partner no longer simplifies.",
        WeekDemand::Challenging => "Complications and surprises to handle.",
        WeekDemand::Mastery => "No hints: you lead the conversation.",
    }
}

fn kind_label(kind: DayKind) -> &'static str {
    match kind {
        DayKind::Practice => "Practice",
        DayKind::Review => "Review",
        DayKind::CatchUp => "Catch-up",
        DayKind::Capstone => "Capstone",
    }
}

/// A duration of `minutes` in words ("about 7 hours", "45 minutes").
fn in_words(minutes: u32) -> String {
    match minutes {
        0..=89 => format!("{minutes} minutes"),
        _ => format!("about {} hours", (minutes + 30) / 60),
    }
}

/// `minutes` as an ISO 8601 duration (`PT7H`, `PT15M`, `PT1H30M`).
pub fn iso_duration(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("PT{m}M"),
        (h, 0) => format!("PT{h}H"),
        (h, m) => format!("PT{h}H{m}M"),
    }
}

/// A course as a listing's card shows it.
pub struct CourseCard {
    pub href: String,
    pub title: String,
    pub description: String,
    pub language: String,
    pub level: String,
    pub minutes: String,
    pub category: String,
}

impl CourseCard {
    pub fn new(row: &CourseCardRow, listing: &Listing) -> Self {
        Self {
            href: courses::href(row.share_slug.as_deref().unwrap_or_default()),
            title: row.title.clone(),
            description: short(&row.description),
            language: listing.language_name(&row.target_language).to_owned(),
            level: row.cefr_level.clone().unwrap_or_default(),
            minutes: row
                .minutes_per_day
                .map(|m| format!("{m} min a day"))
                .unwrap_or_default(),
            category: row
                .category
                .as_deref()
                .map(category_label)
                .unwrap_or_default(),
        }
    }
}

/// One day of a course's syllabus.
pub struct DayView {
    pub index: u8,
    /// For the class (`day-catch-up`).
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub theme: String,
    pub level: String,
    pub objectives: Vec<String>,
}

/// One week of a course's syllabus.
pub struct WeekView {
    pub number: u8,
    pub demand: &'static str,
    pub demand_note: &'static str,
    pub days: Vec<DayView>,
}

/// Everything a course page shows.
pub struct CourseDetail {
    pub href: String,
    pub title: String,
    pub description: String,
    pub language: String,
    /// "A2 (elementary)", or empty.
    pub level: String,
    /// "B1" when the last week reaches another level than the first, else empty.
    pub level_at_end: String,
    pub category: String,
    pub skill: String,
    pub minutes: u16,
    pub days: usize,
    /// The whole course's practice time in words.
    pub total: String,
    pub tags: Vec<String>,
    pub weeks: Vec<WeekView>,
}

impl CourseDetail {
    pub fn new(c: &Course) -> Self {
        let weeks = c
            .weeks
            .iter()
            .map(|w| WeekView {
                number: w.number,
                demand: w.demand.as_str(),
                demand_note: demand_note(w.demand),
                days: w
                    .days
                    .iter()
                    .map(|d| DayView {
                        index: d.index,
                        kind: d.kind.as_str(),
                        kind_label: kind_label(d.kind),
                        theme: d.theme.clone(),
                        level: d.level.map(|l| l.as_str().to_owned()).unwrap_or_default(),
                        objectives: d.objectives.clone(),
                    })
                    .collect(),
            })
            .collect();
        Self {
            href: courses::href(&c.slug),
            title: c.title.clone(),
            description: c.description.clone(),
            language: c.language.clone(),
            level: c
                .level
                .map(|l| format!("{} ({})", l.as_str(), level_name(l)))
                .unwrap_or_default(),
            level_at_end: c
                .level_at_end
                .map(|l| l.as_str().to_owned())
                .unwrap_or_default(),
            category: c
                .category
                .as_deref()
                .map(category_label)
                .unwrap_or_default(),
            skill: c
                .primary_skill
                .as_deref()
                .map(category_label)
                .unwrap_or_default(),
            minutes: c.minutes_per_day,
            days: c.days(),
            total: in_words(c.total_minutes()),
            tags: c.tags.clone(),
            weeks,
        }
    }
}

/// The schema.org `Course` for course `c` at absolute `url`, offered by the site at `site`
/// (its home page's URL), as JSON safe inside a script element.
pub fn course_json_ld(c: &Course, url: &str, site: &str) -> String {
    let kaiwa = serde_json::json!({"@type": "Organization", "name": "Kaiwa", "url": site});
    let total = iso_duration(c.total_minutes());
    let mut course = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Course",
        "name": c.title,
        "description": c.description,
        "url": url,
        "inLanguage": c.language_id,
        "timeRequired": total,
        "provider": kaiwa,
        "publisher": kaiwa,
        "hasCourseInstance": {
            "@type": "CourseInstance",
            "courseMode": "online",
            "courseWorkload": total,
            "courseSchedule": {
                "@type": "Schedule",
                "duration": iso_duration(u32::from(c.minutes_per_day)),
                "repeatFrequency": "Daily",
                "repeatCount": c.days(),
            },
        },
    });
    if let Some(level) = c.level {
        course["educationalLevel"] = level.as_str().into();
    }
    if !c.tags.is_empty() {
        course["keywords"] = c.tags.join(", ").into();
    }
    script_json(&course)
}

/// The page's place on the site: Home → Courses → this course.
pub fn breadcrumbs_json_ld(title: &str, url: &str, site: &str) -> String {
    let courses = format!("{}/courses", site.trim_end_matches('/'));
    let items: Vec<serde_json::Value> = [("Home", site), ("Courses", &courses), (title, url)]
        .iter()
        .enumerate()
        .map(|(i, (name, item))| {
            serde_json::json!({"@type": "ListItem", "position": i + 1, "name": name, "item": item})
        })
        .collect();
    script_json(&serde_json::json!({
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": items,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_iso_8601() {
        assert_eq!(iso_duration(15), "PT15M");
        assert_eq!(iso_duration(420), "PT7H");
        assert_eq!(iso_duration(90), "PT1H30M");
    }

    #[test]
    fn a_long_description_is_cut_at_a_word() {
        assert_eq!(short("Short one."), "Short one.");
        let long = "word ".repeat(60);
        let cut = short(&long);
        assert!(cut.ends_with("word…"), "{cut}");
        assert!(cut.chars().count() <= SHORT + 1);
    }
}
