//! What the path templates show: weeks of days as display values.

use crate::app::paths::planner::{Day, ScenarioLink, WeekDemand};
use crate::app::paths::{Dashboard, DayState, Generation, PathSummary, PreviewPage};
use crate::db::types::{AssignmentStatus, GenerationStatus};

/// One day as a schedule or calendar shows it.
pub struct DayView {
    pub index: u8,
    pub kind: &'static str,
    pub theme: String,
    pub level: String,
    pub objectives: Vec<String>,
    /// The catalog scenario's title and link, or the brief of the one to be made.
    pub scenario_title: String,
    pub scenario_href: String,
    pub pinned: bool,
    pub changed: bool,
    /// On a dashboard: done, today, missed or upcoming.
    pub state: &'static str,
    pub state_label: &'static str,
    /// On a dashboard: whether it can be started now, and its conversation if it was.
    pub startable: bool,
    pub conversation_href: String,
    /// On a dashboard: how the making of its scenario stands ("" once there is one).
    pub generation: String,
    /// Its scenario failed to be made: a retry is offered.
    pub retry: bool,
    /// On a tester's dashboard: whether the day can be rated, and their rating (0: none yet).
    pub rateable: bool,
    pub rating: i32,
    pub comment: String,
}

impl DayView {
    fn new(d: &Day, title_of: impl Fn(&str) -> String) -> Self {
        let (scenario_title, scenario_href) = match &d.scenario {
            ScenarioLink::Catalog { id } => (title_of(id), format!("/scenarios/{id}")),
            ScenarioLink::Generate { brief } => (format!("New scenario: {brief}"), String::new()),
        };
        Self {
            index: d.index,
            kind: d.kind.as_str(),
            theme: d.theme.clone(),
            level: format!("{} · {}", d.cefr_level.as_str(), d.difficulty.as_str()),
            objectives: d.objectives.clone(),
            scenario_title,
            scenario_href,
            pinned: d.pinned,
            changed: false,
            state: "",
            state_label: "",
            startable: false,
            conversation_href: String::new(),
            generation: String::new(),
            retry: false,
            rateable: false,
            rating: 0,
            comment: String::new(),
        }
    }
}

/// One week: its number, its demand and its days.
pub struct WeekView {
    pub number: u8,
    pub demand: &'static str,
    pub days: Vec<DayView>,
}

fn weeks(days: Vec<DayView>, demand_of: impl Fn(u8) -> WeekDemand) -> Vec<WeekView> {
    let mut weeks: Vec<WeekView> = (1..=4)
        .map(|n| WeekView {
            number: n,
            demand: demand_of(n).as_str(),
            days: Vec::new(),
        })
        .collect();
    for d in days {
        let w = usize::from((d.index - 1) / 7).min(3);
        weeks[w].days.push(d);
    }
    weeks
}

/// A preview page (and its schedule fragment).
pub struct PreviewView {
    pub session_id: String,
    pub title: String,
    pub description: String,
    /// The sentence it was made from ("" from preferences or a template).
    pub intent: String,
    pub weeks: Vec<WeekView>,
    /// The one-line summary of the step just taken (or the last one).
    pub summary: String,
    pub changed_count: usize,
    pub can_undo: bool,
    pub expires: String,
    pub committed_href: String,
    /// Refinements are read by the offline planner (its vocabulary is shown), not a model.
    pub offline_planner: bool,
    /// Days 1–3 in full.
    pub first_days: Vec<FirstDay>,
    /// The AI planner is drafting the schedule: the page shows [`PreviewView::progress`] and
    /// polls `…/status` instead of the schedule.
    pub generating: bool,
    pub progress: String,
    /// How the schedule was made ("Drafted by the AI planner: …"), once it is ready.
    pub draft_note: String,
}

/// What the drafting is doing, as a sentence: waiting for a worker, drafting since when,
/// trying again after a failure.
fn progress(draft: &crate::db::json::DraftProgress, now: chrono::NaiveDateTime) -> String {
    let retry = match &draft.last_error {
        Some(e) => format!(" The last attempt failed ({e}); trying again."),
        None => String::new(),
    };
    match draft.started_at {
        Some(at) => format!(
            "The AI planner is drafting your 28 days (attempt {}, started {} s ago).{retry}",
            draft.attempts,
            (now - at).num_seconds().max(0)
        ),
        None => format!("Waiting for the AI planner to start on your 28 days.{retry}"),
    }
}

/// One of the first three days as the preview shows it in full.
pub struct FirstDay {
    pub index: i32,
    pub title: String,
    pub description: String,
    pub level: String,
    pub objectives: Vec<String>,
}

