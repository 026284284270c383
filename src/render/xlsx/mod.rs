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

use super::{Output, Renderer};
use crate::config::contract::SlaMetric;
use crate::error::{Error, Result};
use crate::evaluate::Status;
use crate::report::Report;
use rust_xlsxwriter::{
    Chart, ChartType, Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder,
    Workbook, Worksheet,
};

mod summary;
use summary::summary_workbook;

mod payment;
use payment::payment_sheet;
mod scoring;
use scoring::scoring_sheet;
mod coverage;
mod integrity;
mod remediation;
mod repeat;

mod evidence;
use evidence::evidence_sheet;

mod monthly;
use monthly::{
    agents_sheet, channels_sheet, daily_sheet, hourly_sheet, ranked_sheet, satisfaction_sheet,
    scorecard_sheet, summary_sheet, trend_sheet,
};
mod annex;
use annex::{
    data_quality_sheet, findings_sheet, method_sheet, orders_sheet, peaks_sheet, quality_sheet,
};

pub struct Xlsx;

/// A typed cell value, written with its number format (`—` for a figure that is null).
#[derive(Clone)]
enum Value {
    Text(String),
    /// A whole number, `#,##0`.
    Count(u64),
    Percent(Option<f64>),
    OneDecimal(Option<f64>),
    /// A duration in seconds, written as a time value (days) shown `[h]:mm:ss`.
    Duration(Option<f64>),
    TwoDecimals(Option<f64>),
    Money(Option<f64>),
    Status(Status),
    Empty,
}

struct Formats {
    header: Format,
    pct: Format,
    int: Format,
    n1: Format,
    duration: Format,
    n2: Format,
    money: Format,
    met: Format,
    missed: Format,
    na: Format,
    inconclusive: Format,
    title: Format,
    wrap: Format,
    /// A text of one line, at the top of a row other cells make taller.
    text: Format,
    bold: Format,
}

impl Formats {
    fn new(r: &Report) -> Formats {
        // Every cell at the top of its row: a row made taller by wrapped text reads
        // across from its first line.
        let header = Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0x1F4E79))
            .set_font_color(Color::White)
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter);
        Formats {
            header,
            pct: Format::new()
                .set_num_format("0.00%")
                .set_align(FormatAlign::Top),
            int: Format::new()
                .set_num_format("#,##0")
                .set_align(FormatAlign::Top),
            n1: Format::new()
                .set_num_format("#,##0.0")
                .set_align(FormatAlign::Top),
            duration: Format::new()
                .set_num_format(crate::report::DURATION_FORMAT)
                .set_align(FormatAlign::Top),
            n2: Format::new()
                .set_num_format("0.00")
                .set_align(FormatAlign::Top),
            money: Format::new()
                .set_num_format(r.money_number_format())
                .set_align(FormatAlign::Top),
            met: Format::new()
                .set_background_color(Color::RGB(0xC6EFCE))
                .set_font_color(Color::RGB(0x006100))
                .set_align(FormatAlign::Top),
            missed: Format::new()
                .set_background_color(Color::RGB(0xFFC7CE))
                .set_font_color(Color::RGB(0x9C0006))
                .set_align(FormatAlign::Top),
            na: Format::new()
                .set_background_color(Color::RGB(0xEEEEEE))
                .set_align(FormatAlign::Top),
            inconclusive: Format::new()
                .set_background_color(Color::RGB(0xFFEB9C))
                .set_font_color(Color::RGB(0x9C5700))
                .set_align(FormatAlign::Top),
            title: Format::new().set_bold().set_font_size(16),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            text: Format::new().set_align(FormatAlign::Top),
            bold: Format::new().set_bold().set_align(FormatAlign::Top),
        }
    }
}

/// Every sheet printed as a report: on A4, fitted to the page width, with the report's
/// title and period in the header and the page number in the footer.
fn print_setup(wb: &mut Workbook, r: &Report) {
    // `&` starts a header code: a literal one is doubled.
    let title = r.title().replace('&', "&&");
    let footer = r.text.label("page_footer");
    for ws in wb.worksheets_mut() {
        ws.set_paper_size(9) // A4
            .set_print_fit_to_pages(1, 0)
            .set_header(format!("&L{title}"))
            .set_footer(&footer);
    }
}

