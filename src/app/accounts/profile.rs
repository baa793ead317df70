//! The account page: what it shows ([`page`]), the profile ([`update`]), the email change
//! by a link to the new address ([`change_email`], [`email_change_link`],
//! [`confirm_email`]), and deleting the account ([`delete`]). Everything acts on the user
//! the caller passes in, never on an id from a form.

use chrono::NaiveDateTime;

use super::*;
use crate::db::models::Language;

/// What the account page shows besides the user.
pub struct AccountPage {
    /// The languages a profile can choose from.
    pub languages: Vec<Language>,
    /// The user's live login sessions.
    pub sessions: Vec<Session>,
}

/// The account page's lists for `user_id`.
pub async fn page(ctx: &Ctx, user_id: String) -> Result<AccountPage, AccountError> {
    let now = ctx.clock.naive();
    let (languages, sessions) = ctx
        .db
        .page(move |c| {
            Ok::<_, crate::app::DbError>((
                queries::languages::list_active(c)?,
                queries::sessions::list_for_user(c, &user_id, now)?,
            ))
        })
        .await?;
    Ok(AccountPage {
        languages,
        sessions,
    })
}

/// Saves the profile of `user_id` ([`update_profile`]).
pub async fn update(ctx: &Ctx, user_id: String, profile: Profile) -> Result<(), AccountError> {
    let now = ctx.clock.naive();
    ctx.db
        .run(move |c| update_profile(c, &user_id, profile, now))
        .await
}

/// Emails a confirmation link to `new_email` ([`request_email_change`]) and wakes a worker
/// for it. Returns the normalised address.
pub async fn change_email(
    ctx: &Ctx,
    user: User,
    new_email: String,
) -> Result<String, AccountError> {
    let (base, now) = (ctx.settings.base_url.clone(), ctx.clock.naive());
    let email = ctx
        .db
        .run(move |c| request_email_change(c, &user, &new_email, &base, now))
        .await?;
    ctx.jobs.notify();
    Ok(email)
}

/// Whether an email-change link can still be used (to show its form);
/// [`AccountError::LinkInvalid`] when not.
pub async fn email_change_link(ctx: &Ctx, token: String) -> Result<(), AccountError> {
    signup::link_usable(ctx, token, TokenPurpose::ChangeEmail).await
}

/// Uses an email-change link ([`confirm_email_change`]); returns the user with the new email.
pub async fn confirm_email(ctx: &Ctx, token: String) -> Result<User, AccountError> {
    let now = ctx.clock.naive();
    ctx.db
        .run(move |c| confirm_email_change(c, &token, now))
        .await
}

/// Deletes `user` and everything of theirs once `confirmation` is their email
/// ([`delete_account`]).
pub async fn delete(ctx: &Ctx, user: User, confirmation: String) -> Result<(), AccountError> {
    ctx.db
        .run(move |c| delete_account(c, &user, &confirmation))
        .await?;
    // why: their public scenarios, saves and ratings leave the catalog.
    ctx.cache.public_changed();
    Ok(())
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
        let t = signup::usable_token(conn, token, TokenPurpose::ChangeEmail, now)?;
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
