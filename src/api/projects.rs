//! Projects: `/v1/projects`.

use serde::{Deserialize, Serialize};

use crate::client::{segment, ApiRequest, Client, Listing};
use crate::Result;

/// Project calls. Get one with [`Client::projects`].
#[derive(Clone, Copy, Debug)]
pub struct Projects<'a> {
    client: &'a Client,
}

/// A project: the unit that owns pods, volumes and their billing.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct Project {
    /// Project id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description, if any.
    #[serde(default)]
    pub description: Option<String>,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Last update time (RFC 3339).
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// One page of an offset-paginated list.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// How many items exist in all.
    pub total: u64,
}

/// What to create: the body of `POST /v1/projects`.
///
/// ```
/// let project = podstack::NewProject::new("training").description("fine-tuning runs");
/// # let _ = project;
/// ```
#[derive(Clone, Debug, Serialize, PartialEq)]
#[non_exhaustive]
pub struct NewProject {
    /// Name (required, non-empty).
    pub name: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl NewProject {
    /// A project with this name.
    pub fn new(name: impl Into<String>) -> Self {
        NewProject {
            name: name.into(),
            description: None,
        }
    }

    /// Adds a description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

#[derive(Deserialize)]
struct ProjectList {
    projects: Vec<Project>,
    total: u64,
}

impl Listing for ProjectList {
    type Item = Project;
    fn into_page(self) -> Page<Project> {
        Page {
            items: self.projects,
            total: self.total,
        }
    }
}

fn page_request(limit: u32, offset: u64) -> ApiRequest {
    ApiRequest::get("/projects")
        .query("limit", limit)
        .query("offset", offset)
}

impl<'a> Projects<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Projects { client }
    }
}

#[cfg_attr(not(feature = "async"), maybe_async::must_be_sync)]
#[cfg_attr(feature = "async", maybe_async::must_be_async)]
impl Projects<'_> {
    /// Every project the token can see, following pagination to the end.
    ///
    /// ```no_run
    /// # #[cfg(not(feature = "async"))]
    /// # fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::Client::new()?;
    /// for p in client.projects().list()? {
    ///     println!("{}: {}", p.name, p.id);
    /// }
    /// # Ok(()) }
    /// # #[cfg(feature = "async")] fn main() {}
    /// ```
    pub async fn list(&self) -> Result<Vec<Project>> {
        self.client.list_all::<ProjectList>(page_request).await
    }

    /// One page of projects: at most `limit` (1 to 200) starting at `offset`.
    pub async fn list_page(&self, limit: u32, offset: u64) -> Result<Page<Project>> {
        self.client
            .list_page::<ProjectList>(page_request(limit, offset))
            .await
    }

    /// The project with this id.
    pub async fn get(&self, id: &str) -> Result<Project> {
        self.client
            .send_json(ApiRequest::get(format!("/projects/{}", segment(id))))
            .await
    }

    /// Creates a project. Safe to retry: the request carries an idempotency key.
    pub async fn create(&self, project: &NewProject) -> Result<Project> {
        self.client
            .send_json(ApiRequest::post("/projects").json(project)?.create())
            .await
    }

    /// Deletes a project. Fails with [`Error::Conflict`](crate::Error::Conflict) while
    /// it holds pods.
    pub async fn delete(&self, id: &str) -> Result<()> {
        self.client
            .send_empty(ApiRequest::delete(format!("/projects/{}", segment(id))))
            .await
    }
}
