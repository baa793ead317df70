//! Onboarding and the preferences page.
