//! The sheet of the inspections against a sampling plan (抽样计划完成情况): planned,
//! inspected and coverage in all, by stratum and by agent, and the inspections outside the
//! plan. The lines are the report's ([`Report::coverage_lines`]).

use super::{table, xlsx_err, Formats, Value};
use crate::error::Result;
use crate::report::Report;
use rust_xlsxwriter::Workbook;

pub(super) fn coverage_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    let lines = r.coverage_lines();
    if lines.is_empty() {
        return Ok(());
    }
    let ws = wb.add_worksheet();
    ws.set_name(r.text.label("sheet_plan_coverage"))
        .map_err(xlsx_err)?;
    let headers = r.text.labels(crate::report::coverage::COVERAGE_COLUMNS);
    let rows: Vec<Vec<Value>> = lines
        .into_iter()
        .map(|l| l.into_iter().map(Value::Text).collect())
        .collect();
    table(ws, f, r, 0, &headers, &[36.0, 12.0, 12.0, 12.0], &rows)?;
    Ok(())
}
