//! Changing a schedule after it is planned: refinements ([`refine`]), one day regenerated
//! ([`regenerate_day`]), pins ([`pin`], [`unpin`]), and the preview's state with its undo
//! history ([`PreviewState`]).
//!
//! Every operation returns a schedule that still passes [`validate`](super::validate) and
//! leaves pinned days exactly as they were. A refinement rebuilds only the days it has to:
//! an unpinned day whose topic, level and wording inputs are unchanged and whose scenario
//! still fits is kept, so a regenerated day survives an unrelated refinement.

use serde::{Deserialize, Serialize};

use super::intent::{parse_refinement, Change, Formality};
use super::{
    best_candidate, desired_topic, fill, fits, looking_back_day, shift_level, topic_sequence,
    topical_day, week_slot, Candidate, Day, DayKind, ScenarioLink, Schedule, Taken, TopicWeight,
    DAYS, FOCUS_WEIGHT, WEEKS,
};
use crate::db::types::CefrLevel;

/// A refined schedule and what changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refined {
    pub schedule: Schedule,
    /// Days (1..=28) that differ from the schedule before, in order.
    pub changed_days: Vec<u8>,
    /// One line for the learner: what was applied, how many days changed, what was not.
    pub summary: String,
    /// Changes understood but not applied, each with the reason ("week 2 has a pinned day").
    pub not_applied: Vec<String>,
}

/// `schedule` with `changes` applied in order. A change that would move a pinned day, or
/// make a week easier than the one before, is not applied and says why.
pub fn refine(schedule: &Schedule, changes: &[Change], candidates: &[Candidate]) -> Refined {
    let mut settings = Schedule {
        days: Vec::new(),
        ..schedule.clone()
    };
    let mut levels = schedule.week_levels();
    let mut applied = Vec::new();
    let mut not_applied = Vec::new();
    for change in changes {
        match apply(&mut settings, &mut levels, schedule, change) {
            Ok(()) => applied.push(change.describe()),
            Err(why) => not_applied.push(why),
        }
    }
    let days = rebuild(schedule, &settings, levels, candidates);
    let refined = Schedule { days, ..settings };
    let changed_days: Vec<u8> = refined
        .days
        .iter()
        .zip(&schedule.days)
        .filter(|(new, old)| new != old)
        .map(|(new, _)| new.index)
        .collect();
    let pinned = schedule.days.iter().filter(|d| d.pinned).count();
    let summary = summary_line(&applied, &changed_days, pinned, &not_applied);
    Refined {
        schedule: refined,
        changed_days,
        summary,
        not_applied,
    }
}

fn summary_line(applied: &[String], changed: &[u8], pinned: usize, refused: &[String]) -> String {
    let mut line = if applied.is_empty() {
        "Nothing changed".to_owned()
    } else {
        let days = match changed.len() {
            1 => "1 day changed".to_owned(),
            n => format!("{n} days changed"),
        };
        let mut what = applied.join(", ");
        what[..1].make_ascii_uppercase();
        format!("{what}: {days}")
    };
    if pinned > 0 && !applied.is_empty() {
        line += &format!(
            ", {pinned} pinned day{} kept",
            if pinned == 1 { "" } else { "s" }
        );
    }
    if !refused.is_empty() {
        line += &format!("; not applied: {}", refused.join("; "));
    }
    line + "."
}

