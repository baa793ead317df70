//! Checking a schedule: ours after every change, and a model's JSON answer before it is
//! trusted. Every problem is one sentence a person can act on.

use std::collections::BTreeMap;

use super::{Candidate, Day, DayKind, ScenarioLink, Schedule, WeekDemand, DAYS, MINUTES};
use crate::db::types::CefrLevel;

/// Reads a schedule from JSON (a model's answer, a stored row) and validates it.
pub fn from_json(json: &str, candidates: &[Candidate]) -> Result<Schedule, Vec<String>> {
    let schedule: Schedule = serde_json::from_str(json)
        .map_err(|e| vec![format!("The schedule is not in the expected form: {e}.")])?;
    validate(&schedule, candidates)?;
    Ok(schedule)
}

/// Checks the invariants every schedule keeps, listing each problem as a sentence:
/// 28 days numbered 1..=28 in order, each in its week; review on days 6, 13, 20 and 27,
/// catch-up on 7, 14 and 21, capstone on 28, practice otherwise; each week's demand as
/// [`WeekDemand::of_week`]; one level per week, never falling, with difficulty never
/// falling; 2 or 3 objectives and a theme; catalog links only to known scenarios in the
/// schedule's language and never twice in a week; minutes a day within [`MINUTES`].
pub fn validate(schedule: &Schedule, candidates: &[Candidate]) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    if schedule.days.len() != usize::from(DAYS) {
        errors.push(format!(
            "A schedule has 28 days; this one has {}.",
            schedule.days.len()
        ));
    }
    if !MINUTES.contains(&schedule.minutes_per_day) {
        errors.push(format!(
            "{} minutes a day is outside {} to {}.",
            schedule.minutes_per_day,
            MINUTES.start(),
            MINUTES.end()
        ));
    }
    let mut seen: BTreeMap<(u8, &str), u8> = BTreeMap::new();
    let mut week_level: BTreeMap<u8, (u8, CefrLevel)> = BTreeMap::new();
    let mut previous: Option<&Day> = None;
    for (position, day) in schedule.days.iter().enumerate() {
        let n = day.index;
        if usize::from(n) != position + 1 {
            errors.push(format!(
                "Day {} is listed as day {n}; days are numbered 1 to 28 in order.",
                position + 1
            ));
        }
        let week = (n.clamp(1, DAYS) - 1) / 7 + 1;
        if day.week != week {
            errors.push(format!(
                "Day {n} is in week {}; it belongs to week {week}.",
                day.week
            ));
        }
        let kind = DayKind::of_day(n.clamp(1, DAYS));
        if day.kind != kind {
            errors.push(format!(
                "Day {n} is a {} day; it should be a {} day.",
                day.kind.as_str(),
                kind.as_str()
            ));
        }
        let demand = WeekDemand::of_week(week);
        if day.demand != demand {
            errors.push(format!(
                "Day {n} is {}; week {week} is {}.",
                day.demand.as_str(),
                demand.as_str()
            ));
        }
        match week_level.get(&week) {
            Some((first, level)) if *level != day.cefr_level => errors.push(format!(
                "Day {n} is {} but day {first} is {level}; a week keeps one level.",
                day.cefr_level
            )),
            Some(_) => {}
            None => {
                week_level.insert(week, (n, day.cefr_level));
            }
        }
        if let Some(p) = previous {
            if day.cefr_level < p.cefr_level {
                errors.push(format!(
                    "Day {n} is {}, easier than day {} ({}); levels never fall.",
                    day.cefr_level, p.index, p.cefr_level
                ));
            }
            if day.difficulty < p.difficulty {
                errors.push(format!(
                    "Day {n} is {}, easier than day {} ({}); difficulty never falls.",
                    day.difficulty, p.index, p.difficulty
                ));
            }
        }
        if !(2..=3).contains(&day.objectives.len()) {
            errors.push(format!(
                "Day {n} has {} objectives; give 2 or 3.",
                day.objectives.len()
            ));
        }
        if day.theme.trim().is_empty() {
            errors.push(format!("Day {n} has no theme."));
        }
        match &day.scenario {
            ScenarioLink::Catalog { id } => {
                match candidates.iter().find(|c| &c.id == id) {
                    None => errors.push(format!(
                        "Day {n} links scenario `{id}`, which is not in the catalog."
                    )),
                    Some(c) if c.language != schedule.language => errors.push(format!(
                        "Day {n} links scenario `{id}`, offered in {} not {}.",
                        c.language, schedule.language
                    )),
                    Some(_) => {}
                }
                if let Some(first) = seen.insert((week, id.as_str()), n) {
                    errors.push(format!(
                        "Scenario `{id}` is used twice in week {week} (days {first} and {n})."
                    ));
                }
            }
            ScenarioLink::Generate { brief } if brief.trim().is_empty() => {
                errors.push(format!("Day {n} has an empty brief for its scenario."));
            }
            ScenarioLink::Generate { .. } => {}
        }
        previous = Some(day);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
