//! The sheets of the monthly evaluation workbook, one function each, in the order they
//! appear: Summary, Scorecard, Channels, Hotspots, Complaints, Agents, Daily, Orders, Peaks,
//! Quality inspections, Hourly, Satisfaction, Trend, Findings, Data quality, Method.

use super::{
    column_chart, count_or_sum, daily_chart, daily_rows, incentive_block, metric_value, table,
    target_value, write_value, xlsx_err, Formats, Value,
};
use crate::error::Result;
use crate::kpi::Overall;
use crate::report::Report;
use rust_xlsxwriter::{Chart, ChartType, Color, Workbook, Worksheet};

/// A sheet of ranked counts (name, count, share, previous period) with a bar chart.
/// `keys`: sheet name, name column, count column and chart title labels.
pub(super) fn ranked_sheet(
    wb: &mut Workbook,
    f: &Formats,
    r: &Report,
    keys: [&str; 4],
    items: &[crate::report::RankedRow],
) -> Result<()> {
    let l = |k: &str| r.text.label(k);
    let ws = wb.add_worksheet();
    let name = l(keys[0]);
    ws.set_name(&name).map_err(xlsx_err)?;
    let headers = vec![l(keys[1]), l(keys[2]), l("share"), l("previous")];
    let rows: Vec<Vec<Value>> = items
        .iter()
        .map(|(n, c, s, p)| {
            vec![
                Value::Text(n.clone()),
                Value::Count(*c),
                Value::Percent(Some(*s)),
                p.map(Value::Count).unwrap_or(Value::Empty),
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
        chart.title().set_name(r.chart_title(keys[3]).as_str());
        chart.y_axis().set_reverse();
        chart.legend().set_hidden();
        ws.insert_chart(1, 5, &chart).map_err(xlsx_err)?;
    }
    Ok(())
}
/// The headline figures of the Summary sheet, each shown beside the previous period's.
const HEADLINE: &[(&str, fn(&Overall) -> Value)] = &[
    ("contacts", |o| Value::Count(o.contacts)),
    ("answered", |o| Value::Count(o.answered)),
    ("abandoned", |o| Value::Count(o.abandoned)),
    ("resolution_rate", |o| Value::Percent(o.resolution_rate)),
    ("fcr_rate", |o| Value::Percent(o.fcr_rate)),
    ("abandon_rate", |o| Value::Percent(o.abandon_rate)),
    ("asa_seconds", |o| Value::Duration(o.asa_seconds)),
    ("csat_mean", |o| Value::TwoDecimals(o.csat_mean)),
    ("csat_top_box_rate", |o| Value::Percent(o.csat_top_box_rate)),
    ("csat_responses", |o| Value::Count(o.csat_responses)),
    ("complaints", |o| Value::Count(o.complaints)),
    ("complaint_rate", |o| Value::Percent(o.complaint_rate)),
];

/// The summary sheet.
pub(super) fn summary_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    let l = |k: &str| r.text.label(k);
    let ws = wb.add_worksheet();
    ws.set_name(l("sheet_summary")).map_err(xlsx_err)?;
    ws.write_string_with_format(0, 0, r.title(), &f.title)
        .map_err(xlsx_err)?;
    ws.set_column_width(0, 28).map_err(xlsx_err)?;
    ws.set_column_width(1, 60).map_err(xlsx_err)?;
    let (verdict, _) = r.verdict();
    let rows: Vec<(String, Value)> = vec![
        (l("contract"), Value::Text(r.metrics.contract_name.clone())),
        (l("contract_id"), Value::Text(r.metrics.contract_id.clone())),
        (
            l("client"),
            Value::Text(r.metrics.client.clone().unwrap_or_default()),
        ),
        (
            l("provider"),
            Value::Text(r.metrics.provider.clone().unwrap_or_default()),
        ),
        (l("period"), Value::Text(r.period_with_zone())),
        (
            l("calendar"),
            Value::Text(
                r.metrics
                    .calendar
                    .as_ref()
                    .map(|c| c.name.clone())
                    .unwrap_or_else(|| "—".into()),
            ),
        ),
        (l("verdict"), Value::Text(verdict)),
    ]
    .into_iter()
    .chain(
        r.row_lines()
            .into_iter()
            .map(|line| (l("sheet_quality"), Value::Text(line))),
    )
    .collect();
    for (i, (k, v)) in rows.iter().enumerate() {
        let row = 2 + i as u32;
        ws.write_string_with_format(row, 0, k, &f.bold)
            .map_err(xlsx_err)?;
        write_value(ws, f, row, 1, v, r)?;
    }
    let mut row = incentive_block(ws, f, r, 2 + rows.len() as u32)? + 1;
    // Headline KPIs with the previous period beside them.
    ws.write_string_with_format(row, 0, l("item"), &f.header)
        .map_err(xlsx_err)?;
    ws.write_string_with_format(row, 1, l("value"), &f.header)
        .map_err(xlsx_err)?;
    ws.write_string_with_format(row, 2, l("previous"), &f.header)
        .map_err(xlsx_err)?;
    ws.set_column_width(2, 16).map_err(xlsx_err)?;
    let previous = r.metrics.previous_overall.as_ref();
    for (key, figure) in HEADLINE {
        row += 1;
        ws.write_string_with_format(row, 0, l(key), &f.bold)
            .map_err(xlsx_err)?;
        write_value(ws, f, row, 1, &figure(&r.metrics.overall), r)?;
        let before = previous.map_or(Value::Empty, figure);
        write_value(ws, f, row, 2, &before, r)?;
    }
    row += 2;
    ws.write_string_with_format(row, 0, l("sheet_findings"), &f.bold)
        .map_err(xlsx_err)?;
    for fd in r.metrics.findings.iter().take(5) {
        row += 1;
        ws.write_string_with_format(row, 0, l(&fd.severity.as_str()), &f.wrap)
            .map_err(xlsx_err)?;
        ws.write_string_with_format(row, 1, &fd.evidence, &f.wrap)
            .map_err(xlsx_err)?;
    }
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

/// A scorecard line's 说明: the contract's description, then why it is not measurable or
/// why it is inconclusive.
fn note(s: &crate::evaluate::ScoreLine, t: &crate::config::text::Text) -> String {
    let why = crate::report::inconclusive_note(s, t);
    [s.description.as_deref(), s.note.as_deref(), why.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n")
}

/// The scorecard sheet.
pub(super) fn scorecard_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    let l = |k: &str| r.text.label(k);
    let ws = wb.add_worksheet();
    ws.set_name(l("sheet_scorecard")).map_err(xlsx_err)?;
    let headers: Vec<String> = crate::report::SCORECARD_COLUMNS
        .iter()
        .chain(&["note"])
        .map(|k| l(k))
        .collect();
    let rows: Vec<Vec<Value>> = r
        .metrics
        .scorecard
        .iter()
        .map(|s| {
            vec![
                Value::Text(s.name.clone()),
                Value::Text(s.clause.clone()),
                Value::Text(l(s.metric.as_str())),
                Value::Text(s.scope.clone()),
                Value::Text(s.threshold.clone().unwrap_or_default()),
                target_value(s.metric, s.target),
                metric_value(s.metric, s.actual),
                Value::Text(crate::report::interval_text(s, &r.text)),
                metric_value(s.metric, s.previous_actual),
                count_or_sum(s.numerator),
                count_or_sum(s.denominator),
                Value::Status(s.status),
                Value::Text(note(s, &r.text)),
            ]
        })
        .collect();
    let last = table(
        ws,
        f,
        r,
        0,
        &headers,
        &[
            22., 16., 14., 18., 12., 10., 10., 18., 10., 10., 10., 10., 30.,
        ],
        &rows,
    )?;
    let below = incentive_block(ws, f, r, last + 2)?;
    sla_charts(ws, f, r, below + 2)
}

/// First column of the scorecard sheet's hidden chart data.
const CHART_DATA_COL: u16 = 30;

/// The scorecard's charts at `row`: target and actual of the SLAs on a rate (percentage
/// axis), and beside it of those on a mean score (the survey scale's axis), each from a
/// block of hidden columns that holds just its SLAs (a chart takes one range of cells, and
/// the scorecard keeps the contract's order).
fn sla_charts(ws: &mut Worksheet, f: &Formats, r: &Report, row: u32) -> Result<()> {
    let t = &r.text;
    let sheet = t.label("sheet_scorecard");
    let groups = [true, false].map(|rate| {
        let lines: Vec<_> = r
            .metrics
            .scorecard
            .iter()
            .filter(|s| s.metric.is_rate() == rate)
            .collect();
        (rate, lines)
    });
    let mut at = (row, 0u16);
    for (k, (rate, lines)) in groups.iter().enumerate() {
        if lines.is_empty() {
            continue;
        }
        let c0 = CHART_DATA_COL + 4 * k as u16;
        for c in c0..c0 + 3 {
            ws.set_column_hidden(c).map_err(xlsx_err)?;
        }
        ws.write_string(0, c0 + 1, t.label("target"))
            .map_err(xlsx_err)?;
        ws.write_string(0, c0 + 2, t.label("actual"))
            .map_err(xlsx_err)?;
        for (i, s) in lines.iter().enumerate() {
            let y = i as u32 + 1;
            ws.write_string(y, c0, &s.name).map_err(xlsx_err)?;
            write_value(ws, f, y, c0 + 1, &target_value(s.metric, s.target), r)?;
            write_value(ws, f, y, c0 + 2, &metric_value(s.metric, s.actual), r)?;
        }
        let last = lines.len() as u32;
        let mut chart = Chart::new(ChartType::Column);
        for c in [c0 + 1, c0 + 2] {
            chart
                .add_series()
                .set_categories((sheet.as_str(), 1, c0, last, c0))
                .set_values((sheet.as_str(), 1, c, last, c))
                .set_name((sheet.as_str(), 0, c));
        }
        if *rate {
            chart.title().set_name(&r.chart_title("chart_sla"));
            chart
                .y_axis()
                .set_num_format("0%")
                .set_min(0.0)
                .set_max(1.0);
        } else {
            chart.title().set_name(&r.chart_title("chart_sla_mean"));
            chart.y_axis().set_min(0.0).set_max(r.scale().1);
        }
        ws.insert_chart(at.0, at.1, &chart).map_err(xlsx_err)?;
        at.1 += 8;
    }
    Ok(())
}

/// The channels sheet.
pub(super) fn channels_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    let l = |k: &str| r.text.label(k);
    let ws = wb.add_worksheet();
    ws.set_name(l("sheet_channels")).map_err(xlsx_err)?;
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
    let headers: Vec<String> = r.text.labels(&keys);
    let opt = |x: Option<u64>| x.map(Value::Count).unwrap_or(Value::Text("—".into()));
    let channel_row = |name: &str, c: &crate::kpi::ChannelMetrics| {
        vec![
            Value::Text(r.text.channel(name)),
            Value::Count(c.contacts),
            Value::Count(c.answered),
            opt(c.abandoned),
            opt(c.short_abandoned),
            opt(c.unanswered),
            Value::Percent(c.service_level),
            Value::Duration(c.service_level_threshold_seconds),
            Value::Percent(c.abandon_rate),
            Value::Duration(c.asa_seconds),
            Value::Duration(c.response_p50_seconds),
            Value::Duration(c.response_p90_seconds),
            Value::Duration(c.aht_seconds),
            Value::Percent(c.resolution_rate),
            Value::Percent(c.fcr_rate),
            Value::TwoDecimals(c.csat_mean),
            Value::Count(c.csat_responses),
            Value::Count(c.complaints),
        ]
    };
    let rows: Vec<Vec<Value>> = r
        .metrics
        .channels
        .iter()
        .map(|(n, c)| channel_row(n, c))
        .collect();
    let widths: Vec<f64> = keys.iter().map(|_| 12.0).collect();
    let last = table(ws, f, r, 0, &headers, &widths, &rows)?;
    ws.write_string(last + 1, 0, l("channels_note"))
        .map_err(xlsx_err)?;
    let chart_row = last
        + 4
        + r.metrics
            .previous_channels
            .as_ref()
            .map_or(0, |p| p.len() as u32 + 2);
    if !rows.is_empty() {
        let name = l("sheet_channels");
        column_chart(
            ws,
            &name,
            last,
            &[1, 2],
            &r.chart_title("sheet_channels"),
            (chart_row, 0),
            false,
        )?;
    }
    // The previous period, same columns, below.
    if let Some(prev) = &r.metrics.previous_channels {
        let top = last + 2;
        ws.write_string_with_format(top, 0, l("previous"), &f.bold)
            .map_err(xlsx_err)?;
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(top + 1, c as u16, h, &f.header)
                .map_err(xlsx_err)?;
        }
        for (i, (n, c)) in prev.iter().enumerate() {
            for (j, v) in channel_row(n, c).iter().enumerate() {
                write_value(ws, f, top + 2 + i as u32, j as u16, v, r)?;
            }
        }
    }
    Ok(())
}

