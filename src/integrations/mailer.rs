//! SMTP delivery of the outbox (lettre). A background loop sends due emails, retrying
//! failures with exponential backoff; after `MAX_ATTEMPTS` an email is marked failed with its
//! error kept. No database transaction is held while talking to the SMTP server.

use std::time::Duration;

use chrono::Utc;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::SmtpSettings;
use crate::db::models::OutboxEmail;
use crate::db::{queries, DbPool};

const MAX_ATTEMPTS: i32 = 6;

/// Seconds to wait before retry number `attempt` (1-based): 30 s, 1 min, 2 min, … capped at 1 h.
pub fn backoff_seconds(attempt: i32) -> i64 {
    (30_i64 << (attempt.clamp(1, 12) - 1)).min(3600)
}

/// Sends due emails every few seconds until the process stops.
pub async fn run(pool: DbPool, settings: SmtpSettings) {
    let transport = match AsyncSmtpTransport::<Tokio1Executor>::from_url(settings.url.expose()) {
        Ok(builder) => builder.timeout(Some(Duration::from_secs(20))).build(),
        Err(e) => {
            tracing::error!(error = %e, "KAIWA_SMTP_URL cannot be used; emails stay in the outbox");
            return;
        }
    };
    let from: Mailbox = match settings.from.parse() {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "KAIWA_MAIL_FROM is not an address; emails stay in the outbox");
            return;
        }
    };
    loop {
        if let Err(e) = deliver_due(&pool, &transport, &from).await {
            tracing::warn!(error = %e, "delivering the outbox failed");
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// One pass: sends every email due now; returns how many were sent.
pub async fn deliver_due(
    pool: &DbPool,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
) -> anyhow::Result<usize> {
    let due = {
        let pool = pool.clone();
        tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<OutboxEmail>> {
            let mut conn = pool.get()?;
            Ok(queries::outbox::list_due(
                &mut conn,
                Utc::now().naive_utc(),
                20,
            )?)
        })
        .await??
    };
    let mut sent = 0;
    for email in due {
        let result = match build(&email, from) {
            Ok(message) => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        let pool = pool.clone();
        let ok = result.is_ok();
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let mut conn = pool.get()?;
            let now = Utc::now().naive_utc();
            match result {
                Ok(()) => queries::outbox::mark_sent(&mut conn, &email.id, now)?,
                Err(error) => {
                    let attempt = email.attempts + 1;
                    let retry = (attempt < MAX_ATTEMPTS).then(|| now + chrono::Duration::seconds(backoff_seconds(attempt)));
                    tracing::warn!(email_id = %email.id, attempt, %error, "sending an email failed");
                    queries::outbox::mark_attempt_failed(&mut conn, &email.id, &error, retry)?;
                }
            }
            Ok(())
        })
        .await??;
        sent += usize::from(ok);
    }
    Ok(sent)
}

fn build(email: &OutboxEmail, from: &Mailbox) -> Result<Message, String> {
    let to: Mailbox = email
        .to_address
        .parse()
        .map_err(|e| format!("bad recipient: {e}"))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(email.subject.clone())
        .body(email.body_text.clone())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(super::backoff_seconds(1), 30);
        assert_eq!(super::backoff_seconds(2), 60);
        assert_eq!(super::backoff_seconds(3), 120);
        assert_eq!(super::backoff_seconds(12), 3600);
    }
}
