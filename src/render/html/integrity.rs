//! The HTML's 数据核查 section: each integrity check with its result, what it concerns and
//! why it matters ([`Report::integrity_lines`]).

use super::{heading, table};
use crate::report::Report;

pub(super) fn integrity_section(h: &mut String, r: &Report) {
    let lines = r.integrity_lines();
    if lines.is_empty() {
        return;
    }
    heading(h, r, "sheet_integrity");
    let rows: Vec<Vec<(String, bool)>> = lines
        .into_iter()
        .map(|l| l.into_iter().map(|s| (s, false)).collect())
        .collect();
    table(h, &r.text.labels(crate::report::INTEGRITY_COLUMNS), &rows);
}
