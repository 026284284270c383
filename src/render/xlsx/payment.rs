//! The payment statement sheet (费用结算): base fee, bonus, each deduction, the cap and the
//! net amount payable, each with its basis, rate and clause, then the tier conditions as
//! they were checked. The lines are the report's ([`Report::payment_lines`]); this module
//! lays them out and computes nothing.

use super::{table, xlsx_err, Formats, Value};
use crate::error::Result;
use crate::report::Report;
use rust_xlsxwriter::Workbook;

/// The payment sheet; none for a report without a statement.
pub(super) fn payment_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    let lines = r.payment_lines();
    if lines.is_empty() {
        return Ok(());
    }
    let l = |k: &str| r.text.label(k);
    let ws = wb.add_worksheet();
    ws.set_name(l("sheet_payment")).map_err(xlsx_err)?;
    let headers = r.text.labels(crate::report::PAYMENT_COLUMNS);
    let rows: Vec<Vec<Value>> = lines
        .iter()
        .map(|x| {
            vec![
                Value::Text(x.item.clone()),
                Value::Text(x.basis.clone()),
                x.rate.map_or(Value::Empty, |v| Value::Percent(Some(v))),
                Value::Money(x.amount),
                Value::Text(x.clause.clone()),
            ]
        })
        .collect();
    let last = table(
        ws,
        f,
        r,
        0,
        &headers,
        &[34.0, 56.0, 10.0, 18.0, 14.0],
        &rows,
    )?;
    for (i, x) in lines.iter().enumerate() {
        if x.total {
            ws.set_row_format(1 + i as u32, &f.bold).map_err(xlsx_err)?;
        }
    }
    let conditions = r.condition_lines();
    if conditions.is_empty() {
        return Ok(());
    }
    let top = last + 2;
    ws.write_string_with_format(top, 0, l("payment_conditions"), &f.bold)
        .map_err(xlsx_err)?;
    let headers = r.text.labels(crate::report::CONDITION_COLUMNS);
    let rows: Vec<Vec<Value>> = conditions
        .into_iter()
        .map(|c| c.into_iter().map(Value::Text).collect())
        .collect();
    let widths = [34.0, 56.0, 10.0, 18.0, 14.0];
    table(ws, f, r, top + 1, &headers, &widths, &rows)?;
    // The statement's header row stays the one repeated on printed pages.
    ws.set_repeat_rows(0, 0).map_err(xlsx_err)?;
    ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    Ok(())
}
