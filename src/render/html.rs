//! `report.html`: the same report as one self-contained page (inline CSS and SVG charts, no
//! network access, no script), readable on a laptop and printable.
//!
//! Sections follow the workbook: summary and verdict, scorecard, findings and suggestions,
//! channels, hotspots, complaint types, agents, daily volume, trend, data quality, method.
//! Every text is escaped; the figures come from the report and its SVG charts.

use super::{Output, Renderer};
use crate::error::Result;
use crate::report::{count, fmt_target, fmt_value, pct, Report};
use std::fmt::Write as _;

mod coverage;
mod evidence;
mod integrity;
mod patterns;
mod repeat;
mod scoring;

pub struct Html;

const CSS: &str = r#"
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",system-ui,sans-serif;margin:0;color:#222;background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px 32px 48px;background:#fff}
h1{font-size:26px;margin:0 0 4px;color:#1f4e79}h2{font-size:19px;margin:32px 0 10px;padding-bottom:4px;border-bottom:2px solid #1f4e79;color:#1f4e79}
.sub{color:#555;margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.card{flex:1 1 150px;border:1px solid #dde3ea;border-radius:6px;padding:10px 12px;background:#fafbfc}
.card b{display:block;font-size:20px;margin-top:4px}
table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}
th{background:#1f4e79;color:#fff;text-align:left;padding:6px 8px;font-weight:600}
td{border-bottom:1px solid #e5e8ec;padding:5px 8px;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.met{background:#c6efce;color:#006100}.missed{background:#ffc7ce;color:#9c0006}.not_measurable{background:#eee;color:#555}.inconclusive{background:#ffeb9c;color:#9c5700}
.sev-high{color:#9c0006;font-weight:600}.sev-medium{color:#9c5700;font-weight:600}.sev-low{color:#555}
figure{margin:12px 0}figure svg{max-width:100%;height:auto}
.verdict{font-size:16px;padding:10px 12px;border-radius:6px;margin:8px 0}
th,td{word-break:keep-all;overflow-wrap:normal}
td.met,td.missed,td.not_measurable,td.inconclusive{white-space:nowrap}
@page{size:A4;margin:12mm}
@media print{body{background:#fff}main{max-width:none;padding:0}h2{break-after:avoid}table{font-size:11px}th,td{padding:4px 5px}tr,figure{break-inside:avoid}thead{display:table-header-group}}
"#;

/// `s` escaped for HTML text.
fn esc(s: &str) -> String {
    html_escape::encode_text(s).into_owned()
}

/// A figure with `decimals` decimals and thousands separators; "—" for none.
fn num(v: Option<f64>, decimals: usize) -> String {
    v.map(|x| crate::util::grouped(x, decimals))
        .unwrap_or_else(|| "—".into())
}

/// A duration in seconds, as hours:minutes:seconds.
fn dur(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), crate::report::duration)
}

/// A section's heading: the label `key`.
fn heading(h: &mut String, r: &Report, key: &str) {
    let _ = write!(h, "<h2>{}</h2>", esc(&r.text.label(key)));
}

/// A row of headline cards (label, value).
fn card_row(out: &mut String, cards: &[(String, String)]) {
    out.push_str("<div class=\"cards\">");
    for (k, v) in cards {
        let _ = write!(out, "<div class=\"card\">{}<b>{}</b></div>", esc(k), esc(v));
    }
    out.push_str("</div>");
}

/// A table from headers and rows of (text, numeric?) cells.
fn table(out: &mut String, headers: &[String], rows: &[Vec<(String, bool)>]) {
    out.push_str("<table><thead><tr>");
    for h in headers {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows {
        out.push_str("<tr>");
        for (v, n) in r {
            let _ = write!(
                out,
                "<td{}>{}</td>",
                if *n { " class=\"n\"" } else { "" },
                esc(v)
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

/// The SVG charts by file stem (`sla`, `hotspots`, …), inlined into the page.
type Charts = std::collections::BTreeMap<String, String>;

/// Inline chart `name`, if the report has it.
fn chart(out: &mut String, charts: &Charts, name: &str) {
    if let Some(svg) = charts.get(name) {
        let _ = write!(out, "<figure>{svg}</figure>");
    }
}

impl Renderer for Html {
    fn name(&self) -> &'static str {
        "report.html"
    }

    fn render(&self, r: &Report, out: &mut dyn Output) -> Result<()> {
        let t = &r.text;
        let l = |k: &str| t.label(k);
        let charts: Charts = super::svg::Svg
            .charts(r)?
            .into_iter()
            .map(|(p, b)| {
                (
                    p.file_stem()
                        .map(|s| s.to_string_lossy().to_string())
                        .unwrap_or_default(),
                    String::from_utf8_lossy(&b).into_owned(),
                )
            })
            .collect();
        let en = r.lang == crate::config::Lang::En;
        let lang = if en { "en" } else { "zh-CN" };
        let mut h = String::new();
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{CSS}</style></head><body><main>",
            esc(&r.title())
        );
        let _ = write!(h, "<h1>{}</h1>", esc(&r.title()));
        let sep = esc(&l("label_separator"));
        let _ = write!(
            h,
            "<p class=\"sub\">{}{sep}{} · {}{sep}{} · {}{sep}{}{}</p>",
            esc(&l("client")),
            esc(r.metrics.client.as_deref().unwrap_or("—")),
            esc(&l("provider")),
            esc(r.metrics.provider.as_deref().unwrap_or("—")),
            esc(&l("period")),
            esc(&r.period_with_zone()),
            r.metrics
                .calendar
                .as_ref()
                .map(|c| format!(" · {}{sep}{}", esc(&l("calendar")), esc(&c.name)))
                .unwrap_or_default(),
        );

        summary_section(&mut h, r);
        scorecard_section(&mut h, r, &charts);
        payment_section(&mut h, r);
        scoring::scoring_section(&mut h, r);
        findings_section(&mut h, r);
        remediation_section(&mut h, r);
        channels_section(&mut h, r);
        repeat::repeat_section(&mut h, r);
        ranked_section(&mut h, r, &charts);
        agents_section(&mut h, r);
        survey_items_section(&mut h, r);
        patterns::daily_section(&mut h, r, &charts);
        patterns::hourly_section(&mut h, r, &charts);
        patterns::satisfaction_section(&mut h, r, &charts);
        patterns::trend_section(&mut h, r, &charts);
        orders_section(&mut h, r, &charts);
        peaks_section(&mut h, r);
        quality_section(&mut h, r, &charts);
        coverage::coverage_section(&mut h, r);
        evidence::evidence_section(&mut h, r);
        data_quality_section(&mut h, r);
        integrity::integrity_section(&mut h, r);
        method_section(&mut h, r);
        h.push_str("</main></body></html>\n");
        out.bytes("report.html", h.as_bytes())
    }
}

/// The summary section.
fn summary_section(h: &mut String, r: &Report) {
    let t = &r.text;
    let l = |k: &str| t.label(k);
    let (verdict, all_met) = r.verdict();
    let class = if all_met { "met" } else { "missed" };
    let _ = write!(
        h,
        "<h2>{}</h2><div class=\"verdict {class}\">{}</div><p class=\"sub\">{}</p>",
        esc(&l("sheet_summary")),
        esc(&verdict),
        esc(&r.row_lines().join(" · "))
    );
    // Always present in a monthly report (the only one rendered as HTML).
    let inc = &r.metrics.incentive.clone().unwrap_or_default();
    let money = |v: Option<f64>| r.money(v);
    let o = &r.metrics.overall;
    let cards: Vec<(String, String)> = vec![
        (l("tier"), inc.tier.clone().unwrap_or_else(|| "—".into())),
        (l("bonus"), money(inc.bonus)),
        (l("penalty"), money(inc.penalty)),
        (
            l("consecutive_failures"),
            match inc.termination_threshold {
                Some(n) => format!("{} / {n}", inc.consecutive_failures),
                None => inc.consecutive_failures.to_string(),
            },
        ),
        (
            l("termination_right"),
            if inc.termination_right {
                l("yes")
            } else {
                l("no")
            },
        ),
        (l("contacts"), count(o.contacts)),
        (l("resolution_rate"), pct(o.resolution_rate)),
        (l("csat_mean"), num(o.csat_mean, 2)),
        (l("complaint_rate"), pct(o.complaint_rate)),
    ];
    let mut cards = cards;
    if let Some(rem) = &r.metrics.remediation {
        cards.push((l("remediation_open_count"), rem.open.to_string()));
    }
    card_row(h, &cards);
    if let Some(c) = &inc.clause {
        let _ = write!(
            h,
            "<p class=\"sub\">{}</p>",
            esc(&l("clause_ref").replace("{clause}", c))
        );
    }
}

/// The scorecard section.
fn scorecard_section(h: &mut String, r: &Report, charts: &Charts) {
    let t = &r.text;
    let l = |k: &str| t.label(k);
    heading(h, r, "sheet_scorecard");
    h.push_str("<table><thead><tr>");
    for k in crate::report::SCORECARD_COLUMNS {
        let _ = write!(h, "<th>{}</th>", esc(&l(k)));
    }
    h.push_str("</tr></thead><tbody>");
    for s in &r.metrics.scorecard {
        let status = s.status.key();
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"{status}\"{}>{}</td></tr>",
            esc(&s.name),
            esc(&s.clause),
            esc(&l(s.metric.as_str())),
            esc(&s.scope),
            esc(s.threshold.as_deref().unwrap_or("")),
            fmt_target(s.metric, s.target),
            fmt_value(s.metric, s.actual),
            esc(&crate::report::interval_text(s, t)),
            fmt_value(s.metric, s.previous_actual),
            num(Some(s.numerator), if s.numerator.fract() == 0.0 { 0 } else { 2 }),
            num(Some(s.denominator), 0),
            crate::report::inconclusive_note(s, t)
                .map(|n| format!(" title=\"{}\"", esc(&n)))
                .unwrap_or_default(),
            esc(&l(status))
        );
    }
    h.push_str("</tbody></table>");
    for s in &r.metrics.scorecard {
        if let Some(n) = crate::report::inconclusive_note(s, t) {
            let _ = write!(h, "<p class=\"sub\">{}：{}</p>", esc(&s.name), esc(&n));
        }
    }
    chart(h, charts, "sla");
    chart(h, charts, "sla_mean");
}

/// The payment statement: its lines, then the tier conditions as they were checked.
fn payment_section(h: &mut String, r: &Report) {
    let rows = r.payment_cells();
    if rows.is_empty() {
        return;
    }
    let t = &r.text;
    heading(h, r, "sheet_payment");
    let headers = t.labels(crate::report::PAYMENT_COLUMNS);
    table(h, &headers, &rows);
    let conditions = r.condition_lines();
    if !conditions.is_empty() {
        let _ = write!(h, "<h3>{}</h3>", esc(&t.label("payment_conditions")));
        let headers = t.labels(crate::report::CONDITION_COLUMNS);
        let rows: Vec<Vec<(String, bool)>> = conditions
            .into_iter()
            .map(|[tier, c, actual, req, res]| {
                vec![
                    (tier, false),
                    (c, false),
                    (actual, true),
                    (req, true),
                    (res, false),
                ]
            })
            .collect();
        table(h, &headers, &rows);
    }
}

/// The findings section.
fn findings_section(h: &mut String, r: &Report) {
    let t = &r.text;
    let l = |k: &str| t.label(k);
    heading(h, r, "sheet_findings");
    h.push_str("<table><thead><tr>");
    for k in ["severity", "finding", "evidence", "suggestion"] {
        let _ = write!(h, "<th>{}</th>", esc(&l(k)));
    }
    h.push_str("</tr></thead><tbody>");
    for f in &r.metrics.findings {
        let _ = write!(
            h,
            "<tr><td class=\"sev-{}\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(f.severity.as_str()),
            esc(&l(f.severity.as_str())),
            esc(&f.title),
            esc(&f.evidence),
            esc(&f.suggestion)
        );
    }
    h.push_str("</tbody></table>");
}

/// The remediation list (整改跟踪): the list in a sentence, then each problem's state.
fn remediation_section(h: &mut String, r: &Report) {
    if r.metrics.remediation.is_none() {
        return;
    }
    heading(h, r, "sheet_remediation");
    let _ = write!(h, "<p>{}</p>", esc(&r.remediation_summary()));
    let rows: Vec<Vec<(String, bool)>> = r
        .remediation_lines()
        .into_iter()
        .map(|l| l.into_iter().map(|s| (s, false)).collect())
        .collect();
    if !rows.is_empty() {
        let headers = r.text.labels(crate::report::REMEDIATION_COLUMNS);
        table(h, &headers, &rows);
    }
}

/// The channels section.
fn channels_section(h: &mut String, r: &Report) {
    let t = &r.text;
    let l = |k: &str| t.label(k);
    heading(h, r, "sheet_channels");
    let headers = t.labels(crate::report::HTML_CHANNEL_COLUMNS);
    let rows = r.channel_cells(crate::report::HTML_CHANNEL_COLUMNS);
    table(h, &headers, &rows);
    let _ = write!(h, "<p class=\"sub\">{}</p>", esc(&l("channels_note")));
}

/// The hotspots and complaint types: chart, then the ranked table section.
fn ranked_section(h: &mut String, r: &Report, charts: &Charts) {
    let t = &r.text;
    let l = |k: &str| t.label(k);
    let topics = r.topic_rows();
    let complaints = r.complaint_rows();
    for (keys, chart_name, items) in [
        (["sheet_hotspots", "topic", "contacts"], "hotspots", &topics),
        (
            ["sheet_complaints", "complaint_type", "complaints"],
            "complaints",
            &complaints,
        ),
    ] {
        let _ = write!(h, "<h2>{}</h2>", esc(&l(keys[0])));
        chart(h, charts, chart_name);
        let rows = crate::report::ranked_cells(items);
        table(
            h,
            &[l(keys[1]), l(keys[2]), l("share"), l("previous")],
            &rows,
        );
    }
}

/// The agents section.
fn agents_section(h: &mut String, r: &Report) {
    let t = &r.text;
    let l = |k: &str| t.label(k);
    heading(h, r, "sheet_agents");
    let rows: Vec<Vec<(String, bool)>> = r
        .metrics
        .agents
        .iter()
        .map(|a| {
            vec![
                (a.agent_id.clone(), false),
                (a.agent_name.clone().unwrap_or_default(), false),
                (a.team.clone().unwrap_or_default(), false),
                (count(a.contacts), true),
                (pct(a.resolution_rate), true),
                (dur(a.asa_seconds), true),
                (num(a.csat_mean, 2), true),
            ]
        })
        .collect();
    let headers: Vec<String> = [
        "agent_id",
        "agent_name",
        "team",
        "contacts",
        "resolution_rate",
        "asa_seconds",
        "csat_mean",
    ]
    .iter()
    .map(|k| l(k))
    .collect();
    table(h, &headers, &rows);
}

/// The survey items section: each question's answers (only with item columns).
fn survey_items_section(h: &mut String, r: &Report) {
    let items = &r.metrics.survey_items;
    if items.is_empty() {
        return;
    }
    let l = |k: &str| r.text.label(k);
    heading(h, r, "survey_items");
    let rows: Vec<Vec<(String, bool)>> = items
        .iter()
        .map(|x| {
            vec![
                (x.item.clone(), false),
                (count(x.responses), true),
                (count(x.missing), true),
                (num(x.mean, 2), true),
                (num(x.median, 2), true),
                (num(x.sd, 2), true),
                (pct(x.top_box_rate), true),
            ]
        })
        .collect();
    let headers: Vec<String> = crate::report::SURVEY_ITEM_COLUMNS
        .iter()
        .map(|k| l(k))
        .collect();
    table(h, &headers, &rows);
}

/// The orders section.
fn orders_section(h: &mut String, r: &Report, charts: &Charts) {
    let t = &r.text;
    let l = |k: &str| t.label(k);
    heading(h, r, "sheet_orders");
    chart(h, charts, "orders");
    let o = &r.metrics.orders;
    let mut rows: Vec<Vec<(String, bool)>> = o
        .types
        .iter()
        .map(|x| {
            vec![
                (t.order_type(&x.order_type), false),
                (count(x.contacts), true),
                (pct(Some(x.share)), true),
                (pct(x.resolved_rate), true),
                (dur(x.handle_mean_seconds), true),
                (dur(x.resolve_time_mean_seconds), true),
            ]
        })
        .collect();
    rows.push(vec![
        (l("total"), false),
        (count(o.contacts), true),
        (String::new(), true),
        (pct(o.resolved_rate), true),
        (dur(o.handle_mean_seconds), true),
        (dur(o.resolve_time_mean_seconds), true),
    ]);
    let headers: Vec<String> = r.text.labels(&[
        "order_type",
        "contacts",
        "share",
        "resolved_rate",
        "handle_mean",
        "resolve_time_mean",
    ]);
    table(h, &headers, &rows);
}

/// The peaks and emergencies section.
fn peaks_section(h: &mut String, r: &Report) {
    let t = &r.text;
    let l = |k: &str| t.label(k);
    heading(h, r, "sheet_peaks");
    let (p, u) = (&r.metrics.peaks, &r.metrics.urgent);
    let cards = [
        (l("peak_days"), count(p.peak_days)),
        (l("peak_service_level"), pct(p.peak_service_level)),
        (l("other_service_level"), pct(p.other_service_level)),
        (l("urgent"), count(u.contacts)),
        (l("response_mean"), dur(u.response_mean_seconds)),
        (l("response_max"), dur(u.response_max_seconds)),
    ];
    card_row(h, &cards);
    let rows: Vec<Vec<(String, bool)>> = r
        .metrics
        .daily
        .iter()
        .filter(|d| d.peak.is_some())
        .map(|d| {
            vec![
                (d.date.clone(), false),
                (l(&format!("day_type_{}", d.day_type)), false),
                (
                    l(&format!("peak_{}", d.peak.as_deref().unwrap_or(""))),
                    false,
                ),
                (count(d.contacts), true),
                (count(d.urgent), true),
                (pct(d.service_level), true),
            ]
        })
        .collect();
    let headers: Vec<String> = r.text.labels(&[
        "date",
        "day_type",
        "peak",
        "contacts",
        "urgent",
        "service_level",
    ]);
    table(h, &headers, &rows);
}

/// The quality inspections section.
fn quality_section(h: &mut String, r: &Report, charts: &Charts) {
    let t = &r.text;
    let l = |k: &str| t.label(k);
    if let Some(q) = &r.metrics.quality {
        heading(h, r, "sheet_inspections");
        let mut cards = vec![
            (l("inspections"), count(q.inspections)),
            (l("pass_rate"), pct(q.pass_rate)),
            (l("score_mean"), num(q.score_mean, 1)),
        ];
        for s in &q.sources {
            cards.push((
                l("source_pass_rate").replace("{source}", &l(&format!("source_{}", s.source))),
                pct(s.pass_rate),
            ));
        }
        card_row(h, &cards);
        chart(h, charts, "quality");
        let rows: Vec<Vec<(String, bool)>> = q
            .agents
            .iter()
            .map(|a| {
                vec![
                    (a.agent_id.clone(), false),
                    (a.agent_name.clone().unwrap_or_default(), false),
                    (count(a.inspections), true),
                    (pct(a.pass_rate), true),
                    (num(a.score_mean, 1), true),
                    (count(a.criteria_failed), true),
                ]
            })
            .collect();
        let headers: Vec<String> = r.text.labels(&[
            "agent_id",
            "agent_name",
            "inspections",
            "pass_rate",
            "score_mean",
            "criteria_failed",
        ]);
        table(h, &headers, &rows);
    }
    if r.metrics.trend.len() > 1 {
        heading(h, r, "sheet_trend");
        let rows: Vec<Vec<(String, bool)>> = r
            .metrics
            .trend
            .iter()
            .map(|x| {
                vec![
                    (x.period.clone(), false),
                    (x.contacts.map(|c| c.to_string()).unwrap_or_default(), true),
                    (pct(x.resolution_rate), true),
                    (num(x.csat_mean, 2), true),
                    (x.tier.clone().unwrap_or_default(), false),
                    (count(x.slas_missed as u64), true),
                ]
            })
            .collect();
        let headers: Vec<String> = r.text.labels(&[
            "period",
            "contacts",
            "resolution_rate",
            "csat_mean",
            "tier",
            "slas_missed",
        ]);
        table(h, &headers, &rows);
    }
}

/// The data quality section.
fn data_quality_section(h: &mut String, r: &Report) {
    let t = &r.text;
    let l = |k: &str| t.label(k);
    heading(h, r, "sheet_quality");
    for line in r.row_lines() {
        let _ = write!(h, "<p>{}</p>", esc(&line));
    }
    let sep = l("label_separator");
    let _ = write!(
        h,
        "<p>{}{sep}{}</p>",
        esc(&l("rows_out_of_period")),
        count(r.metrics.rows.out_of_period)
    );
    if r.metrics.rows.outbound > 0 {
        let _ = write!(
            h,
            "<p>{}{sep}{}</p>",
            esc(&l("rows_outbound")),
            count(r.metrics.rows.outbound)
        );
    }
    for (key, n, _) in r.inconsistencies() {
        let _ = write!(h, "<p>{}{sep}{}</p>", esc(&l(key)), count(n));
    }
    let rows: Vec<Vec<(String, bool)>> = r
        .rejections
        .iter()
        .take(200)
        .map(|x| {
            vec![
                (x.file.clone(), false),
                (x.row.to_string(), true),
                (r.text.column(&x.column), false),
                (r.text.reason(&x.reason), false),
            ]
        })
        .collect();
    if !rows.is_empty() {
        table(h, &[l("file"), l("row"), l("column"), l("reason")], &rows);
        if r.rejections.len() > 200 {
            let _ = write!(
                h,
                "<p class=\"sub\">… {} ({})</p>",
                r.rejections.len() - 200,
                esc(&l("sheet_quality"))
            );
        }
    }
}

/// The method section.
fn method_section(h: &mut String, r: &Report) {
    heading(h, r, "sheet_method");
    for v in r.method_paragraphs() {
        let _ = write!(h, "<p>{}</p>", esc(&v));
    }
}
