//! `/login` and `/logout`.

use super::*;
use crate::app::accounts::sessions::{self, Credentials};

#[derive(Template, WebTemplate)]
#[template(path = "accounts/login.html")]
pub(super) struct LoginPage {
    layout: Layout,
    error: String,
    email: String,
    next: String,
    google_enabled: bool,
}

impl LoginPage {
    fn new(state: &AppState, layout: Layout, email: String, next: String, error: String) -> Self {
        Self {
            layout,
            error,
            email,
            next,
            google_enabled: state.settings.google.is_some(),
        }
    }
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

impl From<LoginForm> for Credentials {
    fn from(form: LoginForm) -> Self {
        Self {
            email: form.email,
            password: form.password,
        }
    }
}

fn layout(visitor: &Visitor) -> Layout {
    visitor.layout("Sign in — Kaiwa", "Sign in to Kaiwa.")
}

pub(super) async fn login_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    let next = safe_next(query.next.as_deref()).unwrap_or_default();
    if visitor.user.is_some() {
        return Ok(see_other(if next.is_empty() { "/" } else { &next }));
    }
    let layout = layout(&visitor).canonical(state.url("/login"));
    render(
        &req,
        LoginPage::new(&state, layout, String::new(), next, String::new()),
    )
}

pub(super) async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (email, next) = (
        form.email.clone(),
        safe_next(Some(&form.next)).unwrap_or_default(),
    );
    match sessions::log_in(&state.ctx, form.into(), browser(&visitor)).await {
        Ok(signed) => Ok(signed_in(&state, signed, next)),
        Err(e) => form_error(&req, e, |error| {
            LoginPage::new(&state, layout(&visitor), email, next, error)
        }),
    }
}

pub(super) async fn logout(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    sessions::log_out(&state.ctx, visitor.auth_token.clone()).await?;
    Ok(signed_out(&state, "/"))
}