fn apply(
    settings: &mut Schedule,
    levels: &mut [CefrLevel; 4],
    before: &Schedule,
    change: &Change,
) -> Result<(), String> {
    let label = |t: &str| super::label(t);
    match change {
        Change::MoreAbout(t) => {
            settings.excluded.retain(|e| e != t);
            match settings.topics.iter_mut().find(|w| &w.topic == t) {
                Some(w) => w.weight = w.weight.saturating_add(FOCUS_WEIGHT).min(9),
                None => settings.topics.push(TopicWeight {
                    topic: t.clone(),
                    weight: FOCUS_WEIGHT,
                }),
            }
        }
        Change::LessAbout(t) => match settings.topics.iter().position(|w| &w.topic == t) {
            None => return Err(format!("there were no {} days to reduce", label(t))),
            Some(i) if settings.topics[i].weight > 1 => settings.topics[i].weight = 1,
            Some(i) => {
                settings.topics.remove(i);
            }
        },
        Change::Exclude(t) => {
            if !settings.excluded.contains(t) {
                settings.excluded.push(t.clone());
            }
            settings.topics.retain(|w| &w.topic != t);
        }
        Change::MoreFormal | Change::LessFormal => {
            let up = *change == Change::MoreFormal;
            settings.formality = match (settings.formality, up) {
                (Some(Formality::Formal), true) => return Err("it is already formal".into()),
                (Some(Formality::Casual), false) => return Err("it is already casual".into()),
                (None, true) => Some(Formality::Formal),
                (None, false) => Some(Formality::Casual),
                _ => None,
            };
        }
        Change::Harder { week } => *levels = shifted(before, *levels, *week, 1)?,
        Change::Easier { week } => *levels = shifted(before, *levels, *week, -1)?,
        Change::MinutesPerDay(m) => settings.minutes_per_day = *m,
    }
    Ok(())
}

/// Week levels with `week` (every week when `None`) one level harder (`by` = 1) or easier
/// (-1); later weeks rise to a harder week, earlier weeks come down to an easier one. Weeks
/// with a pinned day keep their level, and the result must still never fall.
fn shifted(
    before: &Schedule,
    levels: [CefrLevel; 4],
    week: Option<u8>,
    by: i32,
) -> Result<[CefrLevel; 4], String> {
    let pinned_in = |w: usize| {
        before
            .days
            .iter()
            .find(|d| d.pinned && usize::from(d.week) == w + 1)
    };
    let word = if by > 0 { "harder" } else { "easier" };
    let mut next = levels;
    match week {
        Some(w) => {
            let w = usize::from(w.clamp(1, WEEKS) - 1);
            if let Some(d) = pinned_in(w) {
                return Err(format!(
                    "week {} stays as it is: day {} is pinned",
                    w + 1,
                    d.index
                ));
            }
            let target = shift_level(levels[w], by);
            for (k, level) in next.iter_mut().enumerate() {
                *level = match k.cmp(&w) {
                    std::cmp::Ordering::Equal => target,
                    std::cmp::Ordering::Greater if by > 0 => (*level).max(target),
                    std::cmp::Ordering::Less if by < 0 => (*level).min(target),
                    _ => *level,
                };
            }
        }
        None => {
            for level in next.iter_mut() {
                *level = shift_level(*level, by);
            }
        }
    }
    for (w, level) in next.iter_mut().enumerate() {
        if pinned_in(w).is_some() {
            *level = levels[w];
        }
    }
    if next == levels {
        let limit = if by > 0 { "C2" } else { "A1" };
        return Err(format!(
            "no week could be made {word} (already {limit}, or pinned)"
        ));
    }
    if let Some(w) = (1..next.len()).find(|&w| next[w] < next[w - 1]) {
        let d = pinned_in(w)
            .or_else(|| pinned_in(w - 1))
            .map_or(0, |d| d.index);
        return Err(format!(
            "weeks would get easier after week {w}: day {d} is pinned at its level"
        ));
    }
    Ok(next)
}

