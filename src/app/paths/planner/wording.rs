//! The words of a schedule: situations for days without a catalog scenario, objectives,
//! and the small text helpers the briefs and themes are made with.

use super::{DayKind, Formality, Schedule, WeekDemand, DEFAULT_MINUTES};

/// Two objectives on short days (under 15 minutes), three otherwise.
pub(crate) fn objective_count(settings: &Schedule) -> usize {
    if settings.minutes_per_day < DEFAULT_MINUTES {
        2
    } else {
        3
    }
}

pub(crate) fn topical_objectives(
    settings: &Schedule,
    kind: DayKind,
    demand: WeekDemand,
    theme: &str,
    topic: &str,
) -> Vec<String> {
    let topic = label(topic);
    let mut out = if kind == DayKind::CatchUp {
        vec![
            "Finish any day of this week you missed.".to_owned(),
            format!("If you are up to date, have a light chat: {theme}."),
        ]
    } else {
        match demand {
            WeekDemand::Supportive => vec![
                format!("Get through {theme} with your partner's help."),
                format!("Learn and use three phrases about {topic}."),
            ],
            WeekDemand::Realistic => vec![
                format!("Handle {theme} at natural speed."),
                "Answer follow-up questions without switching language.".to_owned(),
            ],
            WeekDemand::Challenging => vec![
                format!("Deal with an unexpected problem during {theme}."),
                "Ask for clarification and keep going.".to_owned(),
            ],
            WeekDemand::Mastery => vec![
                format!("Handle {theme} with no hints."),
                "Steer the conversation to what you need.".to_owned(),
            ],
        }
    };
    out.push(match settings.formality {
        Some(Formality::Formal) => "Keep to polite, formal forms throughout.".to_owned(),
        Some(Formality::Casual) => "Keep the tone relaxed and casual.".to_owned(),
        None => "Ask at least one question of your own.".to_owned(),
    });
    out.truncate(objective_count(settings));
    out
}

pub(crate) fn place_text(settings: &Schedule) -> String {
    settings
        .place
        .as_ref()
        .map(|p| format!(", in {p}"))
        .unwrap_or_default()
}

pub(crate) fn register_text(settings: &Schedule) -> &'static str {
    match settings.formality {
        Some(Formality::Formal) => ", formal register",
        Some(Formality::Casual) => ", casual register",
        None => "",
    }
}

/// The `nth` everyday situation of a topic (cycling), for days without a catalog scenario.
pub(crate) fn situation(topic: &str, nth: usize) -> String {
    let list: &[&str] = match topic {
        "food" => &[
            "ordering at a restaurant",
            "asking about ingredients and allergies",
            "talking about favourite dishes",
            "shopping for groceries",
            "cooking a meal together",
        ],
        "travel" => &[
            "checking in at a hotel",
            "asking for directions",
            "buying train tickets",
            "planning a day trip",
            "sorting out a delayed flight",
        ],
        "work" | "business" => &[
            "introducing yourself to colleagues",
            "a job interview",
            "running a short meeting",
            "calling a client",
            "negotiating a deadline",
        ],
        "family" | "relationships" => &[
            "meeting your partner's parents",
            "talking about your family",
            "a family dinner",
            "making plans with relatives",
            "giving a small speech at a celebration",
        ],
        "social" => &[
            "making small talk at a party",
            "inviting a friend out",
            "joining a club",
            "chatting with neighbours",
        ],
        "shopping" => &[
            "buying clothes",
            "returning an item",
            "asking for a discount at a market",
            "buying a gift",
        ],
        "health" => &[
            "describing symptoms to a doctor",
            "buying medicine at a pharmacy",
            "making an appointment",
            "talking about sleep and exercise",
        ],
        _ => &[],
    };
    if list.is_empty() {
        let topic = label(topic);
        let generic = [
            format!("talking about {topic}"),
            format!("asking questions about {topic}"),
            format!("{topic} in everyday life"),
        ];
        return generic[nth % generic.len()].clone();
    }
    list[nth % list.len()].to_owned()
}

/// The topic whose situations a topic shares: aliases that one word names together
/// (parents → family and relationships) count as one, so their days do not repeat a theme.
pub(crate) fn theme_group(topic: &str) -> &str {
    match topic {
        "relationships" => "family",
        "business" => "work",
        other => other,
    }
}

/// A topic key as text: `daily_life` → `daily life`.
pub(crate) fn label(topic: &str) -> String {
    topic.replace('_', " ")
}

pub(crate) fn list_text(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

pub(crate) fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

pub(crate) fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}
