//! The HTML's 抽样计划完成情况 section: the inspections against a sampling plan, in all, by
//! stratum and by agent. The lines are the report's ([`Report::coverage_lines`]).

use super::{heading, table};
use crate::report::Report;

pub(super) fn coverage_section(h: &mut String, r: &Report) {
    let lines = r.coverage_lines();
    if lines.is_empty() {
        return;
    }
    heading(h, r, "sheet_plan_coverage");
    let rows: Vec<Vec<(String, bool)>> = lines
        .into_iter()
        .map(|l| {
            let [a, b, c, d] = l;
            vec![(a, false), (b, true), (c, true), (d, true)]
        })
        .collect();
    table(
        h,
        &r.text.labels(crate::report::coverage::COVERAGE_COLUMNS),
        &rows,
    );
}
