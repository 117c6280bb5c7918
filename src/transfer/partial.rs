//! The local files a download writes into: the hidden partial file renamed into place
//! when complete, and files written at an offset (ranged downloads).

use std::path::{Path, PathBuf};

use crate::net::random;
use crate::{Error, Result};

/// The most bytes of a target's name kept in its partial file's name.
const PARTIAL_NAME_KEPT: usize = 200;

/// A download's hidden sibling `.name.partial-<random>` (the name cut to 200 bytes), renamed onto the target by
/// [`commit`](Self::commit) when complete. Dropping it uncommitted (an error, a
/// panic, a cancelled future) removes it, so a truncated file never appears under the
/// final name and none is left behind.
#[derive(Debug)]
pub(crate) struct PartialFile {
    path: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl PartialFile {
    pub(crate) fn new(target: &Path) -> Self {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "download".to_owned());
        // `.` + name + `.partial-xxxxxxxx` must fit in 255 bytes (or UTF-16 units)
        // whatever the name: a long one is cut, the random part keeps it unique.
        let mut cut = name.len().min(PARTIAL_NAME_KEPT);
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        PartialFile {
            path: target.with_file_name(format!(
                ".{}.partial-{:08x}",
                &name[..cut],
                random::random_u64() as u32
            )),
            target: target.to_path_buf(),
            committed: false,
        }
    }

    /// Where to write.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Moves the complete file into place.
    pub(crate) fn commit(mut self) -> Result<()> {
        std::fs::rename(&self.path, &self.target).map_err(|e| {
            Error::io(
                format!("could not move the download to {}", self.target.display()),
                e,
            )
        })?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Creates (or truncates) a file of `len` bytes, for parts to write into.
pub(crate) fn create_sized(path: &Path, len: u64) -> std::io::Result<()> {
    std::fs::File::create(path)?.set_len(len)
}

/// Opens an existing file to write at `offset`.
pub(crate) fn open_at(path: &Path, offset: u64) -> std::io::Result<std::fs::File> {
    use std::io::Seek;
    let mut file = std::fs::OpenOptions::new().write(true).open(path)?;
    file.seek(std::io::SeekFrom::Start(offset))?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_files_are_hidden_siblings_removed_unless_committed() {
        let dir = std::env::temp_dir().join(format!("podstack-partial-{}", random::random_u64()));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("model.pt");

        let partial = PartialFile::new(&target);
        assert_eq!(partial.path().parent(), Some(dir.as_path()));
        let name = partial
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(name.starts_with(".model.pt.partial-"), "{name}");
        std::fs::write(partial.path(), "half").unwrap();
        let path = partial.path().to_path_buf();
        drop(partial);
        assert!(!path.exists(), "a dropped partial file is removed");
        assert!(!target.exists());

        let partial = PartialFile::new(&target);
        std::fs::write(partial.path(), "whole").unwrap();
        partial.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "whole");
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            1,
            "only the target is left"
        );

        // However long the name, the partial file's fits in 255 bytes.
        for name in ["n".repeat(255), "é".repeat(127)] {
            let partial = PartialFile::new(&dir.join(&name));
            let partial_name = partial.path().file_name().unwrap().len();
            assert!(partial_name <= 255, "{partial_name}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
