//! Examples of planning, reading intents and refining, then property tests: a few hundred
//! random learners, intents and sequences of refinements, pins, regenerations and undos
//! from a seeded generator, checking the invariants after every step.

use super::*;
use crate::db::types::CefrLevel::*;

fn cand(
    id: &str,
    title: &str,
    cats: &[&str],
    tags: &[&str],
    level: CefrLevel,
    lang: &str,
) -> Candidate {
    Candidate {
        id: id.to_owned(),
        title: title.to_owned(),
        categories: cats.iter().map(|c| (*c).to_owned()).collect(),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        cefr_level: level,
        difficulty: difficulty_of(level),
        language: lang.to_owned(),
    }
}

/// Thirty scenarios in seven categories, in Japanese and Spanish.
#[rustfmt::skip]
fn catalog() -> Vec<Candidate> {
    let c = cand;
    vec![
        c("ja-ramen", "Ordering ramen", &["food"], &["restaurant", "casual"], A1, "ja"),
        c("ja-izakaya", "A night at an izakaya", &["food", "social"], &["izakaya", "osaka", "casual"], A2, "ja"),
        c("ja-konbini", "Paying at a konbini", &["food", "shopping"], &["everyday"], A1, "ja"),
        c("ja-kaiseki", "A formal kaiseki dinner", &["food"], &["formal", "keigo"], B1, "ja"),
        c("ja-allergy", "Explaining an allergy", &["food", "health"], &["restaurant"], B1, "ja"),
        c("ja-shinkansen", "Booking the shinkansen", &["travel"], &["train"], A2, "ja"),
        c("ja-ryokan", "Checking in at a ryokan", &["travel"], &["hotel", "polite"], B1, "ja"),
        c("ja-lost", "Lost in Osaka station", &["travel"], &["osaka", "directions"], A2, "ja"),
        c("ja-interview", "Job interview at a Tokyo startup", &["work"], &["business", "formal", "interview"], B2, "ja"),
        c("ja-meeting", "Weekly team meeting", &["work"], &["business"], B1, "ja"),
        c("ja-parents", "Meeting your partner's parents", &["family"], &["formal", "keigo", "osaka"], B1, "ja"),
        c("ja-family-dinner", "Family dinner small talk", &["family", "food"], &["casual"], A2, "ja"),
        c("ja-clothes", "Buying clothes in Shibuya", &["shopping"], &["casual"], A2, "ja"),
        c("ja-doctor", "At the clinic", &["health"], &["polite"], B1, "ja"),
        c("ja-party", "A welcome party", &["social"], &["casual", "friends"], A2, "ja"),
        c("ja-c1-debate", "Debating city policy", &["social", "work"], &["formal"], C1, "ja"),
        c("es-tapas", "Ordering tapas", &["food"], &["restaurant", "casual", "madrid"], A1, "es"),
        c("es-menu", "The menu del día", &["food"], &["restaurant"], A2, "es"),
        c("es-market", "At the Boquería market", &["food", "shopping"], &["market"], A2, "es"),
        c("es-dinner-party", "Dinner with friends", &["food", "social"], &["casual"], B1, "es"),
        c("es-train", "Buying AVE tickets", &["travel"], &["train"], A2, "es"),
        c("es-hostel", "Checking in at a hostel", &["travel"], &["hotel"], A1, "es"),
        c("es-interview", "Entrevista de trabajo in Madrid", &["work"], &["business", "formal", "interview", "madrid"], B1, "es"),
        c("es-office", "First day at the office", &["work"], &["business"], B1, "es"),
        c("es-suegros", "Meeting the in-laws", &["family"], &["formal"], B1, "es"),
        c("es-cousins", "A family reunion", &["family"], &["casual"], A2, "es"),
        c("es-shoes", "Buying shoes", &["shopping"], &[], A1, "es"),
        c("es-pharmacy", "At the farmacia", &["health"], &["polite"], A2, "es"),
        c("es-doctor", "Describing symptoms", &["health"], &[], B2, "es"),
        c("es-fiesta", "A neighbourhood fiesta", &["social"], &["casual", "friends"], B2, "es"),
    ]
}

