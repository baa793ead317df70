//! Ending a conversation (its analysis is queued as a job), the feedback report (whose
//! feedback part polls itself while the analysis is prepared) and history.

use super::*;
use crate::app::conversations::analyse::AnalysisState;
use crate::app::conversations::report::Report;
use crate::db::types::Completion;

#[derive(Deserialize)]
pub(super) struct EndForm {
    #[serde(default)]
    comfort_rating: String,
    #[serde(default)]
    engagement: String,
}

impl TryFrom<EndForm> for Ending {
    type Error = AppError;

    fn try_from(form: EndForm) -> Result<Self, AppError> {
        let comfort_rating =
            match form.comfort_rating.trim() {
                "" => None,
                r => Some(r.parse::<i32>().map_err(|_| {
                    AppError::Unprocessable("Rate your comfort from 1 to 5.".into())
                })?),
            };
        let engagement = match form.engagement.trim() {
            "" => None,
            e => Some(
                e.parse::<EngagementLevel>()
                    .map_err(|_| AppError::Unprocessable("Choose low, medium or high.".into()))?,
            ),
        };
        Ok(Ending {
            comfort_rating,
            engagement,
        })
    }
}

pub(super) async fn end(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ConversationId>,
    form: web::Form<EndForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (owner, _) = owner(&state, &visitor);
    let ending = Ending::try_from(form.into_inner())?;
    convo::report::finish(&state.ctx, owner, id.clone(), ending).await?;
    Ok(crate::web::see_other(&format!(
        "/conversations/{id}/report"
    )))
}

/// The part of the report that waits for the analysis; it polls itself while preparing.
pub(super) struct Feedback {
    id: String,
    preparing: bool,
    failed: bool,
    offline: bool,
    analysed: bool,
    corrections: Vec<(String, String, String)>,
    words: Vec<(String, String)>,
    went_well: Vec<String>,
    /// Whether the conversation counts as completed, and the sentence saying by which rule
    /// (or how far it is).
    completed: bool,
    completion: String,
    /// The scenario's goals the analysis found met, and the others; with no assessment, all
    /// of them are in `to_practise` and `goals_note` says why.
    met: Vec<String>,
    to_practise: Vec<String>,
    goals_note: String,
}

/// The sentence saying whether a conversation counts as completed, and why.
fn completion_sentence(report: &Report) -> String {
    let p = &report.progress;
    let (turns, needed) = (p.turns, p.needed);
    let offline = p.script.is_some();
    match report.conversation.completion {
        Some(Completion::DialogueFinished) => {
            "Completed: you reached the end of the dialogue.".into()
        }
        Some(Completion::ObjectivesMet) => {
            "Completed: the analysis found every goal of this scenario met.".into()
        }
        Some(Completion::EnoughTurns) if offline => format!(
            "Completed: your partner recognised {turns} of your answers ({needed} or more complete a scenario)."
        ),
        Some(Completion::EnoughTurns) => format!(
            "Completed: you took {turns} turns ({needed} or more complete this scenario)."
        ),
        None => match (p.dialogue(), offline) {
            (Some((answered, steps)), _) => format!(
                "Not completed yet: you answered {answered} of the dialogue's {steps} lines in a way your partner recognised; reaching the end, or {needed} recognised answers, completes it."
            ),
            (None, true) => format!(
                "Not completed yet: your partner recognised {turns} of the {needed} answers that complete it."
            ),
            (None, false) => format!(
                "Not completed yet: {turns} of the {needed} turns that complete it, unless the analysis finds every goal met."
            ),
        },
    }
}

impl Feedback {
    fn new(report: &Report, offline: bool) -> Self {
        let goals: Vec<String> = report
            .scenario
            .as_ref()
            .map(|s| s.learning_objectives.0.clone())
            .unwrap_or_default();
        let met: Vec<String> = report
            .conversation
            .objectives_met
            .as_ref()
            .map(|m| m.0.clone())
            .unwrap_or_default();
        let analyses = || {
            report
                .messages
                .iter()
                .filter_map(|m| m.grammar_analysis.as_ref())
        };
        Self {
            id: report.conversation.id.clone(),
            preparing: report.analysis == AnalysisState::Preparing,
            failed: report.analysis == AnalysisState::Failed,
            offline,
            analysed: report.analysis == AnalysisState::Ready,
            corrections: analyses()
                .flat_map(|g| g.corrections.iter())
                .map(|c| {
                    (
                        c.original.clone(),
                        c.corrected.clone(),
                        c.explanation.clone(),
                    )
                })
                .collect(),
            words: report
                .messages
                .iter()
                .filter_map(|m| m.vocabulary_analysis.as_ref())
                .flat_map(|v| v.new_words.iter().chain(v.misused_words.iter()))
                .map(|w| (w.word.clone(), w.meaning.clone()))
                .collect(),
            went_well: analyses().flat_map(|g| g.went_well.clone()).collect(),
            completed: report.conversation.completion.is_some(),
            completion: completion_sentence(report),
            met: met.clone(),
            to_practise: goals.iter().filter(|g| !met.contains(g)).cloned().collect(),
            goals_note: match (&report.conversation.objectives_met, report.analysis) {
                (Some(_), _) => String::new(),
                _ if offline => "The offline partner can't tell which of these goals you met; go through them and judge for yourself.".into(),
                (None, AnalysisState::Preparing) => "The analysis will say which of them you met.".into(),
                (None, _) => "Kaiwa couldn't check which of these goals you met this time; go through them and judge for yourself.".into(),
            },
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "conversations/report.html")]
pub(super) struct ReportPage {
    layout: Layout,
    title: String,
    minutes: i32,
    seconds: i32,
    learner_messages: usize,
    partner_messages: usize,
    comfort: String,
    engagement: String,
    /// Where "Practise again" starts a new conversation with the same scenario.
    again: String,
    /// (href, title) of the scenario to practise next.
    next: Option<(String, String)>,
    feedback: Feedback,
    messages: Vec<MessageView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "conversations/report.html", block = "feedback")]
