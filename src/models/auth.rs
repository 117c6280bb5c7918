//! Identity: `GET /v1/auth/whoami`.

use serde::Deserialize;

/// The user a token belongs to.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct User {
    /// User id, `usr_…`.
    pub id: String,
    /// E-mail address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Account id, `acc_…`.
    pub account_id: String,
    /// The token used for this call.
    pub token: TokenInfo,
}

/// What the API says about the token in use. Never contains the secret itself.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct TokenInfo {
    /// The name given to the token when it was created.
    pub name: String,
    /// The token's public prefix.
    pub prefix: String,
    /// When the token expires (RFC 3339), or `None` if it does not.
    pub expires_at: Option<String>,
    /// The scopes the token grants.
    #[serde(default)]
    pub scopes: Vec<String>,
}