fn learner(lang: &str, level: CefrLevel, challenge: ChallengePreference) -> Learner {
    Learner::new(lang, level, challenge, LearningGoal::Travel)
}

fn catalog_ids(s: &Schedule) -> Vec<(u8, &str)> {
    s.days
        .iter()
        .filter_map(|d| match &d.scenario {
            ScenarioLink::Catalog { id } => Some((d.index, id.as_str())),
            ScenarioLink::Generate { .. } => None,
        })
        .collect()
}

/// Every invariant a schedule keeps, whatever was done to it.
fn assert_invariants(s: &Schedule, candidates: &[Candidate], context: &str) {
    if let Err(errors) = validate(s, candidates) {
        panic!("{context}: {errors:#?}");
    }
    assert_eq!(s.days.len(), 28, "{context}");
    for pair in s.days.windows(2) {
        assert!(pair[0].demand <= pair[1].demand, "{context}: demand fell");
        assert!(
            pair[0].difficulty <= pair[1].difficulty,
            "{context}: difficulty fell"
        );
        assert!(
            pair[0].cefr_level <= pair[1].cefr_level,
            "{context}: level fell"
        );
    }
    for d in &s.days {
        let expected = match d.index {
            28 => DayKind::Capstone,
            6 | 13 | 20 | 27 => DayKind::Review,
            7 | 14 | 21 => DayKind::CatchUp,
            _ => DayKind::Practice,
        };
        assert_eq!(d.kind, expected, "{context}: day {}", d.index);
        if let (false, ScenarioLink::Catalog { id }) = (d.pinned, &d.scenario) {
            let c = candidates.iter().find(|c| &c.id == id).unwrap();
            let bad = c
                .categories
                .iter()
                .chain(&c.tags)
                .find(|t| s.is_excluded(t));
            assert!(
                bad.is_none(),
                "{context}: day {} links excluded {bad:?}",
                d.index
            );
        }
    }
}

#[test]
fn a_plan_has_four_weeks_of_five_practice_days_a_review_and_a_catch_up_ending_in_a_capstone() {
    let s = plan(
        &learner("ja", A2, ChallengePreference::Moderate),
        None,
        &catalog(),
    );
    assert_invariants(&s, &catalog(), "plan");
    let kinds: Vec<DayKind> = s.days.iter().map(|d| d.kind).collect();
    assert_eq!(kinds[5], DayKind::Review);
    assert_eq!(kinds[6], DayKind::CatchUp);
    assert_eq!(kinds[26], DayKind::Review);
    assert_eq!(kinds[27], DayKind::Capstone);
    let demands: Vec<WeekDemand> = [1, 8, 15, 22]
        .iter()
        .map(|i| s.days[*i - 1].demand)
        .collect();
    assert_eq!(demands, WeekDemand::ALL);
    assert!(s.days.iter().all(|d| (2..=3).contains(&d.objectives.len())));
}

#[test]
fn a_moderate_b1_learner_goes_from_a2_to_b2() {
    assert_eq!(
        week_levels(B1, ChallengePreference::Moderate),
        [A2, B1, B1, B2]
    );
    assert_eq!(
        week_levels(B1, ChallengePreference::Comfortable),
        [A2, A2, B1, B1]
    );
    assert_eq!(
        week_levels(A1, ChallengePreference::Comfortable),
        [A1, A1, A1, A1]
    );
    assert_eq!(
        week_levels(C2, ChallengePreference::Challenging),
        [C2, C2, C2, C2]
    );
}