pub(super) struct FeedbackFragment {
    feedback: Feedback,
}

impl ReportPage {
    fn new(layout: Layout, report: Report, offline: bool) -> Self {
        let c = &report.conversation;
        let count = |role| report.messages.iter().filter(|m| m.role == role).count();
        Self {
            layout,
            title: c.title.clone().unwrap_or_default(),
            minutes: c.duration_seconds / 60,
            seconds: c.duration_seconds % 60,
            learner_messages: count(crate::db::types::MessageRole::User),
            partner_messages: count(crate::db::types::MessageRole::Assistant),
            comfort: c
                .comfort_rating
                .map(|r| format!("{r} of 5"))
                .unwrap_or_else(|| "not given".into()),
            engagement: c
                .engagement_level
                .map(|e| e.to_string())
                .unwrap_or_else(|| "not given".into()),
            again: match &c.scenario_id {
                Some(s) => format!(
                    "/conversations/new?scenario_id={}",
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
                ),
                None => "/conversations/new".to_owned(),
            },
            next: report
                .next
                .as_ref()
                .map(|s| (format!("/scenarios/{}", s.id), s.title.clone())),
            feedback: Feedback::new(&report, offline),
            messages: report
                .messages
                .iter()
                .map(|m| MessageView::new(m, &c.target_language_id))
                .collect(),
        }
    }
}

/// The report; an htmx request (the feedback polling itself) gets only the feedback part.
pub(super) async fn report(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ConversationId>,
) -> Result<HttpResponse, AppError> {
    let (owner, _) = owner(&state, &visitor);
    let id = id.into_inner();
    let Some(report) = convo::report::load(&state.ctx, owner, id.clone()).await? else {
        return Ok(to_conversation(&id));
    };
    let offline = state.ai.is_offline();
    let mut res = if req.headers().contains_key("hx-request") {
        let feedback = Feedback::new(&report, offline);
        render(&req, FeedbackFragment { feedback })?
    } else {
        let layout = visitor.layout("Your feedback — Kaiwa", "How the conversation went.");
        render(&req, ReportPage::new(layout, report, offline))?
    };
    res.headers_mut().insert(
        actix_web::http::header::VARY,
        actix_web::http::header::HeaderValue::from_static("HX-Request"),
    );
    Ok(res)
}

pub(super) struct HistoryRow {
    href: String,
    title: String,
    scenario: String,
    language: String,
    date: String,
    length: String,
    ended: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "conversations/index.html")]
pub(super) struct IndexPage {
    layout: Layout,
    rows: Vec<HistoryRow>,
}

pub(super) async fn index(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let owner = accounts::owner(visitor.user.as_ref(), visitor.guest_id.as_deref());
    let rows = convo::report::history(&state.ctx, owner).await?;
    let layout = visitor.layout("Your conversations — Kaiwa", "Your past conversations.");
    let rows = rows.into_iter().map(HistoryRow::new).collect();
    render(&req, IndexPage { layout, rows })
}

impl HistoryRow {
    fn new((c, scenario): (crate::db::models::ConversationSummary, Option<String>)) -> Self {
        let ended = c.status == crate::db::types::ConversationStatus::Ended;
        Self {
            href: if ended {
                format!("/conversations/{}/report", c.id)
            } else {
                format!("/conversations/{}", c.id)
            },
            title: c.title.clone().unwrap_or_default(),
            scenario: scenario.unwrap_or_else(|| "Free conversation".into()),
            language: c.target_language_id.clone(),
            date: c.started_at.format("%Y-%m-%d %H:%M").to_string(),
            length: format!(
                "{} messages, {} min",
                c.message_count,
                c.duration_seconds / 60
            ),
            ended,
        }
    }
}
