//! The layout context every page embeds: title, description, canonical URL, flash message.
//! (The signed-in user and the CSRF token join it with the accounts issue.)

/// A one-off message shown at the top of the next page.
#[derive(Debug, Clone)]
pub struct Flash {
    pub kind: &'static str,
    pub message: String,
}

/// What `templates/layouts/base.html` reads.
#[derive(Debug, Clone)]
pub struct Layout {
    pub title: String,
    pub description: String,
    /// Absolute canonical URL; empty for pages that should not be indexed.
    pub canonical: String,
    pub flash: Option<Flash>,
}

impl Layout {
    pub fn new(title: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            description: description.into(),
            canonical: String::new(),
            flash: None,
        }
    }

    /// The same layout with a canonical URL.
    pub fn canonical(mut self, url: String) -> Self {
        self.canonical = url;
        self
    }
}