#[test]
fn a_learner_who_wants_a_challenge_starts_a_notch_higher_and_never_falls() {
    for level in CefrLevel::ALL {
        let comfy = week_levels(*level, ChallengePreference::Comfortable);
        let moderate = week_levels(*level, ChallengePreference::Moderate);
        let bold = week_levels(*level, ChallengePreference::Challenging);
        for w in 0..4 {
            assert!(comfy[w] <= moderate[w] && moderate[w] <= bold[w]);
            if w > 0 {
                assert!(bold[w - 1] <= bold[w] && comfy[w - 1] <= comfy[w]);
            }
        }
        if *level > A1 && *level < C2 {
            assert!(bold[0] > comfy[0], "{level}");
        }
    }
}

#[test]
fn an_intent_about_family_in_osaka_fills_most_days_with_family_and_links_japanese_scenarios() {
    let candidates = catalog();
    let known = known_topics(&candidates);
    let intent = parse_intent(
        "I'm meeting my partner's parents in Osaka in a month",
        &known,
    );
    let s = plan(
        &learner("ja", B1, ChallengePreference::Moderate),
        Some(&intent),
        &candidates,
    );
    assert_invariants(&s, &candidates, "osaka");
    let practice: Vec<&Day> = s
        .days
        .iter()
        .filter(|d| d.kind == DayKind::Practice)
        .collect();
    let family = practice.iter().filter(|d| d.topic == "family").count();
    assert!(family >= 6, "only {family} family days");
    assert_eq!(s.place.as_deref(), Some("Osaka"));
    assert!(catalog_ids(&s).iter().any(|(_, id)| *id == "ja-parents"));
    assert!(catalog_ids(&s).iter().all(|(_, id)| id.starts_with("ja-")));
    assert!(s.day(28).unwrap().theme.contains("Osaka"));
}

#[test]
fn days_with_no_fitting_scenario_get_a_brief_to_generate() {
    let s = plan(
        &learner("fr", B1, ChallengePreference::Moderate),
        None,
        &catalog(),
    );
    assert_invariants(&s, &catalog(), "fr");
    for d in &s.days {
        let ScenarioLink::Generate { brief } = &d.scenario else {
            panic!("day {} links a catalog scenario in a French path", d.index);
        };
        assert!(brief.contains(" in fr"), "{brief}");
    }
    assert_eq!(s.day(1).unwrap().theme, "Checking in at a hotel");
}

#[test]
fn the_same_inputs_give_the_same_schedule() {
    let candidates = catalog();
    let intent = parse_intent(
        "job interview in Madrid, formal",
        &known_topics(&candidates),
    );
    let l = learner("es", B1, ChallengePreference::Challenging);
    assert_eq!(
        plan(&l, Some(&intent), &candidates),
        plan(&l, Some(&intent), &candidates)
    );
}

#[test]
fn a_job_interview_in_madrid_reads_as_work_business_formal_in_madrid() {
    let intent = parse_intent("job interview in Madrid, formal", &known_topics(&catalog()));
    assert_eq!(intent.topics, ["work", "business"]);
    assert_eq!(intent.formality, Some(Formality::Formal));
    assert_eq!(intent.place.as_deref(), Some("Madrid"));
    assert!(
        intent.not_understood.is_empty(),
        "{:?}",
        intent.not_understood
    );
}

#[test]
fn partners_parents_read_as_family_and_time_words_are_not_reported() {
    let intent = parse_intent(
        "I'm meeting my partner's parents in Osaka in a month",
        &known_topics(&catalog()),
    );
    assert_eq!(intent.topics, ["family", "relationships"]);
    assert_eq!(intent.place.as_deref(), Some("Osaka"));
    assert_eq!(intent.formality, None);
    assert!(
        intent.not_understood.is_empty(),
        "{:?}",
        intent.not_understood
    );
}

#[test]
fn words_an_intent_does_not_know_are_reported_as_written() {
    let known = known_topics(&catalog());
    let intent = parse_intent(
        "Quidditch and casual restaurants near San Sebastián",
        &known,
    );
    assert_eq!(intent.topics, ["food"]);
    assert_eq!(intent.formality, Some(Formality::Casual));
    assert_eq!(intent.place.as_deref(), Some("San Sebastián"));
    assert_eq!(intent.not_understood, ["Quidditch"]);
    let intent = parse_intent("something about daily life", &known);
    assert_eq!(intent.topics, ["daily_life"]);
}

