//! Display-ready pieces of the home page.

use crate::app::pricing::{format_usd, limits};
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
        Self {
            name: t.name.clone(),
            description: t.description.clone(),
            monthly_price: format_usd(t.monthly_price_usd_cents),
            annual_price: (t.annual_price_usd_cents > 0)
                .then(|| format_usd(t.annual_price_usd_cents)),
            features: limits(t),
            highlighted: t.id == "plus",
        }
    }
}
