//! Identity: `GET /v1/auth/whoami`.

use serde::{Deserialize, Serialize};

use super::tolerant;

/// The user a token belongs to.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[non_exhaustive]
pub struct User {
    /// User id, `usr_…`.
    #[serde(deserialize_with = "tolerant::identity")]
    pub id: String,
    /// E-mail address.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub email: String,
    /// Display name.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub name: String,
    /// Account id, `acc_…`.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub account_id: String,
    /// The token used for this call (empty fields when the answer had none).
    #[serde(default, deserialize_with = "tolerant::nested")]
    pub token: TokenInfo,
}

/// What the API says about the token in use. Never contains the secret itself.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[non_exhaustive]
pub struct TokenInfo {
    /// The name given to the token when it was created.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub name: String,
    /// The token's public prefix.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub prefix: String,
    /// When the token expires (RFC 3339), or `None` if it does not.
    #[serde(default, deserialize_with = "tolerant::option")]
    pub expires_at: Option<String>,
    /// The scopes the token grants.
    #[serde(default, deserialize_with = "tolerant::list")]
    pub scopes: Vec<String>,
}

super::datetime_accessors!(TokenInfo, "podstack::auth::TokenInfo" {
    expires_at_datetime => expires_at, "when the token expires";
});
