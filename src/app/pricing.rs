//! Plain-language descriptions of tiers: prices and limits as a learner reads them.

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
