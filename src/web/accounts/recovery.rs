//! `/forgot-password` and `/reset-password`.

use super::*;
use crate::app::accounts::recovery::{self, NewPassword};

#[derive(Template, WebTemplate)]
#[template(path = "accounts/forgot.html")]
pub(super) struct ForgotPage {
    layout: Layout,
    error: String,
    email: String,
}

impl ForgotPage {
    fn new(visitor: &Visitor, email: String, error: String) -> Self {
        Self {
            layout: visitor.layout("Forgot your password — Kaiwa", "Reset your Kaiwa password."),
            error,
            email,
        }
    }
}

#[derive(Deserialize)]
pub(super) struct EmailForm {
    email: String,
}

pub(super) async fn forgot_form(
    req: HttpRequest,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let page = ForgotPage::new(&visitor, String::new(), String::new());
    render(&req, page)
}

pub(super) async fn forgot(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, AppError> {
    let email = form.into_inner().email;
    match recovery::request_reset(&state.ctx, email.clone(), visitor.ip.clone()).await {
        Ok(()) => {
            let sent =
                "If an account uses that address, we've sent it a link to choose a new password.";
            flash(&req, "info", sent);
            Ok(see_other("/forgot-password"))
        }
        Err(e) => form_error(&req, e, |error| ForgotPage::new(&visitor, email, error)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/reset.html")]
pub(super) struct ResetPage {
    layout: Layout,
    token: String,
    error: String,
    link_ok: bool,
}

impl ResetPage {
    /// The form for `token`; with no token, the link did not work.
    fn new(visitor: &Visitor, token: String, error: String) -> Self {
        Self {
            layout: visitor.layout("Choose a new password — Kaiwa", "Choose a new password."),
            link_ok: !token.is_empty(),
            token,
            error,
        }
    }

    /// The form again after `e`, for `token`; a link that no longer works is not offered.
    fn again(
        req: &HttpRequest,
        visitor: &Visitor,
        token: String,
        e: AccountError,
    ) -> Result<HttpResponse, AppError> {
        let token = if matches!(e, AccountError::LinkInvalid) {
            String::new()
        } else {
            token
        };
        form_error(req, e, |error| Self::new(visitor, token, error))
    }
}

#[derive(Deserialize)]
pub(super) struct ResetForm {
    token: String,
    password: String,
}

impl From<ResetForm> for NewPassword {
    fn from(form: ResetForm) -> Self {
        Self {
            token: form.token,
            password: form.password,
        }
    }
}

pub(super) async fn reset_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let token = query.into_inner().token.unwrap_or_default();
    match recovery::reset_link(&state.ctx, token.clone()).await {
        Ok(()) => render(&req, ResetPage::new(&visitor, token, String::new())),
        Err(e) => ResetPage::again(&req, &visitor, String::new(), e),
    }
}

pub(super) async fn reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let token = form.token.clone();
    match recovery::reset(&state.ctx, form.into(), browser(&visitor)).await {
        Ok(signed) => {
            let changed = "Your password is changed, and you're signed out everywhere else.";
            flash(&req, "info", changed);
            Ok(signed_in(&state, signed, String::new()))
        }
        Err(e) => ResetPage::again(&req, &visitor, token, e),
    }
}
