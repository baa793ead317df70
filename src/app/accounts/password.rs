//! Passwords: the rules a new one must meet, and argon2id hashing (pure, no database).

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 10;
/// The longest password accepted (hashing cost is bounded).
pub const MAX_LENGTH: usize = 200;

const COMMON: &str = include_str!("common_passwords.txt");

/// Why a new password is refused, as a sentence for the form.
pub fn check_new(password: &str, email: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(format!("Use at least {MIN_LENGTH} characters."));
    }
    if length > MAX_LENGTH {
        return Err(format!("Use at most {MAX_LENGTH} characters."));
    }
    let lower = password.to_lowercase();
    if COMMON.lines().any(|common| common == lower) {
        return Err(
            "That password is one of the most common ones; choose something less guessable.".into(),
        );
    }
    let local = email.split('@').next().unwrap_or_default().to_lowercase();
    if local.len() >= 4 && lower.contains(&local) {
        return Err("Don't use your email address in your password.".into());
    }
    Ok(())
}

/// An argon2id hash in PHC string form, with a random 16-byte salt from the OS.
pub fn hash(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))
}

/// Whether `password` matches `stored`. A malformed stored hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the time of one verification, so "no such account" answers as slowly as a
/// wrong password does.
pub fn verify_nothing(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let stored = DUMMY.get_or_init(|| hash("kaiwa-dummy-password-for-timing").unwrap_or_default());
    let _ = verify(password, stored);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_common_and_email_like_passwords_are_refused() {
        assert!(check_new("short", "a@b.co")
            .unwrap_err()
            .contains("at least 10"));
        assert!(check_new("Password123", "a@b.co")
            .unwrap_err()
            .contains("most common"));
        assert!(check_new("qwertyuiop", "a@b.co").is_err());
        assert!(check_new("aiko.tanaka-1987!", "aiko.tanaka@example.com").is_err());
        assert!(check_new(&"x".repeat(201), "a@b.co").is_err());
        assert!(check_new("river otter breakfast", "a@b.co").is_ok());
    }

    #[test]
    fn the_common_list_is_lowercase_and_long_enough_to_matter() {
        let lines: Vec<&str> = COMMON.lines().collect();
        assert!(lines.len() > 500);
        assert!(lines
            .iter()
            .all(|l| l.chars().count() >= MIN_LENGTH && *l == l.to_lowercase()));
    }

    #[test]
    fn a_hash_verifies_only_its_own_password() {
        let stored = hash("river otter breakfast").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("river otter breakfast", &stored));
        assert!(!verify("river otter lunch", &stored));
        assert!(!verify("anything", "not a hash"));
    }

    /// A hash made by argon2 0.5 (the version that wrote the hashes already stored) must
    /// keep verifying after an upgrade of the crate.
    #[test]
    fn a_hash_from_argon2_0_5_still_verifies() {
        const STORED: &str = "$argon2id$v=19$m=19456,t=2,p=1$i1oHIgw6ByQpivJyuhePwA$4yHJ6NJKDv5+k8C+SDTpQ8kd/o6S496L8nBkjzVIsLY";
        assert!(verify("river otter breakfast", STORED));
        assert!(!verify("river otter lunch", STORED));
    }
}
