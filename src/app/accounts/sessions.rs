//! Signing in (with throttling) and login sessions: start, resolve, end. A browser that
//! proves who it is (password, verification or reset link, Google) gets its session through
//! [`open_session`]; [`log_in`], [`log_out`] and [`sign_out_everywhere`] are the use cases.

use chrono::NaiveDateTime;

use super::*;

/// The browser a request comes from, as far as signing in cares.
#[derive(Debug, Clone, Default)]
pub struct Browser {
    /// The client address (throttling counts per address).
    pub ip: String,
    /// The browser's current login-session token; it ends when the browser signs in again.
    pub session_token: Option<String>,
    /// The guest id whose work moves to the account at sign-in.
    pub guest_id: Option<String>,
    pub user_agent: Option<String>,
}

/// A browser just signed in.
#[derive(Debug)]
pub struct SignedIn {
    /// The new login session's cookie token.
    pub token: String,
    /// Whether the user has preferences already (onboarding done), so where to land.
    pub onboarded: bool,
}

/// What the sign-in form carries.
pub struct Credentials {
    pub email: String,
    pub password: String,
}

/// Signs a browser in with an email and password ([`sign_in`], then [`open_session`]). An
/// unverified account gets a fresh link by email and [`AccountError::Unverified`].
pub async fn log_in(
    ctx: &Ctx,
    credentials: Credentials,
    browser: Browser,
) -> Result<SignedIn, AccountError> {
    let (base, now) = (ctx.settings.base_url.clone(), ctx.clock.naive());
    // why: `run`, not `write`: a refused attempt must still count against the throttles and
    // keep the link it emailed, so `sign_in` commits those itself.
    let result = ctx
        .db
        .run(move |c| {
            let user = sign_in(
                c,
                &credentials.email,
                &credentials.password,
                &browser.ip,
                &base,
                now,
            )?;
            open_session(c, &user.id, &browser, now)
        })
        .await;
    if matches!(result, Err(AccountError::Unverified)) {
        ctx.jobs.notify();
    }
    result
}

/// Ends the browser's login session, if it has one.
pub async fn log_out(ctx: &Ctx, session_token: Option<String>) -> Result<(), AccountError> {
    let Some(token) = session_token else {
        return Ok(());
    };
    ctx.db
        .write(move |c| Ok::<_, AccountError>(end_session(c, &token)?))
        .await
}

/// Ends every login session of `user_id`, this browser's included.
pub async fn sign_out_everywhere(ctx: &Ctx, user_id: String) -> Result<usize, AccountError> {
    ctx.db
        .write(move |c| Ok::<_, AccountError>(end_all_sessions(c, &user_id)?))
        .await
}

/// Signs `browser` in as `user_id`, who has just proved who they are: a new session
/// ([`start_session`]), and whether they have preferences yet.
pub(super) fn open_session(
    conn: &mut DbConn,
    user_id: &str,
    browser: &Browser,
    now: NaiveDateTime,
) -> Result<SignedIn, AccountError> {
    let token = start_session(
        conn,
        user_id,
        browser.session_token.as_deref(),
        browser.guest_id.as_deref(),
        browser.user_agent.clone(),
        now,
    )?;
    let onboarded = queries::preferences::find(conn, &Owner::User(user_id.to_owned()))?.is_some();
    Ok(SignedIn { token, onboarded })
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
            queue_verification(conn, &user.id, &email, None, base_url, now)
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

/// The user signed in by cookie `token` at `now`, if its session is live; a dead session's
/// row is deleted.
pub async fn signed_in(
    ctx: &crate::app::Ctx,
    token: String,
    now: NaiveDateTime,
) -> Result<Option<User>, crate::app::DbError> {
    let id = tokens::digest(&token);
    let lookup_id = id.clone();
    let found = ctx
        .db
        .lookup(move |c| queries::sessions::find_live_user(c, &lookup_id, now))
        .await?;
    if found.is_none() {
        ctx.db
            .read(move |c| queries::sessions::delete(c, &id))
            .await?;
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
