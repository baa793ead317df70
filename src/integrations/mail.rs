//! SMTP delivery (lettre): one transport built from the settings at start-up, sending one
//! message at a time. Retries, backoff and the outbox's state belong to the caller
//! (`app::mail::deliver`, run as a job); nothing here touches the database.

use std::time::Duration;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::SmtpSettings;

/// A configured SMTP server and sender.
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Smtp {
    /// Builds the transport; an unusable URL or sender is a start-up error naming the variable.
    pub fn new(settings: &SmtpSettings) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(settings.url.expose())
            .map_err(|e| anyhow::anyhow!("KAIWA_SMTP_URL cannot be used: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = settings
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("KAIWA_MAIL_FROM is not an address: {e}"))?;
        Ok(Self { transport, from })
    }

    /// Sends one plain-text email, with one-click unsubscribe headers (RFC 8058) when
    /// `list_unsubscribe` is a URL; the error says why the server refused it.
    pub async fn send(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        list_unsubscribe: Option<&str>,
    ) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("bad recipient: {e}"))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject);
        if let Some(url) = list_unsubscribe {
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        let message = builder.body(body.to_owned()).map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