/// The agents sheet.
pub(super) fn agents_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    let l = |k: &str| r.text.label(k);
    let ws = wb.add_worksheet();
    ws.set_name(l("sheet_agents")).map_err(xlsx_err)?;
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
    let headers: Vec<String> = r.text.labels(&keys);
    let rows: Vec<Vec<Value>> = r
        .metrics
        .agents
        .iter()
        .map(|a| {
            vec![
                Value::Text(a.agent_id.clone()),
                Value::Text(a.agent_name.clone().unwrap_or_default()),
                Value::Text(a.team.clone().unwrap_or_default()),
                Value::Count(a.contacts),
                Value::Count(a.answered),
                Value::Count(a.resolved),
                Value::Percent(a.resolution_rate),
                Value::Duration(a.asa_seconds),
                Value::Duration(a.aht_seconds),
                Value::TwoDecimals(a.csat_mean),
                Value::Count(a.csat_responses),
            ]
        })
        .collect();
    let widths: Vec<f64> = keys.iter().map(|_| 12.0).collect();
    table(ws, f, r, 0, &headers, &widths, &rows)?;
    Ok(())
}

/// The daily, with a native chart sheet.
pub(super) fn daily_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    let l = |k: &str| r.text.label(k);
    let ws = wb.add_worksheet();
    let name = l("sheet_daily");
    ws.set_name(&name).map_err(xlsx_err)?;
    let (headers, rows) = daily_rows(r);
    let last = table(
        ws,
        f,
        r,
        0,
        &headers,
        &[12., 12., 12., 10., 10., 10., 10., 12.],
        &rows,
    )?;
    if !rows.is_empty() {
        ws.insert_chart(1, 9, &daily_chart(r, &name, last))
            .map_err(xlsx_err)?;
    }
    Ok(())
}

