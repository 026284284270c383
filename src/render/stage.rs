//! Writing a report folder all or nothing.
//!
//! Files are written into a staging folder inside the output folder as the renderers produce
//! them, then moved into place. A file already at a destination (a report replaced with
//! `--force`) is first moved aside into the staging folder; if any step fails, every file
//! moved so far is taken back and every earlier file put back, and the staging folder is
//! removed, so a failed write leaves the folder as it was. A run killed before that can
//! happen leaves its staging folder, which a later write into the folder removes. This
//! module knows nothing of reports: it takes paths and bytes.

use crate::error::{io_err, Error, Result};
use crate::render::Output;
use crate::util::FileHash;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The staging folder of one write and the files put into it so far.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    files: Vec<FileHash>,
}

impl Staging {
    fn new(out: &Path) -> Result<Self> {
        std::fs::create_dir_all(out).map_err(|e| io_err(out, "create the output folder", e))?;
        remove_abandoned(out);
        let dir = out.join(format!("{STAGING}{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| io_err(&dir, "create a folder", e))?;
        Ok(Self {
            out: out.to_path_buf(),
            dir,
            files: Vec::new(),
        })
    }

    /// Stage one file, at `rel` below the output folder.
    pub fn put(&mut self, rel: &Path, bytes: &[u8]) -> Result<()> {
        self.file(rel, &mut |w| {
            w.write_all(bytes)
                .map_err(|e| crate::render::write_err(&rel.display().to_string(), e))
        })
    }

    /// The files staged so far, in the order they were put, with their hashes.
    pub fn files(&self) -> &[FileHash] {
        &self.files
    }

    /// Move every staged file into place; on failure, undo every move made.
    fn commit(&self, force: bool) -> Result<Vec<PathBuf>> {
        if !force {
            if let Some(f) = self.files.iter().find(|f| self.out.join(&f.path).exists()) {
                return Err(Error::usage(format!(
                    "{}: a report already exists here ({})",
                    self.out.display(),
                    f.path
                ))
                .with_hint("pass --force to replace it, or choose another --out"));
            }
        }
        let mut moves = Moves::default();
        for f in &self.files {
            if let Err(e) = self.place(Path::new(&f.path), &mut moves) {
                moves.undo();
                return Err(e);
            }
        }
        Ok(moves.placed.into_iter().map(|(dest, _)| dest).collect())
    }

    /// Move one staged file to its destination, the file it replaces aside first.
    fn place(&self, rel: &Path, moves: &mut Moves) -> Result<()> {
        let dest = self.out.join(rel);
        if let Some(parent) = dest.parent() {
            let missing: Vec<PathBuf> = parent
                .ancestors()
                .take_while(|a| !a.exists())
                .map(Path::to_path_buf)
                .collect();
            std::fs::create_dir_all(parent).map_err(|e| io_err(parent, "create a folder", e))?;
            moves.created.extend(missing.into_iter().rev());
        }
        let aside = if dest.exists() {
            let b = self.dir.join(PREVIOUS).join(rel);
            if let Some(parent) = b.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| io_err(parent, "create a folder", e))?;
            }
            std::fs::rename(&dest, &b).map_err(|e| io_err(&dest, "move aside", e))?;
            Some(b)
        } else {
            None
        };
        if let Err(e) = std::fs::rename(self.dir.join(rel), &dest) {
            if let Some(b) = &aside {
                let _ = std::fs::rename(b, &dest);
            }
            return Err(io_err(&dest, "move into place", e));
        }
        moves.placed.push((dest, aside));
        Ok(())
    }
}