/// The days of `old` rebuilt under new settings and levels: pinned days as they were,
/// unpinned days that still fit kept, the rest built afresh.
fn rebuild(
    old: &Schedule,
    settings: &Schedule,
    levels: [CefrLevel; 4],
    candidates: &[Candidate],
) -> Vec<Day> {
    let seq = topic_sequence(settings);
    let wording_same = old.formality == settings.formality
        && old.minutes_per_day == settings.minutes_per_day
        && old.place == settings.place
        && old.language == settings.language;
    let mut keep: Vec<Option<Day>> = vec![None; usize::from(DAYS)];
    let mut taken = Taken::default();
    for d in old
        .days
        .iter()
        .filter(|d| d.pinned && (1..=DAYS).contains(&d.index))
    {
        keep[usize::from(d.index - 1)] = Some(d.clone());
        taken.add(d);
    }
    let unpinned = |kinds: &[DayKind]| {
        old.days
            .iter()
            .filter(|d| !d.pinned && kinds.contains(&d.kind) && (1..=DAYS).contains(&d.index))
            .cloned()
            .collect::<Vec<Day>>()
    };
    for d in unpinned(&[DayKind::Practice, DayKind::CatchUp]) {
        let fresh_level = levels[week_slot(d.index)];
        let link_ok = match &d.scenario {
            ScenarioLink::Generate { .. } => true,
            ScenarioLink::Catalog { id } => {
                candidates
                    .iter()
                    .any(|c| &c.id == id && fits(settings, c, &d.topic, d.cefr_level))
                    && !taken.week[week_slot(d.index)].contains(id)
            }
        };
        if wording_same
            && link_ok
            && d.cefr_level == fresh_level
            && d.topic == desired_topic(&seq, d.index)
        {
            taken.add(&d);
            let at = usize::from(d.index - 1);
            keep[at] = Some(d);
        }
    }
    for d in unpinned(&[DayKind::Review, DayKind::Capstone]) {
        let looked_back_on_kept = old.days.iter().all(|p| {
            p.kind != DayKind::Practice
                || (d.kind == DayKind::Review && p.week != d.week)
                || keep[usize::from(p.index - 1)].is_some()
        });
        if wording_same && looked_back_on_kept && d.cefr_level == levels[week_slot(d.index)] {
            let at = usize::from(d.index - 1);
            keep[at] = Some(d);
        }
    }
    fill(settings, levels, keep, candidates)
}

/// `schedule` with day `day` given a different scenario: another fitting catalog scenario
/// (the `salt`-th) or a differently worded one to generate, on the same topic and level.
/// Other days are untouched, even the review day that mentions the old theme; a pinned or
/// unknown day leaves the schedule as it is.
pub fn regenerate_day(
    schedule: &Schedule,
    day: u8,
    candidates: &[Candidate],
    salt: u32,
) -> Schedule {
    let Some(old) = schedule.day(day).filter(|d| !d.pinned) else {
        return schedule.clone();
    };
    let mut taken = Taken::default();
    schedule
        .days
        .iter()
        .filter(|d| d.index != day)
        .for_each(|d| taken.add(d));
    let level = old.cefr_level;
    let salt = salt as usize;
    let fresh = match old.kind {
        DayKind::Practice | DayKind::CatchUp => {
            let skip = match &old.scenario {
                ScenarioLink::Catalog { id } => Some(id.as_str()),
                ScenarioLink::Generate { .. } => None,
            };
            let pick = best_candidate(
                schedule,
                &old.topic,
                level,
                candidates,
                &taken,
                day,
                skip,
                salt as u32,
            );
            match pick {
                Some(c) => Some(topical_day(schedule, day, &old.topic, level, Some(c), 0)),
                None => (0..6)
                    .map(|k| topical_day(schedule, day, &old.topic, level, None, salt + k + 1))
                    .find(|d| d != old),
            }
        }
        DayKind::Review | DayKind::Capstone => {
            let days: Vec<Option<Day>> = schedule.days.iter().cloned().map(Some).collect();
            (0..3)
                .map(|k| looking_back_day(schedule, day, level, &days, salt + k + 1))
                .find(|d| d != old)
        }
    };
    let mut out = schedule.clone();
    if let (Some(fresh), Some(slot)) = (fresh, out.days.iter_mut().find(|d| d.index == day)) {
        *slot = fresh;
    }
    out
}

/// `schedule` with day `day` pinned: refinements and regenerations leave it alone.
pub fn pin(schedule: &Schedule, day: u8) -> Schedule {
    set_pinned(schedule, day, true)
}

/// `schedule` with day `day` no longer pinned.
pub fn unpin(schedule: &Schedule, day: u8) -> Schedule {
    set_pinned(schedule, day, false)
}

fn set_pinned(schedule: &Schedule, day: u8, pinned: bool) -> Schedule {
    let mut out = schedule.clone();
    if let Some(d) = out.days.iter_mut().find(|d| d.index == day) {
        d.pinned = pinned;
    }
    out
}

