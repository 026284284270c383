//! The 数据核查 sheet: each integrity check on the provider's export with its result, what
//! it concerns and why it matters. The lines are the report's
//! ([`Report::integrity_lines`]).

use super::{table, xlsx_err, Formats, Value};
use crate::error::Result;
use crate::report::Report;
use rust_xlsxwriter::Workbook;

pub(super) fn integrity_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    let lines = r.integrity_lines();
    if lines.is_empty() {
        return Ok(());
    }
    let ws = wb.add_worksheet();
    ws.set_name(r.text.label("sheet_integrity"))
        .map_err(xlsx_err)?;
    let rows: Vec<Vec<Value>> = lines
        .into_iter()
        .map(|l| l.into_iter().map(Value::Text).collect())
        .collect();
    let headers = r.text.labels(crate::report::INTEGRITY_COLUMNS);
    table(ws, f, r, 0, &headers, &[30.0, 28.0, 36.0, 60.0], &rows)?;
    Ok(())
}
