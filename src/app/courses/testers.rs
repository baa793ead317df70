//! Testers: a creator invites addresses to a course with a note; the emailed link (a token
//! stored only as its digest) is accepted by the account with that address — then the tester
//! follows the course like a learner, from its dashboard, and leaves a rating and a comment
//! per day, which the creator reads beside each tester's progress. A creator can revoke an
//! invitation; the tester then loses the course (their conversations stay theirs).

use chrono::NaiveDateTime;

use super::authoring::owned;
use super::{clean, CourseError};
use crate::app::accounts::{normalize_email, time_zone, tokens};
use crate::app::mail::{self, Email};
use crate::app::Ctx;
use crate::db::conn::write_transaction;
use crate::db::json::{AssignmentMetadata, DayFeedback};
use crate::db::models::{CourseInvitation, CourseInvitationChanges, LearningPath};
use crate::db::models::{LearningPathAssignmentChanges, LearningPathChanges};
use crate::db::models::{NewLearningPathAssignment, User};
use crate::db::types::{AssignmentRole, AssignmentStatus, InvitationStatus, Json, PathStatus};
use crate::db::{lock, new_id, queries, DbConn};

/// The most addresses one invitation form takes.
pub const MAX_INVITES: usize = 20;
/// The most invitation emails one creator sends in a day (counted in `rate_limits`).
pub const INVITES_PER_DAY: i32 = 100;

/// What an invitation form did, address by address.
#[derive(Debug, Default)]
pub struct Invited {
    pub sent: Vec<String>,
    pub already: Vec<String>,
}

/// Reads the addresses of an invitation form (commas, semicolons, spaces or lines between
/// them), each normalised; a message naming the first bad one otherwise.
pub fn addresses(text: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for part in text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|p| !p.is_empty())
    {
        let email = normalize_email(part).map_err(|_| {
            let shown: String = part.chars().filter(|c| !c.is_control()).take(80).collect();
            format!("“{shown}” is not an email address.")
        })?;
        if !out.contains(&email) {
            out.push(email);
        }
    }
    match out.len() {
        0 => Err("Write at least one email address.".into()),
        n if n > MAX_INVITES => Err(format!("Invite at most {MAX_INVITES} addresses at once.")),
        _ => Ok(out),
    }
}

/// Invites `emails` (the form's text) to `user`'s course `id` with `note`, emailing each a
/// link. An address already invited (and not revoked) is skipped and reported.
pub async fn invite(
    ctx: &Ctx,
    user: User,
    id: String,
    emails: String,
    note: String,
) -> Result<Invited, CourseError> {
    let emails = addresses(&emails).map_err(CourseError::Invalid)?;
    let note =
        clean(&note, 500, true).map_err(|e| CourseError::Invalid(format!("The note: {e}")))?;
    let now = ctx.clock.naive();
    let base = ctx.settings.base_url.clone();
    let invited = ctx
        .db
        .run(move |c| {
            write_transaction(c, |c| {
                lock::key(c, "course", &id)?;
                let course = owned(c, &id, &user)?;
                let mut done = Invited::default();
                for email in emails {
                    if email == user.email {
                        return Err(CourseError::Invalid(
                            "You are the course's creator; invite other addresses.".into(),
                        ));
                    }
                    let (token, hash) = tokens::generate();
                    match queries::courses::find_invitation_for(c, &course.id, &email)? {
                        Some(i) if i.status != InvitationStatus::Revoked => {
                            done.already.push(email);
                            continue;
                        }
                        Some(i) => queries::courses::update_invitation(
                            c,
                            &i.id,
                            CourseInvitationChanges {
                                token_hash: Some(hash),
                                note: Some(note.clone()),
                                status: Some(InvitationStatus::Invited),
                                assignment_id: Some(None),
                                updated_at: Some(now),
                            },
                        )?,
                        None => queries::courses::insert_invitation(
                            c,
                            &CourseInvitation {
                                id: new_id(),
                                path_id: course.id.clone(),
                                email: email.clone(),
                                token_hash: hash,
                                note: note.clone(),
                                invited_by_user_id: Some(user.id.clone()),
                                assignment_id: None,
                                status: InvitationStatus::Invited,
                                created_at: now,
                                updated_at: now,
                            },
                        )?,
                    }
                    let key = format!("course_invites:user:{}", user.id);
                    let day = chrono::Duration::days(1);
                    let (hits, _) = queries::rate_limits::hit(c, &key, day, now)?;
                    if hits > INVITES_PER_DAY {
                        return Err(CourseError::Throttled(format!(
                            "You can send {INVITES_PER_DAY} invitations a day; try again tomorrow."
                        )));
                    }
                    let link = format!("{base}/invitations/{token}");
                    mail::queue(
                        c,
                        invitation_email(&email, &user, &course, &note, &link),
                        now,
                    )?;
                    done.sent.push(email);
                }
                Ok(done)
            })
        })
        .await?;
    ctx.jobs.notify();
    Ok(invited)
}

