//! Google sign-in through the `oauth2` crate: the authorization URL with PKCE, `state` and
//! a nonce, and the code exchange whose ID token is checked (issuer, audience, expiry,
//! nonce). The ID token comes straight from the token endpoint over TLS, so its claims are
//! trusted without a signature check (OpenID Connect Core §3.1.3.7).

use base64::Engine;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

use crate::app::accounts::GoogleIdentity;
use crate::config::GoogleSettings;

/// The extra field an OpenID Connect token response carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdTokenField {
    pub id_token: String,
}
impl ExtraTokenFields for IdTokenField {}

type TokenResponse = StandardTokenResponse<IdTokenField, BasicTokenType>;
type GoogleClient = Client<
    BasicErrorResponse,
    TokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// What must be remembered between the redirect and the callback.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingLogin {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub next: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum GoogleError {
    #[error("Google sign-in is not set up correctly: {0}")]
    Config(String),
    #[error("Google did not accept the sign-in: {0}")]
    Exchange(String),
    #[error("Google's answer could not be trusted: {0}")]
    BadToken(String),
}

fn client(settings: &GoogleSettings, redirect: &str) -> Result<GoogleClient, GoogleError> {
    let bad = |e: url::ParseError| GoogleError::Config(e.to_string());
    Ok(Client::new(ClientId::new(settings.client_id.clone()))
        .set_client_secret(ClientSecret::new(
            settings.client_secret.expose().to_owned(),
        ))
        .set_auth_uri(AuthUrl::new(settings.auth_url.clone()).map_err(bad)?)
        .set_token_uri(TokenUrl::new(settings.token_url.clone()).map_err(bad)?)
        .set_redirect_uri(RedirectUrl::new(redirect.to_owned()).map_err(bad)?))
}

/// The provider URL to send the browser to, and what to remember for the callback.
pub fn authorize(
    settings: &GoogleSettings,
    redirect: &str,
    next: Option<String>,
) -> Result<(String, PendingLogin), GoogleError> {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let nonce = CsrfToken::new_random().secret().clone();
    let (url, state) = client(settings, redirect)?
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("openid".into()))
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .add_extra_param("nonce", nonce.clone())
        .set_pkce_challenge(challenge)
        .url();
    let pending = PendingLogin {
        state: state.secret().clone(),
        nonce,
        pkce_verifier: verifier.secret().clone(),
        next,
    };
    Ok((url.to_string(), pending))
}

#[derive(Debug, Deserialize)]
struct Claims {
    iss: String,
    aud: String,
    sub: String,
    exp: i64,
    #[serde(default)]
    nonce: Option<String>,
    email: String,
    #[serde(default)]
    email_verified: bool,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    picture: Option<String>,
}

/// Exchanges the callback's code (with the PKCE verifier) and checks the ID token.
pub async fn exchange(
    settings: &GoogleSettings,
    redirect: &str,
    code: &str,
    pending: &PendingLogin,
    now_unix: i64,
) -> Result<GoogleIdentity, GoogleError> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .map_err(|e| GoogleError::Config(e.to_string()))?;
    let response = client(settings, redirect)?
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
        .request_async(&http)
        .await
        .map_err(|e| GoogleError::Exchange(e.to_string()))?;
    let claims = decode_claims(&response.extra_fields().id_token)?;
    check_claims(&claims, settings, &pending.nonce, now_unix)?;
    Ok(GoogleIdentity {
        sub: claims.sub,
        email: claims.email,
        email_verified: claims.email_verified,
        name: claims.name,
        picture: claims.picture,
    })
}

fn decode_claims(id_token: &str) -> Result<Claims, GoogleError> {
    let payload = id_token
        .split('.')
        .nth(1)
        .ok_or_else(|| GoogleError::BadToken("not a JWT".into()))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|e| GoogleError::BadToken(e.to_string()))?;
    serde_json::from_slice(&bytes).map_err(|e| GoogleError::BadToken(e.to_string()))
}

fn check_claims(
    claims: &Claims,
    settings: &GoogleSettings,
    nonce: &str,
    now_unix: i64,
) -> Result<(), GoogleError> {
    let issuer_ok = claims.iss == settings.issuer
        || (settings.issuer == "https://accounts.google.com"
            && claims.iss == "accounts.google.com");
    if !issuer_ok {
        return Err(GoogleError::BadToken("unexpected issuer".into()));
    }
    if claims.aud != settings.client_id {
        return Err(GoogleError::BadToken("issued to another client".into()));
    }
    if claims.exp <= now_unix {
        return Err(GoogleError::BadToken("expired".into()));
    }
    if claims.nonce.as_deref() != Some(nonce) {
        return Err(GoogleError::BadToken("nonce does not match".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    fn settings() -> GoogleSettings {
        GoogleSettings {
            client_id: "kaiwa-client".into(),
            client_secret: Secret::new("s"),
            auth_url: "https://accounts.example/auth".into(),
            token_url: "https://accounts.example/token".into(),
            issuer: "https://accounts.example".into(),
        }
    }

    fn token(claims: serde_json::Value) -> String {
        let enc = |v: &serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        format!(
            "{}.{}.sig",
            enc(&serde_json::json!({"alg": "RS256"})),
            enc(&claims)
        )
    }

    #[test]
    fn the_authorization_url_carries_pkce_state_and_nonce() {
        let (url, pending) =
            authorize(&settings(), "http://127.0.0.1/auth/google/callback", None).unwrap();
        assert!(url.starts_with("https://accounts.example/auth?"));
        assert!(url.contains("code_challenge_method=S256"));
        assert!(url.contains(&format!("state={}", pending.state)));
        assert!(url.contains(&format!("nonce={}", pending.nonce)));
    }

    #[test]
    fn id_token_claims_are_checked() {
        let good = serde_json::json!({"iss": "https://accounts.example", "aud": "kaiwa-client", "sub": "1", "exp": 2000,
            "nonce": "n", "email": "a@example.com", "email_verified": true});
        let claims = decode_claims(&token(good.clone())).unwrap();
        assert!(check_claims(&claims, &settings(), "n", 1000).is_ok());
        assert!(check_claims(&claims, &settings(), "other", 1000).is_err());
        assert!(check_claims(&claims, &settings(), "n", 3000).is_err());
        let mut wrong_aud = good;
        wrong_aud["aud"] = "someone-else".into();
        let claims = decode_claims(&token(wrong_aud)).unwrap();
        assert!(check_claims(&claims, &settings(), "n", 1000).is_err());
        assert!(decode_claims("garbage").is_err());
    }
}
