//! `report.xlsx`: the evaluation workbook (rust_xlsxwriter).
//!
//! Monthly sheets: Summary, Scorecard, Channels, Hotspots, Complaints, Agents, Daily, Orders,
//! Peaks and emergencies, Quality inspections (with inspection input), Hourly, Satisfaction,
//! Trend, Findings,
//! Data quality (every rejected row: file, row, column, reason; never a raw personal value),
//! Method (definitions and the contract parameters used). Tables get frozen headers,
//! autofilter, number formats and print setup; Hotspots and Daily carry native charts.
//! Text cells are always written as strings, so a value starting with `=` never becomes a
//! formula. A daily or weekly summary is one compact sheet instead. Layout only: every
//! figure comes from the report.

use super::Renderer;
use crate::error::{Error, Result};
use crate::evaluate::{is_rate_metric, Status};
use crate::kpi::Overall;
use crate::report::Report;
use rust_xlsxwriter::{
    Chart, ChartType, Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder,
    Workbook, Worksheet,
};
use std::path::PathBuf;

pub struct Xlsx;

/// A typed cell.
#[derive(Clone)]
enum V {
    T(String),
    I(u64),
    Pct(Option<f64>),
    N1(Option<f64>),
    N2(Option<f64>),
    Money(Option<f64>),
    Status(Status),
    Empty,
}

struct Formats {
    header: Format,
    pct: Format,
    int: Format,
    n1: Format,
    n2: Format,
    money: Format,
    met: Format,
    missed: Format,
    na: Format,
    title: Format,
    wrap: Format,
    bold: Format,
}

impl Formats {
    fn new() -> Formats {
        let header = Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0x1F4E79))
            .set_font_color(Color::White)
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter);
        Formats {
            header,
            pct: Format::new().set_num_format("0.00%"),
            int: Format::new().set_num_format("#,##0"),
            n1: Format::new().set_num_format("#,##0.0"),
            n2: Format::new().set_num_format("0.00"),
            money: Format::new().set_num_format("#,##0.00"),
            met: Format::new()
                .set_background_color(Color::RGB(0xC6EFCE))
                .set_font_color(Color::RGB(0x006100)),
            missed: Format::new()
                .set_background_color(Color::RGB(0xFFC7CE))
                .set_font_color(Color::RGB(0x9C0006)),
            na: Format::new().set_background_color(Color::RGB(0xEEEEEE)),
            title: Format::new().set_bold().set_font_size(16),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            bold: Format::new().set_bold(),
        }
    }
}

/// Excel refuses cells over 32,767 characters: clip (with an ellipsis) rather than fail.
fn fit(s: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 32_000;
    if s.len() <= MAX {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut cut: String = s.chars().take(MAX).collect();
    cut.push('…');
    std::borrow::Cow::Owned(cut)
}

fn xe(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::runtime(format!("cannot write report.xlsx: {e}"))
}

fn put(ws: &mut Worksheet, f: &Formats, r: u32, c: u16, v: &V, report: &Report) -> Result<()> {
    let t = &report.text;
    match v {
        V::T(s) => ws.write_string(r, c, fit(s)).map(|_| ()),
        V::I(n) => ws
            .write_number_with_format(r, c, *n as f64, &f.int)
            .map(|_| ()),
        V::Pct(Some(x)) => ws.write_number_with_format(r, c, *x, &f.pct).map(|_| ()),
        V::N1(Some(x)) => ws.write_number_with_format(r, c, *x, &f.n1).map(|_| ()),
        V::N2(Some(x)) => ws.write_number_with_format(r, c, *x, &f.n2).map(|_| ()),
        V::Money(Some(x)) => ws.write_number_with_format(r, c, *x, &f.money).map(|_| ()),
        V::Pct(None) | V::N1(None) | V::N2(None) | V::Money(None) => {
            ws.write_string(r, c, "—").map(|_| ())
        }
        V::Status(s) => {
            let (label, fmt) = match s {
                Status::Met => (t.l("met"), &f.met),
                Status::Missed => (t.l("missed"), &f.missed),
                Status::NotMeasurable => (t.l("not_measurable"), &f.na),
            };
            ws.write_string_with_format(r, c, label, fmt).map(|_| ())
        }
        V::Empty => Ok(()),
    }
    .map_err(xe)
}

/// Write a table with a header row at `top`; returns the last row written.
fn table(
    ws: &mut Worksheet,
    f: &Formats,
    report: &Report,
    top: u32,
    headers: &[String],
    widths: &[f64],
    rows: &[Vec<V>],
) -> Result<u32> {
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(top, c as u16, h, &f.header)
            .map_err(xe)?;
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w).map_err(xe)?;
    }
    for (i, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            put(ws, f, top + 1 + i as u32, c as u16, v, report)?;
        }
    }
    let last = top + rows.len() as u32;
    ws.set_freeze_panes(top + 1, 0).map_err(xe)?;
    if !headers.is_empty() {
        ws.autofilter(top, 0, last.max(top), headers.len() as u16 - 1)
            .map_err(xe)?;
    }
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(top, top).map_err(xe)?;
    Ok(last)
}

