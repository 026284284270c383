//! Row bookkeeping shared by the contact and survey sinks: every row read gets a sort key (file,
//! row), and is accepted, rejected with its reason, or counted as a duplicate of an earlier row.

use super::{Rejection, RejectionKind, RowCounts};
use crate::util::InputFile;

/// Sort key of a data row: the file's index in reading order, then its row number. Rows are
/// accepted, rejected and de-duplicated in this order whichever path read them.
pub(super) fn row_key(file: u32, row: u64) -> u64 {
    ((file as u64) << 40) | (row & ROW_MASK)
}

pub(super) const ROW_MASK: u64 = (1 << 40) - 1;

/// Row bookkeeping shared by the contact and survey sinks: counts every row and lists every
/// row that is not accepted.
#[derive(Debug, Default)]
pub struct Ledger {
    pub(super) input: &'static str,
    /// Files read so far; the last one is being read.
    pub(super) files: Vec<String>,
    /// Rows not accepted, with their sort keys.
    pub(super) rejections: Vec<(u64, Rejection)>,
    pub counts: RowCounts,
}

impl Ledger {
    pub(super) fn new(input: &'static str) -> Self {
        Ledger {
            input,
            ..Default::default()
        }
    }

    /// Start a new file.
    pub(super) fn open(&mut self, file: &InputFile) {
        self.files.push(file.path.display().to_string());
    }

    /// The file being read.
    pub(super) fn file(&self) -> &str {
        self.files.last().map(|s| s.as_str()).unwrap_or("")
    }

    pub(super) fn file_index(&self) -> u32 {
        self.files.len().saturating_sub(1) as u32
    }

    /// Sort key of a row of the file being read.
    pub(super) fn key(&self, row: u64) -> u64 {
        row_key(self.file_index(), row)
    }

    /// "duplicate of FILE row N" for the row with sort key `first`.
    fn duplicate_of(&self, first: u64) -> String {
        crate::why!(
            "duplicate_of",
            self.files
                .get((first >> 40) as usize)
                .map(|s| s.as_str())
                .unwrap_or(""),
            first & ROW_MASK
        )
    }

    /// Count a row a profile's row filter left out.
    pub(super) fn filtered(&mut self, rule: &str) {
        self.counts.read += 1;
        self.counts.filtered += 1;
        *self.counts.filtered_by.entry(rule.to_string()).or_default() += 1;
    }

    /// List a row that breaks a rule.
    pub(super) fn reject(&mut self, key: u64, why: RowError) {
        self.counts.rejected += 1;
        self.list(key, why, RejectionKind::Rejected);
    }

    /// List a row whose id `column` repeats the row with sort key `first`.
    pub(super) fn duplicate(&mut self, key: u64, column: &str, first: u64) {
        self.counts.duplicates += 1;
        let why = RowError::new(column, self.duplicate_of(first));
        self.list(key, why, RejectionKind::Duplicate);
    }

    fn list(&mut self, key: u64, RowError { column, reason }: RowError, category: RejectionKind) {
        // A value quoted in a reason may be personal data sitting in the wrong column.
        let reason = crate::model::mask_personal(&reason);
        let file = self
            .files
            .get((key >> 40) as usize)
            .cloned()
            .unwrap_or_default();
        self.rejections.push((
            key,
            Rejection {
                file,
                row: key & ROW_MASK,
                column,
                reason,
                category,
                input: self.input,
            },
        ));
    }

    /// The rejections in reading order, and the counts (`accepted` as given).
    pub(super) fn finish(mut self, accepted: u64) -> (Vec<Rejection>, RowCounts) {
        self.rejections.sort_by_key(|(k, _)| *k);
        self.counts.accepted = accepted;
        (
            self.rejections.into_iter().map(|(_, r)| r).collect(),
            self.counts,
        )
    }

    /// Rejections so far (unit tests).
    #[cfg(test)]
    pub fn rejections(&self) -> Vec<&Rejection> {
        self.rejections.iter().map(|(_, r)| r).collect()
    }
}

/// Why a row is not accepted: the column at fault and the reason.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct RowError {
    pub(super) column: String,
    pub(super) reason: String,
}

impl RowError {
    pub(super) fn new(column: impl Into<String>, reason: impl Into<String>) -> Self {
        RowError {
            column: column.into(),
            reason: reason.into(),
        }
    }
}
