//! The workbook's annex sheets: Orders, Peaks and emergencies, Quality inspections (with
//! inspection input), Findings, Data quality (every rejected row) and Method (definitions and
//! the contract parameters used).

use super::{daily_rows, fit_row, pairs, table, xlsx_err, Formats, Value};
use crate::error::Result;
use crate::report::Report;
use rust_xlsxwriter::{Chart, ChartType, Workbook};

/// Order handling: totals, then one row per sub-type, with a bar chart.
pub(super) fn orders_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    let l = |k: &str| r.text.label(k);
    let o = &r.metrics.orders;
    let ws = wb.add_worksheet();
    let name = l("sheet_orders");
    ws.set_name(&name).map_err(xlsx_err)?;
    let keys = [
        "order_type",
        "contacts",
        "share",
        "resolved",
        "resolved_rate",
        "handle_mean",
        "resolve_time_mean",
    ];
    let headers: Vec<String> = r.text.labels(&keys);
    let mut rows: Vec<Vec<Value>> = o
        .types
        .iter()
        .map(|t| {
            vec![
                Value::Text(r.text.order_type(&t.order_type)),
                Value::Count(t.contacts),
                Value::Percent(Some(t.share)),
                Value::Count(t.resolved),
                Value::Percent(t.resolved_rate),
                Value::Duration(t.handle_mean_seconds),
                Value::Duration(t.resolve_time_mean_seconds),
            ]
        })
        .collect();
    let types = rows.len() as u32;
    rows.push(vec![
        Value::Text(l("total")),
        Value::Count(o.contacts),
        Value::Percent((o.contacts > 0).then_some(1.0)),
        Value::Count(o.resolved),
        Value::Percent(o.resolved_rate),
        Value::Duration(o.handle_mean_seconds),
        Value::Duration(o.resolve_time_mean_seconds),
    ]);
    table(
        ws,
        f,
        r,
        0,
        &headers,
        &[18., 10., 10., 10., 12., 14., 14.],
        &rows,
    )?;
    if types > 0 {
        let mut chart = Chart::new(ChartType::Bar);
        chart
            .add_series()
            .set_categories((name.as_str(), 1, 0, types, 0))
            .set_values((name.as_str(), 1, 1, types, 1))
            .set_name(l("contacts").as_str());
        chart
            .add_series()
            .set_categories((name.as_str(), 1, 0, types, 0))
            .set_values((name.as_str(), 1, 3, types, 3))
            .set_name(l("resolved").as_str());
        chart
            .title()
            .set_name(r.chart_title("chart_orders").as_str());
        chart.y_axis().set_reverse();
        ws.insert_chart(1, 8, &chart).map_err(xlsx_err)?;
    }
    Ok(())
}

/// Peaks and emergencies: peak days against the others, urgent contacts, the peak days.
pub(super) fn peaks_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    let l = |k: &str| r.text.label(k);
    let (p, u) = (&r.metrics.peaks, &r.metrics.urgent);
    let ws = wb.add_worksheet();
    ws.set_name(l("sheet_peaks")).map_err(xlsx_err)?;
    ws.set_column_width(0, 26.0).map_err(xlsx_err)?;
    ws.set_column_width(1, 14.0).map_err(xlsx_err)?;
    let mut items = vec![
        (l("peak_days"), Value::Count(p.peak_days)),
        (l("peak_contacts"), Value::Count(p.peak_contacts)),
        (
            l("median_day_contacts"),
            Value::OneDecimal(p.median_day_contacts),
        ),
        (
            l("peak_service_level"),
            Value::Percent(p.peak_service_level),
        ),
        (
            l("other_service_level"),
            Value::Percent(p.other_service_level),
        ),
        (l("urgent"), Value::Count(u.contacts)),
        (l("answered"), Value::Count(u.answered)),
        (l("resolved"), Value::Count(u.resolved)),
        (l("response_mean"), Value::Duration(u.response_mean_seconds)),
        (
            l("response_p90_seconds"),
            Value::Duration(u.response_p90_seconds),
        ),
        (l("response_max"), Value::Duration(u.response_max_seconds)),
    ];
    if let Some(c) = &r.terms.peaks_clause {
        items.push((l("clause"), Value::Text(c.clone())));
    }
    let next = pairs(ws, f, r, 0, &items)?;
    let (headers, rows) = daily_rows(r);
    let peak_rows: Vec<Vec<Value>> = r
        .metrics
        .daily
        .iter()
        .zip(rows)
        .filter(|(d, _)| d.peak.is_some())
        .map(|(_, row)| row)
        .collect();
    table(
        ws,
        f,
        r,
        next + 1,
        &headers,
        &[26., 14., 12., 10., 10., 10., 10., 12.],
        &peak_rows,
    )?;
    Ok(())
}

