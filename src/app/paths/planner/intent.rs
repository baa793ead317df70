//! Reading what a learner types: a sentence of intent ("I'm meeting my partner's parents in
//! Osaka in a month") and short refinements ("more about food, less formal"). The vocabulary
//! is bounded on purpose: every word is either understood, a known filler, or reported back
//! as not understood — never silently dropped, so the learner can see what was ignored.
//!
//! Topics are matched against `known_topics` (catalog categories and tags, see
//! [`known_topics`]): a word that is a topic, its singular, or a synonym from a small table
//! (interview → work/business, parents → family/relationships, restaurant → food, …). A
//! synonym only yields the topics that are known.

use serde::{Deserialize, Serialize};

use super::{Candidate, WEEKS};
use crate::app::catalog::CATEGORIES;

/// The register the learner wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Formality {
    Formal,
    Casual,
}

/// What a sentence of intent asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Intent {
    /// Known topics, in the order they were mentioned.
    pub topics: Vec<String>,
    pub formality: Option<Formality>,
    /// A place named after "in", "to", "at"…, as written ("Osaka").
    pub place: Option<String>,
    /// Words that were neither understood nor fillers, as written.
    pub not_understood: Vec<String>,
}

/// One understood refinement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Change {
    /// More days on a topic (adding it when absent, lifting an exclusion).
    MoreAbout(String),
    /// Fewer days on a topic (none when it was already a minor one).
    LessAbout(String),
    /// No days on a topic and no scenario filed under it.
    Exclude(String),
    /// One step towards formal: casual → neutral → formal.
    MoreFormal,
    /// One step towards casual.
    LessFormal,
    /// One CEFR level up for a week (all weeks when `None`); later weeks follow.
    Harder {
        week: Option<u8>,
    },
    /// One CEFR level down for a week (all weeks when `None`); earlier weeks follow.
    Easier {
        week: Option<u8>,
    },
    MinutesPerDay(u16),
}

impl Change {
    /// A few words for the summary line: "more food", "week 2 harder".
    pub fn describe(&self) -> String {
        let week = |w: &Option<u8>| match w {
            Some(w) => format!("week {w} "),
            None => "every week ".to_owned(),
        };
        match self {
            Change::MoreAbout(t) => format!("more {}", super::label(t)),
            Change::LessAbout(t) => format!("less {}", super::label(t)),
            Change::Exclude(t) => format!("no {}", super::label(t)),
            Change::MoreFormal => "more formal".to_owned(),
            Change::LessFormal => "less formal".to_owned(),
            Change::Harder { week: w } => format!("{}harder", week(w)),
            Change::Easier { week: w } => format!("{}easier", week(w)),
            Change::MinutesPerDay(m) => format!("{m} minutes a day"),
        }
    }
}

/// The topics a sentence can name: the catalog categories and every candidate's categories
/// and tags, lower-cased, sorted, without duplicates.
pub fn known_topics(candidates: &[Candidate]) -> Vec<String> {
    let mut topics: Vec<String> = CATEGORIES
        .iter()
        .map(|c| (*c).to_owned())
        .chain(
            candidates
                .iter()
                .flat_map(|c| c.categories.iter().chain(&c.tags))
                .map(|t| t.to_lowercase()),
        )
        .collect();
    topics.sort();
    topics.dedup();
    topics
}

/// Words that map to topics, for words that are not themselves a known topic.
const SYNONYMS: &[(&str, &[&str])] = &[
    (
        "restaurant restaurants eat eating dinner lunch breakfast meal meals cooking cook menu \
        dish dishes cafe café drinks cuisine",
        &["food"],
    ),
    (
        "interview interviews job jobs career office boss colleague colleagues coworkers business \
        work working workplace",
        &["work", "business"],
    ),
    (
        "parents parent family mother father mum mom dad in-laws partner husband wife relatives \
        kids children",
        &["family", "relationships"],
    ),
    (
        "friends friend party parties date dating social neighbours neighbors",
        &["social", "relationships"],
    ),
    (
        "trip travelling traveling airport hotel station train flight holiday vacation \
        sightseeing directions tourist",
        &["travel"],
    ),
    (
        "shop shops buy buying store market clothes souvenirs",
        &["shopping"],
    ),
    (
        "doctor hospital pharmacy sick ill clinic dentist medicine",
        &["health"],
    ),
    ("apartment flat rent landlord", &["housing"]),
    (
        "school university class classes exam study studying teacher",
        &["education"],
    ),
    ("emergency police accident", &["emergencies"]),
    ("festival tradition traditions temple museum", &["culture"]),
    ("bank haircut repair", &["services"]),
    ("everyday daily routine", &["daily_life"]),
];

