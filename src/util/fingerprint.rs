//! Files' SHA-256 worked out in the time the machine's cores would otherwise be idle.
//!
//! [`IdleHash::start`] notes a file's length and modification time and queues it for the
//! process's fingerprint threads (one a core, up to four), which run at the lowest
//! scheduling priority (Linux `SCHED_IDLE`): only on a core no other thread of the machine
//! wants. So the reading and the KPIs, which keep the cores nearly busy, are not slowed by
//! them, and they catch up in the steps that leave a core idle. Each thread hashes one
//! queued file at a time, opened only while it is hashed (a run over thousands of daily
//! exports holds a few open). [`IdleHash::finish`]
//! hashes whatever is left on the calling thread at that thread's priority (an unprivileged
//! thread cannot be given its priority back), and checks that the file did not change
//! while the run read it: its length and modification time at the end, and the bytes
//! hashed, must be those noted at the start. It knows nothing of what the files hold.

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

/// A file's length and modification time, noted when its hashing is queued and read
/// again at the end.
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

/// One file's hashing so far, shared by the fingerprint thread and [`IdleHash::finish`].
struct State {
    /// Open while the file is being hashed.
    file: Option<std::fs::File>,
    hasher: Sha256,
    /// Bytes hashed so far.
    hashed: u64,
    buf: Vec<u8>,
    /// Set at the end of the file (the digest in hexadecimal) or on an error.
    outcome: Option<std::result::Result<String, String>>,
}

impl State {
    /// Hash the file's next piece (opening it first); at its end or on an error, settle
    /// the outcome and close the file.
    fn step(&mut self, path: &Path) {
        let file = match &mut self.file {
            Some(f) => f,
            None => match std::fs::File::open(path) {
                Ok(f) => {
                    self.buf = vec![0; super::WRITE_BYTES];
                    self.file.insert(f)
                }
                Err(e) => {
                    self.outcome = Some(Err(e.to_string()));
                    return;
                }
            },
        };
        match file.read(&mut self.buf) {
            Ok(0) => {
                let digest = std::mem::take(&mut self.hasher).finalize();
                self.outcome = Some(Ok(format!("{digest:x}")));
            }
            Ok(n) => {
                self.hasher.update(&self.buf[..n]);
                self.hashed += n as u64;
                return;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => return,
            Err(e) => self.outcome = Some(Err(e.to_string())),
        }
        self.file = None;
        self.buf = Vec::new();
    }
}

/// A file queued for the fingerprint thread.
struct Job {
    path: PathBuf,
    at_start: Stamp,
    state: Mutex<State>,
    /// Set by [`IdleHash::finish`] or when the fingerprint is no longer wanted: the
    /// fingerprint thread leaves the file at its next piece.
    stop: AtomicBool,
}

/// The state, even if a thread panicked holding it (a piece is hashed whole or not at all).
fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The queue of the process's fingerprint threads (one a core, up to four), started on
/// first use; none if no thread could be started (then [`IdleHash::finish`] hashes every
/// file). Each file is hashed by one thread; several files, side by side.
fn queue() -> Option<&'static Sender<Arc<Job>>> {
    static QUEUE: OnceLock<Option<Sender<Arc<Job>>>> = OnceLock::new();
    QUEUE
        .get_or_init(|| {
            let (tx, rx) = std::sync::mpsc::channel::<Arc<Job>>();
            let rx = Arc::new(Mutex::new(rx));
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
            let started = (0..threads).filter(|_| {
                let rx = rx.clone();
                std::thread::Builder::new()
                    .name("cseval-fingerprint".into())
                    .spawn(move || {
                        lowest_priority();
                        // The next file, the queue held only while it is taken.
                        let next = || rx.lock().ok()?.recv().ok();
                        while let Some(job) = next() {
                            hash_while_idle(&job);
                        }
                    })
                    .is_ok()
            });
            (started.count() > 0).then_some(tx)
        })
        .as_ref()
}

/// Hash `job`'s file piece by piece until it ends or [`IdleHash::finish`] takes it over.
fn hash_while_idle(job: &Job) {
    while !job.stop.load(Ordering::Relaxed) {
        let mut st = lock(&job.state);
        if st.outcome.is_some() {
            return;
        }
        st.step(&job.path);
        if st.outcome.is_some() {
            tracing::debug!(file = %job.path.display(), "fingerprint worked out in idle time");
        }
    }
}

