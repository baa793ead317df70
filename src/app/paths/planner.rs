//! The learning-path planner: a 28-day schedule (4 weeks, demand rising supportive →
//! realistic → challenging → mastery) built from a learner, an optional parsed intent and
//! the catalog scenarios that could fill its days. It also checks a schedule ([`validate`]),
//! whether ours or a model's JSON answer ([`from_json`]).
//!
//! Pure: no database, no clock, no network and no randomness. The same inputs give the same
//! schedule, which is what makes a preview reproducible and a refinement diffable. Reading
//! sentences lives in [`intent`]; changing a schedule (refine, pin, regenerate, undo) in
//! [`refine`].
//!
//! Layout of every week `w` (days `7w-6 ..= 7w`): five practice days, then a review day that
//! remixes the week, then a catch-up day. Day 28 is the capstone and takes the place of week
//! 4's catch-up: a catch-up after the last lesson would have nothing left to catch up to.

mod build;
pub mod intent;
pub mod refine;
#[cfg(test)]
mod tests;
mod validate;
mod wording;

use serde::{Deserialize, Serialize};

use crate::db::models::{Scenario, UserPreferences};
use crate::db::types::{CefrLevel, ChallengePreference, Difficulty, LearningGoal};

pub(crate) use build::{
    best_candidate, desired_topic, fill, fits, looking_back_day, topic_sequence, topical_day,
    week_slot, Taken,
};
pub use intent::{known_topics, parse_intent, parse_refinement, Change, Formality, Intent};
pub use refine::{
    pin, refine, regenerate_day, unpin, Applied, HistoryEntry, PreviewState, Refined,
};
pub use validate::{from_json, validate};
pub(crate) use wording::label;

/// Days in a path.
pub const DAYS: u8 = 28;
/// Weeks in a path.
pub const WEEKS: u8 = 4;
/// Practice days at the start of every week.
pub const PRACTICE_DAYS_PER_WEEK: u8 = 5;
/// Minutes a day when the learner has not said.
pub const DEFAULT_MINUTES: u16 = 15;
/// The minutes a day a schedule may ask for.
pub const MINUTES: std::ops::RangeInclusive<u16> = 5..=120;
/// The weight a topic the learner asked for gets against a default topic's 1.
pub(crate) const FOCUS_WEIGHT: u8 = 3;
/// The topic used when every other one has been excluded.
pub(crate) const FALLBACK_TOPIC: &str = "conversation";

/// Who the path is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Learner {
    /// The language practised (`languages.id`, e.g. `ja`).
    pub language: String,
    /// Where the learner is now, before any challenge shift.
    pub level: CefrLevel,
    pub challenge: ChallengePreference,
    pub goal: LearningGoal,
    pub minutes_per_day: u16,
}

impl Learner {
    /// A learner with the default 15 minutes a day.
    pub fn new(
        language: &str,
        level: CefrLevel,
        challenge: ChallengePreference,
        goal: LearningGoal,
    ) -> Self {
        Learner {
            language: language.to_owned(),
            level,
            challenge,
            goal,
            minutes_per_day: DEFAULT_MINUTES,
        }
    }

    /// The learner a preferences row describes: the band of the average skill level.
    // why: not `onboarding::target_level`, which already shifts by challenge preference; the
    // planner applies that shift itself, week by week.
    pub fn from_preferences(prefs: &UserPreferences) -> Self {
        let average = (prefs.speaking_level
            + prefs.listening_level
            + prefs.reading_level
            + prefs.writing_level)
            / 4;
        let level = crate::app::onboarding::band_of(average).cefr;
        Learner::new(
            &prefs.target_language_id,
            level,
            prefs.challenge_preference,
            prefs.learning_goal,
        )
    }
}

/// A catalog scenario that could fill a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    pub id: String,
    pub title: String,
    pub categories: Vec<String>,
    pub tags: Vec<String>,
    pub cefr_level: CefrLevel,
    pub difficulty: Difficulty,
    /// The language it is offered in.
    pub language: String,
}

impl Candidate {
    /// A scenario offered in `language`.
    // why: catalog scenarios are not tied to one language (a conversation picks it), so the
    // caller says which language the path practises them in.
    pub fn from_scenario(scenario: &Scenario, language: &str) -> Self {
        Candidate {
            id: scenario.id.clone(),
            title: scenario.title.clone(),
            categories: scenario.categories.0.clone(),
            tags: scenario.tags.0.clone(),
            cefr_level: scenario.cefr_level,
            difficulty: scenario.difficulty,
            language: language.to_owned(),
        }
    }