const FORMAL_WORDS: [&str; 5] = ["formal", "polite", "politely", "keigo", "respectful"];
const CASUAL_WORDS: [&str; 5] = ["casual", "informal", "relaxed", "friendly", "chill"];

/// Words about when: understood, and not part of a schedule.
const TIME_WORDS: &str = "\
    month months week weeks day days year years tomorrow today tonight soon next later weekend \
    few couple one two three four five six january february march april may june july august \
    september october november december spring summer autumn fall winter time";

/// Words that carry no request of their own.
const FILLERS: &str = "\
    i i'm im i've i'll me my we we're our you your a an the in on at to for of with and or but \
    so is am are be going go will would like want need have has get meet meeting practise \
    practice learn prepare preparing ready talk talking speak speaking about some very really it \
    this that there their his her them they he she also just please can could should help first \
    new when where how up from by as if do make bit little lot lots things stuff visit visiting \
    gonna wanna start starting big important upcoming conversation conversations japanese \
    spanish english language topics topic scenarios scenario more focus bunch plan path slightly \
    much maybe again too there's it's any all near around into";

/// Words after which a capitalised word is taken as a place.
const PLACE_WORDS: [&str; 6] = ["in", "to", "at", "near", "around", "visiting"];

fn is_filler(word: &str) -> bool {
    let listed = |words: &str| words.split_whitespace().any(|w| w == word);
    listed(FILLERS) || listed(TIME_WORDS) || word.chars().all(|c| c.is_numeric())
}

/// Words as written, split on whitespace and punctuation other than `'` and `-`.
fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '-'))
        .map(|w| w.trim_matches(|c| c == '\'' || c == '’' || c == '-'))
        .filter(|w| !w.is_empty())
        .collect()
}

/// A word lower-cased, without a possessive `'s`.
fn normal(word: &str) -> String {
    let w = word.to_lowercase().replace('’', "'");
    match w.strip_suffix("'s") {
        Some(stem) if !stem.is_empty() => stem.to_owned(),
        _ => w,
    }
}

/// The known topics a word names, or `None` when it names none.
// why: a synonym wins over a tag of the same spelling ("interview", "restaurant"): the
// broader topics it names have more scenarios and better themes than a single tag.
pub(crate) fn topics_of(word: &str, known: &[String]) -> Option<Vec<String>> {
    let is_known = |t: &str| known.iter().any(|k| k.eq_ignore_ascii_case(t));
    let listed = |words: &str| words.split_whitespace().any(|w| w == word);
    if let Some((_, targets)) = SYNONYMS.iter().find(|(words, _)| listed(words)) {
        let found: Vec<String> = targets
            .iter()
            .filter(|t| is_known(t))
            .map(|t| (*t).to_owned())
            .collect();
        if !found.is_empty() {
            return Some(found);
        }
    }
    let singular = word.strip_suffix('s').filter(|s| s.len() > 2);
    [Some(word), singular]
        .into_iter()
        .flatten()
        .find(|w| is_known(w))
        .map(|w| vec![w.to_owned()])
}

