//! Identity: `GET /v1/auth/whoami`.

use serde::Deserialize;

use crate::client::{ApiRequest, Client};
use crate::Result;

/// Identity calls. Get one with [`Client::auth`].
#[derive(Clone, Copy, Debug)]
pub struct Auth<'a> {
    client: &'a Client,
}

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

impl<'a> Auth<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Auth { client }
    }
}

#[cfg_attr(not(feature = "async"), maybe_async::must_be_sync)]
#[cfg_attr(feature = "async", maybe_async::must_be_async)]
impl Auth<'_> {
    /// Who the token belongs to; the way to verify authentication.
    ///
    /// ```no_run
    /// # #[cfg(not(feature = "async"))]
    /// # fn main() {
    /// let client = podstack::Client::new().expect("configured");
    /// match client.auth().whoami() {
    ///     Ok(user) => println!("Authenticated as: {}", user.email),
    ///     Err(e) => println!("Authentication failed: {e}"),
    /// }
    /// # }
    /// # #[cfg(feature = "async")] fn main() {}
    /// ```
    pub async fn whoami(&self) -> Result<User> {
        self.client.send_json(ApiRequest::get("/auth/whoami")).await
    }
}