/// Quality inspections: totals and sources, criteria with a chart, agents.
pub(super) fn quality_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    let l = |k: &str| r.text.label(k);
    let Some(q) = &r.metrics.quality else {
        return Ok(());
    };
    let ws = wb.add_worksheet();
    let name = l("sheet_inspections");
    ws.set_name(&name).map_err(xlsx_err)?;
    // Criteria first, so the table and its chart sit at the top.
    let headers: Vec<String> = r
        .text
        .labels(&["criterion", "checked", "failed", "fail_rate"]);
    let rows: Vec<Vec<Value>> = q
        .criteria
        .iter()
        .map(|c| {
            vec![
                Value::Text(r.text.criterion(&c.criterion)),
                Value::Count(c.checked),
                Value::Count(c.failed),
                Value::Percent(c.fail_rate),
            ]
        })
        .collect();
    let last = table(ws, f, r, 0, &headers, &[20., 10., 10., 10.], &rows)?;
    if !rows.is_empty() {
        let mut chart = Chart::new(ChartType::Bar);
        chart
            .add_series()
            .set_categories((name.as_str(), 1, 0, last, 0))
            .set_values((name.as_str(), 1, 2, last, 2))
            .set_name(l("failed").as_str());
        chart.title().set_name(r.chart_title("chart_qa").as_str());
        chart.y_axis().set_reverse();
        chart.legend().set_hidden();
        ws.insert_chart(1, 9, &chart).map_err(xlsx_err)?;
    }
    let mut items = vec![
        (l("inspections"), Value::Count(q.inspections)),
        (l("passed"), Value::Count(q.passed)),
        (l("pass_rate"), Value::Percent(q.pass_rate)),
        (l("score_mean"), Value::OneDecimal(q.score_mean)),
    ];
    for s in &q.sources {
        items.push((
            l("source_pass_rate").replace("{source}", &l(&format!("source_{}", s.source))),
            Value::Percent(s.pass_rate),
        ));
        items.push((
            l("source_inspections").replace("{source}", &l(&format!("source_{}", s.source))),
            Value::Count(s.inspections),
        ));
    }
    if let Some(c) = &r.terms.quality_clause {
        items.push((l("clause"), Value::Text(c.clone())));
    }
    let next = pairs(ws, f, r, last + 2, &items)?;
    let keys = [
        "agent_id",
        "agent_name",
        "inspections",
        "passed",
        "pass_rate",
        "score_mean",
        "criteria_failed",
    ];
    let headers: Vec<String> = r.text.labels(&keys);
    let rows: Vec<Vec<Value>> = q
        .agents
        .iter()
        .map(|a| {
            vec![
                Value::Text(a.agent_id.clone()),
                Value::Text(a.agent_name.clone().unwrap_or_default()),
                Value::Count(a.inspections),
                Value::Count(a.passed),
                Value::Percent(a.pass_rate),
                Value::OneDecimal(a.score_mean),
                Value::Count(a.criteria_failed),
            ]
        })
        .collect();
    table(
        ws,
        f,
        r,
        next + 1,
        &headers,
        &[20., 12., 10., 10., 10., 10., 12.],
        &rows,
    )?;
    Ok(())
}
/// The findings sheet.
pub(super) fn findings_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    let l = |k: &str| r.text.label(k);
    let ws = wb.add_worksheet();
    ws.set_name(l("sheet_findings")).map_err(xlsx_err)?;
    let headers = vec![l("severity"), l("finding"), l("evidence"), l("suggestion")];
    let rows: Vec<Vec<Value>> = r
        .metrics
        .findings
        .iter()
        .map(|x| {
            vec![
                Value::Text(l(&x.severity.as_str())),
                Value::Text(x.title.clone()),
                Value::Text(x.evidence.clone()),
                Value::Text(x.suggestion.clone()),
            ]
        })
        .collect();
    table(ws, f, r, 0, &headers, &[8., 28., 60., 60.], &rows)?;
    // Long texts wrap inside their columns, so that a printed page cuts no sentence.
    for c in 1..=3 {
        ws.set_column_format(c, &f.wrap).map_err(xlsx_err)?;
    }
    Ok(())
}