impl crate::render::Output for Staging {
    /// Stage one file, at `rel` below the output folder, hashed as it is written.
    fn file(
        &mut self,
        rel: &Path,
        fill: &mut dyn FnMut(&mut dyn Write) -> Result<()>,
    ) -> Result<()> {
        let p = self.dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_err(parent, "create a folder", e))?;
        }
        let file = std::fs::File::create(&p).map_err(|e| io_err(&p, "write", e))?;
        let mut w = Hashing {
            inner: std::io::BufWriter::with_capacity(
                crate::util::WRITE_BYTES,
                crate::util::SmallWrites(file),
            ),
            hash: Sha256::new(),
        };
        fill(&mut w)?;
        w.inner.flush().map_err(|e| io_err(&p, "write", e))?;
        self.files.push(FileHash {
            path: rel.display().to_string(),
            sha256: format!("{:x}", w.hash.finalize()),
        });
        Ok(())
    }
}

/// A writer that hashes what passes through it.
pub struct Hashing<W> {
    pub inner: W,
    pub hash: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The name of a staging folder, before the process id.
const STAGING: &str = ".cseval-staging-";
/// The folder inside a staging folder that the files a commit replaces are moved aside to.
const PREVIOUS: &str = ".previous";

/// How long a staging folder must have been left unchanged before [`remove_abandoned`]
/// takes it for abandoned: a process of another PID namespace (another container writing
/// into the same folder) looks gone from here while it renders.
const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

/// Remove the staging folders in `out` that runs killed while they rendered left behind
/// (a cron job's time limit, a machine shut down): those of processes no longer running,
/// unchanged for [`ABANDONED_AFTER`], which hold no file moved aside. One that does was
/// killed during its final renames and holds files of the report it replaced: it is left
/// for a person, with a warning. Where whether a process runs cannot be told (not Linux),
/// nothing is removed.
fn remove_abandoned(out: &Path) {
    let Ok(entries) = std::fs::read_dir(out) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(STAGING))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() || process_runs(pid) != Some(false) {
            continue;
        }
        let idle = e
            .metadata()
            .ok()
            .and_then(|m| m.modified().ok()?.elapsed().ok());
        if !idle.is_some_and(|t| t >= ABANDONED_AFTER) {
            continue;
        }
        let dir = e.path();
        if dir.join(PREVIOUS).exists() {
            tracing::warn!(
                folder = %dir.display(),
                "a run killed while it moved its files into place left files of the report it replaced here; compare them with the folder's files, then delete it"
            );
        } else {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

/// Whether process `pid` runs (`None`: cannot be told here).
fn process_runs(pid: u32) -> Option<bool> {
    if cfg!(target_os = "linux") {
        Some(Path::new("/proc").join(pid.to_string()).exists())
    } else {
        None
    }
}

/// What a commit has done so far, to be undone if a later step fails.
#[derive(Default)]
struct Moves {
    /// Files moved into place, each with where the file it replaced was moved aside.
    placed: Vec<(PathBuf, Option<PathBuf>)>,
    /// Folders created for them, outermost first.
    created: Vec<PathBuf>,
}

impl Moves {
    fn undo(self) {
        for (dest, aside) in self.placed.into_iter().rev() {
            let _ = std::fs::remove_file(&dest);
            if let Some(b) = aside {
                let _ = std::fs::rename(b, &dest);
            }
        }
        for d in self.created.into_iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
    }
}

/// Write the files that `fill` stages into `out`, all or nothing: an error from `fill` or
/// from any move leaves `out` as it was. Refuses to replace an existing file without
/// `force`. Returns the paths written.
pub fn write_atomically(
    out: &Path,
    force: bool,
    fill: impl FnOnce(&mut Staging) -> Result<()>,
) -> Result<Vec<PathBuf>> {
    let mut staging = Staging::new(out)?;
    fill(&mut staging)?;
    staging.commit(force)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every path below `dir`, relative, with the text of each file.
    fn tree(dir: &Path) -> Vec<(String, Option<String>)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                if p.is_dir() {
                    stack.push(p);
                    out.push((rel, None));
                } else {
                    out.push((rel, Some(std::fs::read_to_string(&p).unwrap())));
                }
            }
        }
        out.sort();
        out
    }

    /// Staging folders of processes that no longer run (pids above the kernel's largest,
    /// 2^22), left two hours ago: the one killed while rendering is removed by the next
    /// write, the one killed during its renames (a `.previous` inside) is left. Left as
    /// well: a running process's (pid 1), and one changed a minute ago (a process of
    /// another PID namespace may be rendering into it).
    #[cfg(target_os = "linux")]
    #[test]
    fn a_killed_runs_staging_folder_is_removed_by_the_next_write() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("report");
        let folder = |pid: u32| out.join(format!("{STAGING}{pid}"));
        let (gone, renaming, running, recent) = (
            folder(1 << 23),
            folder((1 << 23) + 1),
            folder(1),
            folder((1 << 23) + 2),
        );
        std::fs::create_dir_all(gone.join("evidence")).unwrap();
        std::fs::write(gone.join("evidence/fcr.csv"), "half a list").unwrap();
        std::fs::create_dir_all(renaming.join(".previous")).unwrap();
        std::fs::write(renaming.join(".previous/metrics.json"), "{}").unwrap();
        std::fs::create_dir_all(&running).unwrap();
        std::fs::create_dir_all(&recent).unwrap();
        let now = std::time::SystemTime::now();
        for (d, ago) in [
            (&gone, 7200),
            (&renaming, 7200),
            (&running, 7200),
            (&recent, 60),
        ] {
            let t = now - std::time::Duration::from_secs(ago);
            std::fs::File::open(d).unwrap().set_modified(t).unwrap();
        }
        write_atomically(&out, false, |s| s.put(Path::new("metrics.json"), b"{}")).unwrap();
        assert!(!gone.exists());
        assert!(renaming.join(".previous/metrics.json").exists());
        assert!(running.exists());
        assert!(recent.exists());
        assert_eq!(
            std::fs::read_to_string(out.join("metrics.json")).unwrap(),
            "{}"
        );
    }

    #[test]
    fn a_failure_after_some_files_are_staged_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("report");
        let r = write_atomically(&out, false, |s| {
            s.put(Path::new("metrics.json"), b"{}")?;
            s.put(Path::new("charts/sla.svg"), b"<svg/>")?;
            Err(Error::runtime("a renderer failed"))
        });
        assert!(r.is_err());
        assert_eq!(tree(&out), vec![], "staged files left behind");
    }

    #[test]
    fn a_failed_move_restores_the_report_it_was_replacing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::write(out.join("metrics.json"), "old").unwrap();
        // A plain file where the new report needs a folder: the third move fails.
        std::fs::write(out.join("charts"), "not a folder").unwrap();
        let before = tree(out);
        let r = write_atomically(out, true, |s| {
            s.put(Path::new("metrics.json"), b"new")?;
            s.put(Path::new("daily/2026-10-01/metrics.json"), b"new day")?;
            s.put(Path::new("charts/sla.svg"), b"<svg/>")
        });
        assert!(r.is_err());
        assert_eq!(tree(out), before, "a partial report was left in place");
    }

    #[test]
    fn a_commit_moves_every_file_and_replaces_only_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let put = |s: &mut Staging| {
            s.put(Path::new("metrics.json"), b"new")?;
            s.put(Path::new("charts/sla.svg"), b"<svg/>")
        };
        let written = write_atomically(out, false, put).unwrap();
        assert_eq!(
            written,
            vec![out.join("metrics.json"), out.join("charts/sla.svg")]
        );
        let first = tree(out);
        assert_eq!(
            first,
            vec![
                ("charts".into(), None),
                ("charts/sla.svg".into(), Some("<svg/>".into())),
                ("metrics.json".into(), Some("new".into())),
            ]
        );
        let refused = write_atomically(out, false, put).unwrap_err();
        assert!(refused.to_string().contains("already exists"), "{refused}");
        assert_eq!(tree(out), first);
        write_atomically(out, true, put).unwrap();
        assert_eq!(tree(out), first);
    }
}
