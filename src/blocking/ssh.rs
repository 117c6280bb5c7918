//! SSH in this terminal: a blocking client's call only.

#[cfg(doc)]
use super::Client;
use super::Pods;
use crate::{Error, Result};

impl Pods {
    /// Opens an interactive SSH session to the pod in this terminal and waits for it to
    /// end (blocking client only; with the async client run [`Pod::ssh`](crate::Pod::ssh)'s
    /// command yourself).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::Client::new()?;
    /// let status = client.pods().ssh("pod-id")?;
    /// println!("ssh exited with {status}");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) if no pod has this id;
    /// [`Error::UnexpectedState`](crate::Error::UnexpectedState) if the pod has no SSH
    /// command yet (see [`Pod::ssh`](crate::Pod::ssh));
    /// [`Error::Config`](crate::Error::Config) if that command cannot be split into words;
    /// [`Error::Io`](crate::Error::Io) if `ssh` cannot be run. Otherwise the [errors of
    /// every call](Client#errors-of-every-call).
    pub fn ssh(&self, id: &str) -> Result<std::process::ExitStatus> {
        let pod = self.get(id)?;
        pod.ssh()?
            .status()
            .map_err(|e| Error::io("could not run ssh", e))
    }
}