    fn in_category(&self, topic: &str) -> bool {
        self.categories
            .iter()
            .any(|c| c.eq_ignore_ascii_case(topic))
    }

    fn has_tag(&self, topic: &str) -> bool {
        self.tags.iter().any(|t| t.eq_ignore_ascii_case(topic))
    }

    /// Whether it is filed under `topic`, as a category or a tag.
    pub fn is_about(&self, topic: &str) -> bool {
        self.in_category(topic) || self.has_tag(topic)
    }
}

/// How much a week asks of the learner; it rises week by week and is the same for every day
/// of a week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeekDemand {
    /// Slow speech, hints, a partner who helps.
    Supportive,
    /// Natural speed, the partner no longer simplifies.
    Realistic,
    /// Complications and surprises.
    Challenging,
    /// No hints; the learner leads.
    Mastery,
}

impl WeekDemand {
    pub const ALL: [WeekDemand; 4] = [
        WeekDemand::Supportive,
        WeekDemand::Realistic,
        WeekDemand::Challenging,
        WeekDemand::Mastery,
    ];

    /// The demand of week `week` (1..=4; later weeks count as 4).
    pub fn of_week(week: u8) -> Self {
        WeekDemand::ALL[usize::from(week.clamp(1, WEEKS) - 1)]
    }

    pub fn as_str(self) -> &'static str {
        match self {
            WeekDemand::Supportive => "supportive",
            WeekDemand::Realistic => "realistic",
            WeekDemand::Challenging => "challenging",
            WeekDemand::Mastery => "mastery",
        }
    }
}

/// What a day is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A new conversation on the day's theme.
    Practice,
    /// Revisits the week's themes and phrases in a remix.
    Review,
    /// Time to finish a missed day, or a light conversation.
    CatchUp,
    /// Day 28: the month's topics in one conversation.
    Capstone,
}

impl DayKind {
    /// The kind every schedule has on day `index` (1..=28).
    pub fn of_day(index: u8) -> Self {
        match (index, (index.max(1) - 1) % 7 + 1) {
            (DAYS, _) => DayKind::Capstone,
            (_, 6) => DayKind::Review,
            (_, 7) => DayKind::CatchUp,
            _ => DayKind::Practice,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Practice => "practice",
            DayKind::Review => "review",
            DayKind::CatchUp => "catch-up",
            DayKind::Capstone => "capstone",
        }
    }
}

/// The scenario a day is practised with.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ScenarioLink {
    /// A catalog scenario that fits the day.
    Catalog { id: String },
    /// None fits: a scenario to generate (queued later), described for the generator.
    Generate { brief: String },
}

/// One day of the schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Day {
    /// 1..=28.
    pub index: u8,
    /// 1..=4.
    pub week: u8,
    pub kind: DayKind,
    pub demand: WeekDemand,
    /// The topic key the day is about (a catalog category or tag).
    pub topic: String,
    /// Short text shown on the calendar.
    pub theme: String,
    pub difficulty: Difficulty,
    pub cefr_level: CefrLevel,
    /// Two or three short sentences.
    pub objectives: Vec<String>,
    pub scenario: ScenarioLink,
    /// A pinned day is never changed by a refinement or a regeneration.
    #[serde(default)]
    pub pinned: bool,
}

/// A topic the schedule draws practice days from, with how often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicWeight {
    pub topic: String,
    pub weight: u8,
}

/// A 28-day schedule and the settings it was built from, so that a refinement can rebuild it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    pub language: String,
    pub minutes_per_day: u16,
    #[serde(default)]
    pub formality: Option<Formality>,
    #[serde(default)]
    pub place: Option<String>,
    /// Topics in the order they were asked for; weights decide how many days each gets.
    pub topics: Vec<TopicWeight>,
    /// Topics the learner does not want; no unpinned day links a scenario filed under one.
    #[serde(default)]
    pub excluded: Vec<String>,
    pub days: Vec<Day>,
}

impl Schedule {
    /// Day `index` (1..=28), if the schedule has it.
    pub fn day(&self, index: u8) -> Option<&Day> {
        self.days.iter().find(|d| d.index == index)
    }

    /// The level of each week, read from its first day.
    pub(crate) fn week_levels(&self) -> [CefrLevel; 4] {
        let mut levels = [CefrLevel::A1; 4];
        for (w, level) in levels.iter_mut().enumerate() {
            if let Some(d) = self.days.iter().find(|d| usize::from(d.week) == w + 1) {
                *level = d.cefr_level;
            }
        }
        levels
    }

