//! Accounts: sign-up, email verification, sign-in, sessions, password reset, Google
//! sign-in, profile, email change, deletion and data export. Services own their
//! transactions and rules; they never see HTTP. Errors are [`AccountError`], phrased so the
//! web layer can show them as they are, and never revealing whether an email is registered.

pub mod export;
pub mod password;
pub mod throttle;
pub mod tokens;

use chrono::{Duration, NaiveDateTime};

use crate::app::mail;
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
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
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

/// Registers an account and emails a verification link; for an address that already has an
/// account it emails a reminder instead. Both answer the same to the caller.
pub fn sign_up(
    conn: &mut DbConn,
    input: SignUp,
    ip: &str,
    guest_id: Option<String>,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<String, AccountError> {
    let email = normalize_email(&input.email)?;
    password::check_new(&input.password, &email).map_err(AccountError::WeakPassword)?;
    let display_name = clean_display_name(&input.display_name)?;
    throttle_email_requests(conn, ip, &email, now)?;
    // why: hash before the transaction; argon2 takes tens of milliseconds.
    let hash = password::hash(&input.password)?;
    write_transaction(conn, |conn| {
        if let Some(existing) = queries::users::find_by_email(conn, &email)? {
            let reminder = mail::already_registered(
                &email,
                &existing.id,
                &format!("{base_url}/login"),
                &format!("{base_url}/forgot-password"),
            );
            mail::queue(conn, reminder, now)?;
            return Ok(email.clone());
        }
        let user = NewUser {
            id: new_id(),
            email: email.clone(),
            email_verified_at: None,
            password_hash: Some(hash),
            google_id: None,
            display_name,
            username: None,
            avatar_url: None,
            stripe_customer_id: None,
            native_language_id: None,
            preferred_ui_language_id: None,
            is_admin: false,
            last_login_at: None,
            created_at: now,
            updated_at: now,
        };
        queries::users::insert(conn, &user)?;
        let token = issue_token(
            conn,
            &user.id,
            TokenPurpose::VerifyEmail,
            VERIFY_LINK_LIFETIME,
            None,
            guest_id,
            now,
        )?;
        mail::queue(
            conn,
            mail::verify_email(
                &email,
                &user.id,
                &format!("{base_url}/verify-email?token={token}"),
            ),
            now,
        )?;
        Ok(email.clone())
    })
}

/// Finds a usable token: known, of this purpose, unused and unexpired.
fn usable_token(
    conn: &mut DbConn,
    token: &str,
    purpose: TokenPurpose,
    now: NaiveDateTime,
) -> Result<AuthToken, AccountError> {
    match queries::tokens::find(conn, &tokens::digest(token), purpose)? {
        Some(t) if t.used_at.is_none() && t.expires_at > now => Ok(t),
        _ => Err(AccountError::LinkInvalid),
    }
}

/// Checks a link without using it (to show its form).
pub fn check_link(
    conn: &mut DbConn,
    token: &str,
    purpose: TokenPurpose,
    now: NaiveDateTime,
) -> Result<(), AccountError> {
    usable_token(conn, token, purpose, now).map(|_| ())
}

/// Uses a verification link: marks the email verified and moves the guest work recorded at
/// sign-up to the account. Returns the user, to be signed in.
pub fn verify_email(
    conn: &mut DbConn,
    token: &str,
    now: NaiveDateTime,
) -> Result<User, AccountError> {
    write_transaction(conn, |conn| {
        let t = usable_token(conn, token, TokenPurpose::VerifyEmail, now)?;
        if !queries::tokens::mark_used(conn, &t.id, now)? {
            return Err(AccountError::LinkInvalid);
        }
        let changes = UserChanges {
            email_verified_at: Some(Some(now)),
            ..Default::default()
        };
        queries::users::update(conn, &t.user_id, changes, now)?;
        if let Some(guest) = &t.guest_id {
            queries::preferences::move_guest_to_user(conn, guest, &t.user_id, now)?;
        }
        queries::users::find(conn, &t.user_id)?.ok_or(AccountError::LinkInvalid)
    })
}

/// Checks an email and password. Wrong passwords count against the account; every
/// attempt counts against the IP; an unverified account gets a fresh link by email.
pub fn sign_in(
    conn: &mut DbConn,
    raw_email: &str,
    password: &str,
    ip: &str,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<User, AccountError> {
    let email = normalize_email(raw_email).map_err(|_| AccountError::InvalidCredentials)?;
    let account_key = throttle::account_key("login", &email);
    throttle(
        conn,
        &throttle::ip_key("login", ip),
        throttle::LOGIN_PER_IP,
        now,
    )?;
    check_throttle(conn, &account_key, throttle::LOGIN_PER_ACCOUNT, now)?;
    let user = queries::users::find_by_email(conn, &email)?;
    let matches = match user.as_ref().and_then(|u| u.password_hash.as_deref()) {
        Some(stored) => password::verify(password, stored),
        None => {
            password::verify_nothing(password);
            false
        }
    };
    let user = match (user, matches) {
        (Some(user), true) => user,
        _ => {
            queries::rate_limits::hit(conn, &account_key, throttle::LOGIN_PER_ACCOUNT.window, now)?;
            return Err(AccountError::InvalidCredentials);
        }
    };
    queries::rate_limits::clear(conn, &account_key)?;
    if user.email_verified_at.is_none() {
        throttle(
            conn,
            &throttle::account_key("email", &email),
            throttle::EMAIL_REQUESTS_PER_ACCOUNT,
            now,
        )?;
        write_transaction(conn, |conn| {
            let token = issue_token(
                conn,
                &user.id,
                TokenPurpose::VerifyEmail,
                VERIFY_LINK_LIFETIME,
                None,
                None,
                now,
            )?;
            mail::queue(
                conn,
                mail::verify_email(
                    &email,
                    &user.id,
                    &format!("{base_url}/verify-email?token={token}"),
                ),
                now,
            )
        })?;
        return Err(AccountError::Unverified);
    }
    Ok(user)
}

/// Starts a login session for `user_id` and returns the cookie token. The previous
/// session of this browser (if any) ends, so the id rotates at every sign-in; the guest's
/// work moves to the account; expired sessions of everyone are cleaned up.
pub fn start_session(
    conn: &mut DbConn,
    user_id: &str,
    previous_token: Option<&str>,
    guest_id: Option<&str>,
    user_agent: Option<String>,
    now: NaiveDateTime,
) -> Result<String, AccountError> {
    let (token, hash) = tokens::generate();
    write_transaction(conn, |conn| {
        if let Some(previous) = previous_token {
            queries::sessions::delete(conn, &tokens::digest(previous))?;
        }
        queries::sessions::delete_expired(conn, now)?;
        queries::sessions::insert(
            conn,
            &NewSession {
                id: hash.clone(),
                user_id: user_id.to_owned(),
                expires_at: now + SESSION_LIFETIME,
                user_agent: user_agent.map(|ua| ua.chars().take(300).collect()),
                created_at: now,
                updated_at: now,
            },
        )?;
        if let Some(guest) = guest_id {
            queries::preferences::move_guest_to_user(conn, guest, user_id, now)?;
        }
        let changes = UserChanges {
            last_login_at: Some(Some(now)),
            ..Default::default()
        };
        queries::users::update(conn, user_id, changes, now)?;
        Ok::<_, AccountError>(())
    })?;
    Ok(token)
}

/// The signed-in user behind a cookie token; an expired session is deleted and refused.
pub fn resolve_session(
    conn: &mut DbConn,
    token: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<Option<(Session, User)>> {
    let id = tokens::digest(token);
    let found = queries::sessions::find_live_with_user(conn, &id, now)?;
    if found.is_none() {
        queries::sessions::delete(conn, &id)?;
    }
    Ok(found)
}

/// Ends the session behind a cookie token.
pub fn end_session(conn: &mut DbConn, token: &str) -> diesel::QueryResult<()> {
    queries::sessions::delete(conn, &tokens::digest(token)).map(|_| ())
}

/// Ends every session of a user (sign out everywhere).
pub fn end_all_sessions(conn: &mut DbConn, user_id: &str) -> diesel::QueryResult<usize> {
    queries::sessions::delete_for_user(conn, user_id)
}

/// Emails a reset link when the address has an account; answers the same either way.
pub fn request_password_reset(
    conn: &mut DbConn,
    raw_email: &str,
    ip: &str,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<(), AccountError> {
    let email = normalize_email(raw_email)?;
    throttle_email_requests(conn, ip, &email, now)?;
    write_transaction(conn, |conn| {
        if let Some(user) = queries::users::find_by_email(conn, &email)? {
            let token = issue_token(
                conn,
                &user.id,
                TokenPurpose::ResetPassword,
                RESET_LINK_LIFETIME,
                None,
                None,
                now,
            )?;
            mail::queue(
                conn,
                mail::reset_password(
                    &email,
                    &user.id,
                    &format!("{base_url}/reset-password?token={token}"),
                ),
                now,
            )?;
        }
        Ok(())
    })
}

/// Uses a reset link to set a new password. Every session of the user ends (a reset is
/// what one does after a leak); the email counts as verified (the link reached it).
pub fn reset_password(
    conn: &mut DbConn,
    token: &str,
    new_password: &str,
    now: NaiveDateTime,
) -> Result<User, AccountError> {
    let t = usable_token(conn, token, TokenPurpose::ResetPassword, now)?;
    let user = queries::users::find(conn, &t.user_id)?.ok_or(AccountError::LinkInvalid)?;
    password::check_new(new_password, &user.email).map_err(AccountError::WeakPassword)?;
    let hash = password::hash(new_password)?;
    write_transaction(conn, |conn| {
        if !queries::tokens::mark_used(conn, &t.id, now)? {
            return Err(AccountError::LinkInvalid);
        }
        let changes = UserChanges {
            password_hash: Some(Some(hash)),
            email_verified_at: Some(Some(user.email_verified_at.unwrap_or(now))),
            ..Default::default()
        };
        queries::users::update(conn, &user.id, changes, now)?;
        queries::sessions::delete_for_user(conn, &user.id)?;
        queries::rate_limits::clear(conn, &throttle::account_key("login", &user.email))?;
        Ok(user.clone())
    })
}

/// Who Google says signed in (from a checked ID token).
#[derive(Debug, Clone)]
pub struct GoogleIdentity {
    pub sub: String,
    pub email: String,
    pub email_verified: bool,
    pub name: Option<String>,
    pub picture: Option<String>,
}

/// Finds the account for a Google identity: by Google id, else by verified email (and links
/// it), else creates one.
pub fn google_sign_in(
    conn: &mut DbConn,
    id: GoogleIdentity,
    now: NaiveDateTime,
) -> Result<User, AccountError> {
    let email = normalize_email(&id.email)?;
    write_transaction(conn, |conn| {
        if let Some(user) = queries::users::find_by_google_id(conn, &id.sub)? {
            return Ok(user);
        }
        if let Some(user) = queries::users::find_by_email(conn, &email)? {
            if !id.email_verified {
                return Err(AccountError::GoogleEmailUnverified);
            }
            let changes = UserChanges {
                google_id: Some(Some(id.sub.clone())),
                email_verified_at: Some(Some(user.email_verified_at.unwrap_or(now))),
                ..Default::default()
            };
            queries::users::update(conn, &user.id, changes, now)?;
            return Ok(
                queries::users::find(conn, &user.id)?.ok_or(diesel::result::Error::NotFound)?
            );
        }
        let user = NewUser {
            id: new_id(),
            email: email.clone(),
            email_verified_at: id.email_verified.then_some(now),
            password_hash: None,
            google_id: Some(id.sub.clone()),
            display_name: id.name.clone().map(|n| n.chars().take(80).collect()),
            username: None,
            avatar_url: id.picture.clone().filter(|p| p.starts_with("https://")),
            stripe_customer_id: None,
            native_language_id: None,
            preferred_ui_language_id: None,
            is_admin: false,
            last_login_at: None,
            created_at: now,
            updated_at: now,
        };
        queries::users::insert(conn, &user)?;
        Ok(queries::users::find(conn, &user.id)?.ok_or(diesel::result::Error::NotFound)?)
    })
}

/// What the account page's profile form carries.
pub struct Profile {
    pub display_name: String,
    pub username: String,
    pub avatar_url: String,
    pub native_language_id: String,
    pub ui_language_id: String,
}

fn optional_language(
    conn: &mut DbConn,
    id: &str,
    field: &str,
) -> Result<Option<String>, AccountError> {
    let id = id.trim();
    if id.is_empty() {
        return Ok(None);
    }
    match queries::languages::find(conn, id)? {
        Some(l) => Ok(Some(l.id)),
        None => Err(AccountError::Invalid(format!(
            "Choose a {field} from the list."
        ))),
    }
}

/// Updates the profile fields; a username must be 3–30 of a–z, 0–9 and `_`, and free.
pub fn update_profile(
    conn: &mut DbConn,
    user_id: &str,
    p: Profile,
    now: NaiveDateTime,
) -> Result<(), AccountError> {
    let display_name = clean_display_name(&p.display_name)?;
    let username = p.username.trim().to_lowercase();
    let username = if username.is_empty() {
        None
    } else {
        let ok = (3..=30).contains(&username.len())
            && username
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok {
            return Err(AccountError::Invalid(
                "A username is 3–30 letters, digits or underscores.".into(),
            ));
        }
        Some(username)
    };
    let avatar = p.avatar_url.trim();
    let avatar_url = if avatar.is_empty() {
        None
    } else {
        match url::Url::parse(avatar) {
            Ok(u) if u.scheme() == "https" && avatar.len() <= 500 => Some(avatar.to_owned()),
            _ => {
                return Err(AccountError::Invalid(
                    "The avatar must be an https:// image address.".into(),
                ))
            }
        }
    };
    write_transaction(conn, |conn| {
        let native = optional_language(conn, &p.native_language_id, "native language")?;
        let ui = optional_language(conn, &p.ui_language_id, "interface language")?;
        if let Some(name) = &username {
            if queries::users::exists_username(conn, name, user_id)? {
                return Err(AccountError::Invalid(
                    "That username is taken; try another.".into(),
                ));
            }
        }
        let changes = UserChanges {
            display_name: Some(display_name),
            username: Some(username),
            avatar_url: Some(avatar_url),
            native_language_id: Some(native),
            preferred_ui_language_id: Some(ui),
            ..Default::default()
        };
        queries::users::update(conn, user_id, changes, now)?;
        Ok(())
    })
}

/// Emails a confirmation link to a new address; the email changes only once it is used.
/// An address that belongs to someone else gets nothing, and the answer is the same.
pub fn request_email_change(
    conn: &mut DbConn,
    user: &User,
    raw_email: &str,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<String, AccountError> {
    let email = normalize_email(raw_email)?;
    if email == user.email {
        return Err(AccountError::Invalid(
            "That is already your email address.".into(),
        ));
    }
    throttle(
        conn,
        &throttle::account_key("email", &user.email),
        throttle::EMAIL_REQUESTS_PER_ACCOUNT,
        now,
    )?;
    write_transaction(conn, |conn| {
        if queries::users::find_by_email(conn, &email)?.is_none() {
            let token = issue_token(
                conn,
                &user.id,
                TokenPurpose::ChangeEmail,
                VERIFY_LINK_LIFETIME,
                Some(email.clone()),
                None,
                now,
            )?;
            let link = format!("{base_url}/account/confirm-email?token={token}");
            mail::queue(conn, mail::change_email(&email, &user.id, &link), now)?;
        }
        Ok(email.clone())
    })
}

/// Uses an email-change link: the account's email becomes the confirmed new address.
pub fn confirm_email_change(
    conn: &mut DbConn,
    token: &str,
    now: NaiveDateTime,
) -> Result<User, AccountError> {
    write_transaction(conn, |conn| {
        let t = usable_token(conn, token, TokenPurpose::ChangeEmail, now)?;
        let new_email = t.new_email.clone().ok_or(AccountError::LinkInvalid)?;
        if queries::users::find_by_email(conn, &new_email)?.is_some()
            || !queries::tokens::mark_used(conn, &t.id, now)?
        {
            return Err(AccountError::LinkInvalid);
        }
        let changes = UserChanges {
            email: Some(new_email),
            email_verified_at: Some(Some(now)),
            ..Default::default()
        };
        queries::users::update(conn, &t.user_id, changes, now)?;
        queries::users::find(conn, &t.user_id)?.ok_or(AccountError::LinkInvalid)
    })
}

/// Deletes the account and everything of it, once the user has typed their email.
pub fn delete_account(
    conn: &mut DbConn,
    user: &User,
    confirmation: &str,
) -> Result<(), AccountError> {
    if confirmation.trim().to_lowercase() != user.email {
        return Err(AccountError::Invalid(
            "Type your email address exactly to confirm.".into(),
        ));
    }
    write_transaction(conn, |conn| {
        Ok(queries::users::delete_with_everything(conn, user)?)
    })
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