/// The weekday × hour: a grid with a colour scale, and contacts per hour sheet.
pub(super) fn hourly_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    let l = |k: &str| r.text.label(k);
    let ws = wb.add_worksheet();
    let name = l("sheet_hourly");
    ws.set_name(&name).map_err(xlsx_err)?;
    let mut grid = [[0u64; 24]; 7];
    for h in &r.metrics.hourly {
        if (h.weekday as usize) < 7 && (h.hour as usize) < 24 {
            grid[h.weekday as usize][h.hour as usize] += h.contacts;
        }
    }
    // Contacts per hour of day (column A/B), for the chart.
    let headers = vec![l("hour"), l("contacts"), l("abandoned")];
    let rows: Vec<Vec<Value>> = (0..24u32)
        .map(|hour| {
            let n: u64 = grid.iter().map(|w| w[hour as usize]).sum();
            let ab: u64 = r
                .metrics
                .hourly
                .iter()
                .filter(|h| h.hour == hour)
                .map(|h| h.abandoned)
                .sum();
            vec![
                Value::Text(format!("{hour:02}:00")),
                Value::Count(n),
                Value::Count(ab),
            ]
        })
        .collect();
    let last = table(ws, f, r, 0, &headers, &[10., 10., 10.], &rows)?;
    column_chart(
        ws,
        &name,
        last,
        &[1, 2],
        &r.chart_title("chart_hourly"),
        (last + 2, 0),
        false,
    )?;
    // The grid: weekdays down, hours across, from column E.
    let left = 4u16;
    ws.write_string_with_format(0, left, l("weekday_hour"), &f.header)
        .map_err(xlsx_err)?;
    for hour in 0..24u16 {
        ws.write_string_with_format(0, left + 1 + hour, format!("{hour:02}"), &f.header)
            .map_err(xlsx_err)?;
        ws.set_column_width(left + 1 + hour, 5).map_err(xlsx_err)?;
    }
    for (w, row) in grid.iter().enumerate() {
        let name = r.text.findings.weekdays.get(w).cloned().unwrap_or_default();
        ws.write_string_with_format(1 + w as u32, left, name, &f.bold)
            .map_err(xlsx_err)?;
        for (hour, n) in row.iter().enumerate() {
            ws.write_number_with_format(1 + w as u32, left + 1 + hour as u16, *n as f64, &f.int)
                .map_err(xlsx_err)?;
        }
    }
    let scale = rust_xlsxwriter::ConditionalFormat3ColorScale::new()
        .set_minimum_color(Color::RGB(0xF8FBFF))
        .set_midpoint_color(Color::RGB(0x9DC3E6))
        .set_maximum_color(Color::RGB(0x1F4E79));
    ws.add_conditional_format(1, left + 1, 7, left + 24, &scale)
        .map_err(xlsx_err)?;
    Ok(())
}

