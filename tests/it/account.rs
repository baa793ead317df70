//! The account page: profile, email change, export, deletion.
