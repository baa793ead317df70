//! Signing up and confirming the email address by a one-time link: [`register`],
//! [`verification_link`] and [`verify`] are the use cases.

use chrono::NaiveDateTime;

use super::*;

/// Registers an account from `browser` ([`sign_up`]) and wakes a worker for the email it
/// queued. Returns the normalised address the link went to.
pub async fn register(ctx: &Ctx, input: SignUp, browser: Browser) -> Result<String, AccountError> {
    let (base, now) = (ctx.settings.base_url.clone(), ctx.clock.naive());
    let email = ctx
        .db
        .run(move |c| sign_up(c, input, &browser.ip, browser.guest_id, &base, now))
        .await?;
    ctx.jobs.notify();
    Ok(email)
}

/// Whether an email-verification link can still be used (to show its form);
/// [`AccountError::LinkInvalid`] when not.
pub async fn verification_link(ctx: &Ctx, token: String) -> Result<(), AccountError> {
    link_usable(ctx, token, TokenPurpose::VerifyEmail).await
}

/// Uses a verification link ([`verify_email`]) and signs `browser` in as its user.
pub async fn verify(ctx: &Ctx, token: String, browser: Browser) -> Result<SignedIn, AccountError> {
    let now = ctx.clock.naive();
    ctx.db
        .run(move |c| {
            let user = verify_email(c, &token, now)?;
            sessions::open_session(c, &user.id, &browser, now)
        })
        .await
}

/// Whether a one-time link of `purpose` can still be used, without using it.
pub(super) async fn link_usable(
    ctx: &Ctx,
    token: String,
    purpose: TokenPurpose,
) -> Result<(), AccountError> {
    let now = ctx.clock.naive();
    ctx.db
        .run(move |c| check_link(c, &token, purpose, now))
        .await
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
            time_zone: time_zone::from_browser(&input.time_zone),
        };
        queries::users::insert(conn, &user)?;
        queue_verification(conn, &user.id, &email, guest_id, base_url, now)?;
        Ok(email.clone())
    })
}

/// Finds a usable token: known, of this purpose, unused and unexpired.
pub(super) fn usable_token(
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
