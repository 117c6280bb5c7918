//! Projects: `/v1/projects`.

use super::{flavour, offset_pages, Client, ListStream};
use crate::models::ProjectList;
use crate::wire::projects as wire;
use crate::{NewProject, Page, Project, Result};

/// Project calls. Get one with [`Client::projects`].
///
/// Holds its own clone of the client (cheap: an `Arc` inside), so it can be kept in a
/// struct or moved into a thread or task.
#[derive(Clone, Debug)]
pub struct Projects {
    client: Client,
}

impl Projects {
    pub(crate) fn new(client: &Client) -> Self {
        Projects {
            client: client.clone(),
        }
    }

    /// Every project the token can see, fetched lazily a page at a time as the result
    /// is read: an `Iterator` from the blocking client, a `Stream` from the async one.
    /// Nothing is sent until the first item is asked for.
    ///
    #[doc = doc_example!(
        "let mut projects = client.projects().list_stream();\n"
        "while let Some(project) = projects.next_item()" await " {\n"
        "    println!(\"{}\", project?.name);\n"
        "}"
    )]
    pub fn list_stream(&self) -> ListStream<Project> {
        ListStream::new(offset_pages::<ProjectList>(
            &self.client,
            Box::new(wire::list_projects),
        ))
    }
}

#[flavour]
impl Projects {
    /// Every project the token can see, following pagination to the end.
    ///
    #[doc = doc_example!(
        "for p in client.projects().list()" await "? {\n"
        "    println!(\"{}: {}\", p.name, p.id);\n"
        "}"
    )]
    ///
    /// # Errors
    ///
    /// Only the [errors of every call](Client#errors-of-every-call).
    pub async fn list(&self) -> Result<Vec<Project>> {
        self.client
            .list_all::<ProjectList>(wire::list_projects)
            .await
    }

    /// One page of projects: at most `limit` (1 to 200) starting at `offset`.
    ///
    #[doc = doc_example!(
        "let page = client.projects().list_page(50, 0)" await "?;\n"
        "for project in &page.items {\n"
        "    println!(\"{}\", project.name);\n"
        "}"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Validation`](crate::Error::Validation) if the API rejects `limit` or
    /// `offset`. Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn list_page(&self, limit: u32, offset: u64) -> Result<Page<Project>> {
        self.client
            .list_page::<ProjectList>(wire::list_projects(limit, offset))
            .await
    }

    /// The project with this id.
    ///
    #[doc = doc_example!(
        "let project = client.projects().get(\"project-id\")" await "?;\n"
        "println!(\"{}\", project.name);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) if no project has this id. Otherwise the
    /// [errors of every call](Client#errors-of-every-call).
    pub async fn get(&self, id: &str) -> Result<Project> {
        self.client.send_json(wire::get_project(id)).await
    }

    /// Creates a project. Safe to retry: the request carries an idempotency key.
    ///
    #[doc = doc_example!(
        "use podstack::NewProject;\n\n"
        "let project = client.projects().create(&NewProject::new(\"research\"))" await "?;\n"
        "println!(\"Project ID: {}\", project.id);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Validation`](crate::Error::Validation) if the API rejects the name or
    /// description. Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn create(&self, project: &NewProject) -> Result<Project> {
        self.client.send_json(wire::create_project(project)?).await
    }

    /// Deletes a project. Fails with [`Error::Conflict`](crate::Error::Conflict) while
    /// it holds pods.
    ///
    #[doc = doc_example!(
        "client.projects().delete(\"project-id\")" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) if no project has this id,
    /// [`Error::Conflict`](crate::Error::Conflict) while it holds pods. Otherwise the
    /// [errors of every call](Client#errors-of-every-call).
    pub async fn delete(&self, id: &str) -> Result<()> {
        self.client.send_empty(wire::delete_project(id)).await
    }
}
