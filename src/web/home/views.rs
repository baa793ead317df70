//! Display-ready pieces of the home page.

use crate::app::pricing::{format_duration, format_usd};
use crate::db::models::{Language, Tier};

pub struct LanguageChip {
    pub name: String,
    pub native_name: String,
    pub flag: String,
    pub code: String,
    pub rtl: bool,
}

impl From<&Language> for LanguageChip {
    fn from(l: &Language) -> Self {
        Self {
            name: l.name.clone(),
            native_name: l.native_name.clone(),
            flag: l.flag_emoji.clone().unwrap_or_default(),
            code: l.code.clone(),
            rtl: l.is_rtl,
        }
    }
}

pub struct TierSummary {
    pub name: String,
    pub description: String,
    pub monthly_price: String,
    pub annual_price: Option<String>,
    pub features: Vec<String>,
    pub highlighted: bool,
}

impl From<&Tier> for TierSummary {
    fn from(t: &Tier) -> Self {
        let mut features = vec![
            format!(
                "{} of conversation a month",
                format_duration(t.monthly_seconds)
            ),
            format!(
                "Sessions up to {}",
                format_duration(t.max_session_length_seconds)
            ),
        ];
        if t.session_banking_enabled {
            features.push(format!(
                "Bank up to {} of unused time",
                format_duration(t.max_banked_seconds)
            ));
        }
        if t.max_extensions > 0 {
            features.push(format!(
                "{} extensions of {} per session",
                t.max_extensions,
                format_duration(t.extension_seconds)
            ));
        }
        if t.has_realtime_access {
            features.push("Real-time voice conversations".into());
        }
        if t.has_advanced_voices {
            features.push("Premium voices".into());
        }
        Self {
            name: t.name.clone(),
            description: t.description.clone(),
            monthly_price: format_usd(t.monthly_price_usd_cents),
            annual_price: (t.annual_price_usd_cents > 0)
                .then(|| format_usd(t.annual_price_usd_cents)),
            features,
            highlighted: t.id == "plus",
        }
    }
}
