//! The HTML's 重复来电 section: the repeat-contact figures and each agent's repeats. The
//! lines are the report's ([`Report::repeat_lines`]).

use super::{heading, table};
use crate::report::repeat::{REPEAT_AGENT_COLUMNS, REPEAT_COLUMNS};
use crate::report::Report;

pub(super) fn repeat_section(h: &mut String, r: &Report) {
    let lines = r.repeat_lines();
    if lines.is_empty() {
        return;
    }
    heading(h, r, "sheet_repeat");
    let rows: Vec<Vec<(String, bool)>> = lines
        .into_iter()
        .map(|[a, b, c]| vec![(a, false), (b, true), (c, false)])
        .collect();
    table(h, &r.text.labels(REPEAT_COLUMNS), &rows);
    let rows: Vec<Vec<(String, bool)>> = r
        .repeat_agent_lines()
        .into_iter()
        .map(|[a, b, c, d]| vec![(a, false), (b, true), (c, true), (d, true)])
        .collect();
    table(h, &r.text.labels(REPEAT_AGENT_COLUMNS), &rows);
}
