//! `/account`: profile, email change (confirmed by a link to the new address), sessions and
//! "sign out everywhere", data export and account deletion. Everything acts on the signed-in
//! user only; no user id is ever taken from the request.

use super::*;
use crate::app::accounts::profile::{self, AccountPage};
use crate::app::accounts::{export as data, sessions, Profile};
use crate::db::models::User;
use crate::web::components::choices::{self, Choice};

struct SessionRow {
    started: String,
    expires: String,
    device: String,
    /// Whether this is the browser looking at the page.
    current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/profile.html")]
struct ShowPage {
    layout: Layout,
    error: String,
    email: String,
    verified: bool,
    display_name: String,
    username: String,
    avatar_url: String,
    native_languages: Vec<Choice>,
    ui_languages: Vec<Choice>,
    sessions: Vec<SessionRow>,
    has_password: bool,
}

impl ShowPage {
    fn new(
        layout: Layout,
        user: &User,
        page: AccountPage,
        error: String,
        this_session: Option<String>,
    ) -> Self {
        let languages = |current: &Option<String>| {
            choices::language_options(&page.languages, current.as_deref())
        };
        Self {
            layout,
            error,
            email: user.email.clone(),
            verified: user.email_verified_at.is_some(),
            display_name: user.display_name.clone().unwrap_or_default(),
            username: user.username.clone().unwrap_or_default(),
            avatar_url: user.avatar_url.clone().unwrap_or_default(),
            native_languages: languages(&user.native_language_id),
            ui_languages: languages(&user.preferred_ui_language_id),
            sessions: page
                .sessions
                .iter()
                .map(|s| SessionRow {
                    started: s.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
                    expires: s.expires_at.format("%Y-%m-%d").to_string(),
                    device: crate::app::accounts::device::describe(s.user_agent.as_deref()),
                    current: this_session.as_deref() == Some(s.id.as_str()),
                })
                .collect(),
            has_password: user.password_hash.is_some(),
        }
    }
}

/// The account page of `user`, answered with `status`.
async fn account_page(
    req: &HttpRequest,
    state: &AppState,
    visitor: &Visitor,
    user: &User,
    status: StatusCode,
    error: String,
) -> Result<HttpResponse, AppError> {
    let page = profile::page(&state.ctx, user.id.clone()).await?;
    let layout = visitor.layout("Your account — Kaiwa", "Your Kaiwa account.");
    let this_session = visitor
        .auth_token
        .as_deref()
        .map(crate::app::accounts::tokens::digest);
    let page = ShowPage::new(layout, user, page, error, this_session);
    render_status(req, status, page)
}

/// The account page again, showing what was wrong with a form of it.
async fn account_error(
    req: &HttpRequest,
    state: &AppState,
    visitor: &Visitor,
    user: &User,
    e: AccountError,
) -> Result<HttpResponse, AppError> {
    let (status, message) = form_message(e)?;
    account_page(req, state, visitor, user, status, message).await
}

pub(super) async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user("/account")?;
    account_page(&req, &state, &visitor, user, StatusCode::OK, String::new()).await
}

#[derive(Deserialize)]
pub(super) struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    avatar_url: String,
    #[serde(default)]
    native_language: String,
    #[serde(default)]
    ui_language: String,
}

impl From<ProfileForm> for Profile {
    fn from(f: ProfileForm) -> Self {
        Self {
            display_name: f.display_name,
            username: f.username,
            avatar_url: f.avatar_url,
            native_language_id: f.native_language,
            ui_language_id: f.ui_language,
        }
    }
}

pub(super) async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user("/account")?;
    match profile::update(&state.ctx, user.id.clone(), form.into_inner().into()).await {
        Ok(()) => {
            flash(&req, "info", "Your profile is saved.");
            Ok(see_other("/account"))
        }
        Err(e) => account_error(&req, &state, &visitor, user, e).await,
    }
}

#[derive(Deserialize)]
pub(super) struct EmailForm {
    email: String,
}

pub(super) async fn change_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user("/account")?;
    match profile::change_email(&state.ctx, user.clone(), form.into_inner().email).await {
        Ok(email) => {
            let sent = format!(
                "We've sent a confirmation link to {email}. Your email changes once you open it."
            );
            flash(&req, "info", sent);
            Ok(see_other("/account"))
        }
        Err(e) => account_error(&req, &state, &visitor, user, e).await,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/confirm_email.html")]
struct ConfirmEmailPage {
    layout: Layout,
    token: String,
    error: String,
}

impl ConfirmEmailPage {
    fn new(visitor: &Visitor, token: String, error: String) -> Self {
        Self {
            layout: visitor.layout(
                "Confirm your new email — Kaiwa",
                "Confirm your new email address.",
            ),
            token,
            error,
        }
    }
}

pub(super) async fn confirm_email_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let token = query.into_inner().token.unwrap_or_default();
    match profile::email_change_link(&state.ctx, token.clone()).await {
        Ok(()) => render(&req, ConfirmEmailPage::new(&visitor, token, String::new())),
        Err(e) => form_error(&req, e, |error| {
            ConfirmEmailPage::new(&visitor, String::new(), error)
        }),
    }
}

pub(super) async fn confirm_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    match profile::confirm_email(&state.ctx, form.into_inner().token).await {
        Ok(user) => {
            flash(&req, "info", format!("Your email is now {}.", user.email));
            Ok(see_other("/account"))
        }
        Err(e) => form_error(&req, e, |error| {
            ConfirmEmailPage::new(&visitor, String::new(), error)
        }),
    }
}

pub(super) async fn sign_out_everywhere(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user("/account")?;
    sessions::sign_out_everywhere(&state.ctx, user.id.clone()).await?;
    Ok(signed_out(&state, "/login"))
}

pub(super) async fn export(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user("/account/export")?;
    let body = data::document(&state.ctx, user.id.clone()).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"kaiwa-data.json\"",
        ))
        .insert_header(("Cache-Control", "no-store"))
        .body(body))
}

#[derive(Deserialize)]
pub(super) struct DeleteForm {
    #[serde(default)]
    confirm: String,
}

pub(super) async fn destroy(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user("/account")?;
    match profile::delete(&state.ctx, user.clone(), form.into_inner().confirm).await {
        Ok(()) => {
            let bye = "Your account and everything in it is deleted. Sayōnara!";
            flash(&req, "info", bye);
            Ok(signed_out(&state, "/"))
        }
        Err(e) => account_error(&req, &state, &visitor, user, e).await,
    }
}
