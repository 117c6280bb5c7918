//! Projects: `/v1/projects`.

use serde::{Deserialize, Serialize};

use super::{tolerant, Listing, Page};

/// A project: the unit that owns pods, volumes and their billing.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[non_exhaustive]
pub struct Project {
    /// Project id.
    #[serde(deserialize_with = "tolerant::identity")]
    pub id: String,
    /// Name.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub name: String,
    /// Description, if any.
    #[serde(default, deserialize_with = "tolerant::option")]
    pub description: Option<String>,
    /// Creation time (RFC 3339); empty when the answer had none.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub created_at: String,
    /// Last update time (RFC 3339).
    #[serde(default, deserialize_with = "tolerant::option")]
    pub updated_at: Option<String>,
}

super::datetime_accessors!(Project, "podstack::Project" {
    created_at_datetime => created_at, "creation time";
    updated_at_datetime => updated_at, "last update time";
});

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
    ///
    /// ```
    /// let project = podstack::NewProject::new("training");
    /// assert_eq!(project.name, "training");
    /// ```
    pub fn new(name: impl Into<String>) -> Self {
        NewProject {
            name: name.into(),
            description: None,
        }
    }

    /// Adds a description.
    ///
    /// ```
    /// let project = podstack::NewProject::new("training").description("fine-tuning runs");
    /// assert_eq!(project.description.as_deref(), Some("fine-tuning runs"));
    /// ```
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

#[derive(Deserialize)]
pub(crate) struct ProjectList {
    #[serde(deserialize_with = "tolerant::seq")]
    projects: Vec<Project>,
    #[serde(default, deserialize_with = "tolerant::option")]
    total: Option<u64>,
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
