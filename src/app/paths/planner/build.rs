//! How days are built from a schedule's settings: the topic of each practice slot, the
//! catalog scenario that fits a day best, and the days themselves. Shared by [`plan`](super::plan)
//! and the changes in [`refine`](super::refine); deterministic, like everything here.

use std::collections::{BTreeMap, BTreeSet};

use super::wording::{
    capitalise, label, list_text, lower_first, objective_count, place_text, register_text,
    situation, theme_group, topical_objectives,
};
use super::{
    difficulty_of, level_index, Candidate, Day, DayKind, Formality, ScenarioLink, Schedule,
    WeekDemand, DAYS, FALLBACK_TOPIC, PRACTICE_DAYS_PER_WEEK, WEEKS,
};
use crate::db::types::CefrLevel;

/// The topic of each of the 20 practice slots (5 per week), by smooth weighted round robin:
/// a topic of weight 3 gets about three times the days of one of weight 1, spread out, and
/// the result depends on nothing but the pool.
pub(crate) fn topic_sequence(schedule: &Schedule) -> Vec<String> {
    let pool = schedule.pool();
    let total: i32 = pool.iter().map(|t| i32::from(t.weight)).sum();
    let mut current = vec![0i32; pool.len()];
    let slots = usize::from(WEEKS * PRACTICE_DAYS_PER_WEEK);
    let mut out = Vec::with_capacity(slots);
    for _ in 0..slots {
        for (c, t) in current.iter_mut().zip(&pool) {
            *c += i32::from(t.weight);
        }
        // why: max_by_key keeps the last maximum; reversing makes ties go to the topic asked
        // for first.
        let (best, _) = current
            .iter()
            .enumerate()
            .rev()
            .max_by_key(|(_, c)| **c)
            .unwrap_or((0, &0));
        current[best] -= total;
        out.push(pool[best].topic.clone());
    }
    out
}

/// The practice slot (0..20) of a practice day.
pub(crate) fn practice_slot(index: u8) -> usize {
    let week = (index - 1) / 7;
    usize::from(week * PRACTICE_DAYS_PER_WEEK + (index - 1) % 7)
}

/// The topic a practice or catch-up day is meant to have under the schedule's settings: a
/// practice day its slot's topic, a catch-up day its week's first topic.
pub(crate) fn desired_topic(seq: &[String], index: u8) -> &str {
    let slot = match DayKind::of_day(index) {
        DayKind::Practice => practice_slot(index),
        _ => usize::from((index - 1) / 7 * PRACTICE_DAYS_PER_WEEK),
    };
    &seq[slot]
}

/// How many earlier practice slots share this day's topic: it picks the situation, so the
/// third food day is not the first one again.
fn occurrence(seq: &[String], index: u8) -> usize {
    let topic = desired_topic(seq, index);
    let upto = match DayKind::of_day(index) {
        DayKind::Practice => practice_slot(index),
        // why: a catch-up day counts the whole week, so it gets a situation the week skipped.
        _ => usize::from((index - 1) / 7 * PRACTICE_DAYS_PER_WEEK + PRACTICE_DAYS_PER_WEEK),
    };
    let group = theme_group(topic);
    seq[..upto]
        .iter()
        .filter(|t| theme_group(t) == group)
        .count()
}

/// The week (0..4) of day `index`, from its index alone, so a malformed `week` field
/// cannot send a lookup out of bounds.
pub(crate) fn week_slot(index: u8) -> usize {
    usize::from((index.clamp(1, DAYS) - 1) / 7)
}

/// Catalog ids already taken: per week (never twice in a week) and per month (prefer fresh).
#[derive(Default)]
pub(crate) struct Taken {
    pub(crate) week: [BTreeSet<String>; 4],
    pub(crate) month: BTreeMap<String, u32>,
}

impl Taken {
    pub(crate) fn add(&mut self, day: &Day) {
        if let ScenarioLink::Catalog { id } = &day.scenario {
            self.week[week_slot(day.index)].insert(id.clone());
            *self.month.entry(id.clone()).or_default() += 1;
        }
    }
}