impl PreviewView {
    pub fn new(page: PreviewPage, changed: &[u8], summary: &str, offline_planner: bool) -> Self {
        let days = page
            .state
            .schedule
            .days
            .iter()
            .map(|d| DayView {
                changed: changed.contains(&d.index),
                ..DayView::new(d, |id| page.title_of(id).to_owned())
            })
            .collect();
        let summary = match summary {
            "" => page.last_summary().unwrap_or_default().to_owned(),
            s => s.to_owned(),
        };
        let draft = page.draft.clone().unwrap_or_default();
        Self {
            generating: page.generating,
            progress: progress(&draft, page.read_at),
            draft_note: draft.note.unwrap_or_default(),
            session_id: page.session_id.clone(),
            title: page.title.clone(),
            description: page.description.clone(),
            intent: page.intent.clone(),
            weeks: weeks(days, WeekDemand::of_week),
            summary,
            changed_count: changed.len(),
            can_undo: !page.state.history.is_empty(),
            expires: page.expires_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            committed_href: page
                .committed_path_id
                .map(|id| format!("/paths/{id}"))
                .unwrap_or_default(),
            offline_planner,
            first_days: page
                .first_days
                .iter()
                .map(|d| FirstDay {
                    index: d.day_index,
                    title: d.title.clone(),
                    description: d.description.clone(),
                    level: d.cefr_level.clone().unwrap_or_default(),
                    objectives: d.learning_objectives.clone(),
                })
                .collect(),
        }
    }
}

/// A path's dashboard.
pub struct DashboardView {
    pub id: String,
    pub title: String,
    pub description: String,
    pub weeks: Vec<WeekView>,
    pub today: Option<DayView>,
    pub first_missed: Option<u8>,
    pub done: usize,
    pub streak: u32,
    pub minutes: i64,
    pub status: &'static str,
    pub active: bool,
    pub starts: String,
    pub reminders: super::reminders::RemindersView,
    /// A tester of a creator's course: each day can be rated.
    pub tester: bool,
}

impl DashboardView {
    pub fn new(d: Dashboard) -> Self {
        let active = d.is_active();
        let tester = d.assignment.role == crate::db::types::AssignmentRole::Tester;
        let day_views: Vec<DayView> = d
            .schedule
            .days
            .iter()
            .map(|day| {
                let state = d.calendar.state(day.index);
                let conversation = d.conversation_of(day.index).unwrap_or_default();
                let (generation, retry) = generation_label(d.generation_of(day.index));
                let feedback = d
                    .assignment
                    .metadata
                    .0
                    .feedback
                    .iter()
                    .find(|f| f.day_index == i32::from(day.index));
                DayView {
                    generation,
                    retry,
                    rateable: tester && state != DayState::Upcoming,
                    rating: feedback.map_or(0, |f| f.rating),
                    comment: feedback.map(|f| f.comment.clone()).unwrap_or_default(),
                    state: state.as_str(),
                    state_label: state.label(),
                    startable: active && matches!(state, DayState::Today | DayState::Missed),
                    conversation_href: if conversation.is_empty() {
                        String::new()
                    } else {
                        format!("/conversations/{conversation}")
                    },
                    ..DayView::new(day, |id| d.title_of(id).to_owned())
                }
            })
            .collect();
        let today = d.calendar.today.and_then(|t| {
            let day = d.day(t)?;
            Some(DayView {
                state: d.calendar.state(t).as_str(),
                state_label: d.calendar.state(t).label(),
                startable: active && d.calendar.state(t) == DayState::Today,
                ..DayView::new(day, |id| d.title_of(id).to_owned())
            })
        });
        Self {
            id: d.path.id.clone(),
            title: d.path.title.clone(),
            description: d.path.description.clone(),
            weeks: weeks(day_views, WeekDemand::of_week),
            today,
            first_missed: d.calendar.first_missed,
            done: d.calendar.done,
            streak: d.calendar.streak,
            minutes: d.minutes,
            status: status_label(d.assignment.status),
            active,
            starts: d.assignment.starts_at.format("%Y-%m-%d").to_string(),
            tester,
            reminders: super::reminders::RemindersView::new(&crate::app::paths::ReminderPanel::of(
                &d.path.id,
                &d.assignment,
                &d.time_zone,
            )),
        }
    }
}

fn generation_label(g: Option<&Generation>) -> (String, bool) {
    match g {
        Some(g) => match g.status {
            GenerationStatus::Pending | GenerationStatus::Processing => match &g.last_error {
                Some(e) => (
                    format!("Its scenario is being written (retrying after: {e})"),
                    false,
                ),
                None => ("Its scenario is being written".to_owned(), false),
            },
            GenerationStatus::Failed => (
                format!(
                    "Its scenario could not be written: {}",
                    g.last_error.as_deref().unwrap_or("unknown error")
                ),
                true,
            ),
            GenerationStatus::Ready => (String::new(), false),
        },
        None => (String::new(), false),
    }
}

fn status_label(status: AssignmentStatus) -> &'static str {
    match status {
        AssignmentStatus::Invited => "Invited",
        AssignmentStatus::Active => "Active",
        AssignmentStatus::Completed => "Completed",
        AssignmentStatus::Archived => "Archived",
    }
}

/// A row of `/paths`.
pub struct PathRow {
    pub href: String,
    pub title: String,
    pub status: &'static str,
    pub starts: String,
}

impl PathRow {
    pub fn new(p: &PathSummary) -> Self {
        Self {
            href: format!("/paths/{}", p.id),
            title: p.title.clone(),
            status: status_label(p.status),
            starts: p.starts_at.format("%Y-%m-%d").to_string(),
        }
    }
}
