//! Small utilities every stage may use: a fast fixed-seed hash map, SHA-256 fingerprints of
//! files (inputs and outputs), the chunk layout of a Polars column, the process's peak
//! memory for the step logs, giving the memory freed between stages back to the system,
//! writing files in writes of a size the page cache serves from memory at hand, and
//! sorting by parts (a counting sort by a key's top bits, then small sorts side by side).
//!
//! Nothing here knows of contacts, contracts or reports; it sits below every stage.

use polars::prelude::{ChunkedArray, PolarsDataType};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::PathBuf;

mod fingerprint;
pub use fingerprint::IdleHash;

/// A hash map with a fast, fixed-seed hasher (the per-cell lookups are ingest's hot path).
pub type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// A file and the SHA-256 of its bytes, as listed in `manifest.json` and history entries.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileHash {
    pub path: String,
    pub sha256: String,
}

/// An input file with its fingerprint and the data rows read from it. Written out (in
/// `metrics.json`) with its fingerprint as [`InputFile::digest`] gives it.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub path: PathBuf,
    pub sha256: String,
    /// Data rows read.
    pub rows: u64,
    /// The fingerprint while it is still being worked out ([`IdleHash`]): `sha256` is empty
    /// until then, and [`InputFile::settled`] gives the file with it.
    pub pending: Option<std::sync::Arc<IdleHash>>,
}

impl Serialize for InputFile {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("InputFile", 3)?;
        st.serialize_field("path", &self.path)?;
        st.serialize_field("sha256", &self.digest())?;
        st.serialize_field("rows", &self.rows)?;
        st.end()
    }
}

impl InputFile {
    /// A file read from `path`, no row and no fingerprint yet.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        InputFile {
            path: path.into(),
            sha256: String::new(),
            rows: 0,
            pending: None,
        }
    }

    /// The fingerprint: `sha256`, or the hashing still under way's, waited for (and
    /// finished on this thread); an error when the file could not be hashed or changed.
    pub fn fingerprint(&self) -> crate::error::Result<String> {
        match &self.pending {
            Some(h) => h.finish(),
            None => Ok(self.sha256.clone()),
        }
    }

    /// The file with its [`Self::fingerprint`].
    pub fn settled(&self) -> crate::error::Result<InputFile> {
        Ok(InputFile {
            sha256: self.fingerprint()?,
            pending: None,
            ..self.clone()
        })
    }

    /// The [`Self::fingerprint`]; empty when it cannot be worked out. For the report's
    /// files, which are written only once [`settle_all`] has said that every fingerprint
    /// could be.
    pub fn digest(&self) -> String {
        self.fingerprint().unwrap_or_default()
    }
}

/// Each of `files`' [`InputFile::fingerprint`] worked out, or the error of the first that
/// cannot be.
pub fn settle_all<'a>(files: impl IntoIterator<Item = &'a InputFile>) -> crate::error::Result<()> {
    for f in files {
        f.fingerprint()?;
    }
    Ok(())
}

/// The SHA-256 of `bytes`, in lower-case hexadecimal.
pub fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// The most rows a sheet of Excel or WPS holds (and so the last row a cell reference can
/// name): a CSV file of more lines opens there cut short after this many.
pub const SHEET_ROWS: u32 = 1_048_576;

/// The most bytes handed to the kernel in one write by [`SmallWrites`].
pub const WRITE_BYTES: usize = 256 << 10;

/// A writer that hands the kernel at most [`WRITE_BYTES`] a call. Linux 6.x gives a
/// buffered write a page-cache folio as large as the write (up to 2 MB); on a virtual
/// machine whose host takes back the guest's free memory in large blocks, a folio of 1 MB
/// or more is fresh memory the host must supply page by page: writing 375 MB in writes of
/// 1 MB took 0.6–1.1 s of system time there, in writes of 64–512 KB 0.08 s. The bytes
/// written are the same.
pub struct SmallWrites<W>(pub W);

impl<W: std::io::Write> std::io::Write for SmallWrites<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(&buf[..buf.len().min(WRITE_BYTES)])
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Write `bytes` to a new file at `path` (replacing one there), in [`SmallWrites`].
pub fn write_file(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    SmallWrites(std::fs::File::create(path)?).write_all(bytes)
}

