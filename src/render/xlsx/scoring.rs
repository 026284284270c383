//! The scoring sheet (考核得分): the summary from the indicators' points to the payout, each
//! indicator with its weight, figure, rule, points and the sentence saying why, the site
//! ranking (红黑榜) and the incidents. The lines are the report's
//! ([`Report::scoring_lines`] and the others); this module lays them out and computes
//! nothing.

use super::{table, xlsx_err, Formats, Value};
use crate::error::Result;
use crate::evaluate::scoring::Unit;
use crate::report::Report;
use rust_xlsxwriter::Workbook;

/// The scoring sheet; none for a report without one.
pub(super) fn scoring_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    let Some(sheet) = r.scoring() else {
        return Ok(());
    };
    let l = |k: &str| r.text.label(k);
    let ws = wb.add_worksheet();
    ws.set_name(l("sheet_scoring")).map_err(xlsx_err)?;
    let lines = r.scoring_lines();
    let rows: Vec<Vec<Value>> = lines
        .iter()
        .map(|x| {
            [&x.item, &x.value, &x.basis, &x.clause]
                .map(|s| Value::Text(s.clone()))
                .to_vec()
        })
        .collect();
    let headers = r.text.labels(crate::report::SCORING_COLUMNS);
    let last = table(ws, f, r, 0, &headers, &WIDTHS, &rows)?;
    for (i, x) in lines.iter().enumerate() {
        if x.total {
            ws.set_row_format(1 + i as u32, &f.bold).map_err(xlsx_err)?;
        }
    }
    let incidents = r.scoring_incident_lines();
    if !incidents.is_empty() {
        let headers = r.text.labels(crate::report::SCORING_INCIDENT_COLUMNS);
        let rows = text_rows(incidents.into_iter().map(|x| x.to_vec()).collect());
        titled(
            ws,
            f,
            r,
            last,
            "scoring_incidents",
            &headers,
            &WIDTHS,
            &rows,
        )?;
    }
    // The summary's header row stays the one frozen and repeated on printed pages.
    ws.set_repeat_rows(0, 0).map_err(xlsx_err)?;
    ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    indicators_sheet(wb, f, r, sheet.sites.len() > 1 || sheet.combine.is_some())?;
    let ranking = r.scoring_ranking_lines();
    if !ranking.is_empty() {
        let ws = wb.add_worksheet();
        ws.set_name(l("scoring_ranking")).map_err(xlsx_err)?;
        let headers = r.text.labels(crate::report::SCORING_RANKING_COLUMNS);
        let rows = text_rows(ranking.into_iter().map(|x| x.to_vec()).collect());
        table(ws, f, r, 0, &headers, &[8.0, 24.0, 10.0, 12.0, 10.0], &rows)?;
    }
    Ok(())
}

/// Column widths of the summary and incidents (the description under the basis).
const WIDTHS: [f64; 7] = [30.0, 16.0, 60.0, 16.0, 12.0, 12.0, 12.0];

fn text_rows(v: Vec<Vec<String>>) -> Vec<Vec<Value>> {
    v.into_iter()
        .map(|row| row.into_iter().map(Value::Text).collect())
        .collect()
}

/// Each indicator of each site (the site column only when sites are scored).
fn indicators_sheet(wb: &mut Workbook, f: &Formats, r: &Report, sites: bool) -> Result<()> {
    let ws = wb.add_worksheet();
    ws.set_name(r.text.label("scoring_indicators"))
        .map_err(xlsx_err)?;
    let mut headers = r.text.labels(crate::report::SCORING_INDICATOR_COLUMNS);
    let mut widths = vec![14.0, 14.0, 20.0, 12.0, 8.0, 12.0, 40.0, 8.0, 8.0, 56.0];
    if !sites {
        headers.remove(0);
        widths.remove(0);
    }
    let rows: Vec<Vec<Value>> = r
        .scoring_indicator_lines()
        .into_iter()
        .map(|x| {
            let actual = match x.unit {
                Unit::Percent => Value::Percent(x.actual),
                Unit::Seconds => Value::Duration(x.actual),
                Unit::Number => Value::TwoDecimals(x.actual),
            };
            let mut row = vec![
                Value::Text(x.site),
                Value::Text(x.block),
                Value::Text(x.name),
                Value::Text(x.clause),
                Value::TwoDecimals(Some(x.weight)),
                actual,
                Value::Text(x.rule),
                Value::TwoDecimals(x.points),
                Value::TwoDecimals(x.lost),
                Value::Text(x.sentence),
            ];
            if !sites {
                row.remove(0);
            }
            row
        })
        .collect();
    table(ws, f, r, 0, &headers, &widths, &rows)?;
    Ok(())
}

/// A table under a bold title, two rows below `last`; returns its last row.
#[allow(clippy::too_many_arguments)]
fn titled(
    ws: &mut rust_xlsxwriter::Worksheet,
    f: &Formats,
    r: &Report,
    last: u32,
    title: &str,
    headers: &[String],
    widths: &[f64],
    rows: &[Vec<Value>],
) -> Result<u32> {
    let top = last + 2;
    ws.write_string_with_format(top, 0, r.text.label(title), &f.bold)
        .map_err(xlsx_err)?;
    table(ws, f, r, top + 1, headers, widths, rows)
}
