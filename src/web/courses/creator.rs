//! `/creator/courses`: a creator's courses, the new-course form, the edit form with its 28
//! days (autosaved with htmx — the whole form posted a second after a change, answered with
//! the save line — and saved by a plain submit without JS), testers and publishing.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use crate::app::courses::authoring::{self, CourseEdit, FieldErrors, RawCourse, Saved};
use crate::app::courses::publishing::{self, Finding, Published};
use crate::app::courses::testers;
use crate::app::paths::planner::{DayKind, WeekDemand};
use crate::db::models::{CourseInvitation, LearningPath, LearningPathAssignment};
use crate::db::types::{CefrLevel, Difficulty, InvitationStatus, Skill};
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::{flash, Visitor};
use crate::web::{is_htmx, see_other, AppState};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/creator/courses")
            .route("", web::get().to(index))
            .route("", web::post().to(create))
            .route("/new", web::get().to(new))
            .route("/{id}", web::get().to(edit))
            .route("/{id}", web::post().to(save))
            .route("/{id}/scenarios", web::get().to(choices))
            .route("/{id}/testers", web::post().to(invite))
            .route("/{id}/testers/{invitation}/revoke", web::post().to(revoke))
            .route("/{id}/publish", web::post().to(publish))
            .route("/{id}/unpublish", web::post().to(unpublish)),
    )
    .route(
        "/paths/previews/{session_id}/course",
        web::post().to(from_preview),
    )
    .route(
        "/admin/courses/{slug}/unpublish",
        web::post().to(admin_unpublish),
    );
}

/// A select's options: (value, label, selected).
type Options = Vec<(String, String, bool)>;

fn options<T: Copy + std::fmt::Display>(
    all: &[T],
    value: impl Fn(T) -> String,
    current: &str,
) -> Options {
    all.iter()
        .map(|v| (value(*v), v.to_string(), value(*v) == current))
        .collect()
}

/// The course fields both forms share, with their options and errors.
struct CourseFields {
    raw: RawCourse,
    errors: FieldErrors,
    languages: Options,
    levels: Options,
    skills: Options,
    categories: Options,
}

impl CourseFields {
    fn new(languages: &[(String, String)], raw: RawCourse, errors: FieldErrors) -> Self {
        let languages = languages
            .iter()
            .map(|(id, name)| (id.clone(), name.clone(), *id == raw.language))
            .collect();
        Self {
            languages,
            levels: options(CefrLevel::ALL, |l| l.as_str().to_owned(), &raw.cefr_level),
            skills: options(Skill::ALL, |s| s.as_str().to_owned(), &raw.primary_skill),
            categories: crate::web::catalog::views::categories()
                .into_iter()
                .map(|(v, l)| (v.to_owned(), l, v == raw.category))
                .collect(),
            raw,
            errors,
        }
    }

    fn error(&self, field: &str) -> &str {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map_or("", |(_, m)| m.as_str())
    }
}

/// One day of the edit form.
struct DayRow {
    index: usize,
    week: usize,
    kind: &'static str,
    demand: &'static str,
    theme: String,
    difficulties: Options,
    objectives: String,
    scenario: String,
}

fn day_rows(raw: &RawCourse) -> Vec<DayRow> {
    (0..raw.theme.len().min(28))
        .map(|i| {
            let n = u8::try_from(i + 1).unwrap_or(28);
            let at = |v: &Vec<String>| v.get(i).cloned().unwrap_or_default();
            DayRow {
                index: i + 1,
                week: i / 7 + 1,
                kind: DayKind::of_day(n).as_str(),
                demand: WeekDemand::of_week(n.div_ceil(7)).as_str(),
                theme: at(&raw.theme),
                difficulties: options(
                    Difficulty::ALL,
                    |d| d.as_str().to_owned(),
                    &at(&raw.difficulty),
                ),
                objectives: at(&raw.objectives),
                scenario: at(&raw.scenario),
            }
        })
        .collect()
}

/// A tester as the creator sees them: invitation, progress and feedback.
struct TesterRow {
    id: String,
    email: String,
    status: &'static str,
    progress: String,
    feedback: Vec<(i32, i32, String)>,
    revocable: bool,
}

