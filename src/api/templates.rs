//! Pod templates: `GET /v1/templates?type=pod`, and the type
//! [`Pods::save_template`](crate::Pods::save_template) returns.

use super::{flavour, Client};
use crate::models::TemplateList;
use crate::request::ApiRequest;
use crate::{models::Template, Result};

/// Template calls. Get one with [`Client::templates`].
#[derive(Clone, Copy, Debug)]
pub struct Templates<'a> {
    client: &'a Client,
}

impl<'a> Templates<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Templates { client }
    }
}

#[flavour]
impl Templates<'_> {
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
        let list: TemplateList = self
            .client
            .send_json(ApiRequest::get("/templates").query("type", "pod"))
            .await?;
        Ok(list.templates)
    }
}
