//! `/signup` and `/verify-email`: creating an account and confirming its address.

use super::*;

#[derive(Template)]
#[template(path = "accounts/signup.html")]
pub(super) struct SignupPage {
    layout: Layout,
    error: String,
    email: String,
    display_name: String,
    google_enabled: bool,
}

#[derive(Deserialize)]
pub(super) struct SignupForm {
    email: String,
    password: String,
    #[serde(default)]
    display_name: String,
}

pub(super) async fn signup_form(
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

pub(super) async fn signup(
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
#[template(path = "accounts/verify.html")]
pub(super) struct VerifyPage {
    layout: Layout,
    token: String,
    error: String,
    /// No SMTP server: say where the email went.
    mail_off: bool,
}

#[derive(Deserialize)]
pub(super) struct TokenForm {
    token: String,
}

pub(super) async fn verify_form(
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

pub(super) async fn verify(
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