#[test]
fn a_refinement_reads_each_clause_in_order() {
    let known = known_topics(&catalog());
    let (changes, unknown) = parse_refinement("more about food, less formal", &known);
    assert_eq!(
        changes,
        [Change::MoreAbout("food".into()), Change::LessFormal]
    );
    assert!(unknown.is_empty());
    let (changes, unknown) =
        parse_refinement("harder in week 2 and make the third week easier", &known);
    assert_eq!(
        changes,
        [
            Change::Harder { week: Some(2) },
            Change::Easier { week: Some(3) }
        ]
    );
    assert!(unknown.is_empty(), "{unknown:?}");
    let (changes, unknown) = parse_refinement(
        "no business topics; 15 minutes a day and without shopping",
        &known,
    );
    assert_eq!(
        changes,
        [
            Change::Exclude("work".into()),
            Change::Exclude("business".into()),
            Change::MinutesPerDay(15),
            Change::Exclude("shopping".into())
        ]
    );
    assert!(unknown.is_empty(), "{unknown:?}");
    let (changes, _) = parse_refinement("more formal, not so casual, easier", &known);
    assert_eq!(
        changes,
        [
            Change::MoreFormal,
            Change::MoreFormal,
            Change::Easier { week: None }
        ]
    );
}

#[test]
fn unknown_words_in_a_refinement_are_reported_never_dropped() {
    let known = known_topics(&catalog());
    let (changes, unknown) =
        parse_refinement("more about food zorbs and blorp, sing louder", &known);
    assert_eq!(changes, [Change::MoreAbout("food".into())]);
    assert_eq!(unknown, ["zorbs", "blorp", "sing louder"]);
    let (changes, unknown) = parse_refinement("harder in week 7, 500 minutes a day", &known);
    assert!(changes.is_empty());
    assert_eq!(unknown, ["harder in week 7", "500 minutes a day"]);
}

#[test]
fn more_about_food_gives_food_more_days_and_says_so_in_one_line() {
    let candidates = catalog();
    let s = plan(
        &learner("ja", A2, ChallengePreference::Moderate),
        None,
        &candidates,
    );
    let food = |s: &Schedule| s.days.iter().filter(|d| d.topic == "food").count();
    let r = refine(&s, &[Change::MoreAbout("food".into())], &candidates);
    assert_invariants(&r.schedule, &candidates, "more food");
    assert!(
        food(&r.schedule) > food(&s),
        "{} → {}",
        food(&s),
        food(&r.schedule)
    );
    assert!(!r.changed_days.is_empty());
    assert!(r.summary.starts_with("More food: "), "{}", r.summary);
    assert!(!r.summary.contains('\n'));
    for d in 1..=28u8 {
        let same = s.day(d) == r.schedule.day(d);
        assert_eq!(same, !r.changed_days.contains(&d), "day {d}");
    }
}

#[test]
fn excluding_a_topic_replaces_every_scenario_filed_under_it() {
    let candidates = catalog();
    let intent = parse_intent(
        "job interview, business meetings",
        &known_topics(&candidates),
    );
    let s = plan(
        &learner("ja", B1, ChallengePreference::Moderate),
        Some(&intent),
        &candidates,
    );
    assert!(catalog_ids(&s).iter().any(|(_, id)| *id == "ja-meeting"));
    let r = refine(&s, &[Change::Exclude("business".into())], &candidates);
    assert_invariants(&r.schedule, &candidates, "no business");
    assert!(!catalog_ids(&r.schedule)
        .iter()
        .any(|(_, id)| *id == "ja-meeting" || *id == "ja-interview"));
}

