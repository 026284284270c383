//! The HTML's 未达标明细 section: for each missed SLA its heading (name, clause, threshold,
//! how many missed it), its first lines and where the whole list is. The lines and words
//! are the report's ([`Report::evidence_first`]); the page shows fewer than the workbook,
//! whose sheet and CSV files are the lists to work from.

use super::{esc, heading, table};
use crate::report::Report;
use std::fmt::Write as _;

/// Lines of each list the page shows.
pub const PAGE_LINES: usize = 20;

/// The section; none when no SLA was missed with a list.
pub(super) fn evidence_section(h: &mut String, r: &Report) {
    if r.evidence.is_empty() {
        return;
    }
    heading(h, r, "sheet_evidence");
    for list in &r.evidence {
        let _ = write!(h, "<h3>{}</h3>", esc(&r.evidence_heading(list)));
        let rows: Vec<Vec<(String, bool)>> = r
            .evidence_first(list, PAGE_LINES)
            .into_iter()
            .map(|line| line.into_iter().map(|v| (v, false)).collect())
            .collect();
        table(h, &r.evidence_headers(list), &rows);
        if let Some(note) = r.evidence_note(list, PAGE_LINES) {
            let _ = write!(h, "<p class=\"sub\">{}</p>", esc(&note));
        }
    }
}