/// A sheet of ranked counts (name, count, share, previous period) with a bar chart.
/// `keys`: sheet name, name column, count column and chart title labels.
fn ranked_sheet(
    wb: &mut Workbook,
    f: &Formats,
    r: &Report,
    keys: [&str; 4],
    items: &[crate::report::RankedRow],
) -> Result<()> {
    let l = |k: &str| r.text.l(k);
    let ws = wb.add_worksheet();
    let name = l(keys[0]);
    ws.set_name(&name).map_err(xe)?;
    let headers = vec![l(keys[1]), l(keys[2]), l("share"), l("previous")];
    let rows: Vec<Vec<V>> = items
        .iter()
        .map(|(n, c, s, p)| {
            vec![
                V::T(n.clone()),
                V::I(*c),
                V::Pct(Some(*s)),
                p.map(V::I).unwrap_or(V::Empty),
            ]
        })
        .collect();
    let last = table(ws, f, r, 0, &headers, &[20., 12., 10., 10.], &rows)?;
    if !rows.is_empty() {
        let mut chart = Chart::new(ChartType::Bar);
        chart
            .add_series()
            .set_categories((name.as_str(), 1, 0, last, 0))
            .set_values((name.as_str(), 1, 1, last, 1))
            .set_name(l(keys[2]).as_str());
        chart
            .title()
            .set_name(format!("{} {}", l(keys[3]), r.period.start).as_str());
        chart.y_axis().set_reverse();
        chart.legend().set_hidden();
        ws.insert_chart(1, 5, &chart).map_err(xe)?;
    }
    Ok(())
}

/// The day-by-day table: date, day type, peak, contacts, answered, abandoned, urgent,
/// service level.
fn daily_rows(r: &Report) -> (Vec<String>, Vec<Vec<V>>) {
    let l = |k: &str| r.text.l(k);
    let headers = [
        "date",
        "day_type",
        "peak",
        "contacts",
        "answered",
        "abandoned",
        "urgent",
        "service_level",
    ]
    .iter()
    .map(|k| l(k))
    .collect();
    let rows = r
        .daily
        .iter()
        .map(|d| {
            vec![
                V::T(d.date.clone()),
                V::T(l(&format!("day_type_{}", d.day_type))),
                d.peak
                    .as_ref()
                    .map(|p| V::T(l(&format!("peak_{p}"))))
                    .unwrap_or(V::Empty),
                V::I(d.contacts),
                V::I(d.answered),
                V::I(d.abandoned),
                V::I(d.urgent),
                V::Pct(d.service_level),
            ]
        })
        .collect();
    (headers, rows)
}

/// Contacts and answered per day (columns D and E of [`daily_rows`]).
fn daily_chart(r: &Report, sheet: &str, last: u32) -> Chart {
    let l = |k: &str| r.text.l(k);
    let mut chart = Chart::new(ChartType::Line);
    chart
        .add_series()
        .set_categories((sheet, 1, 0, last, 0))
        .set_values((sheet, 1, 3, last, 3))
        .set_name(l("contacts").as_str());
    chart
        .add_series()
        .set_categories((sheet, 1, 0, last, 0))
        .set_values((sheet, 1, 4, last, 4))
        .set_name(l("answered").as_str());
    chart
        .title()
        .set_name(format!("{} {}", l("chart_daily"), r.period.start).as_str());
    chart
}

/// Key–value rows from row `top` (label in A, value in B); returns the next free row.
fn pairs(
    ws: &mut Worksheet,
    f: &Formats,
    r: &Report,
    top: u32,
    items: &[(String, V)],
) -> Result<u32> {
    for (i, (k, v)) in items.iter().enumerate() {
        let row = top + i as u32;
        ws.write_string_with_format(row, 0, k, &f.bold)
            .map_err(xe)?;
        put(ws, f, row, 1, v, r)?;
    }
    Ok(top + items.len() as u32)
}

/// Order handling: totals, then one row per sub-type, with a bar chart.
fn orders_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    let l = |k: &str| r.text.l(k);
    let o = &r.orders;
    let ws = wb.add_worksheet();
    let name = l("sheet_orders");
    ws.set_name(&name).map_err(xe)?;
    let keys = [
        "order_type",
        "contacts",
        "share",
        "resolved",
        "resolved_rate",
        "handle_mean",
        "resolve_time_mean",
    ];
    let headers: Vec<String> = keys.iter().map(|k| l(k)).collect();
    let mut rows: Vec<Vec<V>> = o
        .types
        .iter()
        .map(|t| {
            vec![
                V::T(r.text.order_type(&t.order_type)),
                V::I(t.contacts),
                V::Pct(Some(t.share)),
                V::I(t.resolved),
                V::Pct(t.resolved_rate),
                V::N1(t.handle_mean_seconds),
                V::N1(t.resolve_time_mean_seconds),
            ]
        })
        .collect();
    let types = rows.len() as u32;
    rows.push(vec![
        V::T(l("total")),
        V::I(o.contacts),
        V::Pct((o.contacts > 0).then_some(1.0)),
        V::I(o.resolved),
        V::Pct(o.resolved_rate),
        V::N1(o.handle_mean_seconds),
        V::N1(o.resolve_time_mean_seconds),
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
            .set_name(format!("{} {}", l("chart_orders"), r.period.start).as_str());
        chart.y_axis().set_reverse();
        ws.insert_chart(1, 8, &chart).map_err(xe)?;
    }
    Ok(())
}

