//! Signing in with Google: find by Google id, link by verified email, or create.

use chrono::NaiveDateTime;

use super::*;

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
