//! `/signup` and `/verify-email`: creating an account and confirming its address.

use super::*;
use crate::app::accounts::{signup, SignUp};

#[derive(Template, WebTemplate)]
#[template(path = "accounts/signup.html")]
pub(super) struct SignupPage {
    layout: Layout,
    error: String,
    email: String,
    display_name: String,
    google_enabled: bool,
}

impl SignupPage {
    fn new(state: &AppState, layout: Layout, form: SignupForm, error: String) -> Self {
        Self {
            layout,
            error,
            email: form.email,
            display_name: form.display_name,
            google_enabled: state.settings.google.is_some(),
        }
    }
}

#[derive(Deserialize, Clone, Default)]
pub(super) struct SignupForm {
    email: String,
    password: String,
    #[serde(default)]
    display_name: String,
    /// The browser's IANA time zone (a hidden field filled by `static/js/time_zone.js`).
    #[serde(default)]
    time_zone: String,
}

impl From<SignupForm> for SignUp {
    fn from(form: SignupForm) -> Self {
        Self {
            email: form.email,
            password: form.password,
            display_name: form.display_name,
            time_zone: form.time_zone,
        }
    }
}

fn signup_layout(visitor: &Visitor) -> Layout {
    visitor.layout("Sign up — Kaiwa", "Create your Kaiwa account.")
}

pub(super) async fn signup_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    if visitor.user.is_some() {
        return Ok(see_other("/"));
    }
    let layout = signup_layout(&visitor).canonical(state.url("/signup"));
    render(
        &req,
        SignupPage::new(&state, layout, SignupForm::default(), String::new()),
    )
}

pub(super) async fn signup(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<SignupForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    match signup::register(&state.ctx, form.clone().into(), browser(&visitor)).await {
        Ok(email) => {
            let sent = format!(
                "We've sent a link to {email}. Open it to confirm your address and continue."
            );
            flash(&req, "info", sent);
            Ok(see_other("/verify-email"))
        }
        Err(e) => form_error(&req, e, |error| {
            SignupPage::new(&state, signup_layout(&visitor), form, error)
        }),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/verify.html")]
pub(super) struct VerifyPage {
    layout: Layout,
    token: String,
    error: String,
    /// No SMTP server: say where the email went.
    mail_off: bool,
}

impl VerifyPage {
    fn new(state: &AppState, visitor: &Visitor, token: String, error: String) -> Self {
        Self {
            layout: visitor.layout("Confirm your email — Kaiwa", "Confirm your email address."),
            token,
            error,
            mail_off: state.settings.smtp.is_none(),
        }
    }
}

pub(super) async fn verify_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let page = |token, error| VerifyPage::new(&state, &visitor, token, error);
    let Some(token) = query.into_inner().token else {
        return render(&req, page(String::new(), String::new()));
    };
    match signup::verification_link(&state.ctx, token.clone()).await {
        Ok(()) => render(&req, page(token, String::new())),
        Err(e) => form_error(&req, e, |error| page(String::new(), error)),
    }
}

pub(super) async fn verify(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    match signup::verify(&state.ctx, form.into_inner().token, browser(&visitor)).await {
        Ok(signed) => {
            flash(&req, "info", "Your email is confirmed. Welcome to Kaiwa!");
            let back = crate::web::visitor::take_return(&req);
            let next = safe_next(back.as_deref()).unwrap_or_default();
            Ok(signed_in(&state, signed, next))
        }
        Err(e) => form_error(&req, e, |error| {
            VerifyPage::new(&state, &visitor, String::new(), error)
        }),
    }
}
