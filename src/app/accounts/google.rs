//! Signing in with Google: [`begin`] makes the provider URL and what the callback must
//! match; [`finish`] checks the callback, exchanges the code with Google (no transaction is
//! open meanwhile), then finds the account by Google id, links it by verified email, or
//! creates it ([`google_sign_in`]), and signs the browser in. The browser-side state (the
//! [`PendingLogin`] kept in the session cookie) is the web layer's to keep.

use chrono::NaiveDateTime;

use super::*;
use crate::integrations::google;
pub use crate::integrations::google::PendingLogin;

/// The path Google sends the browser back to.
const CALLBACK_PATH: &str = "/auth/google/callback";

/// What Google's redirect back to the callback carries.
#[derive(Debug, Default)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    /// Set when the user cancelled (or Google refused) at Google.
    pub error: Option<String>,
}

/// A finished Google sign-in.
#[derive(Debug)]
pub struct GoogleSignedIn {
    pub session: SignedIn,
    /// Where the sign-in was started from (already checked to be a local path).
    pub next: Option<String>,
}

/// The Google URL to send the browser to, and what to keep until the callback. `next` must
/// already be a safe local path. [`AccountError::GoogleOff`] when no Google client is set.
pub async fn begin(
    ctx: &Ctx,
    next: Option<String>,
) -> Result<(String, PendingLogin), AccountError> {
    let settings = ctx
        .settings
        .google
        .as_ref()
        .ok_or(AccountError::GoogleOff)?;
    let redirect = format!("{}{CALLBACK_PATH}", ctx.settings.base_url);
    google::authorize(settings, &redirect, next).map_err(|e| AccountError::Internal(e.into()))
}

/// Finishes the sign-in `pending` started: the callback's `state` must match it, Google
/// must accept the code, and the ID token must check out ([`AccountError::GoogleFailed`]
/// otherwise; [`AccountError::GoogleCancelled`] when the user cancelled). Then `browser` is
/// signed in as the account of that Google identity.
pub async fn finish(
    ctx: &Ctx,
    pending: Option<PendingLogin>,
    callback: Callback,
    browser: Browser,
) -> Result<GoogleSignedIn, AccountError> {
    let settings = ctx
        .settings
        .google
        .as_ref()
        .ok_or(AccountError::GoogleOff)?;
    if callback.error.is_some() {
        return Err(AccountError::GoogleCancelled);
    }
    let (Some(pending), Some(code), Some(returned_state)) =
        (pending, callback.code, callback.state)
    else {
        return Err(AccountError::GoogleFailed);
    };
    if !tokens::constant_time_eq(&pending.state, &returned_state) {
        tracing::warn!("Google callback with a state that does not match");
        return Err(AccountError::GoogleFailed);
    }
    let redirect = format!("{}{CALLBACK_PATH}", ctx.settings.base_url);
    let now_unix = ctx.clock.now().timestamp();
    let identity = google::exchange(settings, &redirect, &code, &pending, now_unix)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "Google sign-in failed");
            AccountError::GoogleFailed
        })?;
    let now = ctx.clock.naive();
    let session = ctx
        .db
        .run(move |c| {
            let user = google_sign_in(c, identity, now).map_err(|e| match e {
                // why: an address Google vouches for but we cannot use is not the user's
                // to fix; it goes to the log as a failure of ours.
                AccountError::InvalidEmail => AccountError::Internal(anyhow::anyhow!(
                    "Google sent an email address that does not parse"
                )),
                other => other,
            })?;
            sessions::open_session(c, &user.id, &browser, now)
        })
        .await?;
    Ok(GoogleSignedIn {
        session,
        next: pending.next,
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
            // why: Google says nothing of the zone; onboarding's browser field fills it.
            time_zone: time_zone::DEFAULT.to_owned(),
        };
        queries::users::insert(conn, &user)?;
        Ok(queries::users::find(conn, &user.id)?.ok_or(diesel::result::Error::NotFound)?)
    })
}
