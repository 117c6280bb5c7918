//! Pod templates: `GET /v1/templates?type=pod`, and the type
//! [`Pods::save_template`](crate::Pods::save_template) returns.

use super::{flavour, Client};
use crate::models::TemplateList;
use crate::wire::pods as wire;
use crate::{models::Template, Result};

/// Template calls. Get one with [`Client::templates`].
///
/// Holds its own clone of the client (cheap: an `Arc` inside), so it can be kept in a
/// struct or moved into a thread or task.
#[derive(Clone, Debug)]
pub struct Templates {
    client: Client,
}

impl Templates {
    pub(crate) fn new(client: &Client) -> Self {
        Templates {
            client: client.clone(),
        }
    }
}

#[flavour]
impl Templates {
    /// Every pod template: the built-in ones and those you saved.
    ///
    #[doc = doc_example!(
        "for template in client.templates().list()" await "? {\n"
        "    println!(\"{}: {}\", template.id, template.name);\n"
        "}"
    )]
    ///
    /// # Errors
    ///
    /// Only the [errors of every call](Client#errors-of-every-call).
    pub async fn list(&self) -> Result<Vec<Template>> {
        let list: TemplateList = self.client.send_json(wire::list_templates()).await?;
        Ok(list.templates)
    }
}
