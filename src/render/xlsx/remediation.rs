//! The 整改跟踪 sheet: the problems to remedy this period and those of the period before,
//! each with its id, first month, deadline and state, under the list in a sentence. The
//! lines are the report's ([`Report::remediation_lines`]).

use super::{table, xlsx_err, Formats, Value};
use crate::error::Result;
use crate::report::Report;
use rust_xlsxwriter::Workbook;

pub(super) fn remediation_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    if r.metrics.remediation.is_none() {
        return Ok(());
    }
    let ws = wb.add_worksheet();
    ws.set_name(r.text.label("sheet_remediation"))
        .map_err(xlsx_err)?;
    ws.write_string(0, 0, r.remediation_summary())
        .map_err(xlsx_err)?;
    let rows: Vec<Vec<Value>> = r
        .remediation_lines()
        .into_iter()
        .map(|l| l.into_iter().map(Value::Text).collect())
        .collect();
    let headers = r.text.labels(crate::report::REMEDIATION_COLUMNS);
    table(
        ws,
        f,
        r,
        2,
        &headers,
        &[30.0, 40.0, 14.0, 14.0, 14.0],
        &rows,
    )?;
    Ok(())
}
