//! `/account` (the account page): profile, email change (confirmed by a link to the new address), sessions and
//! "sign out everywhere", data export and account deletion. Everything acts on the signed-in
//! user only; no user id is ever taken from the request.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::render_status;
use crate::app::accounts::{self, AccountError, Profile};
use crate::db::models::User;
use crate::db::queries;
use crate::db::types::TokenPurpose;
use crate::error::AppError;
use crate::web::layout::Layout;
use crate::web::onboarding_choices::{self, Choice};
use crate::web::visitor::{flash, removal, Visitor, AUTH_COOKIE};
use crate::web::AppState;

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/account", web::get().to(show))
        .route("/account", web::post().to(update))
        .route("/account/email", web::post().to(change_email))
        .route("/account/confirm-email", web::get().to(confirm_email_form))
        .route("/account/confirm-email", web::post().to(confirm_email))
        .route(
            "/account/sessions/revoke",
            web::post().to(sign_out_everywhere),
        )
        .route("/account/export", web::get().to(export))
        .route("/account/delete", web::post().to(destroy));
}

struct SessionRow {
    started: String,
    expires: String,
    device: String,
}

#[derive(Template)]
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

async fn page(
    state: &web::Data<AppState>,
    visitor: &Visitor,
    user: &User,
    error: String,
) -> Result<ShowPage, AppError> {
    let uid = user.id.clone();
    let (languages, sessions) = state
        .db(move |c| {
            Ok((
                queries::languages::list_active(c)?,
                queries::sessions::list_for_user(c, &uid, Utc::now().naive_utc())?,
            ))
        })
        .await?;
    Ok(ShowPage {
        layout: visitor.layout("Your account — Kaiwa", "Your Kaiwa account."),
        error,
        email: user.email.clone(),
        verified: user.email_verified_at.is_some(),
        display_name: user.display_name.clone().unwrap_or_default(),
        username: user.username.clone().unwrap_or_default(),
        avatar_url: user.avatar_url.clone().unwrap_or_default(),
        native_languages: onboarding_choices::language_options(
            &languages,
            user.native_language_id.as_deref(),
        ),
        ui_languages: onboarding_choices::language_options(
            &languages,
            user.preferred_ui_language_id.as_deref(),
        ),
        sessions: sessions
            .iter()
            .map(|s| SessionRow {
                started: s.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
                expires: s.expires_at.format("%Y-%m-%d").to_string(),
                device: s
                    .user_agent
                    .clone()
                    .unwrap_or_else(|| "Unknown device".into()),
            })
            .collect(),
        has_password: user.password_hash.is_some(),
    })
}

fn account_error(e: AccountError) -> Result<(StatusCode, String), AppError> {
    match e {
        AccountError::Db(d) => Err(d.into()),
        AccountError::Internal(i) => Err(AppError::Internal(i)),
        AccountError::Throttled { .. } => Ok((StatusCode::TOO_MANY_REQUESTS, e.to_string())),
        AccountError::LinkInvalid => Ok((StatusCode::BAD_REQUEST, e.to_string())),
        other => Ok((StatusCode::UNPROCESSABLE_ENTITY, other.to_string())),
    }
}

async fn show(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user("/account")?.clone();
    crate::web::render(&page(&state, &visitor, &user, String::new()).await?)
}

#[derive(Deserialize)]
struct ProfileForm {
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

async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user("/account")?.clone();
    let f = form.into_inner();
    let profile = Profile {
        display_name: f.display_name,
        username: f.username,
        avatar_url: f.avatar_url,
        native_language_id: f.native_language,
        ui_language_id: f.ui_language,
    };
    let uid = user.id.clone();
    match state
        .db(move |c| {
            Ok(accounts::update_profile(
                c,
                &uid,
                profile,
                Utc::now().naive_utc(),
            ))
        })
        .await?
    {
        Ok(()) => {
            flash(&req, "info", "Your profile is saved.");
            Ok(HttpResponse::SeeOther()
                .insert_header(("Location", "/account"))
                .finish())
        }
        Err(e) => {
            let (status, message) = account_error(e)?;
            render_status(status, &page(&state, &visitor, &user, message).await?)
        }
    }
}

