//! Emails the app sends, composed as plain text and queued in the outbox in the caller's
//! transaction, together with a [`DeliverEmail`] job. The job delivers through SMTP when one
//! is configured (`integrations::mail`); with no SMTP server the outbox keeps the email for
//! admins to read.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::app::ids::EmailId;
use crate::app::jobs::{enqueue, Job};
use crate::app::{Ctx, DbError};
use crate::db::models::NewOutboxEmail;
use crate::db::types::OutboxStatus;
use crate::db::{new_id, queries, DbConn};

/// The job that delivers one outbox email.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliverEmail {
    pub email_id: EmailId,
}

impl Job for DeliverEmail {
    const KIND: &'static str = "deliver_email";
    const MAX_ATTEMPTS: i32 = 6;
    const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

    fn dedupe_key(&self) -> Option<String> {
        Some(format!("deliver_email:{}", self.email_id))
    }
}

/// What delivering an email came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// Already sent (a repeated job), or gone with its account.
    NothingToDo,
    /// No SMTP server: the email stays in the outbox for admins.
    KeptInOutbox,
}

/// Why a delivery failed.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the SMTP server refused the email: {0}")]
    Refused(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for MailError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(e.into())
    }
}

/// Sends outbox email `email_id` once: records it sent, or records the failure (the outbox
/// row says failed when `last_attempt`). Safe to repeat: a sent email is not sent again.
/// No transaction is open while the SMTP server is talked to.
pub async fn deliver(ctx: &Ctx, email_id: &str, last_attempt: bool) -> Result<Delivery, MailError> {
    let Some(smtp) = ctx.mail.clone() else {
        return Ok(Delivery::KeptInOutbox);
    };
    let id = email_id.to_owned();
    let email = ctx.db.read(move |c| queries::mail::find(c, &id)).await?;
    let Some(email) = email.filter(|e| e.status == OutboxStatus::Queued) else {
        return Ok(Delivery::NothingToDo);
    };
    let result = smtp
        .send(
            &email.to_address,
            &email.subject,
            &email.body_text,
            email.list_unsubscribe.as_deref(),
        )
        .await;
    let now = ctx.clock.naive();
    let id = email.id.clone();
    match result {
        Ok(()) => {
            ctx.db
                .write(move |c| -> Result<(), MailError> {
                    Ok(queries::mail::mark_sent(c, &id, now)?)
                })
                .await?;
            Ok(Delivery::Sent)
        }
        Err(error) => {
            let text = error.clone();
            // why: the job retries with its own backoff; the outbox row shows the latest error
            // and, after the last attempt, that it failed for good.
            let retry_at = (!last_attempt).then_some(now);
            ctx.db
                .write(move |c| -> Result<(), MailError> {
                    Ok(queries::mail::mark_attempt_failed(c, &id, &text, retry_at)?)
                })
                .await?;
            Err(MailError::Refused(error))
        }
    }
}

/// An email to queue.
pub struct Email {
    pub to: String,
    pub user_id: Option<String>,
    pub subject: String,
    pub body: String,
    /// A one-click unsubscribe URL, sent as `List-Unsubscribe` with
    /// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
    pub list_unsubscribe: Option<String>,
}

/// Puts `email` in the outbox, due now, and queues its delivery.
pub fn queue(conn: &mut DbConn, email: Email, now: NaiveDateTime) -> diesel::QueryResult<()> {
    let id = new_id();
    queries::mail::insert(
        conn,
        &NewOutboxEmail {
            id: id.clone(),
            user_id: email.user_id,
            to_address: email.to,
            subject: email.subject,
            body_text: email.body,
            status: OutboxStatus::Queued,
            next_attempt_at: Some(now),
            created_at: now,
            list_unsubscribe: email.list_unsubscribe,
        },
    )?;
    enqueue(
        conn,
        &DeliverEmail {
            email_id: id.into(),
        },
        now,
    )
    .map(|_| ())
}

pub fn verify_email(to: &str, user_id: &str, link: &str) -> Email {
    Email {
        list_unsubscribe: None,
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
        list_unsubscribe: None,
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
        list_unsubscribe: None,
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
        list_unsubscribe: None,
        to: to.to_owned(),
        user_id: Some(user_id.to_owned()),
        subject: "Confirm your new email for Kaiwa".into(),
        body: format!(
            "Confirm that this is your new email address for Kaiwa:\n\n{link}\n\n\
             The link works once and expires in 24 hours.\n"
        ),
    }
}
