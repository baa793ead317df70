//! `/forgot-password` and `/reset-password`.

use super::*;

#[derive(Template)]
#[template(path = "accounts/forgot.html")]
pub(super) struct ForgotPage {
    layout: Layout,
    error: String,
    email: String,
}

#[derive(Deserialize)]
pub(super) struct EmailForm {
    email: String,
}

pub(super) async fn forgot_form(visitor: Visitor) -> Result<HttpResponse, AppError> {
    crate::web::render(&ForgotPage {
        layout: visitor.layout("Forgot your password — Kaiwa", "Reset your Kaiwa password."),
        error: String::new(),
        email: String::new(),
    })
}

pub(super) async fn forgot(
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
pub(super) struct ResetPage {
    layout: Layout,
    token: String,
    error: String,
    link_ok: bool,
}

#[derive(Deserialize)]
pub(super) struct ResetForm {
    token: String,
    password: String,
}

pub(super) async fn reset_form(
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

pub(super) async fn reset(
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