fn invitation_email(to: &str, from: &User, course: &LearningPath, note: &str, link: &str) -> Email {
    let who = from
        .display_name
        .clone()
        .unwrap_or_else(|| "A Kaiwa creator".into());
    let note = if note.is_empty() {
        String::new()
    } else {
        format!("Their note:\n\n{note}\n\n")
    };
    Email {
        to: to.to_owned(),
        user_id: None,
        subject: format!("{who} invites you to test “{}” on Kaiwa", course.title),
        body: format!(
            "{who} is writing a four-week course on Kaiwa, “{}”, and asks you to try it \
             before it is published.\n\n{note}Accept the invitation (sign up or sign in with \
             this address):\n\n{link}\n\nAs a tester you follow the course day by day and \
             rate each day. If you don't know this person, ignore this email.\n",
            course.title
        ),
        list_unsubscribe: None,
    }
}

/// An invitation as its page shows it.
pub struct Invitation {
    pub course_title: String,
    pub note: String,
    pub email: String,
    pub status: InvitationStatus,
    /// The course, once this account accepted.
    pub path_id: String,
}

/// The invitation behind `token` (`NotFound` when unknown or revoked).
pub async fn invitation(ctx: &Ctx, token: String) -> Result<Invitation, CourseError> {
    ctx.db
        .run(move |c| {
            let (i, path) = find_live(c, &token)?;
            Ok(Invitation {
                course_title: path.title,
                note: i.note,
                email: i.email,
                status: i.status,
                path_id: path.id,
            })
        })
        .await
}

fn find_live(c: &mut DbConn, token: &str) -> Result<(CourseInvitation, LearningPath), CourseError> {
    match queries::courses::find_invitation_by_token(c, &tokens::digest(token))? {
        Some((i, path)) if i.status != InvitationStatus::Revoked => Ok((i, path)),
        _ => Err(CourseError::NotFound),
    }
}

/// Accepts the invitation behind `token` as `user`, who must have the invited address; the
/// tester's assignment starts today. Accepting again answers the same course.
pub async fn accept(ctx: &Ctx, user: User, token: String) -> Result<String, CourseError> {
    let now = ctx.clock.naive();
    ctx.db
        .run(move |c| {
            write_transaction(c, |c| {
                let (found, _) = find_live(c, &token)?;
                lock::key(c, "course_invitation", &found.id)?;
                let (i, path) = find_live(c, &token)?;
                if i.email != user.email {
                    return Err(CourseError::WrongAccount(format!(
                        "This invitation is for another email address. Sign in with the \
                         address it was sent to ({}).",
                        masked(&i.email)
                    )));
                }
                if path.status == PathStatus::Archived {
                    return Err(CourseError::Invalid("This course is archived.".into()));
                }
                let assignment = join(c, &i, &path, &user, now)?;
                queries::courses::update_invitation(
                    c,
                    &i.id,
                    CourseInvitationChanges {
                        status: Some(InvitationStatus::Accepted),
                        assignment_id: Some(Some(assignment)),
                        updated_at: Some(now),
                        ..Default::default()
                    },
                )?;
                if path.status == PathStatus::Draft {
                    let changes = LearningPathChanges {
                        status: Some(PathStatus::Active),
                        ..Default::default()
                    };
                    queries::paths::update_path(c, &path.id, changes)?;
                }
                Ok(path.id)
            })
        })
        .await
}