/// The satisfaction distribution sheet.
pub(super) fn satisfaction_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    let l = |k: &str| r.text.label(k);
    let ws = wb.add_worksheet();
    let name = l("sheet_satisfaction");
    ws.set_name(&name).map_err(xlsx_err)?;
    let total: u64 = r
        .metrics
        .satisfaction_distribution
        .iter()
        .map(|d| d.responses)
        .sum();
    let headers = vec![l("score"), l("csat_responses"), l("share")];
    let rows: Vec<Vec<Value>> = r
        .metrics
        .satisfaction_distribution
        .iter()
        .map(|d| {
            vec![
                Value::Text(crate::report::score_label(d.score)),
                Value::Count(d.responses),
                Value::Percent(if total > 0 {
                    Some(d.responses as f64 / total as f64)
                } else {
                    None
                }),
            ]
        })
        .collect();
    let last = table(ws, f, r, 0, &headers, &[10., 14., 10.], &rows)?;
    survey_items_table(ws, f, r, last.max(20) + 2)?;
    if !rows.is_empty() {
        column_chart(
            ws,
            &name,
            last,
            &[1],
            &r.chart_title("chart_satisfaction"),
            (1, 4),
            false,
        )?;
    }
    Ok(())
}

/// Each survey item's answers, from row `top` of the satisfaction sheet (below its chart).
fn survey_items_table(ws: &mut Worksheet, f: &Formats, r: &Report, top: u32) -> Result<()> {
    let items = &r.metrics.survey_items;
    if items.is_empty() {
        return Ok(());
    }
    let l = |k: &str| r.text.label(k);
    ws.write_string_with_format(top, 0, l("survey_items"), &f.bold)
        .map_err(xlsx_err)?;
    let headers: Vec<String> = crate::report::SURVEY_ITEM_COLUMNS
        .iter()
        .map(|k| l(k))
        .collect();
    let rows: Vec<Vec<Value>> = items
        .iter()
        .map(|x| {
            vec![
                Value::Text(x.item.clone()),
                Value::Count(x.responses),
                Value::Count(x.missing),
                Value::TwoDecimals(x.mean),
                Value::TwoDecimals(x.median),
                Value::TwoDecimals(x.sd),
                Value::Percent(x.top_box_rate),
            ]
        })
        .collect();
    table(
        ws,
        f,
        r,
        top + 1,
        &headers,
        &[14., 10., 10., 10., 10., 10., 10.],
        &rows,
    )?;
    Ok(())
}