/// The lines `s` takes wrapped in a column `width` characters wide: a character of the
/// CJK ranges (and any other non-ASCII) counts as two, as it prints about twice as wide.
fn lines_in(s: &str, width: f64) -> f64 {
    let room = (width - 1.0).max(1.0);
    s.split('\n')
        .map(|line| {
            let units: f64 = line
                .chars()
                .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
                .sum();
            (units / room).ceil().max(1.0)
        })
        .sum()
}

/// Points a wrapped line of the default font takes, with the CJK fonts' taller lines.
const LINE_POINTS: f64 = 16.0;

/// Give row `row` the height its wrapped `cells` (column width, text) need. Excel grows a
/// row to wrapped text when it recalculates, LibreOffice's import does not: without an
/// explicit height a printed page shows the first line of a sentence only. Rows of one
/// line keep the default height.
fn fit_row<'a>(
    ws: &mut Worksheet,
    row: u32,
    cells: impl IntoIterator<Item = (f64, &'a str)>,
) -> Result<()> {
    let lines = cells
        .into_iter()
        .map(|(w, s)| lines_in(s, w))
        .fold(1.0, f64::max);
    if lines > 1.0 {
        ws.set_row_height(row, lines * LINE_POINTS)
            .map_err(xlsx_err)?;
    }
    Ok(())
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

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::runtime(format!("cannot write report.xlsx: {e}"))
}

fn write_value(
    ws: &mut Worksheet,
    f: &Formats,
    r: u32,
    c: u16,
    v: &Value,
    report: &Report,
) -> Result<()> {
    let t = &report.text;
    match v {
        Value::Text(s) => ws
            .write_string_with_format(r, c, fit(s), &f.text)
            .map(|_| ()),
        Value::Count(n) => ws
            .write_number_with_format(r, c, *n as f64, &f.int)
            .map(|_| ()),
        Value::Percent(Some(x)) => ws.write_number_with_format(r, c, *x, &f.pct).map(|_| ()),
        Value::OneDecimal(Some(x)) => ws.write_number_with_format(r, c, *x, &f.n1).map(|_| ()),
        Value::Duration(Some(x)) => ws
            .write_number_with_format(
                r,
                c,
                crate::report::duration_seconds(*x) / 86_400.0,
                &f.duration,
            )
            .map(|_| ()),
        Value::TwoDecimals(Some(x)) => ws.write_number_with_format(r, c, *x, &f.n2).map(|_| ()),
        Value::Money(Some(x)) => ws.write_number_with_format(r, c, *x, &f.money).map(|_| ()),
        Value::Percent(None)
        | Value::OneDecimal(None)
        | Value::Duration(None)
        | Value::TwoDecimals(None)
        | Value::Money(None) => ws.write_string_with_format(r, c, "—", &f.text).map(|_| ()),
        Value::Status(s) => {
            let (label, fmt) = match s {
                Status::Met => (t.label("met"), &f.met),
                Status::Missed => (t.label("missed"), &f.missed),
                Status::NotMeasurable => (t.label("not_measurable"), &f.na),
                Status::Inconclusive => (t.label("inconclusive"), &f.inconclusive),
            };
            ws.write_string_with_format(r, c, label, fmt).map(|_| ())
        }
        Value::Empty => Ok(()),
    }
    .map_err(xlsx_err)
}

