//! Plain-language descriptions of tiers: prices and limits as a learner reads them.

use crate::db::models::Tier;

/// What `tier` allows, one short sentence each ("10 h of conversation a month", …).
pub fn limits(tier: &Tier) -> Vec<String> {
    let mut lines = vec![format!(
        "{} of conversation a month",
        format_duration(tier.monthly_seconds)
    )];
    if let Some(n) = tier.monthly_conversations {
        lines.push(format!("Up to {n} conversations a month"));
    }
    lines.push(format!(
        "Sessions up to {}",
        format_duration(tier.max_session_length_seconds)
    ));
    if tier.session_banking_enabled {
        lines.push(format!(
            "Bank up to {} of unused time",
            format_duration(tier.max_banked_seconds)
        ));
    }
    if tier.max_extensions > 0 {
        lines.push(format!(
            "{} extensions of {} per session",
            tier.max_extensions,
            format_duration(tier.extension_seconds)
        ));
    }
    if tier.has_realtime_access {
        lines.push(match tier.monthly_realtime_sessions {
            Some(n) => {
                format!("Real-time voice conversations ({n} a month), where the server offers them")
            }
            None => "Real-time voice conversations, where the server offers them".into(),
        });
    }
    // why: `has_advanced_voices` and `has_analytics` gate nothing yet; a plan lists only what
    // it gives.
    lines
}

/// `2900` cents → `"$29"`, `2950` → `"$29.50"`, `0` → `"Free"`.
pub fn format_usd(cents: i32) -> String {
    if cents == 0 {
        return "Free".into();
    }
    let dollars = cents / 100;
    let rest = cents % 100;
    if rest == 0 {
        format!("${dollars}")
    } else {
        format!("${dollars}.{rest:02}")
    }
}

/// `900` → `"15 min"`, `36000` → `"10 h"`, `5400` → `"1 h 30 min"`.
pub fn format_duration(seconds: i32) -> String {
    let minutes = seconds / 60;
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_read_like_prices() {
        assert_eq!(format_usd(0), "Free");
        assert_eq!(format_usd(2900), "$29");
        assert_eq!(format_usd(23200), "$232");
        assert_eq!(format_usd(2950), "$29.50");
        assert_eq!(format_usd(905), "$9.05");
    }

    #[test]
    fn durations_read_like_durations() {
        assert_eq!(format_duration(240), "4 min");
        assert_eq!(format_duration(900), "15 min");
        assert_eq!(format_duration(36000), "10 h");
        assert_eq!(format_duration(5400), "1 h 30 min");
    }
}