#[test]
fn a_harder_week_two_lifts_the_weeks_after_it_and_not_the_one_before() {
    let candidates = catalog();
    let s = plan(
        &learner("ja", A2, ChallengePreference::Moderate),
        None,
        &candidates,
    );
    assert_eq!(s.week_levels(), [A1, A2, A2, B1]);
    let r = refine(&s, &[Change::Harder { week: Some(2) }], &candidates);
    assert_eq!(r.schedule.week_levels(), [A1, B1, B1, B1]);
    assert_invariants(&r.schedule, &candidates, "harder");
    let r = refine(&s, &[Change::Easier { week: Some(3) }], &candidates);
    assert_eq!(r.schedule.week_levels(), [A1, A1, A1, B1]);
    assert_invariants(&r.schedule, &candidates, "easier");
}

#[test]
fn a_pinned_day_stays_exactly_and_blocks_a_level_change_in_its_week() {
    let candidates = catalog();
    let s = pin(
        &plan(
            &learner("ja", A2, ChallengePreference::Moderate),
            None,
            &candidates,
        ),
        10,
    );
    let r = refine(
        &s,
        &[
            Change::Harder { week: Some(2) },
            Change::MoreAbout("health".into()),
        ],
        &candidates,
    );
    assert_eq!(r.schedule.day(10), s.day(10));
    assert_eq!(r.schedule.week_levels(), s.week_levels());
    assert_eq!(r.not_applied, ["week 2 stays as it is: day 10 is pinned"]);
    assert!(
        r.summary.contains("not applied: week 2 stays"),
        "{}",
        r.summary
    );
    assert!(r.summary.contains("1 pinned day kept"), "{}", r.summary);
    assert_invariants(&r.schedule, &candidates, "pinned");
}

#[test]
fn short_days_have_two_objectives() {
    let candidates = catalog();
    let s = plan(
        &learner("es", A2, ChallengePreference::Moderate),
        None,
        &candidates,
    );
    let r = refine(&s, &[Change::MinutesPerDay(10)], &candidates);
    assert_eq!(r.changed_days.len(), 28);
    assert!(r.schedule.days.iter().all(|d| d.objectives.len() == 2));
    assert_eq!(r.schedule.minutes_per_day, 10);
}

#[test]
fn regenerating_a_day_changes_that_day_only_and_never_a_pinned_one() {
    let candidates = catalog();
    let s = plan(
        &learner("ja", A2, ChallengePreference::Moderate),
        None,
        &candidates,
    );
    for day in 1..=28u8 {
        let r = regenerate_day(&s, day, &candidates, 0);
        assert_ne!(r.day(day), s.day(day), "day {day}");
        for other in (1..=28u8).filter(|d| *d != day) {
            assert_eq!(r.day(other), s.day(other));
        }
        assert_invariants(&r, &candidates, "regenerate");
    }
    let pinned = pin(&s, 3);
    assert_eq!(regenerate_day(&pinned, 3, &candidates, 5), pinned);
}

#[test]
fn a_regenerated_day_survives_an_unrelated_refinement() {
    let candidates = catalog();
    let s = plan(
        &learner("ja", A2, ChallengePreference::Moderate),
        None,
        &candidates,
    );
    let regenerated = regenerate_day(&s, 2, &candidates, 1);
    let r = refine(
        &regenerated,
        &[Change::Harder { week: Some(4) }],
        &candidates,
    );
    assert_eq!(r.schedule.day(2), regenerated.day(2));
    assert!(
        r.changed_days.iter().all(|d| *d >= 22),
        "{:?}",
        r.changed_days
    );
}

