//! Ending a conversation (with the provider's analysis), the feedback report and history.

use super::*;

#[derive(Deserialize)]
pub(super) struct EndForm {
    #[serde(default)]
    comfort_rating: String,
    #[serde(default)]
    engagement: String,
}

pub(super) async fn end(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
    form: web::Form<EndForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (owner, _) = owner(&state, &visitor);
    let form = form.into_inner();
    let comfort_rating = match form.comfort_rating.trim() {
        "" => None,
        r => Some(
            r.parse::<i32>()
                .map_err(|_| AppError::Unprocessable("Rate your comfort from 1 to 5.".into()))?,
        ),
    };
    let engagement = match form.engagement.trim() {
        "" => None,
        e => Some(
            e.parse::<EngagementLevel>()
                .map_err(|_| AppError::Unprocessable("Choose low, medium or high.".into()))?,
        ),
    };
    let (o, i) = (owner.clone(), id.clone());
    let was_active = state
        .db(move |c| Ok(convo::get(c, &o, &i)?.status == ConversationStatus::Active))
        .await?;
    let (o, i) = (owner.clone(), id.clone());
    let ending = Ending {
        comfort_rating,
        engagement,
    };
    state
        .db(move |c| Ok(convo::end(c, &o, &i, ending, Utc::now().naive_utc())?))
        .await?;
    if was_active && !state.ai.is_offline() {
        analyse(&state, &owner, &id).await;
    }
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", format!("/conversations/{id}/report")))
        .finish())
}

/// Asks the provider to analyse the learner's messages and stores the result; a failure
/// (provider down, malformed JSON) is logged and the report says the analysis is missing.
pub(super) async fn analyse(state: &web::Data<AppState>, owner: &Owner, id: &str) {
    let (o, i) = (owner.clone(), id.to_owned());
    let Ok((language, native, messages)) = state
        .db(move |c| Ok(convo::analysis_input(c, &o, &i)?))
        .await
    else {
        return;
    };
    let learner = messages
        .iter()
        .filter(|m| m.role == crate::db::types::MessageRole::User)
        .count();
    if learner == 0 {
        return;
    }
    let prompt = convo::analysis::prompt(&language, &native, &messages);
    let parsed = match state
        .ai
        .complete(crate::integrations::ai::Task::Analysis, prompt, true)
        .await
    {
        Ok(text) => convo::analysis::parse(&text, learner),
        Err(e) => Err(e.to_string()),
    };
    match parsed {
        Ok(analysis) => {
            let (o, i) = (owner.clone(), id.to_owned());
            if let Err(e) = state
                .db(move |c| {
                    Ok(convo::store_analysis(
                        c,
                        &o,
                        &i,
                        analysis,
                        Utc::now().naive_utc(),
                    )?)
                })
                .await
            {
                tracing::warn!(error = %e, "storing an analysis failed");
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, conversation = %id, "the conversation analysis failed")
        }
    }
}

#[derive(Template)]
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
    corrections: Vec<(String, String, String)>,
    words: Vec<(String, String)>,
    objectives: Vec<String>,
    offline: bool,
    analysed: bool,
    went_well: Vec<String>,
    messages: Vec<MessageView>,
}

pub(super) async fn report(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (owner, _) = owner(&state, &visitor);
    let o = owner.clone();
    let (conversation, messages, scenario) = state
        .db(move |c| {
            let conversation = convo::get(c, &o, &id)?;
            let messages = queries::conversations::list_messages(c, &id)?;
            let scenario = match &conversation.scenario_id {
                Some(s) => queries::scenarios::find(c, s)?,
                None => None,
            };
            Ok((conversation, messages, scenario))
        })
        .await?;
    if conversation.status != ConversationStatus::Ended {
        return Ok(HttpResponse::SeeOther()
            .insert_header(("Location", format!("/conversations/{}", conversation.id)))
            .finish());
    }
    let lang = conversation.target_language_id.clone();
    let corrections = messages
        .iter()
        .filter_map(|m| m.grammar_analysis.as_ref())
        .flat_map(|g| {
            g.corrections.iter().map(|c| {
                (
                    c.original.clone(),
                    c.corrected.clone(),
                    c.explanation.clone(),
                )
            })
        })
        .collect();
    let words = messages
        .iter()
        .filter_map(|m| m.vocabulary_analysis.as_ref())
        .flat_map(|v| {
            v.new_words
                .iter()
                .chain(v.misused_words.iter())
                .map(|w| (w.word.clone(), w.meaning.clone()))
        })
        .collect();
    crate::web::render(&ReportPage {
        layout: visitor.layout("Your feedback — Kaiwa", "How the conversation went."),
        title: conversation.title.clone().unwrap_or_default(),
        minutes: conversation.duration_seconds / 60,
        seconds: conversation.duration_seconds % 60,
        learner_messages: messages
            .iter()
            .filter(|m| m.role == crate::db::types::MessageRole::User)
            .count(),
        partner_messages: messages
            .iter()
            .filter(|m| m.role == crate::db::types::MessageRole::Assistant)
            .count(),
        comfort: conversation
            .comfort_rating
            .map(|r| format!("{r} of 5"))
            .unwrap_or_else(|| "not given".into()),
        engagement: conversation
            .engagement_level
            .map(|e| e.to_string())
            .unwrap_or_else(|| "not given".into()),
        corrections,
        words,
        objectives: scenario
            .map(|s| s.learning_objectives.0)
            .unwrap_or_default(),
        offline: state.ai.is_offline(),
        analysed: messages.iter().any(|m| m.grammar_analysis.is_some()),
        went_well: messages
            .iter()
            .filter_map(|m| m.grammar_analysis.as_ref())
            .flat_map(|g| g.went_well.clone())
            .collect(),
        messages: messages
            .iter()
            .map(|m| MessageView::new(m, &lang))
            .collect(),
    })
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

#[derive(Template)]
#[template(path = "conversations/index.html")]
pub(super) struct IndexPage {
    layout: Layout,
    rows: Vec<HistoryRow>,
}

pub(super) async fn index(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let owner = accounts::owner(visitor.user.as_ref(), visitor.guest_id.as_deref());
    let rows = match owner {
        Some(o) => {
            state
                .db(move |c| Ok(queries::conversations::list_owned(c, &o, 200)?))
                .await?
        }
        None => Vec::new(),
    };
    crate::web::render(&IndexPage {
        layout: visitor.layout("Your conversations — Kaiwa", "Your past conversations."),
        rows: rows
            .into_iter()
            .map(|(c, scenario)| HistoryRow {
                href: if c.status == ConversationStatus::Ended {
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
                ended: c.status == ConversationStatus::Ended,
            })
            .collect(),
    })
}
