//! Sign-up, sign-in, sign-out, email verification and password reset
//! (`/signup`, `/login`, `/logout`, `/verify-email`, `/forgot-password`, `/reset-password`),
//! and Google sign-in (`google.rs`).

mod google;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use crate::app::accounts::{self, AccountError, SignUp};
use crate::db::queries::{self, preferences::Owner};
use crate::db::types::TokenPurpose;
use crate::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::{self, auth_cookie, flash, removal, Visitor, AUTH_COOKIE, GUEST_COOKIE};
use crate::web::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/signup", web::get().to(signup_form))
        .route("/signup", web::post().to(signup))
        .route("/login", web::get().to(login_form))
        .route("/login", web::post().to(login))
        .route("/logout", web::post().to(logout))
        .route("/verify-email", web::get().to(verify_form))
        .route("/verify-email", web::post().to(verify))
        .route("/forgot-password", web::get().to(forgot_form))
        .route("/forgot-password", web::post().to(forgot))
        .route("/reset-password", web::get().to(reset_form))
        .route("/reset-password", web::post().to(reset))
        .configure(google::routes);
}

/// The status a form answers with for an account error, or `None` for internal failures.
fn form_status(e: &AccountError) -> Option<StatusCode> {
    Some(match e {
        AccountError::InvalidEmail | AccountError::WeakPassword(_) | AccountError::Invalid(_) => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AccountError::InvalidCredentials => StatusCode::UNAUTHORIZED,
        AccountError::Unverified => StatusCode::FORBIDDEN,
        AccountError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        AccountError::LinkInvalid | AccountError::GoogleEmailUnverified => StatusCode::BAD_REQUEST,
        AccountError::Db(_) | AccountError::Internal(_) => return None,
    })
}

/// Turns an account error into the form page with its message, or an internal error.
fn form_error<T: Template>(
    e: AccountError,
    page: impl FnOnce(String) -> T,
) -> Result<HttpResponse, AppError> {
    match form_status(&e) {
        Some(status) => render_status(status, &page(e.to_string())),
        None => Err(match e {
            AccountError::Db(d) => d.into(),
            other => AppError::Internal(other.into()),
        }),
    }
}

pub(crate) fn render_status<T: Template>(
    status: StatusCode,
    page: &T,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location))
        .finish()
}

/// Only local paths are followed after sign-in (no open redirects).
pub(crate) fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .map(str::to_owned)
}

#[derive(Template)]
#[template(path = "accounts/signup.html")]
struct SignupPage {
    layout: Layout,
    error: String,
    email: String,
    display_name: String,
    google_enabled: bool,
}

#[derive(Deserialize)]
struct SignupForm {
    email: String,
    password: String,
    #[serde(default)]
    display_name: String,
}

async fn signup_form(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    if visitor.user.is_some() {
        return Ok(see_other("/"));
    }
    crate::web::render(&SignupPage {
        layout: visitor
            .layout("Sign up — Kaiwa", "Create your Kaiwa account.")
            .canonical(state.url("/signup")),
        error: String::new(),
        email: String::new(),
        display_name: String::new(),
        google_enabled: state.settings.google.is_some(),
    })
}

async fn signup(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<SignupForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (email, display_name) = (form.email.clone(), form.display_name.clone());
    let input = SignUp {
        email: form.email,
        password: form.password,
        display_name: form.display_name,
    };
    let (ip, guest, base) = (
        visitor.ip.clone(),
        visitor.guest_id.clone(),
        state.settings.base_url.clone(),
    );
    let result = state
        .db(move |c| {
            Ok(accounts::sign_up(
                c,
                input,
                &ip,
                guest,
                &base,
                Utc::now().naive_utc(),
            ))
        })
        .await?;
    match result {
        Ok(email) => {
            flash(
                &req,
                "info",
                format!(
                    "We've sent a link to {email}. Open it to confirm your address and continue."
                ),
            );
            Ok(see_other("/verify-email"))
        }
        Err(e) => form_error(e, |error| SignupPage {
            layout: visitor.layout("Sign up — Kaiwa", "Create your Kaiwa account."),
            error,
            email,
            display_name,
            google_enabled: state.settings.google.is_some(),
        }),
    }
}

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginPage {
    layout: Layout,
    error: String,
    email: String,
    next: String,
    google_enabled: bool,
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
}

