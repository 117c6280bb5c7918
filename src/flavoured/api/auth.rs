//! Identity: `GET /v1/auth/whoami`.

use super::{flavour, Client};
use crate::wire::auth as wire;
use crate::{models::User, Result};

/// Identity calls. Get one with [`Client::auth`].
///
/// Holds its own clone of the client (cheap: an `Arc` inside), so it can be kept in a
/// struct or moved into a thread or task.
#[derive(Clone, Debug)]
pub struct Auth {
    client: Client,
}

impl Auth {
    pub(crate) fn new(client: &Client) -> Self {
        Auth {
            client: client.clone(),
        }
    }
}

#[flavour]
impl Auth {
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
        self.client.send_json(wire::whoami()).await
    }
}