/// Write a table with a header row at `top`; returns the last row written.
fn table(
    ws: &mut Worksheet,
    f: &Formats,
    report: &Report,
    top: u32,
    headers: &[String],
    widths: &[f64],
    rows: &[Vec<Value>],
) -> Result<u32> {
    let width = |c: usize| widths.get(c).copied().unwrap_or(8.43);
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(top, c as u16, h, &f.header)
            .map_err(xlsx_err)?;
    }
    fit_row(
        ws,
        top,
        headers
            .iter()
            .enumerate()
            .map(|(c, h)| (width(c), h.as_str())),
    )?;
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w).map_err(xlsx_err)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let y = top + 1 + i as u32;
        for (c, v) in row.iter().enumerate() {
            match v {
                // A text longer than its column wraps in it (a sentence is never cut).
                Value::Text(s) if lines_in(s, width(c)) > 1.0 => {
                    ws.write_string_with_format(y, c as u16, fit(s), &f.wrap)
                        .map_err(xlsx_err)?;
                }
                _ => write_value(ws, f, y, c as u16, v, report)?,
            }
        }
        let texts = row.iter().enumerate().filter_map(|(c, v)| match v {
            Value::Text(s) => Some((width(c), s.as_str())),
            _ => None,
        });
        fit_row(ws, y, texts)?;
    }
    let last = top + rows.len() as u32;
    ws.set_freeze_panes(top + 1, 0).map_err(xlsx_err)?;
    if !headers.is_empty() {
        ws.autofilter(top, 0, last.max(top), headers.len() as u16 - 1)
            .map_err(xlsx_err)?;
    }
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(top, top).map_err(xlsx_err)?;
    Ok(last)
}

/// The day-by-day table: date, day type, peak, contacts, answered, abandoned, urgent,
/// service level.
fn daily_rows(r: &Report) -> (Vec<String>, Vec<Vec<Value>>) {
    let l = |k: &str| r.text.label(k);
    let headers = r.text.labels(crate::report::DAILY_COLUMNS);
    let rows = r
        .metrics
        .daily
        .iter()
        .map(|d| {
            vec![
                Value::Text(d.date.clone()),
                Value::Text(l(&format!("day_type_{}", d.day_type))),
                d.peak
                    .as_ref()
                    .map(|p| Value::Text(l(&format!("peak_{p}"))))
                    .unwrap_or(Value::Empty),
                Value::Count(d.contacts),
                Value::Count(d.answered),
                Value::Count(d.abandoned),
                Value::Count(d.urgent),
                Value::Percent(d.service_level),
            ]
        })
        .collect();
    (headers, rows)
}

/// Contacts and answered per day (columns D and E of [`daily_rows`]).
fn daily_chart(r: &Report, sheet: &str, last: u32) -> Chart {
    let l = |k: &str| r.text.label(k);
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
        .set_name(r.chart_title("chart_daily").as_str());
    chart
}

/// Key–value rows from row `top` (label in A, value in B); returns the next free row.
fn pairs(
    ws: &mut Worksheet,
    f: &Formats,
    r: &Report,
    top: u32,
    items: &[(String, Value)],
) -> Result<u32> {
    for (i, (k, v)) in items.iter().enumerate() {
        let row = top + i as u32;
        ws.write_string_with_format(row, 0, k, &f.bold)
            .map_err(xlsx_err)?;
        write_value(ws, f, row, 1, v, r)?;
    }
    Ok(top + items.len() as u32)
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
    rows: &[Vec<Value>],
) -> Result<u32> {
    ws.write_string_with_format(top, 0, heading, &f.bold)
        .map_err(xlsx_err)?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(top + 1, c as u16, h, &f.header)
            .map_err(xlsx_err)?;
    }
    for (i, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            write_value(ws, f, top + 2 + i as u32, c as u16, v, r)?;
        }
    }
    Ok(top + 3 + rows.len() as u32)
}

/// Tier, bonus, deduction, consecutive failures and termination right, each with its
/// clause, from row `top`; returns the next free row.
fn incentive_block(ws: &mut Worksheet, f: &Formats, r: &Report, top: u32) -> Result<u32> {
    let l = |k: &str| r.text.label(k);
    let Some(inc) = &r.metrics.incentive else {
        return Ok(top);
    };
    let clause = |c: &Option<String>| {
        c.clone()
            .map(|c| l("clause_ref").replace("{clause}", &c))
            .unwrap_or_default()
    };
    let failures = match inc.termination_threshold {
        Some(t) => Value::Text(format!("{} / {t}", inc.consecutive_failures)),
        None => Value::Count(inc.consecutive_failures as u64),
    };
    let lines: Vec<(String, Value, String)> = vec![
        (
            l("tier"),
            Value::Text(inc.tier.clone().unwrap_or_else(|| "—".into())),
            clause(&inc.clause),
        ),
        (l("bonus"), Value::Money(inc.bonus), clause(&inc.clause)),
        (
            l("penalty"),
            Value::Money(inc.penalty),
            clause(&inc.penalty_clause),
        ),
        (l("consecutive_failures"), failures, clause(&inc.clause)),
        (
            l("termination_right"),
            Value::Text(if inc.termination_right {
                l("yes")
            } else {
                l("no")
            }),
            clause(&inc.clause),
        ),
    ];
    let mut lines = lines;
    if let Some(rem) = &r.metrics.remediation {
        let open = Value::Count(rem.open as u64);
        lines.push((l("remediation_open_count"), open, String::new()));
    }
    for (i, (k, v, c)) in lines.iter().enumerate() {
        let row = top + i as u32;
        ws.write_string_with_format(row, 0, k, &f.bold)
            .map_err(xlsx_err)?;
        write_value(ws, f, row, 1, v, r)?;
        ws.write_string(row, 2, c).map_err(xlsx_err)?;
    }
    Ok(top + lines.len() as u32)
}