/// The days of a schedule: each `Some` in `keep` (by day, 0-based) stays as it is, the rest
/// are built from the settings, practice and catch-up days first, then the review days and
/// the capstone that look back on them.
pub(crate) fn fill(
    settings: &Schedule,
    levels: [CefrLevel; 4],
    keep: Vec<Option<Day>>,
    candidates: &[Candidate],
) -> Vec<Day> {
    let seq = topic_sequence(settings);
    let mut taken = Taken::default();
    keep.iter().flatten().for_each(|d| taken.add(d));
    let mut days = keep;
    for index in 1..=DAYS {
        let slot = &mut days[usize::from(index - 1)];
        if slot.is_none() && matches!(DayKind::of_day(index), DayKind::Practice | DayKind::CatchUp)
        {
            let topic = desired_topic(&seq, index);
            let level = levels[usize::from((index - 1) / 7)];
            let pick = best_candidate(settings, topic, level, candidates, &taken, index, None, 0);
            let nth = unused_situation(topic, occurrence(&seq, index), index, candidates, &taken);
            let day = topical_day(settings, index, topic, level, pick, nth);
            taken.add(&day);
            *slot = Some(day);
        }
    }
    for index in 1..=DAYS {
        if days[usize::from(index - 1)].is_none() {
            let level = levels[usize::from((index - 1) / 7)];
            let day = looking_back_day(settings, index, level, &days, 0);
            days[usize::from(index - 1)] = Some(day);
        }
    }
    days.into_iter().flatten().collect()
}

/// The first situation from the `nth` on that is not the title of a catalog scenario the
/// week already has, so a generated day does not repeat a linked one.
fn unused_situation(
    topic: &str,
    nth: usize,
    index: u8,
    candidates: &[Candidate],
    taken: &Taken,
) -> usize {
    let week = &taken.week[usize::from((index - 1) / 7)];
    let used = |text: &str| {
        candidates
            .iter()
            .any(|c| week.contains(&c.id) && c.title.eq_ignore_ascii_case(text))
    };
    (nth..nth + 6)
        .find(|n| !used(&situation(topic, *n)))
        .unwrap_or(nth)
}

/// Whether `c` may fill a day on `topic` at `level` in this schedule (ignoring who else in
/// the week uses it): same language, not excluded, filed under the topic, at most one level
/// away.
pub(crate) fn fits(settings: &Schedule, c: &Candidate, topic: &str, level: CefrLevel) -> bool {
    c.language == settings.language
        && c.is_about(topic)
        && !c
            .categories
            .iter()
            .chain(&c.tags)
            .any(|t| settings.is_excluded(t))
        && (level_index(c.cefr_level) - level_index(level)).abs() <= 1
}

const FORMAL_TAGS: [&str; 4] = ["formal", "polite", "keigo", "business"];
const CASUAL_TAGS: [&str; 4] = ["casual", "informal", "friendly", "slang"];

fn score(settings: &Schedule, c: &Candidate, topic: &str, level: CefrLevel, taken: &Taken) -> i32 {
    let tagged = |tags: &[&str]| tags.iter().any(|t| c.has_tag(t));
    let mut s = if c.in_category(topic) { 2 } else { 1 };
    s += if c.cefr_level == level { 2 } else { 0 };
    s += i32::from(c.difficulty == difficulty_of(level));
    s += match settings.formality {
        Some(Formality::Formal) if tagged(&FORMAL_TAGS) => 1,
        Some(Formality::Formal) if tagged(&CASUAL_TAGS) => -2,
        Some(Formality::Casual) if tagged(&CASUAL_TAGS) => 1,
        Some(Formality::Casual) if tagged(&FORMAL_TAGS) => -2,
        _ => 0,
    };
    if let Some(place) = &settings.place {
        s += i32::from(c.has_tag(place));
    }
    // why: a scenario already used this month is still better than none, but a fresh one
    // that fits is better than it.
    s - 3 * taken.month.get(&c.id).copied().unwrap_or(0) as i32
}

/// The candidate for day `index`: the best fitting one not yet used that week (ties by id);
/// with `salt`, the salt-th of those instead, skipping `skip` (for a regeneration).
#[allow(clippy::too_many_arguments)]
pub(crate) fn best_candidate<'a>(
    settings: &Schedule,
    topic: &str,
    level: CefrLevel,
    candidates: &'a [Candidate],
    taken: &Taken,
    index: u8,
    skip: Option<&str>,
    salt: u32,
) -> Option<&'a Candidate> {
    let week = &taken.week[usize::from((index - 1) / 7)];
    let mut fitting: Vec<(i32, &Candidate)> = candidates
        .iter()
        .filter(|c| fits(settings, c, topic, level))
        .filter(|c| !week.contains(&c.id) && skip != Some(c.id.as_str()))
        .map(|c| (score(settings, c, topic, level, taken), c))
        .collect();
    fitting.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
    fitting.dedup_by(|a, b| a.1.id == b.1.id);
    let n = fitting.len();
    (n > 0).then(|| fitting[salt as usize % n].1)
}

