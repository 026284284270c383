//! The 未达标明细 sheet: for each missed SLA (over contacts, or over inspections: those that
//! did not pass), a heading (name, clause,
//! threshold, how many contacts missed it), then its first lines (contact id, channel,
//! agent, times, the time held against the threshold, why), and where the whole list is
//! when it is longer. The lines are the report's ([`Report::evidence_lines`]).

use super::{xlsx_err, Formats};
use crate::error::Result;
use crate::render::evidence::SHEET_LINES;
use crate::report::Report;
use rust_xlsxwriter::Workbook;

/// The evidence sheet; none when no SLA over contacts was missed.
pub(super) fn evidence_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    if r.evidence.is_empty() {
        return Ok(());
    }
    let t = &r.text;
    let ws = wb.add_worksheet();
    ws.set_name(t.label("sheet_evidence")).map_err(xlsx_err)?;
    for (c, w) in [16.0, 10.0, 12.0, 20.0, 20.0, 20.0, 12.0, 22.0]
        .iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, *w).map_err(xlsx_err)?;
    }
    let mut row = 0u32;
    for list in &r.evidence {
        ws.write_string_with_format(row, 0, r.evidence_heading(list), &f.bold)
            .map_err(xlsx_err)?;
        row += 1;
        for (c, h) in r.evidence_headers(list).iter().enumerate() {
            ws.write_string_with_format(row, c as u16, h, &f.header)
                .map_err(xlsx_err)?;
        }
        for line in r.evidence_first(list, SHEET_LINES) {
            row += 1;
            for (c, v) in line.iter().enumerate() {
                ws.write_string(row, c as u16, v).map_err(xlsx_err)?;
            }
        }
        if let Some(note) = r.evidence_note(list, SHEET_LINES) {
            row += 1;
            ws.write_string(row, 0, note).map_err(xlsx_err)?;
        }
        row += 2;
    }
    Ok(())
}