/// The data quality sheet.
pub(super) fn data_quality_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    let l = |k: &str| r.text.label(k);
    let ws = wb.add_worksheet();
    ws.set_name(l("sheet_quality")).map_err(xlsx_err)?;
    let rc = &r.metrics.rows;
    let mut summary = vec![
        (l("rows_read"), rc.read),
        (l("rows_accepted"), rc.accepted),
        (l("rows_rejected"), rc.rejected),
        (l("rows_duplicates"), rc.duplicates),
        (l("rows_out_of_period"), rc.out_of_period),
    ];
    if rc.outbound > 0 {
        summary.push((l("rows_outbound"), rc.outbound));
    }
    for (i, (k, v)) in summary.iter().enumerate() {
        ws.write_string_with_format(i as u32, 0, k, &f.bold)
            .map_err(xlsx_err)?;
        // The figure two columns over: the label has the narrow first column and the wide
        // file column to run into.
        ws.write_number_with_format(i as u32, 2, *v as f64, &f.int)
            .map_err(xlsx_err)?;
    }
    // Every input kind read, surveys and inspections included.
    let lines = r.row_lines();
    for (i, line) in lines.iter().enumerate() {
        let row = (summary.len() + 1 + i) as u32;
        ws.write_string(row, 0, line).map_err(xlsx_err)?;
    }
    let odd = r.inconsistencies();
    for (i, (key, n, _)) in odd.iter().enumerate() {
        let row = (summary.len() + lines.len() + 2 + i) as u32;
        ws.write_string_with_format(row, 0, l(key), &f.bold)
            .map_err(xlsx_err)?;
        ws.write_number_with_format(row, 2, *n as f64, &f.int)
            .map_err(xlsx_err)?;
    }
    let top = (summary.len() + lines.len() + odd.len()) as u32 + 3;
    let headers = vec![
        l("input"),
        l("file"),
        l("row"),
        l("column"),
        l("category"),
        l("reason"),
    ];
    let rows: Vec<Vec<Value>> = r
        .rejections
        .iter()
        .map(|x| {
            vec![
                Value::Text(r.text.label(&format!("input_{}", x.input))),
                Value::Text(x.file.clone()),
                Value::Count(x.row),
                Value::Text(r.text.column(&x.column)),
                Value::Text(r.text.label(&format!("category_{}", x.category.as_str()))),
                Value::Text(r.text.reason(&x.reason)),
            ]
        })
        .collect();
    table(
        ws,
        f,
        r,
        top,
        &headers,
        &[10., 40., 8., 18., 10., 60.],
        &rows,
    )?;
    ws.set_column_format(5, &f.wrap).map_err(xlsx_err)?;
    Ok(())
}

/// The method sheet.
pub(super) fn method_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    let l = |k: &str| r.text.label(k);
    let ws = wb.add_worksheet();
    ws.set_name(l("sheet_method")).map_err(xlsx_err)?;
    ws.set_column_width(0, 24).map_err(xlsx_err)?;
    ws.set_column_width(1, 100).map_err(xlsx_err)?;
    ws.set_column_format(1, &f.wrap).map_err(xlsx_err)?;
    let mut row = 0;
    for (i, v) in r.method_paragraphs().iter().enumerate() {
        ws.write_string_with_format(row, 0, format!("{}", i + 1), &f.bold)
            .map_err(xlsx_err)?;
        ws.write_string_with_format(row, 1, v, &f.wrap)
            .map_err(xlsx_err)?;
        fit_row(ws, row, [(100.0, v.as_str())])?;
        row += 1;
    }
    row += 1;
    for (k, v) in &r.method_params {
        ws.write_string_with_format(row, 0, k, &f.bold)
            .map_err(xlsx_err)?;
        ws.write_string_with_format(row, 1, v, &f.wrap)
            .map_err(xlsx_err)?;
        fit_row(ws, row, [(24.0, k.as_str()), (100.0, v.as_str())])?;
        row += 1;
    }
    if let Some(c) = &r.metrics.calendar {
        ws.write_string_with_format(row, 0, l("calendar"), &f.bold)
            .map_err(xlsx_err)?;
        let text = l("calendar_with_sources")
            .replace("{name}", &c.name)
            .replace("{sources}", &c.sources.join(&l("source_separator")));
        ws.write_string_with_format(row, 1, &text, &f.wrap)
            .map_err(xlsx_err)?;
        fit_row(ws, row, [(100.0, text.as_str())])?;
        row += 1;
    }
    for i in r
        .metrics
        .inputs
        .iter()
        .chain(r.metrics.survey_inputs.iter())
    {
        ws.write_string_with_format(row, 0, l("file"), &f.bold)
            .map_err(xlsx_err)?;
        // The path, then its fingerprint and rows on a line of their own: one long line
        // would wrap over the next row when printed.
        ws.write_string(row, 1, i.path.display().to_string())
            .map_err(xlsx_err)?;
        let digest = l("file_digest")
            .replace("{sha}", &i.digest())
            .replace("{n}", &crate::report::count(i.rows));
        ws.write_string(row + 1, 1, digest).map_err(xlsx_err)?;
        row += 2;
    }
    Ok(())
}