async fn login_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    let next = safe_next(query.next.as_deref()).unwrap_or_default();
    if visitor.user.is_some() {
        return Ok(see_other(if next.is_empty() { "/" } else { &next }));
    }
    crate::web::render(&LoginPage {
        layout: visitor
            .layout("Sign in — Kaiwa", "Sign in to Kaiwa.")
            .canonical(state.url("/login")),
        error: String::new(),
        email: String::new(),
        next,
        google_enabled: state.settings.google.is_some(),
    })
}

/// Signs `user_id` in on this browser: a new session (the old one ends), the guest's work
/// moved over, and the cookies set. Then a 303 to `next`.
pub(crate) async fn finish_sign_in(
    state: &web::Data<AppState>,
    visitor: &Visitor,
    user_id: String,
    next: String,
) -> Result<HttpResponse, AppError> {
    let (previous, guest, ua) = (
        visitor.auth_token.clone(),
        visitor.guest_id.clone(),
        visitor.user_agent.clone(),
    );
    let uid = user_id.clone();
    let (token, has_prefs) = state
        .db(move |c| {
            let now = Utc::now().naive_utc();
            let token =
                accounts::start_session(c, &uid, previous.as_deref(), guest.as_deref(), ua, now)
                    .map_err(|e| AppError::Internal(e.into()))?;
            let has_prefs = queries::preferences::find(c, &Owner::User(uid.clone()))?.is_some();
            Ok((token, has_prefs))
        })
        .await?;
    let secure = state.settings.secure_cookies();
    let target = if next.is_empty() {
        if has_prefs {
            "/".to_owned()
        } else {
            "/onboarding".to_owned()
        }
    } else {
        next
    };
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", target))
        .cookie(auth_cookie(token, secure))
        .cookie(removal(GUEST_COOKIE, secure))
        .finish())
}

async fn login(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let next = safe_next(Some(&form.next)).unwrap_or_default();
    let (email, password, ip, base) = (
        form.email.clone(),
        form.password,
        visitor.ip.clone(),
        state.settings.base_url.clone(),
    );
    let result = state
        .db(move |c| {
            Ok(accounts::sign_in(
                c,
                &email,
                &password,
                &ip,
                &base,
                Utc::now().naive_utc(),
            ))
        })
        .await?;
    match result {
        Ok(user) => finish_sign_in(&state, &visitor, user.id, next).await,
        Err(e) => form_error(e, |error| LoginPage {
            layout: visitor.layout("Sign in — Kaiwa", "Sign in to Kaiwa."),
            error,
            email: form.email,
            next,
            google_enabled: state.settings.google.is_some(),
        }),
    }
}

async fn logout(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, AppError> {
    if let Some(token) = visitor.auth_token.clone() {
        state
            .db(move |c| Ok(accounts::end_session(c, &token)?))
            .await?;
    }
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", "/"))
        .cookie(removal(AUTH_COOKIE, state.settings.secure_cookies()))
        .finish())
}

#[derive(Template)]
#[template(path = "accounts/verify.html")]
struct VerifyPage {
    layout: Layout,
    token: String,
    error: String,
    /// No SMTP server: say where the email went.
    mail_off: bool,
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

#[derive(Deserialize)]
struct TokenForm {
    token: String,
}

async fn verify_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let layout = visitor.layout("Confirm your email — Kaiwa", "Confirm your email address.");
    let Some(token) = query.into_inner().token else {
        return crate::web::render(&VerifyPage {
            mail_off: state.settings.smtp.is_none(),
            layout,
            token: String::new(),
            error: String::new(),
        });
    };
    let t = token.clone();
    let check = state
        .db(move |c| {
            Ok(accounts::check_link(
                c,
                &t,
                TokenPurpose::VerifyEmail,
                Utc::now().naive_utc(),
            ))
        })
        .await?;
    match check {
        Ok(()) => crate::web::render(&VerifyPage {
            mail_off: state.settings.smtp.is_none(),
            layout,
            token,
            error: String::new(),
        }),
        Err(e) => form_error(e, |error| VerifyPage {
            mail_off: state.settings.smtp.is_none(),
            layout,
            token: String::new(),
            error,
        }),
    }
}