/// `items` sorted by `key`, as a sort by it gives them, when `part` of an item (below `n`)
/// never decreases as its key grows (a hash's top bits): the items are first placed by
/// their part (a counting sort), which leaves parts small enough to sort within the core's
/// cache, sorted on the threads side by side. Each thread places a share of the items in
/// a vector of its own; each part then gathers its pieces from every share. `fill` only
/// holds places until filled.
pub fn sort_by_parts<T, K>(
    items: Vec<T>,
    n: usize,
    part: impl Fn(&T) -> usize + Sync,
    key: impl Fn(&T) -> K + Sync,
    fill: T,
) -> Vec<T>
where
    T: Copy + Send + Sync,
    K: Ord,
{
    use rayon::prelude::*;
    let share = items
        .len()
        .div_ceil(rayon::current_num_threads().max(1))
        .max(1);
    let shares: Vec<(Vec<T>, Vec<usize>)> = items
        .par_chunks(share)
        .map(|items| place_by_part(items, n, &part, fill))
        .collect();
    drop(items);
    let mut starts = vec![0usize; n + 1];
    for p in 0..n {
        let len: usize = shares.iter().map(|(_, s)| s[p + 1] - s[p]).sum();
        starts[p + 1] = starts[p] + len;
    }
    let mut placed = vec![fill; starts[n]];
    let parts = split_lengths(&mut placed, starts.windows(2).map(|w| w[1] - w[0]));
    parts.into_par_iter().enumerate().for_each(|(p, out)| {
        let mut at = 0;
        for (placed, starts) in &shares {
            let piece = &placed[starts[p]..starts[p + 1]];
            out[at..at + piece.len()].copy_from_slice(piece);
            at += piece.len();
        }
        out.sort_unstable_by_key(&key);
    });
    placed
}

/// `s` cut into consecutive pieces of the lengths `lens` (their sum at most `s`'s length),
/// each to be filled on a thread of its own.
pub fn split_lengths<T>(s: &mut [T], lens: impl IntoIterator<Item = usize>) -> Vec<&mut [T]> {
    let mut pieces = Vec::new();
    let mut rest = s;
    for n in lens {
        let (piece, r) = rest.split_at_mut(n);
        pieces.push(piece);
        rest = r;
    }
    pieces
}

/// `items` placed by `part` (a counting sort), and where each part starts (then the end).
fn place_by_part<T: Copy>(
    items: &[T],
    n: usize,
    part: &impl Fn(&T) -> usize,
    fill: T,
) -> (Vec<T>, Vec<usize>) {
    let mut starts = vec![0usize; n + 1];
    for x in items {
        starts[part(x) + 1] += 1;
    }
    for p in 1..starts.len() {
        starts[p] += starts[p - 1];
    }
    let mut placed = vec![fill; items.len()];
    let mut next = starts.clone();
    for x in items {
        let p = part(x);
        placed[next[p]] = *x;
        next[p] += 1;
    }
    (placed, starts)
}

/// `(offset, length)` of each chunk of a column: column kernels work chunk by chunk so that
/// the columns they make keep the frame's chunk layout (a column laid out differently makes
/// Polars copy the whole frame to align them).
pub fn chunk_ranges<T: PolarsDataType>(ca: &ChunkedArray<T>) -> Vec<(usize, usize)> {
    let mut at = 0usize;
    ca.chunk_lengths()
        .map(|len| {
            let r = (at, len);
            at += len;
            r
        })
        .collect()
}