/// The tester assignment of `user` on `path`, made (or made active) now; its id.
fn join(
    c: &mut DbConn,
    i: &CourseInvitation,
    path: &LearningPath,
    user: &User,
    now: NaiveDateTime,
) -> Result<String, CourseError> {
    let tz = time_zone::zone(&user.time_zone);
    let local = time_zone::local(tz, now);
    let starts_at = local.date().and_hms_opt(0, 0, 0).unwrap_or(local);
    if let Some(a) = queries::courses::find_assignment(c, &path.id, &user.id)? {
        if a.status == AssignmentStatus::Invited {
            let changes = LearningPathAssignmentChanges {
                status: Some(AssignmentStatus::Active),
                starts_at: Some(starts_at),
                updated_at: Some(now),
                ..Default::default()
            };
            queries::paths::update_assignment(c, &a.id, changes)?;
        }
        return Ok(a.id);
    }
    let id = new_id();
    queries::paths::insert_assignment(
        c,
        &NewLearningPathAssignment {
            id: id.clone(),
            path_id: path.id.clone(),
            user_id: user.id.clone(),
            role: AssignmentRole::Tester,
            status: AssignmentStatus::Active,
            starts_at,
            current_day_index: 1,
            completed_at: None,
            email_reminders_enabled: false,
            last_email_sent_at: None,
            metadata: Json(AssignmentMetadata {
                invited_by: i.invited_by_user_id.clone(),
                invite_note: Some(i.note.clone()).filter(|n| !n.is_empty()),
                feedback_requested: true,
                ..Default::default()
            }),
            created_at: now,
            updated_at: now,
        },
    )?;
    Ok(id)
}

/// "a•••@example.com": enough to recognise one's own address, not to learn someone's.
fn masked(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            format!("{}•••@{domain}", local.chars().next().unwrap_or('•'))
        }
        None => "•••".into(),
    }
}

/// Records `user`'s rating (1–5) and comment on day `day` of a course they test.
pub async fn leave_feedback(
    ctx: &Ctx,
    user: User,
    path_id: String,
    day: u8,
    rating: String,
    comment: String,
) -> Result<(), CourseError> {
    let rating = rating
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|r| (1..=5).contains(r))
        .ok_or_else(|| CourseError::Invalid("Choose a rating from 1 to 5.".into()))?;
    let comment = clean(&comment, 1000, true)
        .map_err(|e| CourseError::Invalid(format!("The comment: {e}")))?;
    if !(1..=crate::app::paths::planner::DAYS).contains(&day) {
        return Err(CourseError::NotFound);
    }
    let now = ctx.clock.naive();
    ctx.db
        .run(move |c| {
            write_transaction(c, |c| {
                let a = queries::courses::find_assignment(c, &path_id, &user.id)?
                    .filter(|a| a.role == AssignmentRole::Tester)
                    .filter(|a| a.status != AssignmentStatus::Invited)
                    .ok_or(CourseError::NotFound)?;
                lock::key(c, "path_assignment", &a.id)?;
                let mut meta = a.metadata.0.clone();
                meta.feedback.retain(|f| f.day_index != i32::from(day));
                meta.feedback.push(DayFeedback {
                    day_index: i32::from(day),
                    rating,
                    comment,
                    at: now,
                });
                meta.feedback.sort_by_key(|f| f.day_index);
                let changes = LearningPathAssignmentChanges {
                    metadata: Some(Json(meta)),
                    updated_at: Some(now),
                    ..Default::default()
                };
                Ok(queries::paths::update_assignment(c, &a.id, changes)?)
            })
        })
        .await
}

/// Revokes invitation `invitation_id` to `user`'s course `id`: its link stops working and
/// the tester (if they accepted) no longer has the course.
pub async fn revoke(
    ctx: &Ctx,
    user: User,
    id: String,
    invitation_id: String,
) -> Result<(), CourseError> {
    let now = ctx.clock.naive();
    ctx.db
        .run(move |c| {
            write_transaction(c, |c| {
                lock::key(c, "course", &id)?;
                let course = owned(c, &id, &user)?;
                let i = queries::courses::find_invitation(c, &course.id, &invitation_id)?
                    .ok_or(CourseError::NotFound)?;
                queries::courses::update_invitation(
                    c,
                    &i.id,
                    CourseInvitationChanges {
                        status: Some(InvitationStatus::Revoked),
                        assignment_id: Some(None),
                        updated_at: Some(now),
                        ..Default::default()
                    },
                )?;
                if let Some(a) = i.assignment_id {
                    queries::paths::delete_assignment(c, &a)?;
                }
                Ok(())
            })
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::{addresses, masked};

    #[test]
    fn invitation_addresses_are_split_normalised_deduplicated_and_bounded() {
        assert_eq!(
            addresses("Ana@Example.com, bo@example.org;\nana@example.com").unwrap(),
            ["ana@example.com", "bo@example.org"]
        );
        assert!(addresses("ana@example.com, not-an-address")
            .unwrap_err()
            .contains("not-an-address"));
        assert!(addresses(" \n ").is_err());
        let many: Vec<String> = (0..21).map(|n| format!("t{n}@example.com")).collect();
        assert!(addresses(&many.join(","))
            .unwrap_err()
            .contains("at most 20"));
        assert_eq!(masked("ana@example.com"), "a•••@example.com");
    }
}
