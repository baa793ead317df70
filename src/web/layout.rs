//! The layout context every page embeds: title, description, canonical URL, flash message.
//! Pages for a visitor build it with `Visitor::layout`, which adds the user and CSRF token.

/// A one-off message shown at the top of the next page.
#[derive(Debug, Clone)]
pub struct Flash {
    pub kind: &'static str,
    pub message: String,
}

/// The signed-in user as the navigation shows them.
#[derive(Debug, Clone)]
pub struct NavUser {
    pub name: String,
    pub is_admin: bool,
}

/// What `templates/layouts/base.html` reads.
#[derive(Debug, Clone)]
pub struct Layout {
    pub title: String,
    pub description: String,
    /// Absolute canonical URL; empty for pages that should not be indexed.
    pub canonical: String,
    pub flash: Option<Flash>,
    /// The signed-in user, if any.
    pub user: Option<NavUser>,
    /// The CSRF token forms and htmx requests send back; empty on error pages.
    pub csrf_token: String,
}

impl Layout {
    pub fn new(title: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            description: description.into(),
            canonical: String::new(),
            flash: None,
            user: None,
            csrf_token: String::new(),
        }
    }

    /// The same layout with a canonical URL.
    pub fn canonical(mut self, url: String) -> Self {
        self.canonical = url;
        self
    }
}