/// A practice or catch-up day on `topic`: the candidate's title as theme when there is one,
/// otherwise the `nth` situation of the topic and a brief to generate it.
pub(crate) fn topical_day(
    settings: &Schedule,
    index: u8,
    topic: &str,
    level: CefrLevel,
    pick: Option<&Candidate>,
    nth: usize,
) -> Day {
    let week = (index - 1) / 7 + 1;
    let kind = DayKind::of_day(index);
    let demand = WeekDemand::of_week(week);
    let (theme, subject, scenario) = match pick {
        Some(c) => (
            c.title.clone(),
            format!("“{}”", c.title),
            ScenarioLink::Catalog { id: c.id.clone() },
        ),
        None => {
            let situation = situation(topic, nth);
            let brief = format!(
                "A {} {} role-play in {}: {}{}{}.",
                demand.as_str(),
                level,
                settings.language,
                situation,
                place_text(settings),
                register_text(settings),
            );
            (
                capitalise(&situation),
                situation,
                ScenarioLink::Generate { brief },
            )
        }
    };
    let objectives = topical_objectives(settings, kind, demand, &subject, topic);
    Day {
        index,
        week,
        kind,
        demand,
        topic: topic.to_owned(),
        theme,
        difficulty: difficulty_of(level),
        cefr_level: level,
        objectives,
        scenario,
        pinned: false,
    }
}

/// A review day (the week's practice themes remixed) or the capstone (the month's top topics
/// in one conversation). Both are generated: no catalog scenario combines a particular week.
/// `angle` varies the remix for a regeneration.
pub(crate) fn looking_back_day(
    settings: &Schedule,
    index: u8,
    level: CefrLevel,
    days: &[Option<Day>],
    angle: usize,
) -> Day {
    let week = (index - 1) / 7 + 1;
    let kind = DayKind::of_day(index);
    let demand = WeekDemand::of_week(week);
    let first = (week - 1) * 7 + 1;
    let practised: Vec<&Day> = days
        .iter()
        .flatten()
        .filter(|d| d.kind == DayKind::Practice && (kind == DayKind::Capstone || d.week == week))
        .collect();
    let mut topics: Vec<&str> = Vec::new();
    for d in &practised {
        if !topics
            .iter()
            .any(|t| theme_group(t) == theme_group(&d.topic))
        {
            topics.push(&d.topic);
        }
    }
    let few = list_text(&topics.iter().take(3).map(|t| label(t)).collect::<Vec<_>>());
    let (theme, brief, objectives) = if kind == DayKind::Capstone {
        let focus = label(topics.first().copied().unwrap_or(FALLBACK_TOPIC));
        let theme = match &settings.place {
            Some(p) => format!("Capstone: {focus} in {p}"),
            None => format!("Capstone: {focus}"),
        };
        let brief = format!(
            "A mastery {level} conversation in {} that brings the month together ({few}){}{}, {}.",
            settings.language,
            place_text(settings),
            register_text(settings),
            CAPSTONE_ANGLES[angle % CAPSTONE_ANGLES.len()],
        );
        let objectives = vec![
            format!("Hold a whole conversation about {focus} without hints."),
            "Bring in phrases from all four weeks.".to_owned(),
            "Recover on your own when you get stuck.".to_owned(),
        ];
        (theme, brief, objectives)
    } else {
        let mut themes: Vec<String> = Vec::new();
        for theme in practised.iter().map(|d| lower_first(&d.theme)) {
            if !themes.contains(&theme) {
                themes.push(theme);
            }
        }
        let brief = format!(
            "A {} {level} remix in {} of this week's conversations ({}){}{}, {}.",
            demand.as_str(),
            settings.language,
            themes.join("; "),
            place_text(settings),
            register_text(settings),
            REVIEW_ANGLES[angle % REVIEW_ANGLES.len()],
        );
        let objectives = vec![
            format!(
                "Reuse phrases from days {first}–{} in a new situation.",
                first + 4
            ),
            "Retell one of this week's conversations in your own words.".to_owned(),
            "Note three phrases you still hesitate over.".to_owned(),
        ];
        (format!("Review: {few}"), brief, objectives)
    };
    Day {
        index,
        week,
        kind,
        demand,
        topic: topics.first().copied().unwrap_or(FALLBACK_TOPIC).to_owned(),
        theme,
        difficulty: difficulty_of(level),
        cefr_level: level,
        objectives: objectives
            .into_iter()
            .take(objective_count(settings))
            .collect(),
        scenario: ScenarioLink::Generate { brief },
        pinned: false,
    }
}

pub(crate) const REVIEW_ANGLES: [&str; 3] = [
    "set in a new situation",
    "told to a friend afterwards",
    "as a phone call",
];
pub(crate) const CAPSTONE_ANGLES: [&str; 3] = [
    "with no hints",
    "where something goes wrong and you fix it",
    "where you lead from start to finish",
];