/// A whole count as an integer; a sum of scores (csat_mean's numerator) with decimals.
fn count_or_sum(x: f64) -> Value {
    if x.fract() == 0.0 && x >= 0.0 {
        Value::Count(x as u64)
    } else {
        Value::TwoDecimals(Some(x))
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
    ws.insert_chart(at.0, at.1, &chart).map_err(xlsx_err)?;
    Ok(())
}

fn metric_value(metric: SlaMetric, v: Option<f64>) -> Value {
    if metric.is_rate() {
        Value::Percent(v)
    } else if metric == SlaMetric::CallbackMeanSeconds {
        Value::Duration(v)
    } else {
        Value::TwoDecimals(v)
    }
}

/// An SLA's target: a number, or for a ceiling its text with `≤`.
fn target_value(metric: SlaMetric, target: f64) -> Value {
    if metric.lower_is_better() {
        Value::Text(crate::report::fmt_target(metric, target))
    } else {
        metric_value(metric, Some(target))
    }
}

impl Renderer for Xlsx {
    fn name(&self) -> &'static str {
        "report.xlsx"
    }

    fn render(&self, r: &Report, out: &mut dyn Output) -> Result<()> {
        if r.metrics.cadence != crate::config::Cadence::Monthly {
            return out.bytes("report.xlsx", &summary_workbook(r)?);
        }
        let f = Formats::new(r);
        let mut wb = Workbook::new();
        let epoch = crate::render::document_epoch(r);
        let created = ExcelDateTime::from_timestamp(epoch).map_err(xlsx_err)?;
        wb.set_properties(
            &DocProperties::new()
                .set_title(r.title())
                .set_author("cseval")
                .set_creation_datetime(&created),
        );

        summary_sheet(&mut wb, &f, r)?;

        scorecard_sheet(&mut wb, &f, r)?;

        payment_sheet(&mut wb, &f, r)?;
        scoring_sheet(&mut wb, &f, r)?;

        channels_sheet(&mut wb, &f, r)?;
        repeat::repeat_sheet(&mut wb, &f, r)?;

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

        agents_sheet(&mut wb, &f, r)?;

        daily_sheet(&mut wb, &f, r)?;

        orders_sheet(&mut wb, &f, r)?;
        peaks_sheet(&mut wb, &f, r)?;
        if r.metrics.quality.is_some() {
            quality_sheet(&mut wb, &f, r)?;
            coverage::coverage_sheet(&mut wb, &f, r)?;
        }

        hourly_sheet(&mut wb, &f, r)?;

        satisfaction_sheet(&mut wb, &f, r)?;

        trend_sheet(&mut wb, &f, r)?;

        findings_sheet(&mut wb, &f, r)?;
        remediation::remediation_sheet(&mut wb, &f, r)?;

        evidence_sheet(&mut wb, &f, r)?;

        data_quality_sheet(&mut wb, &f, r)?;
        integrity::integrity_sheet(&mut wb, &f, r)?;

        method_sheet(&mut wb, &f, r)?;

        print_setup(&mut wb, r);
        let bytes = wb.save_to_buffer().map_err(xlsx_err)?;
        out.bytes("report.xlsx", &bytes)
    }
}