#[test]
fn undo_restores_exactly_the_schedule_before_each_step() {
    let candidates = catalog();
    let known = known_topics(&candidates);
    let s = plan(
        &learner("es", B1, ChallengePreference::Moderate),
        None,
        &candidates,
    );
    let mut state = PreviewState::new(s.clone());
    assert!(!state.undo());
    let applied =
        state.apply_refinement("more about food, less formal, flibber", &known, &candidates);
    assert_eq!(applied.not_understood, ["flibber"]);
    assert!(
        applied.summary.ends_with("not understood: “flibber”."),
        "{}",
        applied.summary
    );
    let after_refine = state.schedule.clone();
    assert_eq!(state.toggle_pin(4), Some(true));
    assert!(state.regenerate(5, &candidates, 2));
    assert_eq!(state.regenerated_days, [5]);
    assert!(state.undo());
    assert!(state.regenerated_days.is_empty());
    assert!(state.undo());
    assert_eq!(state.schedule, after_refine);
    assert!(state.undo());
    assert_eq!(state.schedule, s);
    assert!(!state.undo());
}

#[test]
fn validate_explains_each_broken_rule_in_a_sentence() {
    let candidates = catalog();
    let mut s = plan(
        &learner("ja", A2, ChallengePreference::Moderate),
        None,
        &candidates,
    );
    s.days[5].kind = DayKind::Practice;
    s.days[8].scenario = ScenarioLink::Catalog { id: "nope".into() };
    s.days[9].scenario = ScenarioLink::Catalog {
        id: "ja-ramen".into(),
    };
    s.days[10].scenario = ScenarioLink::Catalog {
        id: "ja-ramen".into(),
    };
    s.days[15].cefr_level = A1;
    s.days[2].objectives.truncate(1);
    s.days[3].scenario = ScenarioLink::Catalog {
        id: "es-tapas".into(),
    };
    let errors = validate(&s, &candidates).unwrap_err();
    let expect = [
        "Day 6 is a practice day; it should be a review day.",
        "Day 9 links scenario `nope`, which is not in the catalog.",
        "Scenario `ja-ramen` is used twice in week 2 (days 10 and 11).",
        "Day 16 is A1 but day 15 is A2; a week keeps one level.",
        "Day 3 has 1 objectives; give 2 or 3.",
        "Day 4 links scenario `es-tapas`, offered in es not ja.",
    ];
    for e in expect {
        assert!(
            errors.iter().any(|x| x == e),
            "missing {e:?} in {errors:#?}"
        );
    }
    s.days.truncate(20);
    let errors = validate(&s, &candidates).unwrap_err();
    assert!(errors.contains(&"A schedule has 28 days; this one has 20.".to_owned()));
}

#[test]
fn a_schedule_round_trips_through_json_and_bad_json_is_explained() {
    let candidates = catalog();
    let s = plan(
        &learner("ja", B2, ChallengePreference::Challenging),
        None,
        &candidates,
    );
    let json = serde_json::to_string(&s).unwrap();
    assert!(json.contains("\"cefrLevel\":\"B2\"") && json.contains("\"type\":\"catalog\""));
    assert_eq!(from_json(&json, &candidates).unwrap(), s);
    let bad = json.replacen(
        "\"difficulty\":\"intermediate\"",
        "\"difficulty\":\"medium\"",
        1,
    );
    let errors = from_json(&bad, &candidates).unwrap_err();
    assert!(
        errors[0].starts_with("The schedule is not in the expected form"),
        "{errors:?}"
    );
}

// ---- property tests ----

/// SplitMix64: a tiny, seedable, deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const INTENT_BITS: &[&str] = &[
    "job interview in Madrid",
    "meeting my partner's parents",
    "formal",
    "casual",
    "restaurants and food",
    "a trip to Osaka",
    "doctor visit",
    "shopping for clothes",
    "party with friends",
    "izakaya",
    "business meetings",
    "daily life",
    "gronk",
];
const REFINE_BITS: &[&str] = &[
    "more about food",
    "less formal",
    "more formal",
    "harder in week 2",
    "easier in week 3",
    "harder",
    "easier in week 1",
    "no business topics",
    "without food",
    "without shopping",
    "10 minutes a day",
    "30 minutes a day",
    "more about health",
    "less travel",
    "more social",
    "harder in the last week",
    "more about work",
    "casual",
];
const GARBAGE: &[&str] = &["wibble", "quux", "frobnicate"];

