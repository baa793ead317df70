//! Throttling rules for sign-in, sign-up and password-reset requests: how many per window,
//! per account and per IP address. Counters live in the database (`rate_limits`) so every
//! app instance sees the same numbers; keys carry a hash of the email, never the email.

use chrono::Duration;

use super::tokens::digest;

/// One rule: at most `max` hits per `window`.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub max: i32,
    pub window: Duration,
}

/// Failed sign-ins for one account.
pub const LOGIN_PER_ACCOUNT: Rule = Rule {
    max: 5,
    window: Duration::minutes(15),
};
/// Sign-in attempts from one IP address.
pub const LOGIN_PER_IP: Rule = Rule {
    max: 30,
    window: Duration::minutes(15),
};
/// Sign-ups and reset requests for one email address.
pub const EMAIL_REQUESTS_PER_ACCOUNT: Rule = Rule {
    max: 3,
    window: Duration::hours(1),
};
/// Sign-ups and reset requests from one IP address.
pub const EMAIL_REQUESTS_PER_IP: Rule = Rule {
    max: 20,
    window: Duration::hours(1),
};

pub fn account_key(action: &str, email: &str) -> String {
    format!("{action}:account:{}", digest(email))
}

pub fn ip_key(action: &str, ip: &str) -> String {
    format!("{action}:ip:{ip}")
}

/// Whole minutes until a window that started `elapsed` ago ends (at least 1).
pub fn minutes_left(rule: Rule, elapsed: Duration) -> i64 {
    let left = rule.window - elapsed;
    ((left.num_seconds() + 59) / 60).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_never_contain_the_email() {
        let key = account_key("login", "aiko@example.com");
        assert!(!key.contains("aiko"));
        assert!(key.starts_with("login:account:"));
    }

    #[test]
    fn minutes_left_rounds_up() {
        assert_eq!(minutes_left(LOGIN_PER_ACCOUNT, Duration::minutes(14)), 1);
        assert_eq!(minutes_left(LOGIN_PER_ACCOUNT, Duration::seconds(30)), 15);
        assert_eq!(minutes_left(LOGIN_PER_ACCOUNT, Duration::minutes(20)), 1);
    }
}
