//! A file's SHA-256 worked out in the time the machine's cores would otherwise be idle.
//!
//! [`IdleHash::start`] opens the file and hashes it on a thread of its own at the lowest
//! scheduling priority (Linux `SCHED_IDLE`): it runs only on a core no other thread of the
//! machine wants, so the reading and the KPIs, which keep the cores nearly busy, are not
//! slowed by it, and it catches up in the steps that leave a core idle. [`IdleHash::finish`]
//! hashes whatever is left on the calling thread at that thread's priority (an unprivileged
//! thread cannot be given its priority back) and checks that the file did not change while
//! the run read it: its length, its modification time and the bytes hashed must be those
//! seen when the hashing started. It knows nothing of what the file holds.

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

/// A file's length and modification time, read when its hashing starts and again at the
/// end.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Stamp {
    fn of(m: &std::fs::Metadata) -> Stamp {
        Stamp {
            len: m.len(),
            modified: m.modified().ok(),
        }
    }
}

/// The hashing so far, shared by the idle thread and [`IdleHash::finish`].
struct State {
    file: std::fs::File,
    hasher: Sha256,
    /// Bytes hashed so far.
    hashed: u64,
    buf: Vec<u8>,
    /// Set at the end of the file (the digest in hexadecimal) or on a read error.
    outcome: Option<std::result::Result<String, String>>,
}

impl State {
    /// Hash the file's next piece; at its end or on an error, settle the outcome.
    fn step(&mut self) {
        match self.file.read(&mut self.buf) {
            Ok(0) => {
                let digest = std::mem::take(&mut self.hasher).finalize();
                self.outcome = Some(Ok(format!("{digest:x}")));
            }
            Ok(n) => {
                self.hasher.update(&self.buf[..n]);
                self.hashed += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => self.outcome = Some(Err(e.to_string())),
        }
    }
}

/// A file's SHA-256, hashed in idle time until [`IdleHash::finish`] asks for it.
pub struct IdleHash {
    path: PathBuf,
    at_start: Stamp,
    state: Arc<Mutex<State>>,
    /// Set by [`IdleHash::finish`] (or when the hash is no longer wanted): the idle thread
    /// stops at its next piece.
    stop: Arc<AtomicBool>,
    done: OnceLock<std::result::Result<String, String>>,
}

impl std::fmt::Debug for IdleHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdleHash({})", self.path.display())
    }
}

/// The state, even if a thread panicked holding it (a piece is hashed whole or not at all).
fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl IdleHash {
    /// Open `path` and start hashing it in idle time.
    pub fn start(path: &Path) -> std::io::Result<Arc<IdleHash>> {
        let file = std::fs::File::open(path)?;
        let at_start = Stamp::of(&file.metadata()?);
        let state = Arc::new(Mutex::new(State {
            file,
            hasher: Sha256::new(),
            hashed: 0,
            buf: vec![0; super::WRITE_BYTES],
            outcome: None,
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, halt) = (state.clone(), stop.clone());
        // Without a thread of its own, `finish` hashes the whole file.
        let _ = std::thread::Builder::new()
            .name("cseval-fingerprint".into())
            .spawn(move || {
                lowest_priority();
                while !halt.load(Ordering::Relaxed) {
                    let mut st = lock(&s);
                    if st.outcome.is_some() {
                        return;
                    }
                    st.step();
                }
            });
        Ok(Arc::new(IdleHash {
            path: path.to_path_buf(),
            at_start,
            state,
            stop,
            done: OnceLock::new(),
        }))
    }

    /// The file's SHA-256 in lower-case hexadecimal, what the idle thread left hashed here.
    /// Errs when the file could not be read, or changed since the hashing started (a
    /// fingerprint that is not of the bytes the run read is worse than none).
    pub fn finish(&self) -> Result<String> {
        let outcome = self.done.get_or_init(|| {
            self.stop.store(true, Ordering::Relaxed);
            let mut st = lock(&self.state);
            tracing::debug!(
                file = %self.path.display(),
                mb_left = (self.at_start.len.saturating_sub(st.hashed)) >> 20,
                "fingerprint asked for"
            );
            while st.outcome.is_none() {
                st.step();
            }
            let now = st.file.metadata().map(|m| Stamp::of(&m));
            match st.outcome.clone() {
                Some(Ok(hex))
                    if st.hashed == self.at_start.len && now.ok() == Some(self.at_start) =>
                {
                    Ok(hex)
                }
                Some(Ok(_)) => Err(format!(
                    "the file changed while it was read ({} bytes when the reading began, {} \
                     bytes read for its fingerprint)",
                    self.at_start.len, st.hashed
                )),
                Some(Err(e)) => Err(e),
                None => Err("the fingerprint was not finished".into()),
            }
        });
        outcome.clone().map_err(|e| {
            Error::input(format!(
                "{}: cannot work out the file's fingerprint: {e}",
                self.path.display()
            ))
            .with_hint("run again once the export is complete and nothing writes to the file")
        })
    }
}

impl Drop for IdleHash {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Put this thread at the lowest scheduling priority: it runs only on a core no other
/// thread wants. Elsewhere than on Linux, nothing.
fn lowest_priority() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: sets the scheduling policy of the calling thread (0) only; `param` lives
        // across the call. A refusal leaves the thread at its priority.
        unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of a few pieces: the fingerprint is its SHA-256, asked for at once (mostly
    /// hashed by `finish`) or after the idle thread had time, and asked twice.
    #[test]
    fn the_fingerprint_is_the_files_sha256() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        let bytes: Vec<u8> = (0..700_000u32).map(|i| (i % 253) as u8).collect();
        std::fs::write(&p, &bytes).unwrap();
        let want = format!("{:x}", Sha256::digest(&bytes));
        let h = IdleHash::start(&p).unwrap();
        assert_eq!(h.finish().unwrap(), want);
        assert_eq!(h.finish().unwrap(), want);
        let h = IdleHash::start(&p).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert_eq!(h.finish().unwrap(), want);
    }

    /// A file that grows after the hashing started: an error naming the file, not a
    /// fingerprint of other bytes than those read.
    #[test]
    fn a_file_that_changes_meanwhile_has_no_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.csv");
        std::fs::write(&p, vec![b'x'; 600_000]).unwrap();
        let h = IdleHash::start(&p).unwrap();
        {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
            f.write_all(b"one more line\n").unwrap();
        }
        let e = h.finish().unwrap_err().to_string();
        assert!(
            e.contains("b.csv") && e.contains("changed while it was read"),
            "{e}"
        );
    }
}
