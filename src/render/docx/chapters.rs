//! The chapters of the written report, in the order a Chinese third-party evaluation
//! report has them: 评估概况 (parties, contract, period, basis), 评估方法 (data sources,
//! row accounting, definitions), 评估结果 (overall judgement, scorecard, scoring sheet,
//! payment statement, channels, topics, repeat contacts), 存在问题 (each problem: what was
//! seen, its cause, the measure and the deadline), 改进建议, 整改跟踪, 附件, and the
//! sign-off. Every figure is one the workbook shows, from the same report lines; nothing is
//! computed here.

use super::{page_break, Doc};
use crate::error::Result;
use crate::evaluate::remediation::ProblemStatus;
use crate::report::{count, fmt_target, fmt_value, pct, Report};
use docx_rs::{AlignmentType, Paragraph, Run};

/// Every chapter, then the sign-off.
pub(super) fn write(d: &mut Doc<'_>) -> Result<()> {
    overview(d);
    method(d);
    results(d)?;
    problems(d);
    suggestions(d);
    remediation(d);
    annex(d);
    sign_off(d);
    Ok(())
}

/// The cover: title, contract and period, then report number, parties, evaluator, date.
pub(super) fn cover(d: &Doc<'_>) -> Vec<Paragraph> {
    let r = d.r;
    let centred = |text: String, size: usize, bold: bool| {
        let mut run = Run::new().add_text(text).size(size);
        if bold {
            run = run.bold();
        }
        Paragraph::new().align(AlignmentType::Center).add_run(run)
    };
    let mut out: Vec<Paragraph> = (0..6).map(|_| Paragraph::new()).collect();
    out.push(centred(r.metrics.contract_name.clone(), 32, false));
    out.push(centred(d.l("title"), 52, true));
    out.push(centred(r.period_name(), 32, false));
    out.extend((0..8).map(|_| Paragraph::new()));
    for (key, value) in cover_lines(d) {
        let sep = d.l("label_separator");
        out.push(centred(format!("{}{sep}{value}", d.l(key)), 28, false));
    }
    out.push(page_break());
    out
}

/// The cover's lines: (label key, value).
fn cover_lines(d: &Doc<'_>) -> Vec<(&'static str, String)> {
    let r = d.r;
    let mut lines = vec![("doc_number", r.report_number())];
    lines.extend(parties(d));
    lines.push(("doc_date", r.report_date()));
    lines
}

/// 甲方, 乙方 and the evaluator, as (label key, name; "—" when the contract names none).
fn parties(d: &Doc<'_>) -> [(&'static str, String); 3] {
    let m = &d.r.metrics;
    let name = |x: &Option<String>| x.clone().unwrap_or_else(|| "—".to_string());
    [
        ("client", name(&m.client)),
        ("provider", name(&m.provider)),
        ("doc_evaluator", name(&d.r.terms.report.evaluator)),
    ]
}

/// 评估概况: who, what, when, on what basis.
fn overview(d: &mut Doc<'_>) {
    let r = d.r;
    let m = &r.metrics;
    d.chapter("doc_overview");
    let mut rows: Vec<(String, String)> =
        parties(d).into_iter().map(|(k, v)| (d.l(k), v)).collect();
    rows.extend([
        (d.l("contract"), m.contract_name.clone()),
        (d.l("contract_id"), m.contract_id.clone()),
        (d.l("period"), r.period_with_zone()),
        (d.l("doc_number"), r.report_number()),
    ]);
    if let Some(c) = &m.calendar {
        rows.push((d.l("calendar"), c.name.clone()));
    }
    let rows: Vec<Vec<(String, bool)>> = rows
        .into_iter()
        .map(|(k, v)| vec![(k, false), (v, false)])
        .collect();
    d.table(&[d.l("doc_item"), d.l("doc_content")], &rows);
    d.para(&d.l("doc_scope").replace("{contract}", &m.contract_name));
    d.labelled(&d.l("doc_basis"), "");
    for (i, b) in basis(r).iter().enumerate() {
        d.para(&d.numbered(i + 1, b));
    }
}

