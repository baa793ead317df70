//! `/invitations/{token}`: the page a tester's emailed link opens (sign in or sign up with
//! the invited address, then accept), and a tester's feedback on a day of the course.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use crate::app::courses::testers::{self, Invitation};
use crate::db::types::InvitationStatus;
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::{flash, Visitor};

use crate::web::{see_other, AppState};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/invitations/{token}", web::get().to(show))
        .route("/invitations/{token}", web::post().to(accept))
        .route("/paths/{id}/days/{n}/feedback", web::post().to(feedback));
}

#[derive(Template, WebTemplate)]
#[template(path = "courses/invitations/show.html")]
struct InvitationPage {
    layout: Layout,
    token: String,
    invitation: Invitation,
    signed_in: bool,
    /// The signed-in account has the invited address.
    theirs: bool,
    accepted: bool,
    /// Where signing in comes back to.
    next: String,
}

async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
) -> Result<InvitationPage, AppError> {
    let token = token.into_inner();
    let invitation = testers::invitation(&state.ctx, token.clone()).await?;
    let email = visitor.user.as_ref().map(|u| u.email.as_str());
    if email.is_none() {
        // why: a tester new to Kaiwa signs up first; confirming the address brings them back.
        crate::web::visitor::return_after_sign_up(&req, req.path());
    }
    Ok(InvitationPage {
        layout: visitor.layout("Invitation to test a course — Kaiwa", "Test a course."),
        next: url::form_urlencoded::byte_serialize(req.path().as_bytes()).collect(),
        theirs: email == Some(invitation.email.as_str()),
        accepted: invitation.status == InvitationStatus::Accepted,
        signed_in: visitor.user.is_some(),
        token,
        invitation,
    })
}

async fn accept(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user(req.path())?.clone();
    let path_id = testers::accept(&state.ctx, user, token.into_inner()).await?;
    flash(&req, "info", "You are testing this course: day 1 is today.");
    Ok(see_other(&format!("/paths/{path_id}")))
}

#[derive(Deserialize)]
struct FeedbackForm {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

async fn feedback(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, u8)>,
    form: web::Form<FeedbackForm>,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user(req.path())?.clone();
    let (id, day) = path.into_inner();
    let FeedbackForm { rating, comment } = form.into_inner();
    testers::leave_feedback(&state.ctx, user, id.clone(), day, rating, comment).await?;
    flash(
        &req,
        "info",
        format!("Thanks: your feedback on day {day} is sent to the creator."),
    );
    Ok(see_other(&format!("/paths/{id}#day-{day}")))
}