#[derive(Deserialize)]
struct EmailForm {
    email: String,
}

async fn change_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user("/account")?.clone();
    let (u, email, base) = (
        user.clone(),
        form.into_inner().email,
        state.settings.base_url.clone(),
    );
    match state
        .db(move |c| {
            Ok(accounts::request_email_change(
                c,
                &u,
                &email,
                &base,
                Utc::now().naive_utc(),
            ))
        })
        .await?
    {
        Ok(email) => {
            flash(&req, "info", format!("We've sent a confirmation link to {email}. Your email changes once you open it."));
            Ok(HttpResponse::SeeOther()
                .insert_header(("Location", "/account"))
                .finish())
        }
        Err(e) => {
            let (status, message) = account_error(e)?;
            render_status(status, &page(&state, &visitor, &user, message).await?)
        }
    }
}

#[derive(Template)]
#[template(path = "accounts/confirm_email.html")]
struct ConfirmEmailPage {
    layout: Layout,
    token: String,
    error: String,
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

async fn confirm_email_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let token = query.into_inner().token.unwrap_or_default();
    let t = token.clone();
    let layout = visitor.layout(
        "Confirm your new email — Kaiwa",
        "Confirm your new email address.",
    );
    match state
        .db(move |c| {
            Ok(accounts::check_link(
                c,
                &t,
                TokenPurpose::ChangeEmail,
                Utc::now().naive_utc(),
            ))
        })
        .await?
    {
        Ok(()) => crate::web::render(&ConfirmEmailPage {
            layout,
            token,
            error: String::new(),
        }),
        Err(e) => {
            let (status, error) = account_error(e)?;
            render_status(
                status,
                &ConfirmEmailPage {
                    layout,
                    token: String::new(),
                    error,
                },
            )
        }
    }
}

#[derive(Deserialize)]
struct TokenForm {
    token: String,
}

async fn confirm_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    let token = form.into_inner().token;
    match state
        .db(move |c| {
            Ok(accounts::confirm_email_change(
                c,
                &token,
                Utc::now().naive_utc(),
            ))
        })
        .await?
    {
        Ok(user) => {
            flash(&req, "info", format!("Your email is now {}.", user.email));
            Ok(HttpResponse::SeeOther()
                .insert_header(("Location", "/account"))
                .finish())
        }
        Err(e) => {
            let (status, error) = account_error(e)?;
            let layout = visitor.layout(
                "Confirm your new email — Kaiwa",
                "Confirm your new email address.",
            );
            render_status(
                status,
                &ConfirmEmailPage {
                    layout,
                    token: String::new(),
                    error,
                },
            )
        }
    }
}

async fn sign_out_everywhere(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let uid = visitor.require_user("/account")?.id.clone();
    state
        .db(move |c| Ok(accounts::end_all_sessions(c, &uid)?))
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", "/login"))
        .cookie(removal(AUTH_COOKIE, state.settings.secure_cookies()))
        .finish())
}

async fn export(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, AppError> {
    let uid = visitor.require_user("/account/export")?.id.clone();
    let data = state
        .db(move |c| Ok(accounts::export::export(c, &uid)?))
        .await?;
    let body = serde_json::to_string_pretty(&data).map_err(|e| AppError::Internal(e.into()))?;
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
struct DeleteForm {
    #[serde(default)]
    confirm: String,
}

async fn destroy(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user("/account")?.clone();
    let (u, confirm) = (user.clone(), form.into_inner().confirm);
    match state
        .db(move |c| Ok(accounts::delete_account(c, &u, &confirm)))
        .await?
    {
        Ok(()) => {
            flash(
                &req,
                "info",
                "Your account and everything in it is deleted. Sayōnara!",
            );
            Ok(HttpResponse::SeeOther()
                .insert_header(("Location", "/"))
                .cookie(removal(AUTH_COOKIE, state.settings.secure_cookies()))
                .finish())
        }
        Err(e) => {
            let (status, message) = account_error(e)?;
            render_status(status, &page(&state, &visitor, &user, message).await?)
        }
    }
}