/// The candidate closest to `want` (Jaro–Winkler, case-insensitive), if any is reasonably
/// close: the "did you mean" of error messages.
pub fn closest(want: &str, candidates: impl Iterator<Item = String>) -> Option<String> {
    candidates
        .map(|c| {
            (
                strsim::jaro_winkler(&want.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|(s, _)| *s > 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// mimalloc's `mi_option_purge_delay` (its position in `mi_option_t` of the pinned
/// libmimalloc-sys, which exports no constant for it): milliseconds before freed memory
/// goes back to the system, never when negative (then not even when collected).
pub const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Give the memory the allocator holds freed back to the system now, on every thread of
/// both thread pools (ours and Polars') and on this one: at the end of a stage, so that
/// the next stage's peak is what is held plus what it needs, not also what the stage
/// before freed and the allocator kept (`main` lets it keep freed memory for a while, for
/// reuse within a step). Under another allocator (the tests') it finds nothing to return.
pub fn release_freed_memory() {
    // SAFETY: the allocator's collection of its own free lists; no memory of ours is touched.
    let collect = || unsafe { libmimalloc_sys::mi_collect(true) };
    rayon::broadcast(|_| collect());
    polars_core::runtime::THREAD_POOL.broadcast(|_| collect());
    collect();
}

/// The process's peak resident memory so far, in MB (Linux; 0 elsewhere): logged with the
/// step times.
pub fn peak_rss_mb() -> u64 {
    status_mb("VmHWM:")
}

/// The process's resident memory now, in MB (Linux; 0 elsewhere): logged with the step
/// times, after [`release_freed_memory`], as what the run holds.
pub fn rss_mb() -> u64 {
    status_mb("VmRSS:")
}

/// A memory figure of `/proc/self/status` (the line starting with `key`), in MB.
fn status_mb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

/// `x` with `decimals` decimals and its integer part grouped in thousands (`180,000.00`).
pub fn grouped(x: f64, decimals: usize) -> String {
    let plain = format!("{:.decimals$}", x.abs());
    let (int, frac) = plain.split_once('.').unwrap_or((&plain, ""));
    let mut out = String::with_capacity(plain.len() + int.len() / 3 + 1);
    if x < 0.0 && plain.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        out.push('-');
    }
    for (i, d) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}

#[cfg(test)]
mod grouped_tests {
    #[test]
    fn thousands_are_grouped() {
        for (x, d, want) in [
            (180000.0, 2, "180,000.00"),
            (9000.0, 2, "9,000.00"),
            (999.5, 1, "999.5"),
            (1234567.0, 0, "1,234,567"),
            (-10800.0, 2, "-10,800.00"),
            (-0.001, 2, "0.00"),
            (0.0, 0, "0"),
        ] {
            assert_eq!(super::grouped(x, d), want, "{x}");
        }
    }
}

#[cfg(test)]
mod sort_tests {
    proptest::proptest! {
        /// Placed by their top bits share by share, then sorted part by part: the order
        /// one sort gives, whatever the number of threads sharing the items.
        #[test]
        fn parts_sort_as_one_sort(
            items in proptest::collection::vec(proptest::prelude::any::<u64>(), 0..400),
            low in proptest::collection::vec(0u64..4, 0..50),
            threads in 1usize..5,
        ) {
            // Items alike in their top bits too, so that parts hold many.
            let mut items = items;
            items.extend(low.iter().map(|&v| v << 60 | v));
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let got = pool.install(|| {
                super::sort_by_parts(items.clone(), 16, |x| (x >> 60) as usize, |x| *x, 0)
            });
            items.sort_unstable();
            proptest::prop_assert_eq!(got, items);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A writer that records the length of each write it is handed.
    struct Lengths(Vec<usize>, Vec<u8>);

    impl Write for Lengths {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.push(buf.len());
            self.1.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// 600 KiB + 5 bytes in one `write_all`: writes of 256, 256 and 88 KiB + 5 bytes,
    /// the same bytes in the same order.
    #[test]
    fn a_large_write_is_handed_on_in_small_ones() {
        let bytes: Vec<u8> = (0..600 * 1024 + 5).map(|i| (i % 251) as u8).collect();
        let mut w = SmallWrites(Lengths(Vec::new(), Vec::new()));
        w.write_all(&bytes).unwrap();
        assert_eq!(w.0 .0, vec![256 * 1024, 256 * 1024, 88 * 1024 + 5]);
        assert_eq!(w.0 .1, bytes);
    }

    /// An input whose fingerprint is still being worked out is written out with it once
    /// settled, in the fields' order (path, sha256, rows); one whose file changed while it
    /// was read cannot be settled (an error naming the file) and shows none.
    #[test]
    fn an_input_is_written_out_with_its_fingerprint_once_settled() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
        std::fs::write(&a, b"id\nC1\n").unwrap();
        std::fs::write(&b, b"id\nC2\n").unwrap();
        let file = |p: &std::path::Path| InputFile {
            rows: 1,
            pending: Some(IdleHash::start(p).unwrap()),
            ..InputFile::new(p)
        };
        let (fa, fb) = (file(&a), file(&b));
        std::fs::OpenOptions::new()
            .append(true)
            .open(&b)
            .unwrap()
            .write_all(b"C3\n")
            .unwrap();
        let sha_a = sha256(b"id\nC1\n");
        settle_all([&fa]).unwrap();
        assert_eq!(fa.digest(), sha_a);
        let json = serde_json::to_string(&fa).unwrap();
        let want = format!(
            "{{\"path\":{},\"sha256\":\"{sha_a}\",\"rows\":1}}",
            serde_json::to_string(&a).unwrap()
        );
        assert_eq!(json, want);
        let e = settle_all([&fa, &fb]).unwrap_err().to_string();
        assert!(
            e.contains("b.csv") && e.contains("changed while it was read"),
            "{e}"
        );
        assert_eq!(fb.digest(), "");
    }
}
