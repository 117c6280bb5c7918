//! Identity: `GET /v1/auth/whoami`.

use super::{flavour, Client};
use crate::request::ApiRequest;
use crate::{models::User, Result};

/// Identity calls. Get one with [`Client::auth`].
#[derive(Clone, Copy, Debug)]
pub struct Auth<'a> {
    client: &'a Client,
}

impl<'a> Auth<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Auth { client }
    }
}

#[flavour]
impl Auth<'_> {
    /// Who the token belongs to; the way to verify authentication.
    ///
    #[doc = doc_example!(
        "match client.auth().whoami()" await " {\n"
        "    Ok(user) => println!(\"Authenticated as: {}\", user.email),\n"
        "    Err(e) => println!(\"Authentication failed: {e}\"),\n"
        "}"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Authentication`](crate::Error::Authentication) if the API rejects the token
    /// (invalid, expired or revoked). Otherwise the [errors of every
    /// call](Client#errors-of-every-call).
    pub async fn whoami(&self) -> Result<User> {
        self.client.send_json(ApiRequest::get("/auth/whoami")).await
    }
}
