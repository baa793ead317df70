//! Options for radio groups and selects, shared by the onboarding, settings and account pages.

use crate::db::models::Language;

/// One radio or select option.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub hint: String,
    pub selected: bool,
}

/// Languages as select options, with "Not set" first and `current` selected.
pub fn language_options(all: &[Language], current: Option<&str>) -> Vec<Choice> {
    let mut options = vec![Choice {
        value: String::new(),
        label: "Not set".into(),
        hint: String::new(),
        selected: current.is_none(),
    }];
    options.extend(all.iter().map(|l| Choice {
        value: l.id.clone(),
        label: format!("{} ({})", l.name, l.native_name),
        hint: String::new(),
        selected: current == Some(l.id.as_str()),
    }));
    options
}