/// A file's SHA-256, hashed in idle time until [`IdleHash::finish`] asks for it.
pub struct IdleHash {
    job: Arc<Job>,
    done: OnceLock<std::result::Result<String, String>>,
}

impl std::fmt::Debug for IdleHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdleHash({})", self.job.path.display())
    }
}

impl IdleHash {
    /// Note `path`'s length and modification time and queue it for hashing in idle time.
    pub fn start(path: &Path) -> std::io::Result<Arc<IdleHash>> {
        let job = Arc::new(Job {
            path: path.to_path_buf(),
            at_start: Stamp::of(&std::fs::metadata(path)?),
            state: Mutex::new(State {
                file: None,
                hasher: Sha256::new(),
                hashed: 0,
                buf: Vec::new(),
                outcome: None,
            }),
            stop: AtomicBool::new(false),
        });
        if let Some(q) = queue() {
            // A closed queue: `finish` hashes the file.
            let _ = q.send(job.clone());
        }
        Ok(Arc::new(IdleHash {
            job,
            done: OnceLock::new(),
        }))
    }

    /// The file's SHA-256 in lower-case hexadecimal, what the fingerprint thread left
    /// hashed here. Errs when the file could not be read, or changed since its hashing was
    /// queued (a fingerprint of other bytes than those the run read is worse than none).
    pub fn finish(&self) -> Result<String> {
        let job = &self.job;
        let outcome = self.done.get_or_init(|| {
            job.stop.store(true, Ordering::Relaxed);
            let mut st = lock(&job.state);
            tracing::debug!(
                file = %job.path.display(),
                mb_left = job.at_start.len.saturating_sub(st.hashed) >> 20,
                "fingerprint asked for"
            );
            while st.outcome.is_none() {
                st.step(&job.path);
            }
            let now = std::fs::metadata(&job.path).map(|m| Stamp::of(&m)).ok();
            match st.outcome.clone() {
                Some(Ok(hex)) if st.hashed == job.at_start.len && now == Some(job.at_start) => {
                    Ok(hex)
                }
                Some(Ok(_)) => Err(format!(
                    "the file changed while it was read ({} bytes when the reading began, {} \
                     bytes read for its fingerprint)",
                    job.at_start.len, st.hashed
                )),
                Some(Err(e)) => Err(e),
                None => Err("the fingerprint was not finished".into()),
            }
        });
        outcome.clone().map_err(|e| {
            Error::input(format!(
                "{}: cannot work out the file's fingerprint: {e}",
                job.path.display()
            ))
            .with_hint("run again once the export is complete and nothing writes to the file")
        })
    }
}

impl Drop for IdleHash {
    fn drop(&mut self) {
        self.job.stop.store(true, Ordering::Relaxed);
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

    /// Files of a few pieces: each fingerprint is the file's SHA-256, asked for at once
    /// (mostly hashed by `finish`) or after the fingerprint thread had time, asked twice,
    /// and with more files queued than are asked for.
    #[test]
    fn the_fingerprint_is_the_files_sha256() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for k in 0..4u32 {
            let p = dir.path().join(format!("{k}.csv"));
            let bytes: Vec<u8> = (0..700_000 + k).map(|i| (i % 253) as u8).collect();
            std::fs::write(&p, &bytes).unwrap();
            files.push((p, format!("{:x}", Sha256::digest(&bytes))));
        }
        let h = IdleHash::start(&files[0].0).unwrap();
        assert_eq!(h.finish().unwrap(), files[0].1);
        assert_eq!(h.finish().unwrap(), files[0].1);
        let hs: Vec<_> = files
            .iter()
            .map(|(p, _)| IdleHash::start(p).unwrap())
            .collect();
        std::thread::sleep(std::time::Duration::from_millis(50));
        for (h, (_, want)) in hs.iter().zip(&files).rev().skip(1) {
            assert_eq!(&h.finish().unwrap(), want);
        }
    }

    /// A file that grows after its hashing was queued: an error naming the file, not a
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
