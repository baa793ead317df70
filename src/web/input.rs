//! The one gate every request passes before any handler reads it: the path, the query string
//! and url-encoded form bodies are checked for text the app cannot store or answer with — NUL
//! and other control characters (PostgreSQL text cannot hold NUL; header values cannot hold
//! line breaks), over-long values, oversized bodies. A refused request gets a 4xx page naming
//! the field, and nothing behind the gate runs, so nothing is written.
//!
//! The rules themselves ([`check_field`], [`check_path`]) are plain functions; the middleware
//! only gathers the fields. Handlers still validate what their fields mean.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, ResponseError};
use futures_util::StreamExt;

use crate::web::error::AppError;

/// The largest url-encoded form body accepted (the largest real form, a scenario, is ~30 KB).
pub const MAX_FORM_BYTES: usize = 256 * 1024;
/// The longest value any field may hold; fields have their own, smaller limits behind this.
pub const MAX_FIELD_CHARS: usize = 8_000;
/// The longest value of an id field (`id`, `…_id`): ids are UUIDs or short slugs.
pub const MAX_ID_CHARS: usize = 100;
/// The longest `next` (a local path to return to).
pub const MAX_NEXT_CHARS: usize = 2_000;
/// The longest decoded request path.
pub const MAX_PATH_CHARS: usize = 2_000;
/// The longest field name.
const MAX_NAME_CHARS: usize = 100;

/// Why a request was refused at the gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A field holds NUL or another control character.
    ControlCharacter { field: String },
    /// A field is longer than it may be.
    TooLong { field: String, max: usize },
    /// The body is larger than any form the app has.
    BodyTooLarge,
    /// A GET (or HEAD, OPTIONS) request came with a body, which no page reads.
    UnexpectedBody,
}

impl Refusal {
    /// The message shown to the person who sent the request.
    pub fn message(&self) -> String {
        match self {
            Self::ControlCharacter { field } => format!(
                "The field “{field}” contains a character that can't be used (a NUL byte or \
                 another control character). Remove it and try again."
            ),
            Self::TooLong { field, max } => {
                format!("The field “{field}” is too long: use at most {max} characters.")
            }
            Self::BodyTooLarge => format!(
                "That form is too large: send at most {} KB.",
                MAX_FORM_BYTES / 1024
            ),
            Self::UnexpectedBody => "This address takes no request body.".to_owned(),
        }
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::BodyTooLarge => AppError::PayloadTooLarge(r.message()),
            other => AppError::BadRequest(other.message()),
        }
    }
}

/// Where a field came from: only form bodies may hold line breaks and tabs (textareas).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Query,
    Form,
}

/// The longest value the field `name` may hold.
pub fn max_chars(name: &str) -> usize {
    if name == "id" || name.ends_with("_id") {
        MAX_ID_CHARS
    } else if name == "next" {
        MAX_NEXT_CHARS
    } else {
        MAX_FIELD_CHARS
    }
}

fn allowed(c: char, source: Source) -> bool {
    !c.is_control() || (source == Source::Form && matches!(c, '\t' | '\n' | '\r'))
}

/// Checks one decoded field: its name and value hold no control characters (form values may
/// hold tabs and line breaks) and neither is too long.
pub fn check_field(name: &str, value: &str, source: Source) -> Result<(), Refusal> {
    let shown = || -> String {
        let clean: String = name.chars().filter(|c| !c.is_control()).take(40).collect();
        if clean.is_empty() {
            "(unnamed)".to_owned()
        } else {
            clean
        }
    };
    if name.chars().any(char::is_control) || value.chars().any(|c| !allowed(c, source)) {
        return Err(Refusal::ControlCharacter { field: shown() });
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(Refusal::TooLong {
            field: shown(),
            max: MAX_NAME_CHARS,
        });
    }
    let max = max_chars(name);
    if value.chars().count() > max {
        return Err(Refusal::TooLong {
            field: shown(),
            max,
        });
    }
    Ok(())
}

/// Checks every field of a url-encoded string (a query string or a form body).
pub fn check_encoded(encoded: &[u8], source: Source) -> Result<(), Refusal> {
    url::form_urlencoded::parse(encoded).try_for_each(|(k, v)| check_field(&k, &v, source))
}

/// Checks the decoded request path: no control characters, not absurdly long.
pub fn check_path(raw: &str) -> Result<(), Refusal> {
    let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
    if decoded.chars().any(char::is_control) {
        return Err(Refusal::ControlCharacter {
            field: "address".into(),
        });
    }
    if decoded.chars().count() > MAX_PATH_CHARS {
        return Err(Refusal::TooLong {
            field: "address".into(),
            max: MAX_PATH_CHARS,
        });
    }
    Ok(())
}