/// Known topics of more than one word ("daily_life" as "daily life") found in `lower`, and
/// the text with them blanked out.
fn phrase_topics(lower: &str, known: &[String]) -> (Vec<String>, String) {
    let mut text = lower.to_owned();
    let mut found = Vec::new();
    for topic in known.iter().filter(|k| k.contains(['_', ' '])) {
        let phrase = topic.replace('_', " ");
        if let Some(at) = text.find(&phrase) {
            found.push((at, topic.clone()));
            text.replace_range(at..at + phrase.len(), &" ".repeat(phrase.len()));
        }
    }
    found.sort();
    (found.into_iter().map(|(_, t)| t).collect(), text)
}

/// Reads a sentence of intent: its topics, register, place and what was not understood.
pub fn parse_intent(text: &str, known_topics: &[String]) -> Intent {
    let mut intent = Intent::default();
    let (phrased, rest) = phrase_topics(&text.to_lowercase(), known_topics);
    let push_topics = |intent: &mut Intent, topics: Vec<String>| {
        for t in topics {
            if !intent.topics.contains(&t) {
                intent.topics.push(t);
            }
        }
    };
    push_topics(&mut intent, phrased);
    // why: the blanked text keeps byte positions only for ASCII; words are read from the
    // original so a place keeps its capitals, and skipped when the blanked text lost them.
    let original = words(text);
    let lowered = words(&rest);
    let same = original.len() == lowered.len();
    let mut i = 0;
    while i < lowered.len() {
        let word = normal(lowered[i]);
        let written = if same { original[i] } else { lowered[i] };
        let after_place_word = i > 0 && PLACE_WORDS.contains(&normal(lowered[i - 1]).as_str());
        if after_place_word && starts_upper(written) && !is_filler(&word) && intent.place.is_none()
        {
            let mut place = vec![written];
            while i + 1 < original.len() && same && starts_upper(original[i + 1]) {
                i += 1;
                place.push(original[i]);
            }
            intent.place = Some(place.join(" "));
        } else if FORMAL_WORDS.contains(&word.as_str()) {
            intent.formality = Some(Formality::Formal);
        } else if CASUAL_WORDS.contains(&word.as_str()) {
            intent.formality = Some(Formality::Casual);
        } else if let Some(topics) = topics_of(&word, known_topics) {
            push_topics(&mut intent, topics);
        } else if !is_filler(&word) && !intent.not_understood.iter().any(|w| w == written) {
            intent.not_understood.push(written.to_owned());
        }
        i += 1;
    }
    intent
}

