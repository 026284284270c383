//! The HTML sections on when and how contacts came and how customers rated them: day by
//! day (chart and table), weekday × hour (heatmap), satisfaction (headline figures, NPS,
//! response rate and the distribution) and the trend over the history. They lay out the
//! report's figures as the workbook's sheets do; nothing here computes a figure.

use super::{card_row, chart, count, heading, num, table, Charts};
use crate::report::{pct, Report, DAILY_COLUMNS, TREND_COLUMNS};

/// The day-by-day section: its chart, then one line a day.
pub(super) fn daily_section(h: &mut String, r: &Report, charts: &Charts) {
    let l = |k: &str| r.text.label(k);
    heading(h, r, "sheet_daily");
    chart(h, charts, "daily");
    let headers = r.text.labels(DAILY_COLUMNS);
    let rows: Vec<Vec<(String, bool)>> = r
        .metrics
        .daily
        .iter()
        .map(|d| {
            vec![
                (d.date.clone(), false),
                (l(&format!("day_type_{}", d.day_type)), false),
                (
                    d.peak
                        .as_ref()
                        .map_or(String::new(), |p| l(&format!("peak_{p}"))),
                    false,
                ),
                (count(d.contacts), true),
                (count(d.answered), true),
                (count(d.abandoned), true),
                (count(d.urgent), true),
                (pct(d.service_level), true),
            ]
        })
        .collect();
    table(h, &headers, &rows);
}

/// The weekday × hour section: the heatmap of contacts.
pub(super) fn hourly_section(h: &mut String, r: &Report, charts: &Charts) {
    heading(h, r, "sheet_hourly");
    chart(h, charts, "heatmap");
}

/// The satisfaction section: mean, top box, responses, response rate and NPS, then the
/// distribution of scores.
pub(super) fn satisfaction_section(h: &mut String, r: &Report, charts: &Charts) {
    let l = |k: &str| r.text.label(k);
    let o = &r.metrics.overall;
    heading(h, r, "sheet_satisfaction");
    card_row(
        h,
        &[
            (l("csat_mean"), num(o.csat_mean, 2)),
            (l("csat_top_box_rate"), pct(o.csat_top_box_rate)),
            (l("csat_responses"), count(o.csat_responses)),
            (l("csat_response_rate"), pct(o.csat_response_rate)),
            (l("nps"), num(o.nps, 1)),
        ],
    );
    chart(h, charts, "satisfaction");
}

/// The trend section, when the history holds earlier periods: chart and table.
pub(super) fn trend_section(h: &mut String, r: &Report, charts: &Charts) {
    let trend = &r.metrics.trend;
    if trend.len() < 2 {
        return;
    }
    heading(h, r, "sheet_trend");
    chart(h, charts, "trend");
    let headers = r.text.labels(TREND_COLUMNS);
    let rows: Vec<Vec<(String, bool)>> = trend
        .iter()
        .map(|x| {
            vec![
                (r.month_label(&x.period), false),
                (x.contacts.map_or("—".into(), count), true),
                (pct(x.resolution_rate), true),
                (pct(x.fcr_rate), true),
                (num(x.csat_mean, 2), true),
                (pct(x.csat_top_box_rate), true),
                (pct(x.complaint_rate), true),
                (x.tier.clone().unwrap_or_else(|| "—".into()), false),
                (count(x.slas_missed as u64), true),
            ]
        })
        .collect();
    table(h, &headers, &rows);
}
