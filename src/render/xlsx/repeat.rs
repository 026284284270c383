//! The repeat-contact sheet (重复来电): first-contact resolution from repeats, the repeat
//! caller rate and the repeats within the short window, then each agent's repeats. The
//! lines are the report's ([`Report::repeat_lines`]).

use super::{table, xlsx_err, Formats, Value};
use crate::error::Result;
use crate::report::repeat::{REPEAT_AGENT_COLUMNS, REPEAT_COLUMNS};
use crate::report::Report;
use rust_xlsxwriter::Workbook;

pub(super) fn repeat_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    let lines = r.repeat_lines();
    if lines.is_empty() {
        return Ok(());
    }
    let ws = wb.add_worksheet();
    ws.set_name(r.text.label("sheet_repeat"))
        .map_err(xlsx_err)?;
    let text = |v: Vec<String>| v.into_iter().map(Value::Text).collect::<Vec<_>>();
    let rows: Vec<Vec<Value>> = lines.into_iter().map(|l| text(l.to_vec())).collect();
    let widths = [24.0, 12.0, 60.0, 12.0];
    let last = table(ws, f, r, 0, &r.text.labels(REPEAT_COLUMNS), &widths, &rows)?;
    let rows: Vec<Vec<Value>> = r
        .repeat_agent_lines()
        .into_iter()
        .map(|l| text(l.to_vec()))
        .collect();
    table(
        ws,
        f,
        r,
        last + 2,
        &r.text.labels(REPEAT_AGENT_COLUMNS),
        &widths,
        &rows,
    )?;
    ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    Ok(())
}