/// The basis: the contract with the clauses the scorecard cites, then `[report] basis`.
fn basis(r: &Report) -> Vec<String> {
    let mut clauses: Vec<&str> = Vec::new();
    for l in &r.metrics.scorecard {
        if !l.clause.is_empty() && !clauses.contains(&l.clause.as_str()) {
            clauses.push(&l.clause);
        }
    }
    let contract = r
        .text
        .label("doc_basis_contract")
        .replace("{contract}", &r.metrics.contract_name)
        .replace(
            "{clauses}",
            &clauses.join(r.text.label("list_separator").as_str()),
        );
    std::iter::once(contract)
        .chain(r.terms.report.basis.iter().cloned())
        .collect()
}

/// 评估方法: the data, every row accounted for, and the definitions.
fn method(d: &mut Doc<'_>) {
    let r = d.r;
    d.chapter("doc_method");
    d.section("doc_sources");
    let m = &r.metrics;
    let files: Vec<Vec<(String, bool)>> = [
        ("input_contacts", &m.inputs),
        ("input_surveys", &m.survey_inputs),
        ("input_inspections", &m.inspection_inputs),
    ]
    .iter()
    .flat_map(|(k, files)| {
        let kind = d.l(k);
        files.iter().map(move |f| {
            let name = f.path.file_name().map_or_else(
                || f.path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let sha = f.digest();
            vec![
                (kind.clone(), false),
                (name, false),
                (sha.get(..12).unwrap_or(&sha).to_string(), false),
            ]
        })
    })
    .collect();
    d.table(
        &[d.l("doc_input_kind"), d.l("file"), d.l("doc_fingerprint")],
        &files,
    );
    d.note(&d.l("doc_fingerprint_note"));
    d.section("doc_accounting");
    for line in r.row_lines() {
        d.para(&line);
    }
    d.section("doc_definitions");
    for p in r.method_paragraphs() {
        d.para(&p);
    }
}

/// 评估结果: the overall judgement, then each result the workbook has a sheet for.
fn results(d: &mut Doc<'_>) -> Result<()> {
    let r = d.r;
    d.chapter("doc_results");
    d.section("doc_overall");
    d.para(&overall(r));
    d.section("sheet_scorecard");
    scorecard(d);
    d.chart("sla")?;
    d.chart("sla_mean")?;
    if r.scoring().is_some() {
        d.section("sheet_scoring");
        scoring(d);
    }
    let rows = r.payment_cells();
    if !rows.is_empty() {
        d.section("sheet_payment");
        d.table(&r.text.labels(crate::report::PAYMENT_COLUMNS), &rows);
    }
    d.section("sheet_channels");
    channels(d);
    d.section("sheet_hotspots");
    d.chart("hotspots")?;
    ranked(d, "topic", "contacts", r.topic_rows());
    d.section("sheet_complaints");
    d.chart("complaints")?;
    ranked(d, "complaint_type", "complaints", r.complaint_rows());
    let repeat = r.repeat_lines();
    if !repeat.is_empty() {
        d.section("sheet_repeat");
        let rows: Vec<Vec<(String, bool)>> = repeat
            .into_iter()
            .map(|[a, b, c]| vec![(a, false), (b, true), (c, false)])
            .collect();
        d.table(&r.text.labels(crate::report::repeat::REPEAT_COLUMNS), &rows);
    }
    Ok(())
}

/// 总体评价: the verdict, tier and money, and the period's headline figures in a sentence.
fn overall(r: &Report) -> String {
    let (verdict, _) = r.verdict();
    let inc = r.metrics.incentive.clone().unwrap_or_default();
    let o = &r.metrics.overall;
    r.text
        .label("doc_overall_text")
        .replace("{period}", &r.period_name())
        .replace("{contacts}", &count(o.contacts))
        .replace("{answered}", &count(o.answered))
        .replace("{resolution}", &pct(o.resolution_rate))
        .replace("{complaint}", &pct(o.complaint_rate))
        .replace("{verdict}", &verdict)
        .replace("{tier}", inc.tier.as_deref().unwrap_or("—"))
        .replace("{bonus}", &r.money(inc.bonus))
        .replace("{penalty}", &r.money(inc.penalty))
}

/// The scorecard: each SLA with its clause, target, figure and status.
fn scorecard(d: &mut Doc<'_>) {
    let r = d.r;
    let rows: Vec<Vec<(String, bool)>> = r
        .metrics
        .scorecard
        .iter()
        .map(|s| {
            vec![
                (s.name.clone(), false),
                (s.clause.clone(), false),
                (fmt_target(s.metric, s.target), true),
                (fmt_value(s.metric, s.actual), true),
                (crate::report::interval_text(s, &r.text), true),
                (d.l(s.status.key()), false),
            ]
        })
        .collect();
    let fills: Vec<Option<&str>> = r
        .metrics
        .scorecard
        .iter()
        .map(|s| Some(super::status_fill(s.status)))
        .collect();
    let headers = r.text.labels(crate::report::DOCX_SCORECARD_COLUMNS);
    d.table_with(&headers, &rows, None, &fills);
    for s in &r.metrics.scorecard {
        if let Some(n) = crate::report::inconclusive_note(s, &r.text) {
            d.note(&format!("{}{}{n}", s.name, d.l("label_separator")));
        }
    }
}

/// The scoring sheet: its summary lines and each indicator's points.
fn scoring(d: &mut Doc<'_>) {
    let r = d.r;
    let rows: Vec<Vec<(String, bool)>> = r
        .scoring_lines()
        .into_iter()
        .map(|x| vec![(x.item, false), (x.value, true), (x.basis, false)])
        .collect();
    let headers = r.text.labels(&crate::report::SCORING_COLUMNS[..3]);
    d.table(&headers, &rows);
    let p = |v: Option<f64>| v.map_or_else(|| "—".into(), crate::report::scoring_points);
    let rows: Vec<Vec<(String, bool)>> = r
        .scoring_indicator_lines()
        .into_iter()
        .map(|x| {
            let name = if x.site.is_empty() {
                x.name
            } else {
                format!("{} {}", x.site, x.name)
            };
            vec![
                (name, false),
                (crate::report::scoring_points(x.weight), true),
                (p(x.points), true),
                (p(x.lost), true),
                (x.sentence, false),
            ]
        })
        .collect();
    d.table(&r.text.labels(crate::report::DOCX_SCORING_COLUMNS), &rows);
}

/// The channels' figures.
fn channels(d: &mut Doc<'_>) {
    let r = d.r;
    let columns = crate::report::DOCX_CHANNEL_COLUMNS;
    d.table(&r.text.labels(columns), &r.channel_cells(columns));
}

/// The ten largest of a ranked list (hotspots, complaint types).
fn ranked(d: &mut Doc<'_>, name: &str, what: &str, items: Vec<crate::report::RankedRow>) {
    let rows = crate::report::ranked_cells(&items[..items.len().min(10)]);
    let headers = [d.l(name), d.l(what), d.l("share"), d.l("previous")];
    d.table(&headers, &rows);
    if items.len() > 10 {
        d.note(
            &d.l("doc_top_ten")
                .replace("{n}", &count(items.len() as u64)),
        );
    }
}

/// 存在问题: each problem still to remedy, as 现象 → 原因 → 整改措施, with its deadline.
fn problems(d: &mut Doc<'_>) {
    let r = d.r;
    d.chapter("doc_problems");
    let Some(rem) = &r.metrics.remediation else {
        return;
    };
    let open: Vec<_> = rem
        .problems
        .iter()
        .filter(|p| p.status != ProblemStatus::Resolved)
        .collect();
    if open.is_empty() {
        d.para(&d.l("remediation_none"));
        return;
    }
    for (i, p) in open.iter().enumerate() {
        let heading = d.numbered(i + 1, &p.title)
            + &d.l("doc_problem_status")
                .replace("{status}", &d.l(p.status.key()));
        let finding = r.metrics.findings.iter().find(|f| f.id == p.id);
        let (seen, measure) = match finding {
            Some(f) => (f.evidence.clone(), f.suggestion.clone()),
            None => (indicator_evidence(r, &p.id), d.l("doc_indicator_measure")),
        };
        let lines = [
            (d.l("doc_seen"), seen),
            (d.l("doc_cause"), d.l("doc_cause_text")),
            (d.l("doc_measure"), measure),
            (d.l("remediation_deadline"), p.deadline.clone()),
        ];
        d.item(Some(&heading), &lines);
    }
}

/// What an indicator that lost points shows: its sentence on the scoring sheet.
fn indicator_evidence(r: &Report, id: &str) -> String {
    let sites = r.metrics.scoring.iter().flat_map(|s| &s.sites);
    sites
        .flat_map(|s| s.indicators.iter().map(move |i| (s, i)))
        .find(|(s, i)| crate::report::indicator_problem_id(s.site.as_deref(), &i.id) == id)
        .map_or_else(String::new, |(_, i)| {
            crate::report::scoring_sentence(i, &r.text)
        })
}

/// 改进建议: the findings that are not problems to remedy, each with its suggestion.
fn suggestions(d: &mut Doc<'_>) {
    let r = d.r;
    d.chapter("doc_suggestions");
    let problems: Vec<&str> = r
        .metrics
        .remediation
        .iter()
        .flat_map(|x| x.problems.iter().map(|p| p.id.as_str()))
        .collect();
    let rest: Vec<_> = r
        .metrics
        .findings
        .iter()
        .filter(|f| !problems.contains(&f.id.as_str()))
        .collect();
    if rest.is_empty() {
        d.para(&d.l("doc_no_suggestions"));
    }
    for (i, f) in rest.iter().enumerate() {
        let heading = d.numbered(i + 1, &f.title);
        let lines = [
            (d.l("doc_seen"), f.evidence.clone()),
            (d.l("suggestion"), f.suggestion.clone()),
        ];
        d.item(Some(&heading), &lines);
    }
}

/// 整改跟踪: every problem of this period and the one before, with its state.
fn remediation(d: &mut Doc<'_>) {
    let r = d.r;
    d.chapter("sheet_remediation");
    let Some(rem) = &r.metrics.remediation else {
        return;
    };
    d.para(&r.remediation_summary());
    if rem.problems.is_empty() {
        return;
    }
    let rows = r
        .remediation_lines()
        .into_iter()
        .map(|x| x.into_iter().map(|s| (s, false)).collect())
        .collect::<Vec<_>>();
    d.table(&r.text.labels(crate::report::REMEDIATION_COLUMNS), &rows);
}

/// 附件: the workbook, the evidence lists, the data-quality figures.
fn annex(d: &mut Doc<'_>) {
    let r = d.r;
    d.chapter("doc_annex");
    let mut n = 0;
    let mut item = |d: &mut Doc<'_>, text: String| {
        n += 1;
        d.para(
            &d.l("doc_annex_item")
                .replace("{n}", &n.to_string())
                .replace("{what}", &text),
        );
    };
    item(d, d.l("doc_annex_workbook"));
    for list in &r.evidence {
        let file = crate::report::evidence_file(&list.sla);
        let text = d
            .l("doc_annex_evidence")
            .replace("{name}", &list.name)
            .replace("{file}", &file)
            .replace("{n}", &count(list.missed));
        item(d, text + &r.evidence_sheet_limit(list));
    }
    item(d, d.l("doc_annex_manifest"));
    d.section("sheet_quality");
    let sep = d.l("label_separator");
    let mut lines = vec![format!(
        "{}{sep}{}",
        d.l("rows_out_of_period"),
        count(r.metrics.rows.out_of_period)
    )];
    for (key, n, _) in r.inconsistencies() {
        lines.push(format!("{}{sep}{}", d.l(key), count(n)));
    }
    lines.push(format!(
        "{}{sep}{}",
        d.l("doc_rejected_rows"),
        count(r.rejections.len() as u64)
    ));
    for l in lines {
        d.para(&l);
    }
}

/// The sign-off rows' height: room for a signature and a seal (1.6 cm).
const SIGN_ROW: f32 = 900.0;

/// 签署: the evaluator, 甲方 and 乙方, each with a signature and a date.
fn sign_off(d: &mut Doc<'_>) {
    d.chapter("doc_sign_off");
    d.para(&d.l("doc_sign_off_text"));
    // The evaluator signs first, then 甲方 and 乙方.
    let mut parties = parties(d);
    parties.rotate_right(1);
    let headers: Vec<String> = parties.iter().map(|(k, _)| d.l(k)).collect();
    let blank =
        |key: &str| -> Vec<(String, bool)> { parties.iter().map(|_| (d.l(key), false)).collect() };
    let rows = vec![
        parties.iter().map(|(_, v)| (v.clone(), false)).collect(),
        blank("doc_signature"),
        blank("doc_seal"),
        blank("doc_sign_date"),
    ];
    d.table_with(&headers, &rows, Some(SIGN_ROW), &[]);
}
