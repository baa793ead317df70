//! Forgotten passwords: the reset link and choosing a new password. [`request_reset`],
//! [`reset_link`] and [`reset`] are the use cases.

use chrono::NaiveDateTime;

use super::*;

/// What the new-password form carries.
pub struct NewPassword {
    /// The reset link's token.
    pub token: String,
    pub password: String,
}

/// Emails a reset link when the address has an account ([`request_password_reset`]),
/// counted against `ip`; answers the same either way.
pub async fn request_reset(ctx: &Ctx, email: String, ip: String) -> Result<(), AccountError> {
    let (base, now) = (ctx.settings.base_url.clone(), ctx.clock.naive());
    ctx.db
        .run(move |c| request_password_reset(c, &email, &ip, &base, now))
        .await?;
    ctx.jobs.notify();
    Ok(())
}

/// Whether a reset link can still be used (to show its form); [`AccountError::LinkInvalid`]
/// when not.
pub async fn reset_link(ctx: &Ctx, token: String) -> Result<(), AccountError> {
    signup::link_usable(ctx, token, TokenPurpose::ResetPassword).await
}

/// Sets a new password by a reset link ([`reset_password`]: every other session ends) and
/// signs `browser` in.
pub async fn reset(
    ctx: &Ctx,
    input: NewPassword,
    browser: Browser,
) -> Result<SignedIn, AccountError> {
    let now = ctx.clock.naive();
    ctx.db
        .run(move |c| {
            let user = reset_password(c, &input.token, &input.password, now)?;
            sessions::open_session(c, &user.id, &browser, now)
        })
        .await
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
    let t = signup::usable_token(conn, token, TokenPurpose::ResetPassword, now)?;
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