/// Peaks and emergencies: peak days against the others, urgent contacts, the peak days.
fn peaks_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    let l = |k: &str| r.text.l(k);
    let (p, u) = (&r.peaks, &r.urgent);
    let ws = wb.add_worksheet();
    ws.set_name(l("sheet_peaks")).map_err(xe)?;
    ws.set_column_width(0, 26.0).map_err(xe)?;
    ws.set_column_width(1, 14.0).map_err(xe)?;
    let mut items = vec![
        (l("peak_days"), V::I(p.peak_days)),
        (l("peak_contacts"), V::I(p.peak_contacts)),
        (l("median_day_contacts"), V::N1(p.median_day_contacts)),
        (l("peak_service_level"), V::Pct(p.peak_service_level)),
        (l("other_service_level"), V::Pct(p.other_service_level)),
        (l("urgent"), V::I(u.contacts)),
        (l("answered"), V::I(u.answered)),
        (l("resolved"), V::I(u.resolved)),
        (l("response_mean"), V::N1(u.response_mean_seconds)),
        (l("response_p90_seconds"), V::N1(u.response_p90_seconds)),
        (l("response_max"), V::N1(u.response_max_seconds)),
    ];
    if let Some(c) = &r.peaks_clause {
        items.push((l("clause"), V::T(c.clone())));
    }
    let next = pairs(ws, f, r, 0, &items)?;
    let (headers, rows) = daily_rows(r);
    let peak_rows: Vec<Vec<V>> = r
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
fn quality_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    let l = |k: &str| r.text.l(k);
    let Some(q) = &r.quality else { return Ok(()) };
    let ws = wb.add_worksheet();
    let name = l("sheet_inspections");
    ws.set_name(&name).map_err(xe)?;
    // Criteria first, so the table and its chart sit at the top.
    let headers: Vec<String> = ["criterion", "checked", "failed", "fail_rate"]
        .iter()
        .map(|k| l(k))
        .collect();
    let rows: Vec<Vec<V>> = q
        .criteria
        .iter()
        .map(|c| {
            vec![
                V::T(r.text.criterion(&c.criterion)),
                V::I(c.checked),
                V::I(c.failed),
                V::Pct(c.fail_rate),
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
        chart
            .title()
            .set_name(format!("{} {}", l("chart_qa"), r.period.start).as_str());
        chart.y_axis().set_reverse();
        chart.legend().set_hidden();
        ws.insert_chart(1, 9, &chart).map_err(xe)?;
    }
    let mut items = vec![
        (l("inspections"), V::I(q.inspections)),
        (l("passed"), V::I(q.passed)),
        (l("pass_rate"), V::Pct(q.pass_rate)),
        (l("score_mean"), V::N1(q.score_mean)),
    ];
    for s in &q.sources {
        items.push((
            format!("{} {}", l(&format!("source_{}", s.source)), l("pass_rate")),
            V::Pct(s.pass_rate),
        ));
        items.push((
            format!(
                "{} {}",
                l(&format!("source_{}", s.source)),
                l("inspections")
            ),
            V::I(s.inspections),
        ));
    }
    if let Some(c) = &r.quality_clause {
        items.push((l("clause"), V::T(c.clone())));
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
    let headers: Vec<String> = keys.iter().map(|k| l(k)).collect();
    let rows: Vec<Vec<V>> = q
        .agents
        .iter()
        .map(|a| {
            vec![
                V::T(a.agent_id.clone()),
                V::T(a.agent_name.clone().unwrap_or_default()),
                V::I(a.inspections),
                V::I(a.passed),
                V::Pct(a.pass_rate),
                V::N1(a.score_mean),
                V::I(a.criteria_failed),
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

/// A block of rows under a bold heading, without the sheet-wide freeze panes and filter of
/// [`table`] (a summary sheet holds several blocks); returns the next free row.
fn block(
    ws: &mut Worksheet,
    f: &Formats,
    r: &Report,
    top: u32,
    heading: &str,
    headers: &[String],
    rows: &[Vec<V>],
) -> Result<u32> {
    ws.write_string_with_format(top, 0, heading, &f.bold)
        .map_err(xe)?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(top + 1, c as u16, h, &f.header)
            .map_err(xe)?;
    }
    for (i, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            put(ws, f, top + 2 + i as u32, c as u16, v, r)?;
        }
    }
    Ok(top + 3 + rows.len() as u32)
}

/// The daily or weekly summary: one sheet with the headline figures, channels, the SLAs
/// (as indications), the days, hotspots, complaint types, orders, quality and findings.
fn summary_workbook(r: &Report) -> Result<Vec<u8>> {
    use crate::config::Cadence;
    let t = &r.text;
    let l = |k: &str| t.l(k);
    let f = Formats::new();
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_timestamp(super::document_epoch(r)).map_err(xe)?;
    let sheet = l(if r.cadence == Cadence::Daily {
        "sheet_summary_daily"
    } else {
        "sheet_summary_weekly"
    });
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("{sheet} {} {}", r.contract_name, r.period.start))
            .set_author("cseval")
            .set_creation_datetime(&created),
    );
    let ws = wb.add_worksheet();
    ws.set_name(&sheet).map_err(xe)?;
    ws.set_column_width(0, 24.0).map_err(xe)?;
    for c in 1..8 {
        ws.set_column_width(c, 13.0).map_err(xe)?;
    }
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.write_string_with_format(0, 0, format!("{sheet} — {}", r.contract_name), &f.title)
        .map_err(xe)?;
    let end = chrono::NaiveDate::parse_from_str(&r.period.end, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.pred_opt())
        .map(|d| d.to_string())
        .unwrap_or_default();
    let o = &r.overall;
    let mut items = vec![
        (l("contract_id"), V::T(r.contract_id.clone())),
        (
            l("period"),
            V::T(if r.period.start == end {
                end.clone()
            } else {
                format!("{} – {end}", r.period.start)
            }),
        ),
        (l("contacts"), V::I(o.contacts)),
        (l("answered"), V::I(o.answered)),
        (l("abandoned"), V::I(o.abandoned)),
        (l("abandon_rate"), V::Pct(o.abandon_rate)),
        (l("asa_seconds"), V::N1(o.asa_seconds)),
        (l("resolution_rate"), V::Pct(o.resolution_rate)),
        (l("fcr_rate"), V::Pct(o.fcr_rate)),
        (l("csat_mean"), V::N2(o.csat_mean)),
        (l("csat_responses"), V::I(o.csat_responses)),
        (l("complaints"), V::I(o.complaints)),
        (l("urgent"), V::I(r.urgent.contacts)),
        (l("orders"), V::I(r.orders.contacts)),
    ];
    if let Some(q) = &r.quality {
        items.push((l("inspections"), V::I(q.inspections)));
        items.push((l("pass_rate"), V::Pct(q.pass_rate)));
    }
    let mut row = pairs(ws, &f, r, 2, &items)? + 1;

    let headers: Vec<String> = [
        "channel",
        "contacts",
        "answered",
        "service_level",
        "asa_seconds",
        "response_p90_seconds",
        "resolution_rate",
    ]
    .iter()
    .map(|k| l(k))
    .collect();
    let rows: Vec<Vec<V>> = r
        .channels
        .iter()
        .map(|(name, c)| {
            vec![
                V::T(l(name)),
                V::I(c.contacts),
                V::I(c.answered),
                V::Pct(c.service_level),
                V::N1(c.asa_seconds),
                V::N1(c.response_p90_seconds),
                V::Pct(c.resolution_rate),
            ]
        })
        .collect();
    row = block(ws, &f, r, row, &l("sheet_channels"), &headers, &rows)?;

    let headers: Vec<String> = ["sla_id", "clause", "metric", "target", "actual", "status"]
        .iter()
        .map(|k| l(k))
        .collect();
    let value = |m: &str, v: Option<f64>| {
        if is_rate_metric(m) {
            V::Pct(v)
        } else {
            V::N2(v)
        }
    };
    let rows: Vec<Vec<V>> = r
        .scorecard
        .iter()
        .map(|s| {
            vec![
                V::T(s.id.clone()),
                V::T(s.clause.clone()),
                V::T(l(&s.metric)),
                value(&s.metric, Some(s.target)),
                value(&s.metric, s.actual),
                V::Status(s.status),
            ]
        })
        .collect();
    row = block(ws, &f, r, row, &l("sheet_scorecard"), &headers, &rows)?;
    ws.write_string_with_format(row - 1, 0, l("cadence_note"), &f.wrap)
        .map_err(xe)?;
    row += 1;

    if r.cadence == Cadence::Weekly {
        let (headers, rows) = daily_rows(r);
        row = block(ws, &f, r, row, &l("daily_table"), &headers, &rows)?;
    }
    for (title, key, items) in [
        (l("sheet_hotspots"), l("topic"), r.topic_rows()),
        (
            l("sheet_complaints"),
            l("complaint_type"),
            r.complaint_rows(),
        ),
    ] {
        let rows: Vec<Vec<V>> = items
            .iter()
            .take(5)
            .map(|(n, c, s, _)| vec![V::T(n.clone()), V::I(*c), V::Pct(Some(*s))])
            .collect();
        row = block(
            ws,
            &f,
            r,
            row,
            &title,
            &[key, l("contacts"), l("share")],
            &rows,
        )?;
    }
    let rows: Vec<Vec<V>> = r
        .orders
        .types
        .iter()
        .map(|o| {
            vec![
                V::T(t.order_type(&o.order_type)),
                V::I(o.contacts),
                V::Pct(o.resolved_rate),
                V::N1(o.handle_mean_seconds),
            ]
        })
        .collect();
    let headers = vec![
        l("order_type"),
        l("contacts"),
        l("resolved_rate"),
        l("handle_mean"),
    ];
    row = block(ws, &f, r, row, &l("sheet_orders"), &headers, &rows)?;
    let rows: Vec<Vec<V>> = r
        .findings
        .iter()
        .map(|x| {
            vec![
                V::T(l(&x.severity)),
                V::T(x.evidence.clone()),
                V::T(x.suggestion.clone()),
            ]
        })
        .collect();
    let headers = vec![l("severity"), l("evidence"), l("suggestion")];
    block(ws, &f, r, row, &l("sheet_findings"), &headers, &rows)?;
    wb.save_to_buffer().map_err(xe)
}

/// Tier, bonus, deduction, consecutive failures and termination right, each with its
/// clause, from row `top`; returns the next free row.
fn incentive_block(ws: &mut Worksheet, f: &Formats, r: &Report, top: u32) -> Result<u32> {
    let l = |k: &str| r.text.l(k);
    let Some(inc) = &r.incentive else {
        return Ok(top);
    };
    let clause = |c: &Option<String>| {
        c.clone()
            .map(|c| format!("{} {c}", l("clause")))
            .unwrap_or_default()
    };
    let failures = match inc.termination_threshold {
        Some(t) => V::T(format!("{} / {t}", inc.consecutive_failures)),
        None => V::I(inc.consecutive_failures as u64),
    };
    let lines: Vec<(String, V, String)> = vec![
        (
            l("tier"),
            V::T(inc.tier.clone().unwrap_or_else(|| "—".into())),
            clause(&inc.clause),
        ),
        (l("bonus"), V::Money(inc.bonus), clause(&inc.clause)),
        (
            l("penalty"),
            V::Money(inc.penalty),
            clause(&inc.penalty_clause),
        ),
        (l("consecutive_failures"), failures, clause(&inc.clause)),
        (
            l("termination_right"),
            V::T(if inc.termination_right {
                l("yes")
            } else {
                l("no")
            }),
            clause(&inc.clause),
        ),
    ];
    for (i, (k, v, c)) in lines.iter().enumerate() {
        let row = top + i as u32;
        ws.write_string_with_format(row, 0, k, &f.bold)
            .map_err(xe)?;
        put(ws, f, row, 1, v, r)?;
        ws.write_string(row, 2, c).map_err(xe)?;
    }
    Ok(top + lines.len() as u32)
}

/// A whole count as an integer; a sum of scores (csat_mean's numerator) with decimals.
fn count_or_sum(x: f64) -> V {
    if x.fract() == 0.0 && x >= 0.0 {
        V::I(x as u64)
    } else {
        V::N2(Some(x))
    }
}

/// A column chart of `cols` (with their header names as series names) over rows 1..=last.
fn column_chart(
    ws: &mut Worksheet,
    sheet: &str,
    last: u32,
    cols: &[u16],
    title: &str,
    at: (u32, u16),
    pct: bool,
) -> Result<()> {
    let mut chart = Chart::new(ChartType::Column);
    for &c in cols {
        chart
            .add_series()
            .set_categories((sheet, 1, 0, last, 0))
            .set_values((sheet, 1, c, last, c))
            .set_name((sheet, 0, c));
    }
    chart.title().set_name(title);
    if pct {
        chart.y_axis().set_num_format("0%");
    }
    ws.insert_chart(at.0, at.1, &chart).map_err(xe)?;
    Ok(())
}

fn metric_value(metric: &str, v: Option<f64>) -> V {
    if is_rate_metric(metric) {
        V::Pct(v)
    } else {
        V::N2(v)
    }
}

impl Renderer for Xlsx {
    fn name(&self) -> &'static str {
        "report.xlsx"
    }

    fn render(&self, r: &Report) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        if r.cadence != crate::config::Cadence::Monthly {
            return Ok(vec![(PathBuf::from("report.xlsx"), summary_workbook(r)?)]);
        }
        let t = &r.text;
        let l = |k: &str| t.l(k);
        let f = Formats::new();
        let mut wb = Workbook::new();
        let epoch = super::document_epoch(r);
        let created = ExcelDateTime::from_timestamp(epoch).map_err(xe)?;
        wb.set_properties(
            &DocProperties::new()
                .set_title(format!(
                    "{} {} {}",
                    l("title"),
                    r.contract_name,
                    r.period.start
                ))
                .set_author("cseval")
                .set_creation_datetime(&created),
        );
        let ch_label = |c: &Option<String>| {
            c.as_ref()
                .map(|c| l(c))
                .unwrap_or_else(|| l("all_channels"))
        };

        // Summary.
        {
            let ws = wb.add_worksheet();
            ws.set_name(l("sheet_summary")).map_err(xe)?;
            ws.write_string_with_format(
                0,
                0,
                format!("{} — {}", l("title"), r.contract_name),
                &f.title,
            )
            .map_err(xe)?;
            ws.set_column_width(0, 28).map_err(xe)?;
            ws.set_column_width(1, 60).map_err(xe)?;
            let missed = r
                .scorecard
                .iter()
                .filter(|s| s.status == Status::Missed)
                .count();
            let verdict = if missed == 0 {
                l("verdict_met")
            } else {
                l("verdict_missed").replace("{n}", &missed.to_string())
            };
            let rows: Vec<(String, V)> = vec![
                (l("contract"), V::T(r.contract_name.clone())),
                (l("contract_id"), V::T(r.contract_id.clone())),
                (l("client"), V::T(r.client.clone().unwrap_or_default())),
                (l("provider"), V::T(r.provider.clone().unwrap_or_default())),
                (
                    l("period"),
                    V::T(format!(
                        "{} — {} ({})",
                        r.period.start, r.period.end, r.period.timezone
                    )),
                ),
                (
                    l("calendar"),
                    V::T(
                        r.calendar
                            .as_ref()
                            .map(|c| c.name.clone())
                            .unwrap_or_else(|| "—".into()),
                    ),
                ),
                (l("verdict"), V::T(verdict)),
            ];
            for (i, (k, v)) in rows.iter().enumerate() {
                let row = 2 + i as u32;
                ws.write_string_with_format(row, 0, k, &f.bold)
                    .map_err(xe)?;
                put(ws, &f, row, 1, v, r)?;
            }
            let mut row = incentive_block(ws, &f, r, 2 + rows.len() as u32)? + 1;
            // Headline KPIs with the previous period beside them.
            ws.write_string_with_format(row, 0, l("item"), &f.header)
                .map_err(xe)?;
            ws.write_string_with_format(row, 1, l("value"), &f.header)
                .map_err(xe)?;
            ws.write_string_with_format(row, 2, l("previous"), &f.header)
                .map_err(xe)?;
            ws.set_column_width(2, 16).map_err(xe)?;
            let o = &r.overall;
            let p = r.previous_overall.as_ref();
            let prev = |g: &dyn Fn(&Overall) -> V| p.map_or(V::Empty, g);
            let kpis: Vec<(String, V, V)> = vec![
                (l("contacts"), V::I(o.contacts), prev(&|p| V::I(p.contacts))),
                (l("answered"), V::I(o.answered), prev(&|p| V::I(p.answered))),
                (
                    l("abandoned"),
                    V::I(o.abandoned),
                    prev(&|p| V::I(p.abandoned)),
                ),
                (
                    l("resolution_rate"),
                    V::Pct(o.resolution_rate),
                    prev(&|p| V::Pct(p.resolution_rate)),
                ),
                (
                    l("fcr_rate"),
                    V::Pct(o.fcr_rate),
                    prev(&|p| V::Pct(p.fcr_rate)),
                ),
                (
                    l("abandon_rate"),
                    V::Pct(o.abandon_rate),
                    prev(&|p| V::Pct(p.abandon_rate)),
                ),
                (
                    l("asa_seconds"),
                    V::N1(o.asa_seconds),
                    prev(&|p| V::N1(p.asa_seconds)),
                ),
                (
                    l("csat_mean"),
                    V::N2(o.csat_mean),
                    prev(&|p| V::N2(p.csat_mean)),
                ),
                (
                    l("csat_top_box_rate"),
                    V::Pct(o.csat_top_box_rate),
                    prev(&|p| V::Pct(p.csat_top_box_rate)),
                ),
                (
                    l("csat_responses"),
                    V::I(o.csat_responses),
                    prev(&|p| V::I(p.csat_responses)),
                ),
                (
                    l("complaints"),
                    V::I(o.complaints),
                    prev(&|p| V::I(p.complaints)),
                ),
                (
                    l("complaint_rate"),
                    V::Pct(o.complaint_rate),
                    prev(&|p| V::Pct(p.complaint_rate)),
                ),
            ];
            for (k, v, pv) in &kpis {
                row += 1;
                ws.write_string_with_format(row, 0, k, &f.bold)
                    .map_err(xe)?;
                put(ws, &f, row, 1, v, r)?;
                put(ws, &f, row, 2, pv, r)?;
            }
            row += 2;
            ws.write_string_with_format(row, 0, l("sheet_findings"), &f.bold)
                .map_err(xe)?;
            for fd in r.findings.iter().take(5) {
                row += 1;
                ws.write_string_with_format(row, 0, l(&fd.severity), &f.wrap)
                    .map_err(xe)?;
                ws.write_string_with_format(row, 1, &fd.evidence, &f.wrap)
                    .map_err(xe)?;
            }
            ws.set_landscape();
            ws.set_print_fit_to_pages(1, 0);
        }

        // Scorecard.
        {
            let ws = wb.add_worksheet();
            ws.set_name(l("sheet_scorecard")).map_err(xe)?;
            let headers: Vec<String> = crate::report::SCORECARD_COLUMNS
                .iter()
                .chain(&["note"])
                .map(|k| l(k))
                .collect();
            let rows: Vec<Vec<V>> = r
                .scorecard
                .iter()
                .map(|s| {
                    vec![
                        V::T(s.id.clone()),
                        V::T(s.clause.clone()),
                        V::T(l(&s.metric)),
                        V::T(ch_label(&s.channel)),
                        V::T(s.threshold.clone().unwrap_or_default()),
                        metric_value(&s.metric, Some(s.target)),
                        metric_value(&s.metric, s.actual),
                        metric_value(&s.metric, s.previous_actual),
                        count_or_sum(s.numerator),
                        count_or_sum(s.denominator),
                        V::Status(s.status),
                        V::T(s.note.clone().unwrap_or_default()),
                    ]
                })
                .collect();
            let last = table(
                ws,
                &f,
                r,
                0,
                &headers,
                &[18., 10., 16., 10., 14., 10., 10., 10., 12., 12., 12., 30.],
                &rows,
            )?;
            let below = incentive_block(ws, &f, r, last + 2)?;
            if !r.scorecard.is_empty() {
                let name = l("sheet_scorecard");
                column_chart(
                    ws,
                    &name,
                    last,
                    &[5, 6],
                    &format!("{} {}", l("chart_sla"), r.period.start),
                    (below + 2, 0),
                    true,
                )?;
            }
        }

        // Channels.
        {
            let ws = wb.add_worksheet();
            ws.set_name(l("sheet_channels")).map_err(xe)?;
            let keys = [
                "channel",
                "contacts",
                "answered",
                "abandoned",
                "short_abandoned",
                "unanswered",
                "service_level",
                "service_level_threshold",
                "abandon_rate",
                "asa_seconds",
                "response_p50_seconds",
                "response_p90_seconds",
                "aht_seconds",
                "resolution_rate",
                "fcr_rate",
                "csat_mean",
                "csat_responses",
                "complaints",
            ];
            let headers: Vec<String> = keys.iter().map(|k| l(k)).collect();
            let opt = |x: Option<u64>| x.map(V::I).unwrap_or(V::T("—".into()));
            let channel_row = |name: &str, c: &crate::kpi::ChannelMetrics| {
                vec![
                    V::T(l(name)),
                    V::I(c.contacts),
                    V::I(c.answered),
                    opt(c.abandoned),
                    opt(c.short_abandoned),
                    opt(c.unanswered),
                    V::Pct(c.service_level),
                    V::N1(c.service_level_threshold_seconds),
                    V::Pct(c.abandon_rate),
                    V::N1(c.asa_seconds),
                    V::N1(c.response_p50_seconds),
                    V::N1(c.response_p90_seconds),
                    V::N1(c.aht_seconds),
                    V::Pct(c.resolution_rate),
                    V::Pct(c.fcr_rate),
                    V::N2(c.csat_mean),
                    V::I(c.csat_responses),
                    V::I(c.complaints),
                ]
            };
            let rows: Vec<Vec<V>> = r.channels.iter().map(|(n, c)| channel_row(n, c)).collect();
            let widths: Vec<f64> = keys.iter().map(|_| 12.0).collect();
            let last = table(ws, &f, r, 0, &headers, &widths, &rows)?;
            let chart_row = last
                + 4
                + r.previous_channels
                    .as_ref()
                    .map_or(0, |p| p.len() as u32 + 2);
            if !rows.is_empty() {
                let name = l("sheet_channels");
                column_chart(
                    ws,
                    &name,
                    last,
                    &[1, 2],
                    &format!("{} {}", l("sheet_channels"), r.period.start),
                    (chart_row, 0),
                    false,
                )?;
            }
            // The previous period, same columns, below.
            if let Some(prev) = &r.previous_channels {
                let top = last + 2;
                ws.write_string_with_format(top, 0, l("previous"), &f.bold)
                    .map_err(xe)?;
                for (c, h) in headers.iter().enumerate() {
                    ws.write_string_with_format(top + 1, c as u16, h, &f.header)
                        .map_err(xe)?;
                }
                for (i, (n, c)) in prev.iter().enumerate() {
                    for (j, v) in channel_row(n, c).iter().enumerate() {
                        put(ws, &f, top + 2 + i as u32, j as u16, v, r)?;
                    }
                }
            }
        }

        // Hotspots and complaint types: ranked counts with a bar chart each.
        let topics = r.topic_rows();
        ranked_sheet(
            &mut wb,
            &f,
            r,
            ["sheet_hotspots", "topic", "contacts", "chart_hotspots"],
            &topics,
        )?;
        let complaints = r.complaint_rows();
        ranked_sheet(
            &mut wb,
            &f,
            r,
            [
                "sheet_complaints",
                "complaint_type",
                "complaints",
                "chart_complaints",
            ],
            &complaints,
        )?;

        // Agents.
        {
            let ws = wb.add_worksheet();
            ws.set_name(l("sheet_agents")).map_err(xe)?;
            let keys = [
                "agent_id",
                "agent_name",
                "team",
                "contacts",
                "answered",
                "resolved",
                "resolution_rate",
                "asa_seconds",
                "aht_seconds",
                "csat_mean",
                "csat_responses",
            ];
            let headers: Vec<String> = keys.iter().map(|k| l(k)).collect();
            let rows: Vec<Vec<V>> = r
                .agents
                .iter()
                .map(|a| {
                    vec![
                        V::T(a.agent_id.clone()),
                        V::T(a.agent_name.clone().unwrap_or_default()),
                        V::T(a.team.clone().unwrap_or_default()),
                        V::I(a.contacts),
                        V::I(a.answered),
                        V::I(a.resolved),
                        V::Pct(a.resolution_rate),
                        V::N1(a.asa_seconds),
                        V::N1(a.aht_seconds),
                        V::N2(a.csat_mean),
                        V::I(a.csat_responses),
                    ]
                })
                .collect();
            let widths: Vec<f64> = keys.iter().map(|_| 12.0).collect();
            table(ws, &f, r, 0, &headers, &widths, &rows)?;
        }

        // Daily, with a native chart.
        {
            let ws = wb.add_worksheet();
            let name = l("sheet_daily");
            ws.set_name(&name).map_err(xe)?;
            let (headers, rows) = daily_rows(r);
            let last = table(
                ws,
                &f,
                r,
                0,
                &headers,
                &[12., 12., 12., 10., 10., 10., 10., 12.],
                &rows,
            )?;
            if !rows.is_empty() {
                ws.insert_chart(1, 9, &daily_chart(r, &name, last))
                    .map_err(xe)?;
            }
        }

        orders_sheet(&mut wb, &f, r)?;
        peaks_sheet(&mut wb, &f, r)?;
        if r.quality.is_some() {
            quality_sheet(&mut wb, &f, r)?;
        }

        // Weekday × hour: a grid with a colour scale, and contacts per hour.
        {
            let ws = wb.add_worksheet();
            let name = l("sheet_hourly");
            ws.set_name(&name).map_err(xe)?;
            let mut grid = [[0u64; 24]; 7];
            for h in &r.hourly {
                if (h.weekday as usize) < 7 && (h.hour as usize) < 24 {
                    grid[h.weekday as usize][h.hour as usize] += h.contacts;
                }
            }
            // Contacts per hour of day (column A/B), for the chart.
            let headers = vec![l("hour"), l("contacts"), l("abandoned")];
            let rows: Vec<Vec<V>> = (0..24u32)
                .map(|hour| {
                    let n: u64 = grid.iter().map(|w| w[hour as usize]).sum();
                    let ab: u64 = r
                        .hourly
                        .iter()
                        .filter(|h| h.hour == hour)
                        .map(|h| h.abandoned)
                        .sum();
                    vec![V::T(format!("{hour:02}:00")), V::I(n), V::I(ab)]
                })
                .collect();
            let last = table(ws, &f, r, 0, &headers, &[10., 10., 10.], &rows)?;
            column_chart(
                ws,
                &name,
                last,
                &[1, 2],
                &format!("{} {}", l("weekday_hour"), r.period.start),
                (last + 2, 0),
                false,
            )?;
            // The grid: weekdays down, hours across, from column E.
            let left = 4u16;
            ws.write_string_with_format(0, left, l("weekday_hour"), &f.header)
                .map_err(xe)?;
            for hour in 0..24u16 {
                ws.write_string_with_format(0, left + 1 + hour, format!("{hour:02}"), &f.header)
                    .map_err(xe)?;
                ws.set_column_width(left + 1 + hour, 5).map_err(xe)?;
            }
            for (w, row) in grid.iter().enumerate() {
                let name = r.text.findings.weekdays.get(w).cloned().unwrap_or_default();
                ws.write_string_with_format(1 + w as u32, left, name, &f.bold)
                    .map_err(xe)?;
                for (hour, n) in row.iter().enumerate() {
                    ws.write_number_with_format(
                        1 + w as u32,
                        left + 1 + hour as u16,
                        *n as f64,
                        &f.int,
                    )
                    .map_err(xe)?;
                }
            }
            let scale = rust_xlsxwriter::ConditionalFormat3ColorScale::new()
                .set_minimum_color(Color::RGB(0xF8FBFF))
                .set_midpoint_color(Color::RGB(0x9DC3E6))
                .set_maximum_color(Color::RGB(0x1F4E79));
            ws.add_conditional_format(1, left + 1, 7, left + 24, &scale)
                .map_err(xe)?;
        }

        // Satisfaction distribution.
        {
            let ws = wb.add_worksheet();
            let name = l("sheet_satisfaction");
            ws.set_name(&name).map_err(xe)?;
            let total: u64 = r
                .satisfaction_distribution
                .iter()
                .map(|d| d.responses)
                .sum();
            let headers = vec![l("score"), l("csat_responses"), l("share")];
            let rows: Vec<Vec<V>> = r
                .satisfaction_distribution
                .iter()
                .map(|d| {
                    vec![
                        V::T(format!("{}", d.score)),
                        V::I(d.responses),
                        V::Pct(if total > 0 {
                            Some(d.responses as f64 / total as f64)
                        } else {
                            None
                        }),
                    ]
                })
                .collect();
            let last = table(ws, &f, r, 0, &headers, &[10., 14., 10.], &rows)?;
            if !rows.is_empty() {
                column_chart(
                    ws,
                    &name,
                    last,
                    &[1],
                    &format!("{} {}", l("chart_satisfaction"), r.period.start),
                    (1, 4),
                    false,
                )?;
            }
        }

        // Trend across the history and this period.
        {
            let ws = wb.add_worksheet();
            let name = l("sheet_trend");
            ws.set_name(&name).map_err(xe)?;
            let sla_ids: Vec<String> = r.scorecard.iter().map(|s| s.id.clone()).collect();
            let mut headers: Vec<String> = [
                "period",
                "contacts",
                "resolution_rate",
                "fcr_rate",
                "csat_mean",
                "csat_top_box_rate",
                "complaint_rate",
                "tier",
                "slas_missed",
            ]
            .iter()
            .map(|k| l(k))
            .collect();
            headers.extend(sla_ids.iter().cloned());
            let rows: Vec<Vec<V>> = r
                .trend
                .iter()
                .map(|t| {
                    let mut row = vec![
                        V::T(t.period.clone()),
                        t.contacts.map_or(V::Empty, V::I),
                        V::Pct(t.resolution_rate),
                        V::Pct(t.fcr_rate),
                        V::N2(t.csat_mean),
                        V::Pct(t.csat_top_box_rate),
                        V::Pct(t.complaint_rate),
                        V::T(t.tier.clone().unwrap_or_default()),
                        V::I(t.slas_missed as u64),
                    ];
                    for (id, line) in sla_ids.iter().zip(&r.scorecard) {
                        row.push(metric_value(&line.metric, t.sla.get(id).copied().flatten()));
                    }
                    row
                })
                .collect();
            let widths: Vec<f64> = headers.iter().map(|_| 12.0).collect();
            let last = table(ws, &f, r, 0, &headers, &widths, &rows)?;
            if rows.len() > 1 {
                let mut chart = Chart::new(ChartType::Line);
                for c in [2u16, 3, 5] {
                    chart
                        .add_series()
                        .set_categories((name.as_str(), 1, 0, last, 0))
                        .set_values((name.as_str(), 1, c, last, c))
                        .set_name((name.as_str(), 0, c));
                }
                chart.title().set_name(l("sheet_trend").as_str());
                chart.y_axis().set_num_format("0%");
                ws.insert_chart(last + 2, 0, &chart).map_err(xe)?;
            }
        }

        // Findings.
        {
            let ws = wb.add_worksheet();
            ws.set_name(l("sheet_findings")).map_err(xe)?;
            let headers = vec![l("severity"), l("finding"), l("evidence"), l("suggestion")];
            let rows: Vec<Vec<V>> = r
                .findings
                .iter()
                .map(|x| {
                    vec![
                        V::T(l(&x.severity)),
                        V::T(x.id.clone()),
                        V::T(x.evidence.clone()),
                        V::T(x.suggestion.clone()),
                    ]
                })
                .collect();
            table(ws, &f, r, 0, &headers, &[8., 28., 60., 60.], &rows)?;
        }

        // Data quality.
        {
            let ws = wb.add_worksheet();
            ws.set_name(l("sheet_quality")).map_err(xe)?;
            let rc = &r.rows;
            let summary = [
                (l("rows_read"), rc.read),
                (l("rows_accepted"), rc.accepted),
                (l("rows_rejected"), rc.rejected),
                (l("rows_duplicates"), rc.duplicates),
                (l("rows_out_of_period"), rc.out_of_period),
            ];
            for (i, (k, v)) in summary.iter().enumerate() {
                ws.write_string_with_format(i as u32, 0, k, &f.bold)
                    .map_err(xe)?;
                ws.write_number_with_format(i as u32, 1, *v as f64, &f.int)
                    .map_err(xe)?;
            }
            let top = summary.len() as u32 + 1;
            let headers = vec![
                l("input"),
                l("file"),
                l("row"),
                l("column"),
                l("category"),
                l("reason"),
            ];
            let rows: Vec<Vec<V>> = r
                .rejections
                .iter()
                .map(|x| {
                    vec![
                        V::T(x.input.to_string()),
                        V::T(x.file.clone()),
                        V::I(x.row),
                        V::T(x.column.clone()),
                        V::T(x.category.to_string()),
                        V::T(x.reason.clone()),
                    ]
                })
                .collect();
            table(
                ws,
                &f,
                r,
                top,
                &headers,
                &[10., 40., 8., 18., 10., 60.],
                &rows,
            )?;
        }

        // Method.
        {
            let ws = wb.add_worksheet();
            ws.set_name(l("sheet_method")).map_err(xe)?;
            ws.set_column_width(0, 24).map_err(xe)?;
            ws.set_column_width(1, 100).map_err(xe)?;
            let mut row = 0;
            for (i, v) in r.method_paragraphs().iter().enumerate() {
                ws.write_string_with_format(row, 0, format!("{}", i + 1), &f.bold)
                    .map_err(xe)?;
                ws.write_string_with_format(row, 1, v, &f.wrap)
                    .map_err(xe)?;
                row += 1;
            }
            row += 1;
            for (k, v) in &r.method_params {
                ws.write_string_with_format(row, 0, k, &f.bold)
                    .map_err(xe)?;
                ws.write_string(row, 1, v).map_err(xe)?;
                row += 1;
            }
            if let Some(c) = &r.calendar {
                ws.write_string_with_format(row, 0, l("calendar"), &f.bold)
                    .map_err(xe)?;
                ws.write_string(row, 1, format!("{} ({})", c.name, c.sources.join("; ")))
                    .map_err(xe)?;
                row += 1;
            }
            for i in r.inputs.iter().chain(r.survey_inputs.iter()) {
                ws.write_string_with_format(row, 0, l("file"), &f.bold)
                    .map_err(xe)?;
                ws.write_string(
                    row,
                    1,
                    format!("{} sha256={} rows={}", i.path.display(), i.sha256, i.rows),
                )
                .map_err(xe)?;
                row += 1;
            }
        }

        let bytes = wb.save_to_buffer().map_err(xe)?;
        Ok(vec![(PathBuf::from("report.xlsx"), bytes)])
    }
}
