//! SSH into a pod: the API gives an `ssh …` command line; nothing is sent to the API.

use std::process::Command;

use super::Pod;
use crate::{Error, Result};

impl Pod {
    /// The pod's `ssh_command` as a [`Command`] ready to run (`~/` in arguments is
    /// expanded to the home directory, as a shell would).
    ///
    /// # Errors
    ///
    /// [`Error::UnexpectedState`] when the pod has no `ssh_command` yet (it is not
    /// running: wait with [`Pods::wait_until_running`](crate::Pods::wait_until_running)
    /// and get the pod again), and [`Error::Config`] when the command line cannot be
    /// split into words or is empty.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let pod: podstack::Pod = serde_json::from_str(r#"{"id": "pod_1", "name": "p",
    /// #     "image": "ubuntu", "status": "running", "ssh_command": "ssh root@pod-1.example"}"#)?;
    /// // `pod` from `client.pods().get(..)`, with either client.
    /// let status = pod.ssh()?.arg("nvidia-smi").status();
    /// # let _ = status;
    /// # Ok(()) }
    /// ```
    pub fn ssh(&self) -> Result<Command> {
        let line = self.ssh_command.as_deref().ok_or_else(|| {
            Error::unexpected_state(
                format!(
                    "pod {} has no SSH command yet (status {}): wait until it is running \
                     and get it again",
                    self.id, self.status
                ),
                &self.id,
                self.status.as_str(),
            )
        })?;
        let words = split_command_line(line).map_err(|why| {
            Error::config(format!(
                "could not split the ssh_command of pod {} into words: {why} in {line:?}",
                self.id
            ))
        })?;
        let home = home::home_dir();
        let mut words = words
            .into_iter()
            .map(|word| match (&home, word.strip_prefix("~/")) {
                (Some(home), Some(rest)) => home.join(rest).display().to_string(),
                _ => word,
            });
        let program = words
            .next()
            .ok_or_else(|| Error::config(format!("pod {} has an empty ssh_command", self.id)))?;
        let mut command = Command::new(program);
        command.args(words);
        Ok(command)
    }
}

/// Splits a command line into words: white space separates, single and double quotes
/// group, a backslash escapes the next character outside single quotes.
fn split_command_line(line: &str) -> std::result::Result<Vec<String>, &'static str> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("unclosed single quote"),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => word.push(chars.next().ok_or("trailing backslash")?),
                        Some(c) => word.push(c),
                        None => return Err("unclosed double quote"),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.push(chars.next().ok_or("trailing backslash")?);
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(
            split_command_line("ssh root@1.2.3.4 -p 2222 -i ~/.ssh/id").unwrap(),
            ["ssh", "root@1.2.3.4", "-p", "2222", "-i", "~/.ssh/id"]
        );
        assert_eq!(
            split_command_line(r#"ssh -o 'ProxyCommand=nc %h 22' "a b" c\ d"#).unwrap(),
            ["ssh", "-o", "ProxyCommand=nc %h 22", "a b", "c d"]
        );
        assert!(split_command_line("ssh 'open").is_err());
        assert!(split_command_line("").unwrap().is_empty());
    }

    #[test]
    fn builds_a_command_with_the_home_directory_expanded() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "id": "pod_1", "name": "p", "image": "i", "status": "running",
            "ssh_command": "ssh root@127.0.0.1 -p 20001 -i ~/.ssh/id_ed25519"
        }))
        .unwrap();
        let command = pod.ssh().unwrap();
        assert_eq!(command.get_program(), "ssh");
        let args: Vec<_> = command
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(args[..4], ["root@127.0.0.1", "-p", "20001", "-i"]);
        assert!(args[4].ends_with(".ssh/id_ed25519") && !args[4].starts_with('~'));

        let pending: Pod = serde_json::from_value(serde_json::json!({
            "id": "pod_2", "name": "p", "image": "i", "status": "pending", "ssh_command": null
        }))
        .unwrap();
        assert!(matches!(pending.ssh(), Err(Error::UnexpectedState { .. })));
    }
}
