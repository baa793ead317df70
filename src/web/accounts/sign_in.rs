//! `/login` and `/logout`, and signing a browser in after any successful check.

use super::*;

#[derive(Template)]
#[template(path = "accounts/login.html")]
pub(super) struct LoginPage {
    layout: Layout,
    error: String,
    email: String,
    next: String,
    google_enabled: bool,
}

#[derive(Deserialize)]
pub(super) struct LoginQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
}

pub(super) async fn login_form(
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

pub(super) async fn login(
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

pub(super) async fn logout(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
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