impl TesterRow {
    fn new((i, a): &(CourseInvitation, Option<LearningPathAssignment>)) -> Self {
        let (progress, feedback) = match a {
            Some(a) => (
                format!(
                    "On day {} of 28; {} {} practised",
                    a.current_day_index,
                    a.metadata.0.days.len(),
                    if a.metadata.0.days.len() == 1 {
                        "day"
                    } else {
                        "days"
                    }
                ),
                a.metadata
                    .0
                    .feedback
                    .iter()
                    .map(|f| (f.day_index, f.rating, f.comment.clone()))
                    .collect(),
            ),
            None => (String::new(), Vec::new()),
        };
        Self {
            id: i.id.clone(),
            email: i.email.clone(),
            status: match i.status {
                InvitationStatus::Invited => "Invited",
                InvitationStatus::Accepted => "Testing",
                InvitationStatus::Revoked => "Revoked",
            },
            progress,
            feedback,
            revocable: i.status != InvitationStatus::Revoked,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "courses/creator/index.html")]
struct IndexPage {
    layout: Layout,
    courses: Vec<(String, String, String, String)>,
}

async fn index(state: web::Data<AppState>, visitor: Visitor) -> Result<IndexPage, AppError> {
    let user = visitor.require_user("/creator/courses")?.clone();
    let courses = authoring::list(&state.ctx, user).await?;
    Ok(IndexPage {
        layout: visitor.layout("Your courses — Kaiwa", "Courses you author."),
        courses: courses.iter().map(course_row).collect(),
    })
}

fn course_row(p: &LearningPath) -> (String, String, String, String) {
    (
        p.id.clone(),
        p.title.clone(),
        p.status.to_string(),
        p.updated_at.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "courses/creator/new.html")]
struct NewPage {
    layout: Layout,
    f: CourseFields,
}

async fn new(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    visitor.require_user("/creator/courses/new")?;
    let raw = RawCourse {
        minutes: "15".into(),
        cefr_level: "A2".into(),
        primary_skill: "speaking".into(),
        ..Default::default()
    };
    let languages = authoring::form_languages(&state.ctx).await?;
    new_page(&req, &visitor, &languages, raw, Vec::new(), StatusCode::OK)
}

fn new_page(
    req: &HttpRequest,
    visitor: &Visitor,
    languages: &[(String, String)],
    raw: RawCourse,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let layout = visitor.layout("New course — Kaiwa", "Author a four-week course.");
    let f = CourseFields::new(languages, raw, errors);
    crate::web::render_with_status(req, status, NewPage { layout, f })
}

/// Reads a course form (the days are repeated fields).
fn course_form(body: &[u8]) -> Result<RawCourse, AppError> {
    serde_html_form::from_bytes(body)
        .map_err(|e| AppError::BadRequest(format!("The form could not be read: {e}")))
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user("/creator/courses/new")?.clone();
    let raw = course_form(&body)?;
    match authoring::create(&state.ctx, user, raw).await? {
        Saved::Invalid(raw, errors, languages) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            new_page(&req, &visitor, &languages, *raw, errors, status)
        }
        Saved::Saved { id, .. } => {
            flash(
                &req,
                "info",
                "Your course is a draft with 28 days from the planner: edit each day below.",
            );
            Ok(see_other(&format!("/creator/courses/{id}")))
        }
    }
}

/// A course from a path preview (a brief refined on the learners' preview screen).
async fn from_preview(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    session_id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user(req.path())?.clone();
    let id = authoring::from_preview(&state.ctx, user, session_id.into_inner()).await?;
    flash(
        &req,
        "info",
        "Your course is a draft made from the preview: edit each day below.",
    );
    Ok(see_other(&format!("/creator/courses/{id}")))
}

#[derive(Template, WebTemplate)]
#[template(path = "courses/creator/edit.html")]
struct EditPage {
    layout: Layout,
    id: String,
    status: String,
    f: CourseFields,
    days: Vec<DayRow>,
    testers: Vec<TesterRow>,
    published: String,
}

impl EditPage {
    fn new(
        visitor: &Visitor,
        edit: CourseEdit,
        raw: Option<RawCourse>,
        errors: FieldErrors,
    ) -> Self {
        let raw = raw.unwrap_or_else(|| RawCourse::from_course(&edit.path, &edit.schedule));
        Self {
            layout: visitor.layout(
                format!("{} — your course — Kaiwa", edit.path.title),
                "Edit your course.",
            ),
            id: edit.path.id.clone(),
            status: edit.path.status.to_string(),
            days: day_rows(&raw),
            f: CourseFields::new(&edit.languages, raw, errors),
            testers: edit.invitations.iter().map(TesterRow::new).collect(),
            published: edit.published_slug.unwrap_or_default(),
        }
    }
}

async fn edit(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
) -> Result<EditPage, AppError> {
    let user = visitor.require_user(req.path())?.clone();
    let edit = authoring::editable(&state.ctx, user, id.into_inner()).await?;
    Ok(EditPage::new(&visitor, edit, None, Vec::new()))
}

/// The autosave line (htmx): when it was saved, or what stops it from being saved.
#[derive(Template, WebTemplate)]
#[template(path = "courses/creator/_saved.html")]
struct SavedLine {
    saved_at: String,
    errors: FieldErrors,
}

