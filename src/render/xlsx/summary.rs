//! The one-sheet workbook of a daily or weekly summary: headline figures, channels, the SLAs as
//! indications, the days (weekly), top hotspots and complaint types, orders and findings.

use super::{block, daily_rows, metric_value, pairs, target_value, xlsx_err, Formats, Value};
use crate::error::Result;
use crate::report::Report;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, Worksheet};

/// The daily or weekly summary: one sheet with the headline figures, channels, the SLAs
/// (as indications), the days, hotspots, complaint types, orders, quality and findings.
pub(super) fn summary_workbook(r: &Report) -> Result<Vec<u8>> {
    use crate::config::Cadence;
    let t = &r.text;
    let l = |k: &str| t.label(k);
    let f = Formats::new(r);
    let mut wb = Workbook::new();
    let created =
        ExcelDateTime::from_timestamp(crate::render::document_epoch(r)).map_err(xlsx_err)?;
    let sheet = l(if r.metrics.cadence == Cadence::Daily {
        "sheet_summary_daily"
    } else {
        "sheet_summary_weekly"
    });
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!(
                "{sheet} {} {}",
                r.metrics.contract_name,
                r.period_name()
            ))
            .set_author("cseval")
            .set_creation_datetime(&created),
    );
    let ws = wb.add_worksheet();
    ws.set_name(&sheet).map_err(xlsx_err)?;
    ws.set_column_width(0, 24.0).map_err(xlsx_err)?;
    for c in 1..8 {
        ws.set_column_width(c, 13.0).map_err(xlsx_err)?;
    }
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.write_string_with_format(
        0,
        0,
        format!("{sheet} — {}", r.metrics.contract_name),
        &f.title,
    )
    .map_err(xlsx_err)?;
    let row = summary_headline(ws, &f, r)?;
    summary_tables(ws, &f, r, row)?;
    super::print_setup(&mut wb, r);
    wb.save_to_buffer().map_err(xlsx_err)
}

/// The summary's headline figures from row 2; returns the next free row.
pub(super) fn summary_headline(ws: &mut Worksheet, f: &Formats, r: &Report) -> Result<u32> {
    let l = |k: &str| r.text.label(k);
    let o = &r.metrics.overall;
    let mut items = vec![
        (l("contract_id"), Value::Text(r.metrics.contract_id.clone())),
        (l("period"), Value::Text(r.period_span())),
        (l("contacts"), Value::Count(o.contacts)),
        (l("answered"), Value::Count(o.answered)),
        (l("abandoned"), Value::Count(o.abandoned)),
        (l("abandon_rate"), Value::Percent(o.abandon_rate)),
        (l("asa_seconds"), Value::Duration(o.asa_seconds)),
        (l("resolution_rate"), Value::Percent(o.resolution_rate)),
        (l("fcr_rate"), Value::Percent(o.fcr_rate)),
        (l("csat_mean"), Value::TwoDecimals(o.csat_mean)),
        (l("csat_responses"), Value::Count(o.csat_responses)),
        (l("complaints"), Value::Count(o.complaints)),
        (l("urgent"), Value::Count(r.metrics.urgent.contacts)),
        (l("orders"), Value::Count(r.metrics.orders.contacts)),
    ];
    if let Some(q) = &r.metrics.quality {
        items.push((l("inspections"), Value::Count(q.inspections)));
        items.push((l("pass_rate"), Value::Percent(q.pass_rate)));
    }
    Ok(pairs(ws, f, r, 2, &items)? + 1)
}

/// The summary's tables from `row`: channels, SLAs as indications, the days (weekly), top
/// hotspots and complaint types, orders and findings.
pub(super) fn summary_tables(
    ws: &mut Worksheet,
    f: &Formats,
    r: &Report,
    mut row: u32,
) -> Result<()> {
    use crate::config::Cadence;
    let t = &r.text;
    let l = |k: &str| t.label(k);

    let headers: Vec<String> = r.text.labels(&[
        "channel",
        "contacts",
        "answered",
        "service_level",
        "asa_seconds",
        "response_p90_seconds",
        "resolution_rate",
    ]);
    let rows: Vec<Vec<Value>> = r
        .metrics
        .channels
        .iter()
        .map(|(name, c)| {
            vec![
                Value::Text(r.text.channel(name)),
                Value::Count(c.contacts),
                Value::Count(c.answered),
                Value::Percent(c.service_level),
                Value::Duration(c.asa_seconds),
                Value::Duration(c.response_p90_seconds),
                Value::Percent(c.resolution_rate),
            ]
        })
        .collect();
    row = block(ws, f, r, row, &l("sheet_channels"), &headers, &rows)?;

    let headers: Vec<String> = r
        .text
        .labels(&["sla", "clause", "metric", "target", "actual", "status"]);
    let rows: Vec<Vec<Value>> = r
        .metrics
        .scorecard
        .iter()
        .map(|s| {
            vec![
                Value::Text(s.name.clone()),
                Value::Text(s.clause.clone()),
                Value::Text(l(s.metric.as_str())),
                target_value(s.metric, s.target),
                metric_value(s.metric, s.actual),
                Value::Status(s.status),
            ]
        })
        .collect();
    row = block(ws, f, r, row, &l("sheet_scorecard"), &headers, &rows)?;
    ws.write_string_with_format(row - 1, 0, l("cadence_note"), &f.wrap)
        .map_err(xlsx_err)?;
    row += 1;

    if r.metrics.cadence == Cadence::Weekly {
        let (headers, rows) = daily_rows(r);
        row = block(ws, f, r, row, &l("daily_table"), &headers, &rows)?;
    }
    for (title, key, items) in [
        (l("sheet_hotspots"), l("topic"), r.topic_rows()),
        (
            l("sheet_complaints"),
            l("complaint_type"),
            r.complaint_rows(),
        ),
    ] {
        let rows: Vec<Vec<Value>> = items
            .iter()
            .take(5)
            .map(|(n, c, s, _)| {
                vec![
                    Value::Text(n.clone()),
                    Value::Count(*c),
                    Value::Percent(Some(*s)),
                ]
            })
            .collect();
        row = block(
            ws,
            f,
            r,
            row,
            &title,
            &[key, l("contacts"), l("share")],
            &rows,
        )?;
    }
    let rows: Vec<Vec<Value>> = r
        .metrics
        .orders
        .types
        .iter()
        .map(|o| {
            vec![
                Value::Text(t.order_type(&o.order_type)),
                Value::Count(o.contacts),
                Value::Percent(o.resolved_rate),
                Value::Duration(o.handle_mean_seconds),
            ]
        })
        .collect();
    let headers = vec![
        l("order_type"),
        l("contacts"),
        l("resolved_rate"),
        l("handle_mean"),
    ];
    row = block(ws, f, r, row, &l("sheet_orders"), &headers, &rows)?;
    let rows: Vec<Vec<Value>> = r
        .metrics
        .findings
        .iter()
        .map(|x| {
            vec![
                Value::Text(l(&x.severity.as_str())),
                Value::Text(x.evidence.clone()),
                Value::Text(x.suggestion.clone()),
            ]
        })
        .collect();
    let headers = vec![l("severity"), l("evidence"), l("suggestion")];
    block(ws, f, r, row, &l("sheet_findings"), &headers, &rows)?;
    Ok(())
}