/// One step of a preview's history: what the learner did and the schedule before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// What the learner typed, or "regenerate day 4", "pin day 2".
    pub instruction: String,
    pub summary: String,
    pub previous: Schedule,
    /// The regenerated days before this step, so undo restores them too.
    #[serde(default)]
    pub previous_regenerated: Vec<u8>,
}

/// The state of a preview being refined: the schedule now, every step that led to it, and
/// which days were regenerated (`metadata.regeneratedDays`). Every change that alters the
/// schedule, pins included, is one history step; a step that alters nothing is not recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewState {
    pub schedule: Schedule,
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
    #[serde(default)]
    pub regenerated_days: Vec<u8>,
}

/// What a refinement typed into a preview did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub changed_days: Vec<u8>,
    /// The one line to show, ending with what was not understood, if anything.
    pub summary: String,
    pub not_understood: Vec<String>,
}

impl PreviewState {
    pub fn new(schedule: Schedule) -> Self {
        PreviewState {
            schedule,
            history: Vec::new(),
            regenerated_days: Vec::new(),
        }
    }

    /// Reads `instruction`, refines the schedule and records the step (when anything changed).
    pub fn apply_refinement(
        &mut self,
        instruction: &str,
        known_topics: &[String],
        candidates: &[Candidate],
    ) -> Applied {
        let (changes, not_understood) = parse_refinement(instruction, known_topics);
        let refined = refine(&self.schedule, &changes, candidates);
        let mut summary = refined.summary;
        if !not_understood.is_empty() {
            let quoted: Vec<String> = not_understood.iter().map(|w| format!("“{w}”")).collect();
            summary.pop();
            summary += &format!("; not understood: {}.", quoted.join(", "));
        }
        self.record(instruction, &summary, refined.schedule);
        Applied {
            changed_days: refined.changed_days,
            summary,
            not_understood,
        }
    }

    /// Goes back one step: the schedule (and regenerated days) exactly as before it. `false`
    /// when there is nothing to undo.
    pub fn undo(&mut self) -> bool {
        match self.history.pop() {
            Some(step) => {
                self.schedule = step.previous;
                self.regenerated_days = step.previous_regenerated;
                true
            }
            None => false,
        }
    }

    /// Regenerates one day (see [`regenerate_day`]); `false` when it is pinned or unknown.
    pub fn regenerate(&mut self, day: u8, candidates: &[Candidate], salt: u32) -> bool {
        let next = regenerate_day(&self.schedule, day, candidates, salt);
        let summary = format!("Day {day} regenerated.");
        if self.record(&format!("regenerate day {day}"), &summary, next) {
            if !self.regenerated_days.contains(&day) {
                self.regenerated_days.push(day);
                self.regenerated_days.sort_unstable();
            }
            return true;
        }
        false
    }

    /// Pins or unpins a day; its new state, or `None` for an unknown day.
    pub fn toggle_pin(&mut self, day: u8) -> Option<bool> {
        let pinned = !self.schedule.day(day)?.pinned;
        let next = set_pinned(&self.schedule, day, pinned);
        let verb = if pinned { "pin" } else { "unpin" };
        self.record(
            &format!("{verb} day {day}"),
            &format!("Day {day} {verb}ned."),
            next,
        );
        Some(pinned)
    }

    /// Records a schedule made elsewhere (a model's validated answer) as one undoable step;
    /// pinned days are kept as they were whatever `next` says of them.
    pub fn apply_schedule(&mut self, instruction: &str, summary: &str, mut next: Schedule) -> bool {
        for day in next.days.iter_mut() {
            if let Some(pinned) = self.schedule.day(day.index).filter(|d| d.pinned) {
                *day = pinned.clone();
            }
        }
        self.record(instruction, summary, next)
    }

    fn record(&mut self, instruction: &str, summary: &str, next: Schedule) -> bool {
        if next == self.schedule {
            return false;
        }
        let previous = std::mem::replace(&mut self.schedule, next);
        self.history.push(HistoryEntry {
            instruction: instruction.to_owned(),
            summary: summary.to_owned(),
            previous,
            previous_regenerated: self.regenerated_days.clone(),
        });
        true
    }
}
