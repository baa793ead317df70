//! Accounts: sign-up, email verification, sign-in, sessions, password reset, Google
//! sign-in, profile, email change, deletion and data export, one module per sub-flow.
//!
//! Each sub-flow has async use cases taking the [`Ctx`] (`signup::register`,
//! `sessions::log_in`, `recovery::reset`, `google::finish`, `profile::update`,
//! `export::document`...): they read the time from the clock, own their transactions, never
//! hold one across a network call (the Google code exchange), and wake the job workers when
//! they queue an email. They call the synchronous services below, which take a connection
//! and `now` and are re-exported here (`sign_up`, `start_session`, `resolve_session`...).
//! Nothing here sees HTTP. Errors are [`AccountError`], phrased so the web layer can show
//! them as they are, and never revealing whether an email is registered; database failures
//! are [`DbError`].

pub mod cleanup;
pub mod device;
pub mod export;
pub mod google;
pub mod password;
pub mod profile;
pub mod recovery;
pub mod sessions;
pub mod signup;
pub mod throttle;
pub mod time_zone;
pub mod tokens;

pub use google::{google_sign_in, GoogleIdentity};
pub use profile::{
    confirm_email_change, delete_account, request_email_change, update_profile, Profile,
};
pub use recovery::{request_password_reset, reset_password};
pub use sessions::{
    end_all_sessions, end_session, resolve_session, sign_in, start_session, Browser, SignedIn,
};
pub use signup::{check_link, sign_up, verify_email};

use chrono::{Duration, NaiveDateTime};

use crate::app::{mail, Ctx, DbError};
use crate::db::conn::write_transaction;
use crate::db::models::{AuthToken, NewSession, NewUser, Session, User, UserChanges};
use crate::db::queries::{self, preferences::Owner};
use crate::db::types::TokenPurpose;
use crate::db::{new_id, DbConn};
use throttle::Rule;

/// How long a login session lasts.
pub const SESSION_LIFETIME: Duration = Duration::days(30);
const VERIFY_LINK_LIFETIME: Duration = Duration::hours(24);
const RESET_LINK_LIFETIME: Duration = Duration::hours(1);

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("Enter a valid email address.")]
    InvalidEmail,
    #[error("{0}")]
    WeakPassword(String),
    #[error("That email and password don't match an account.")]
    InvalidCredentials,
    #[error("Please confirm your email address first: we've sent you a new link.")]
    Unverified,
    #[error("Too many attempts. Please wait {minutes} minutes and try again.")]
    Throttled { minutes: i64 },
    #[error("This link has expired or has already been used. Please ask for a new one.")]
    LinkInvalid,
    #[error("{0}")]
    Invalid(String),
    #[error("That Google account's email isn't verified; sign in with your password instead.")]
    GoogleEmailUnverified,
    /// No Google client is configured: the Google routes do not exist.
    #[error("Google sign-in is not set up.")]
    GoogleOff,
    #[error("Google sign-in was cancelled.")]
    GoogleCancelled,
    /// The callback did not match the sign-in it should finish, or Google refused the code.
    #[error("Signing in with Google didn't work. Please try again.")]
    GoogleFailed,
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for AccountError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(e.into())
    }
}

/// Lower-cases and checks an email address: one `@`, a dot in the domain, no spaces.
pub fn normalize_email(raw: &str) -> Result<String, AccountError> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if valid {
        Ok(email)
    } else {
        Err(AccountError::InvalidEmail)
    }
}

/// Counts a hit against `rule` and refuses once it is over.
fn throttle(
    conn: &mut DbConn,
    key: &str,
    rule: Rule,
    now: NaiveDateTime,
) -> Result<(), AccountError> {
    let (hits, since) = queries::rate_limits::hit(conn, key, rule.window, now)?;
    if hits > rule.max {
        return Err(AccountError::Throttled {
            minutes: throttle::minutes_left(rule, now - since),
        });
    }
    Ok(())
}

/// Counts a request that sends an email (sign-up, reset) against the IP and the address.
fn throttle_email_requests(
    conn: &mut DbConn,
    ip: &str,
    email: &str,
    now: NaiveDateTime,
) -> Result<(), AccountError> {
    throttle(
        conn,
        &throttle::ip_key("email", ip),
        throttle::EMAIL_REQUESTS_PER_IP,
        now,
    )?;
    throttle(
        conn,
        &throttle::account_key("email", email),
        throttle::EMAIL_REQUESTS_PER_ACCOUNT,
        now,
    )
}

/// Refuses when `key` is already at its limit, without counting.
fn check_throttle(
    conn: &mut DbConn,
    key: &str,
    rule: Rule,
    now: NaiveDateTime,
) -> Result<(), AccountError> {
    let (hits, since) = queries::rate_limits::count(conn, key, rule.window, now)?;
    if hits >= rule.max {
        return Err(AccountError::Throttled {
            minutes: throttle::minutes_left(rule, now - since),
        });
    }
    Ok(())
}

/// What a sign-up form carries.
pub struct SignUp {
    pub email: String,
    pub password: String,
    pub display_name: String,
    /// The browser's IANA zone (a hidden field); anything unknown is stored as UTC.
    pub time_zone: String,
}

fn clean_display_name(raw: &str) -> Result<Option<String>, AccountError> {
    let name = raw.trim();
    if name.chars().count() > 80 {
        return Err(AccountError::Invalid(
            "Keep your name under 80 characters.".into(),
        ));
    }
    Ok((!name.is_empty()).then(|| name.to_owned()))
}

/// Issues a fresh email-verification link for `user_id` and queues the email with it.
fn queue_verification(
    conn: &mut DbConn,
    user_id: &str,
    email: &str,
    guest_id: Option<String>,
    base_url: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<()> {
    let token = issue_token(
        conn,
        user_id,
        TokenPurpose::VerifyEmail,
        VERIFY_LINK_LIFETIME,
        None,
        guest_id,
        now,
    )?;
    mail::queue(
        conn,
        mail::verify_email(
            email,
            user_id,
            &format!("{base_url}/verify-email?token={token}"),
        ),
        now,
    )
}

fn issue_token(
    conn: &mut DbConn,
    user_id: &str,
    purpose: TokenPurpose,
    lifetime: Duration,
    new_email: Option<String>,
    guest_id: Option<String>,
    now: NaiveDateTime,
) -> diesel::QueryResult<String> {
    queries::tokens::retire_for_user(conn, user_id, purpose, now)?;
    let (token, hash) = tokens::generate();
    queries::tokens::insert(
        conn,
        &AuthToken {
            id: hash,
            user_id: user_id.to_owned(),
            purpose,
            new_email,
            guest_id,
            expires_at: now + lifetime,
            used_at: None,
            created_at: now,
        },
    )?;
    Ok(token)
}

/// The preferences owner for a signed-in user or a guest.
pub fn owner(user: Option<&User>, guest_id: Option<&str>) -> Option<Owner> {
    match (user, guest_id) {
        (Some(u), _) => Some(Owner::User(u.id.clone())),
        (None, Some(g)) => Some(Owner::Guest(g.to_owned())),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(
            normalize_email("  Aiko@Example.COM ").unwrap(),
            "aiko@example.com"
        );
        for bad in [
            "",
            "aiko",
            "aiko@",
            "@example.com",
            "a b@example.com",
            "a@b@c.com",
            "a@example",
            "a@.com",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
    }
}