fn is_form(req: &ServiceRequest) -> bool {
    req.content_type() == "application/x-www-form-urlencoded"
}

fn has_body(req: &ServiceRequest) -> bool {
    matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

/// A body declared on a request whose method has none (`Content-Length` above 0, or chunked).
fn sends_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key("transfer-encoding")
        || headers
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0")
}

/// Reads the whole body, refusing it as soon as it passes `limit` bytes.
async fn read_body(req: &mut ServiceRequest, limit: usize) -> Result<actix_web::web::Bytes, Error> {
    let declared = req
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(AppError::from(Refusal::BodyTooLarge).into());
    }
    let mut payload = req.take_payload();
    let mut body = actix_web::web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::from(Refusal::BodyTooLarge).into());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Puts a body that was read back, so the next reader finds it.
pub fn restore(req: &mut ServiceRequest, bytes: actix_web::web::Bytes) {
    let (_, mut inner) = actix_http::h1::Payload::create(true);
    inner.unread_data(bytes);
    req.set_payload(Payload::from(inner));
}

/// The middleware: refuses what [`check_path`] and [`check_encoded`] refuse.
pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let checked = check_path(req.path())
        .and_then(|()| check_encoded(req.query_string().as_bytes(), Source::Query));
    if let Err(refusal) = checked {
        return Ok(refuse(req, refusal.into()));
    }
    if !has_body(&req) && sends_body(&req) {
        return Ok(refuse(
            req,
            AppError::BadRequest(Refusal::UnexpectedBody.message()),
        ));
    }
    if has_body(&req) && is_form(&req) {
        let body = match read_body(&mut req, MAX_FORM_BYTES).await {
            Ok(body) => body,
            Err(e) => {
                let response = e.error_response();
                return Ok(req.into_response(response));
            }
        };
        if let Err(refusal) = check_encoded(&body, Source::Form) {
            return Ok(refuse(req, refusal.into()));
        }
        restore(&mut req, body);
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

fn refuse(req: ServiceRequest, error: AppError) -> ServiceResponse<BoxBody> {
    tracing::info!(path = %req.path(), reason = %error, "refused input at the gate");
    let response = error.error_response();
    req.into_response(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_and_control_characters_are_refused_everywhere() {
        for bad in ["a\0b", "a\u{7}b", "a\u{1b}[31m", "\u{85}", "\u{7f}"] {
            assert!(
                check_field("display_name", bad, Source::Form).is_err(),
                "{bad:?}"
            );
            assert!(check_field("q", bad, Source::Query).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn line_breaks_and_tabs_are_allowed_in_forms_only() {
        assert!(check_field("notes", "one\r\ntwo\tthree", Source::Form).is_ok());
        assert!(check_field("q", "one\ntwo", Source::Query).is_err());
        assert!(check_field("next", "/\t/evil.example", Source::Query).is_err());
    }

    #[test]
    fn ids_are_short_and_other_fields_are_bounded() {
        let astral = "😀".repeat(MAX_ID_CHARS + 1);
        assert_eq!(
            check_field("scenario_id", &astral, Source::Query),
            Err(Refusal::TooLong {
                field: "scenario_id".into(),
                max: MAX_ID_CHARS
            })
        );
        assert!(check_field("scenario_id", &"😀".repeat(MAX_ID_CHARS), Source::Query).is_ok());
        assert!(check_field("description", &"a".repeat(MAX_FIELD_CHARS), Source::Form).is_ok());
        assert!(check_field("description", &"a".repeat(10_000), Source::Form).is_err());
    }

    #[test]
    fn encoded_strings_are_decoded_before_checking() {
        assert!(check_encoded(b"scenario_id=%00", Source::Query).is_err());
        assert!(check_encoded(b"a=1&b=%0D%0Ax", Source::Form).is_ok());
        assert!(check_encoded(b"a=1&b=%0Bx", Source::Form).is_err());
        assert!(check_encoded(b"a%00=1", Source::Form).is_err());
        assert!(check_encoded(b"q=caf%C3%A9+cr%C3%A8me", Source::Query).is_ok());
    }

    #[test]
    fn paths_are_decoded_before_checking() {
        assert!(check_path("/scenarios/%00").is_err());
        assert!(check_path("/scenarios/a%0Ab").is_err());
        assert!(check_path("/scenarios/caf%C3%A9").is_ok());
        assert!(check_path(&format!("/{}", "a".repeat(MAX_PATH_CHARS))).is_err());
    }

    #[test]
    fn the_message_names_the_field_without_its_control_characters() {
        let e = check_field("na\0me", "x", Source::Form).unwrap_err();
        assert!(e.message().contains("“name”"), "{}", e.message());
    }
}
