//! Emails the app sends, composed as plain text and queued in the outbox in the caller's
//! transaction. Delivery (SMTP, when configured) happens later in `integrations::mailer`;
//! with no SMTP server the outbox keeps them for admins to read.

use chrono::NaiveDateTime;

use crate::db::models::NewOutboxEmail;
use crate::db::types::OutboxStatus;
use crate::db::{new_id, queries, DbConn};

/// An email to queue.
pub struct Email {
    pub to: String,
    pub user_id: Option<String>,
    pub subject: String,
    pub body: String,
}

/// Puts `email` in the outbox, due now.
pub fn queue(conn: &mut DbConn, email: Email, now: NaiveDateTime) -> diesel::QueryResult<()> {
    queries::outbox::insert(
        conn,
        &NewOutboxEmail {
            id: new_id(),
            user_id: email.user_id,
            to_address: email.to,
            subject: email.subject,
            body_text: email.body,
            status: OutboxStatus::Queued,
            next_attempt_at: Some(now),
            created_at: now,
        },
    )
}

pub fn verify_email(to: &str, user_id: &str, link: &str) -> Email {
    Email {
        to: to.to_owned(),
        user_id: Some(user_id.to_owned()),
        subject: "Confirm your email for Kaiwa".into(),
        body: format!(
            "Welcome to Kaiwa!\n\nConfirm your email address to finish signing up:\n\n{link}\n\n\
             The link works once and expires in 24 hours. If you didn't sign up, ignore this email.\n"
        ),
    }
}

pub fn already_registered(to: &str, user_id: &str, login: &str, reset: &str) -> Email {
    Email {
        to: to.to_owned(),
        user_id: Some(user_id.to_owned()),
        subject: "You already have a Kaiwa account".into(),
        body: format!(
            "Someone (hopefully you) tried to sign up for Kaiwa with this address, which already has \
             an account.\n\nSign in: {login}\nForgot your password? {reset}\n\n\
             If it wasn't you, you can ignore this email.\n"
        ),
    }
}

pub fn reset_password(to: &str, user_id: &str, link: &str) -> Email {
    Email {
        to: to.to_owned(),
        user_id: Some(user_id.to_owned()),
        subject: "Reset your Kaiwa password".into(),
        body: format!(
            "Choose a new password for Kaiwa:\n\n{link}\n\n\
             The link works once and expires in 1 hour. If you didn't ask for it, ignore this email;\n\
             your password stays as it is.\n"
        ),
    }
}

pub fn change_email(to: &str, user_id: &str, link: &str) -> Email {
    Email {
        to: to.to_owned(),
        user_id: Some(user_id.to_owned()),
        subject: "Confirm your new email for Kaiwa".into(),
        body: format!(
            "Confirm that this is your new email address for Kaiwa:\n\n{link}\n\n\
             The link works once and expires in 24 hours.\n"
        ),
    }
}