fn starts_upper(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// Reads a refinement: the changes it asks for, in order, and the parts not understood.
/// Clauses are separated by commas, semicolons, "and", "then", "also" or "plus". A clause
/// that yields no change is reported whole; a clause that does reports its unknown words.
pub fn parse_refinement(text: &str, known_topics: &[String]) -> (Vec<Change>, Vec<String>) {
    let mut changes = Vec::new();
    let mut not_understood = Vec::new();
    for clause in clauses(text) {
        let (found, unknown) = parse_clause(&clause, known_topics);
        if found.is_empty() {
            not_understood.push(clause);
        } else {
            changes.extend(found);
            not_understood.extend(unknown);
        }
    }
    (changes, not_understood)
}

fn clauses(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in text.split([',', ';', '.', '!', '\n']) {
        let mut current: Vec<&str> = Vec::new();
        for w in part.split_whitespace() {
            if ["and", "then", "also", "plus", "&"].contains(&w.to_lowercase().as_str()) {
                out.push(current.join(" "));
                current.clear();
            } else {
                current.push(w);
            }
        }
        out.push(current.join(" "));
    }
    out.retain(|c| !c.trim().is_empty());
    out
}

const HARDER: [&str; 5] = ["harder", "tougher", "challenging", "difficult", "hard"];
const EASIER: [&str; 4] = ["easier", "simpler", "gentler", "easy"];
const WITHOUT: [&str; 7] = [
    "no", "without", "avoid", "skip", "drop", "remove", "exclude",
];
/// Words that turn "formal" or "harder" around when they open a clause.
const NEGATIONS: [&str; 6] = ["less", "fewer", "not", "no", "without", "never"];

fn parse_clause(clause: &str, known: &[String]) -> (Vec<Change>, Vec<String>) {
    let all: Vec<String> = words(clause).iter().map(|w| normal(w)).collect();
    let has = |list: &[&str]| all.iter().any(|w| list.contains(&w.as_str()));
    let first = all.first().map(String::as_str).unwrap_or("");
    let negated = NEGATIONS.contains(&first);
    let less = first == "less" || first == "fewer";
    let allowed = |w: &str| is_filler(w) || NEGATIONS.contains(&w);
    let mut unknown = Vec::new();

    if let Some(at) = all
        .iter()
        .position(|w| ["minutes", "minute", "min", "mins"].contains(&w.as_str()))
    {
        let n = at.checked_sub(1).and_then(|i| all[i].parse::<u16>().ok());
        return match n {
            Some(n) if super::MINUTES.contains(&n) => {
                let rest = all
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i + 1 != at && *i != at);
                for (_, w) in rest {
                    if !["day", "per", "each", "daily", "only"].contains(&w.as_str()) && !allowed(w)
                    {
                        unknown.push(w.clone());
                    }
                }
                (vec![Change::MinutesPerDay(n)], unknown)
            }
            _ => (Vec::new(), Vec::new()),
        };
    }

    let formal = has(&FORMAL_WORDS);
    let casual = has(&CASUAL_WORDS);
    let harder = has(&HARDER) && !negated;
    let easier = has(&EASIER) || (negated && has(&HARDER));
    if harder || easier {
        let Ok(week) = week_of(&all) else {
            return (Vec::new(), Vec::new());
        };
        for w in &all {
            let known_word = HARDER.contains(&w.as_str())
                || EASIER.contains(&w.as_str())
                || ["last", "final", "second", "third", "fourth"].contains(&w.as_str())
                || allowed(w);
            if !known_word {
                unknown.push(w.clone());
            }
        }
        let change = if harder {
            Change::Harder { week }
        } else {
            Change::Easier { week }
        };
        return (vec![change], unknown);
    }
    if formal || casual {
        let towards_formal = formal != negated;
        let change = if towards_formal {
            Change::MoreFormal
        } else {
            Change::LessFormal
        };
        for w in &all {
            if !(FORMAL_WORDS.contains(&w.as_str())
                || CASUAL_WORDS.contains(&w.as_str())
                || allowed(w))
            {
                unknown.push(w.clone());
            }
        }
        return (vec![change], unknown);
    }

    let exclude = WITHOUT.contains(&first);
    let (phrased, rest) = phrase_topics(&all.join(" "), known);
    let mut topics = phrased;
    for w in words(&rest) {
        match topics_of(w, known) {
            Some(found) => {
                for t in found {
                    if !topics.contains(&t) {
                        topics.push(t);
                    }
                }
            }
            None if allowed(w) || WITHOUT.contains(&w) => {}
            None => unknown.push((*w).to_owned()),
        }
    }
    let changes = topics
        .into_iter()
        .map(|t| match (exclude, less) {
            (true, _) => Change::Exclude(t),
            (_, true) => Change::LessAbout(t),
            _ => Change::MoreAbout(t),
        })
        .collect();
    (changes, unknown)
}

/// The week a clause names ("week 2", "in week two", "the second week", "last week"), `None`
/// when it names none, `Err` when it names one outside 1..=4.
fn week_of(words: &[String]) -> Result<Option<u8>, ()> {
    let number = |w: &str| match w {
        "1" | "one" | "first" => Some(1),
        "2" | "two" | "second" => Some(2),
        "3" | "three" | "third" => Some(3),
        "4" | "four" | "fourth" | "last" | "final" => Some(4),
        // why: any other number is a week the path does not have, reported as not understood.
        _ => w.parse::<u8>().ok(),
    };
    let Some(at) = words.iter().position(|w| w == "week") else {
        return Ok(None);
    };
    let after = words.get(at + 1).and_then(|w| number(w));
    let before = at.checked_sub(1).and_then(|i| number(&words[i]));
    match after.or(before) {
        Some(n) if (1..=WEEKS).contains(&n) => Ok(Some(n)),
        _ => Err(()),
    }
}
