//! Which of a monthly evaluation's results are problems to be remedied (整改), and their
//! headings: each missed SLA and each integrity finding (by the finding's id), and each
//! scoring indicator that lost points (`indicator:<id>`, with the site when the sheet is
//! scored by site). Their states from month to month are `evaluate::remediation`'s.

use super::Report;
use crate::evaluate::remediation::{track, Found, Remediation};

/// The finding kinds that are problems to remedy.
const PROBLEM_KINDS: &[&str] = &["sla_missed", "integrity"];

/// This period's problems, in the order the report lists them: findings first, then the
/// indicators that lost points.
pub(super) fn found(r: &Report) -> Vec<Found> {
    let t = &r.text;
    let mut out: Vec<Found> = r
        .metrics
        .findings
        .iter()
        .filter(|f| {
            let kind = f.id.split(':').next().unwrap_or("");
            PROBLEM_KINDS.contains(&kind)
        })
        .map(|f| {
            let title = match f.id.strip_prefix("integrity:") {
                Some(check) => t
                    .label("finding_title")
                    .replace("{kind}", &f.title)
                    .replace("{subject}", &t.label(&format!("integrity_{check}"))),
                None => f.title.clone(),
            };
            Found {
                id: f.id.clone(),
                title,
            }
        })
        .collect();
    for site in r.metrics.scoring.iter().flat_map(|s| &s.sites) {
        for i in site
            .indicators
            .iter()
            .filter(|i| i.lost.is_some_and(|l| l > 0.0))
        {
            let id = indicator_problem_id(site.site.as_deref(), &i.id);
            let name = match &site.site {
                Some(s) => format!("{s} {}", i.name),
                None => i.name.clone(),
            };
            out.push(Found {
                id,
                title: t
                    .label("finding_title")
                    .replace("{kind}", &t.label("remediation_indicator_lost"))
                    .replace("{subject}", &name),
            });
        }
    }
    out
}

/// The problem id of scoring indicator `id` (of `site` when the sheet is scored by site).
pub fn indicator_problem_id(site: Option<&str>, id: &str) -> String {
    match site {
        Some(s) => format!("indicator:{s}:{id}"),
        None => format!("indicator:{id}"),
    }
}

/// The period's remediation list.
pub(super) fn remediation(
    r: &Report,
    period: crate::config::Period,
    history: &[crate::evaluate::HistoryEntry],
    days: u32,
) -> Remediation {
    track(&found(r), period, history, days)
}

impl Report {
    /// The remediation list in a sentence: open problems by state, and those of the
    /// period before now resolved; what the history lacks, said.
    pub fn remediation_summary(&self) -> String {
        use crate::evaluate::remediation::ProblemStatus as S;
        let t = &self.text;
        let Some(rem) = &self.metrics.remediation else {
            return String::new();
        };
        let n = |s: S| rem.problems.iter().filter(|p| p.status == s).count();
        let mut text = if rem.problems.is_empty() {
            t.label("remediation_none")
        } else {
            t.label("remediation_summary")
                .replace("{open}", &rem.open.to_string())
                .replace("{new}", &n(S::New).to_string())
                .replace("{still}", &n(S::Open).to_string())
                .replace("{recurring}", &n(S::Recurring).to_string())
        };
        if rem.previous_period.is_some() {
            text.push_str(
                &t.label("remediation_resolved_count")
                    .replace("{resolved}", &rem.resolved.to_string()),
            );
        }
        if self.metrics.data_quality.provisional {
            text.push_str(&t.label("remediation_provisional"));
        }
        text.push_str(
            &t.label("remediation_terms")
                .replace("{days}", &rem.days.to_string()),
        );
        if rem.previous_period.is_none() && self.metrics.trend.len() > 1 {
            text.push_str(&t.label("remediation_no_previous"));
        }
        text
    }

    /// The remediation list's lines, as [`super::REMEDIATION_COLUMNS`].
    pub fn remediation_lines(&self) -> Vec<[String; 5]> {
        self.metrics
            .remediation
            .iter()
            .flat_map(|r| &r.problems)
            .map(|p| {
                [
                    p.id.clone(),
                    p.title.clone(),
                    self.month_label(p.first_period.get(..7).unwrap_or("")),
                    p.deadline.clone(),
                    self.text.label(p.status.key()),
                ]
            })
            .collect()
    }

    /// The report number (`[report] number`).
    pub fn report_number(&self) -> String {
        let m = &self.metrics;
        self.terms.report.number_of(&m.contract_id, &m.period.start)
    }

    /// The report's date: the day of its document timestamp (`SOURCE_DATE_EPOCH`, else the
    /// period's end), as this language writes a date.
    pub fn report_date(&self) -> String {
        let day = chrono::DateTime::from_timestamp(self.doc_epoch, 0)
            .unwrap_or_default()
            .date_naive();
        match self.lang {
            crate::config::Lang::Zh => day.format("%Y年%-m月%-d日").to_string(),
            crate::config::Lang::En => day.to_string(),
        }
    }
}