/// The trend across the history and this period sheet.
pub(super) fn trend_sheet(wb: &mut Workbook, f: &Formats, r: &Report) -> Result<()> {
    let l = |k: &str| r.text.label(k);
    let ws = wb.add_worksheet();
    let name = l("sheet_trend");
    ws.set_name(&name).map_err(xlsx_err)?;
    let sla_ids: Vec<String> = r.metrics.scorecard.iter().map(|s| s.id.clone()).collect();
    let sla_names = r.metrics.scorecard.iter().map(|s| s.name.clone());
    let mut headers: Vec<String> = r.text.labels(crate::report::TREND_COLUMNS);
    headers.extend(sla_names);
    let rows: Vec<Vec<Value>> = r
        .metrics
        .trend
        .iter()
        .map(|t| {
            let mut row = vec![
                Value::Text(r.month_label(&t.period)),
                t.contacts.map_or(Value::Empty, Value::Count),
                Value::Percent(t.resolution_rate),
                Value::Percent(t.fcr_rate),
                Value::TwoDecimals(t.csat_mean),
                Value::Percent(t.csat_top_box_rate),
                Value::Percent(t.complaint_rate),
                Value::Text(t.tier.clone().unwrap_or_default()),
                Value::Count(t.slas_missed as u64),
            ];
            for (id, line) in sla_ids.iter().zip(&r.metrics.scorecard) {
                row.push(metric_value(line.metric, t.sla.get(id).copied().flatten()));
            }
            row
        })
        .collect();
    let widths: Vec<f64> = headers.iter().map(|_| 12.0).collect();
    let last = table(ws, f, r, 0, &headers, &widths, &rows)?;
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
        ws.insert_chart(last + 2, 0, &chart).map_err(xlsx_err)?;
    }
    Ok(())
}