async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user(req.path())?.clone();
    let raw = course_form(&body)?;
    let saved = authoring::save(&state.ctx, user.clone(), id.into_inner(), raw).await?;
    if is_htmx(&req) {
        return SavedLine::of(saved).answer(&req);
    }
    match saved {
        Saved::Saved { id, day, .. } => {
            flash(&req, "info", "Your course is saved.");
            let anchor = day.map(|d| format!("#day-{d}")).unwrap_or_default();
            Ok(see_other(&format!("/creator/courses/{id}{anchor}")))
        }
        Saved::Invalid(raw, errors, _) => {
            // why: the full form again needs the testers and publishing panels too.
            let id = req.match_info()["id"].to_owned();
            let edit = authoring::editable(&state.ctx, user, id).await?;
            let page = EditPage::new(&visitor, edit, Some(*raw), errors);
            crate::web::render_with_status(&req, StatusCode::UNPROCESSABLE_ENTITY, page)
        }
    }
}

impl SavedLine {
    fn of(saved: Saved) -> Self {
        match saved {
            Saved::Saved { at, .. } => Self {
                saved_at: at.format("%H:%M:%S UTC").to_string(),
                errors: Vec::new(),
            },
            Saved::Invalid(_, errors, _) => Self {
                saved_at: String::new(),
                errors,
            },
        }
    }

    /// 200 once saved; 422 with what stops it (htmx swaps it in all the same).
    fn answer(self, req: &HttpRequest) -> Result<HttpResponse, AppError> {
        let status = if self.errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        crate::web::render_with_status(req, status, self)
    }
}

#[derive(Deserialize)]
struct ChoicesQuery {
    #[serde(default)]
    scenario: String,
}

/// The scenarios a day's field suggests as the creator types (a datalist's options).
#[derive(Template, WebTemplate)]
#[template(
    source = "{% for (id, title, level) in choices %}<option value=\"{{ id }}\">{{ title }} ({{ level }})</option>{% endfor %}",
    ext = "html"
)]
struct Choices {
    choices: Vec<(String, String, CefrLevel)>,
}

async fn choices(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<ChoicesQuery>,
) -> Result<Choices, AppError> {
    let user = visitor.require_user(req.path())?.clone();
    let choices =
        authoring::scenario_choices(&state.ctx, user, query.into_inner().scenario).await?;
    Ok(Choices { choices })
}

#[derive(Deserialize)]
struct InviteForm {
    #[serde(default)]
    emails: String,
    #[serde(default)]
    note: String,
}

async fn invite(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user(req.path())?.clone();
    let InviteForm { emails, note } = form.into_inner();
    let id = id.into_inner();
    let done = testers::invite(&state.ctx, user, id.clone(), emails, note).await?;
    let mut said = format!("Invitations sent: {}.", done.sent.len());
    if !done.already.is_empty() {
        said += &format!(" Already invited: {}.", done.already.join(", "));
    }
    flash(&req, "info", said);
    Ok(see_other(&format!("/creator/courses/{id}#testers")))
}

async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user(req.path())?.clone();
    let (id, invitation) = path.into_inner();
    testers::revoke(&state.ctx, user, id.clone(), invitation).await?;
    flash(&req, "info", "The invitation is revoked.");
    Ok(see_other(&format!("/creator/courses/{id}#testers")))
}

#[derive(Deserialize)]
struct PublishForm {
    #[serde(default)]
    confirm: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "courses/creator/review.html")]
struct ReviewPage {
    layout: Layout,
    id: String,
    findings: Vec<Finding>,
}

async fn publish(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
    form: web::Form<PublishForm>,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user(req.path())?.clone();
    let id = id.into_inner();
    let confirmed = form.confirm == "yes";
    match publishing::publish(&state.ctx, user, id.clone(), confirmed).await? {
        Published::At(slug) => {
            flash(&req, "info", format!("Published at /courses/{slug}."));
            Ok(see_other(&format!("/creator/courses/{id}#publishing")))
        }
        Published::Review(findings) => {
            let layout = visitor.layout("Check before publishing — Kaiwa", "Check your course.");
            crate::web::render(
                &req,
                ReviewPage {
                    layout,
                    id,
                    findings,
                },
            )
        }
    }
}

async fn unpublish(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user(req.path())?.clone();
    let id = id.into_inner();
    publishing::unpublish(&state.ctx, user, id.clone()).await?;
    flash(
        &req,
        "info",
        "Unpublished: its public page now says it is gone.",
    );
    Ok(see_other(&format!("/creator/courses/{id}#publishing")))
}

async fn admin_unpublish(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user(req.path())?.clone();
    publishing::unpublish_any(&state.ctx, user, slug.into_inner()).await?;
    flash(&req, "info", "The course is unpublished.");
    Ok(see_other("/courses"))
}