#[test]
fn random_learners_intents_and_edits_always_keep_the_invariants() {
    let candidates = catalog();
    let known = known_topics(&candidates);
    let challenges = ChallengePreference::ALL;
    for seed in 0..500u64 {
        let mut rng = Rng(seed);
        let languages = ["ja", "es", "ja", "es", "fr"];
        let language = *rng.pick(&languages);
        let mut l = Learner::new(
            language,
            *rng.pick(CefrLevel::ALL),
            *rng.pick(challenges),
            *rng.pick(LearningGoal::ALL),
        );
        l.minutes_per_day = *rng.pick(&[5, 10, 15, 30]);
        let text: Vec<&str> = (0..rng.below(4)).map(|_| *rng.pick(INTENT_BITS)).collect();
        let intent = parse_intent(&text.join(", "), &known);
        let s = plan(&l, Some(&intent), &candidates);
        assert_eq!(
            s,
            plan(&l, Some(&intent), &candidates),
            "seed {seed}: not deterministic"
        );
        assert_invariants(&s, &candidates, &format!("seed {seed} plan"));

        let mut state = PreviewState::new(s);
        let mut stack: Vec<Schedule> = Vec::new();
        for step in 0..8 {
            let context = format!("seed {seed} step {step}");
            let before = state.schedule.clone();
            let pinned_before: Vec<String> = before
                .days
                .iter()
                .filter(|d| d.pinned)
                .map(|d| serde_json::to_string(d).unwrap())
                .collect();
            let changed = match rng.below(10) {
                0..=4 => {
                    let mut bits: Vec<&str> = (0..1 + rng.below(3))
                        .map(|_| *rng.pick(REFINE_BITS))
                        .collect();
                    let garbage = (rng.below(4) == 0).then(|| *rng.pick(GARBAGE));
                    bits.extend(garbage);
                    let applied = state.apply_refinement(&bits.join(", "), &known, &candidates);
                    if let Some(g) = garbage {
                        assert!(
                            applied.not_understood.iter().any(|u| u.contains(g)),
                            "{context}: {g} dropped from {:?}",
                            applied.not_understood
                        );
                    }
                    assert!(!applied.summary.contains('\n'));
                    state.schedule != before
                }
                5 | 6 => state.toggle_pin(1 + rng.below(28) as u8).is_some(),
                7 | 8 => {
                    let day = 1 + rng.below(28) as u8;
                    let was_pinned = before.day(day).unwrap().pinned;
                    let done = state.regenerate(day, &candidates, rng.next() as u32);
                    assert_eq!(done, !was_pinned, "{context}: regenerate day {day}");
                    for d in (1..=28u8).filter(|d| *d != day) {
                        assert_eq!(state.schedule.day(d), before.day(d), "{context}");
                    }
                    done
                }
                _ => {
                    if state.undo() {
                        let previous = stack.pop().expect("history and stack agree");
                        assert_eq!(state.schedule, previous, "{context}: undo");
                    } else {
                        assert!(stack.is_empty(), "{context}");
                    }
                    assert_invariants(&state.schedule, &candidates, &context);
                    continue;
                }
            };
            if changed {
                stack.push(before.clone());
            }
            assert_eq!(state.history.len(), stack.len(), "{context}");
            assert_invariants(&state.schedule, &candidates, &context);
            let kept: Vec<String> = pinned_before
                .iter()
                .filter(|json| {
                    state
                        .schedule
                        .days
                        .iter()
                        .any(|d| serde_json::to_string(d).unwrap() == **json)
                })
                .cloned()
                .collect();
            let toggled = state
                .history
                .last()
                .is_some_and(|h| h.instruction.contains("pin day"));
            if !(changed && toggled) {
                assert_eq!(kept, pinned_before, "{context}: a pinned day changed");
            }
        }
    }
}