    /// The topics days are drawn from: weighted, not excluded, never empty.
    pub(crate) fn pool(&self) -> Vec<TopicWeight> {
        let pool: Vec<TopicWeight> = self
            .topics
            .iter()
            .filter(|t| t.weight > 0 && !self.is_excluded(&t.topic))
            .cloned()
            .collect();
        if pool.is_empty() {
            return vec![TopicWeight {
                topic: FALLBACK_TOPIC.to_owned(),
                weight: 1,
            }];
        }
        pool
    }

    pub(crate) fn is_excluded(&self, topic: &str) -> bool {
        self.excluded.iter().any(|e| e.eq_ignore_ascii_case(topic))
    }
}

/// The schedule for `learner`: four weeks of rising demand, each day linked to the
/// best-fitting catalog scenario or to a brief for one to generate. Topics come from the
/// intent first (three times as often) and then from the learner's goal.
pub fn plan(learner: &Learner, intent: Option<&Intent>, candidates: &[Candidate]) -> Schedule {
    let mut topics: Vec<TopicWeight> = Vec::new();
    let asked = intent.map(|i| i.topics.as_slice()).unwrap_or_default();
    for t in asked {
        add_topic(&mut topics, t, FOCUS_WEIGHT);
    }
    for t in goal_topics(learner.goal) {
        add_topic(&mut topics, t, 1);
    }
    let settings = Schedule {
        language: learner.language.clone(),
        minutes_per_day: learner
            .minutes_per_day
            .clamp(*MINUTES.start(), *MINUTES.end()),
        formality: intent.and_then(|i| i.formality),
        place: intent.and_then(|i| i.place.clone()),
        topics,
        excluded: Vec::new(),
        days: Vec::new(),
    };
    let days = fill(
        &settings,
        week_levels(learner.level, learner.challenge),
        vec![None; usize::from(DAYS)],
        candidates,
    );
    Schedule { days, ..settings }
}

fn add_topic(topics: &mut Vec<TopicWeight>, topic: &str, weight: u8) {
    if !topics.iter().any(|t| t.topic == topic) {
        topics.push(TopicWeight {
            topic: topic.to_owned(),
            weight,
        });
    }
}

/// Topics that serve a learning goal, most useful first.
pub fn goal_topics(goal: LearningGoal) -> [&'static str; 3] {
    match goal {
        LearningGoal::Travel => ["travel", "food", "shopping"],
        LearningGoal::Career => ["work", "services", "daily_life"],
        LearningGoal::Connection => ["relationships", "daily_life", "food"],
        LearningGoal::Academic => ["education", "daily_life", "culture"],
        LearningGoal::Culture => ["culture", "food", "travel"],
        LearningGoal::Growth => ["daily_life", "health", "work"],
    }
}

/// The CEFR level of each week. On a scale of half levels, week 1 sits one half below the
/// learner for a moderate learner, a full level below for one who wants comfort and at their
/// level for one who wants a challenge; each week adds a half. So a moderate B1 learner gets
/// A2, B1, B1, B2. Never below A1 or above C2, never falling.
pub fn week_levels(level: CefrLevel, challenge: ChallengePreference) -> [CefrLevel; 4] {
    let start: i32 = match challenge {
        ChallengePreference::Comfortable => -2,
        ChallengePreference::Moderate => -1,
        ChallengePreference::Challenging => 0,
    };
    let mut levels = [level; 4];
    for (w, l) in levels.iter_mut().enumerate() {
        let half = start + w as i32;
        *l = shift_level(level, half.div_euclid(2));
    }
    levels
}

/// `level` moved by `notches` CEFR levels, clamped to A1..=C2.
pub fn shift_level(level: CefrLevel, notches: i32) -> CefrLevel {
    let i = level_index(level) + notches;
    CefrLevel::ALL[i.clamp(0, CefrLevel::ALL.len() as i32 - 1) as usize]
}

/// The position of `level` in A1..=C2 (0..=5).
pub fn level_index(level: CefrLevel) -> i32 {
    CefrLevel::ALL.iter().position(|l| *l == level).unwrap_or(0) as i32
}

/// The difficulty a CEFR level is practised at: A levels beginner, B intermediate, C advanced.
pub fn difficulty_of(level: CefrLevel) -> Difficulty {
    match level {
        CefrLevel::A1 | CefrLevel::A2 => Difficulty::Beginner,
        CefrLevel::B1 | CefrLevel::B2 => Difficulty::Intermediate,
        CefrLevel::C1 | CefrLevel::C2 => Difficulty::Advanced,
    }
}