async fn verify(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    let token = form.into_inner().token;
    let result = state
        .db(move |c| Ok(accounts::verify_email(c, &token, Utc::now().naive_utc())))
        .await?;
    match result {
        Ok(user) => {
            flash(&req, "info", "Your email is confirmed. Welcome to Kaiwa!");
            finish_sign_in(&state, &visitor, user.id, String::new()).await
        }
        Err(e) => form_error(e, |error| VerifyPage {
            mail_off: state.settings.smtp.is_none(),
            layout: visitor.layout("Confirm your email — Kaiwa", "Confirm your email address."),
            token: String::new(),
            error,
        }),
    }
}

#[derive(Template)]
#[template(path = "accounts/forgot.html")]
struct ForgotPage {
    layout: Layout,
    error: String,
    email: String,
}

#[derive(Deserialize)]
struct EmailForm {
    email: String,
}

async fn forgot_form(visitor: Visitor) -> Result<HttpResponse, AppError> {
    crate::web::render(&ForgotPage {
        layout: visitor.layout("Forgot your password — Kaiwa", "Reset your Kaiwa password."),
        error: String::new(),
        email: String::new(),
    })
}

async fn forgot(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, AppError> {
    let email = form.into_inner().email;
    let (e2, ip, base) = (
        email.clone(),
        visitor.ip.clone(),
        state.settings.base_url.clone(),
    );
    let result = state
        .db(move |c| {
            Ok(accounts::request_password_reset(
                c,
                &e2,
                &ip,
                &base,
                Utc::now().naive_utc(),
            ))
        })
        .await?;
    match result {
        Ok(()) => {
            flash(
                &req,
                "info",
                "If an account uses that address, we've sent it a link to choose a new password.",
            );
            Ok(see_other("/forgot-password"))
        }
        Err(e) => form_error(e, |error| ForgotPage {
            layout: visitor.layout("Forgot your password — Kaiwa", "Reset your Kaiwa password."),
            error,
            email,
        }),
    }
}

#[derive(Template)]
#[template(path = "accounts/reset.html")]
struct ResetPage {
    layout: Layout,
    token: String,
    error: String,
    link_ok: bool,
}

#[derive(Deserialize)]
struct ResetForm {
    token: String,
    password: String,
}

async fn reset_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let token = query.into_inner().token.unwrap_or_default();
    let t = token.clone();
    let check = state
        .db(move |c| {
            Ok(accounts::check_link(
                c,
                &t,
                TokenPurpose::ResetPassword,
                Utc::now().naive_utc(),
            ))
        })
        .await?;
    let layout = visitor.layout("Choose a new password — Kaiwa", "Choose a new password.");
    match check {
        Ok(()) => crate::web::render(&ResetPage {
            layout,
            token,
            error: String::new(),
            link_ok: true,
        }),
        Err(e) => form_error(e, |error| ResetPage {
            layout,
            token: String::new(),
            error,
            link_ok: false,
        }),
    }
}

async fn reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let token = form.token.clone();
    let result = state
        .db(move |c| {
            Ok(accounts::reset_password(
                c,
                &form.token,
                &form.password,
                Utc::now().naive_utc(),
            ))
        })
        .await?;
    match result {
        Ok(user) => {
            flash(
                &req,
                "info",
                "Your password is changed, and you're signed out everywhere else.",
            );
            finish_sign_in(&state, &visitor, user.id, String::new()).await
        }
        Err(e) => {
            let link_ok = !matches!(e, AccountError::LinkInvalid);
            form_error(e, |error| ResetPage {
                layout: visitor.layout("Choose a new password — Kaiwa", "Choose a new password."),
                token: if link_ok { token } else { String::new() },
                error,
                link_ok,
            })
        }
    }
}

/// The guest id for this browser, and the cookie to set when it is new.
pub(crate) fn ensure_guest(
    visitor: &Visitor,
    secure: bool,
) -> (String, Option<actix_web::cookie::Cookie<'static>>) {
    match &visitor.guest_id {
        Some(id) => (id.clone(), None),
        None => {
            let id = uuid::Uuid::now_v7().to_string();
            (id.clone(), Some(visitor::guest_cookie(id, secure)))
        }
    }
}
