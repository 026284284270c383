//! Findings and improvement suggestions: a table of named rules ([`RULES`]), each reading
//! the period's figures and adding the findings it sees, with the thresholds it uses named
//! below. The wording is the text tables' (`[findings]`); a rule only picks the key and
//! fills the placeholders. No rule computes a figure the report does not show.

use super::{agent_label, fmt_target, fmt_value, pct, Finding, Report, Severity};
use crate::config::Calendar;
use crate::evaluate::Status;
use crate::kpi::{DayRow, HourRow};

/// A complaint type is a finding when it holds at least this share of the complaints...
const TOP_COMPLAINT_MIN_SHARE: f64 = 0.25;
/// ...and the period has at least this many complaints.
const TOP_COMPLAINT_MIN_COMPLAINTS: u64 = 10;
/// The weekday-hour with the most abandons is a finding when it holds at least this share of
/// the abandons...
const ABANDON_PEAK_MIN_SHARE: f64 = 0.03;
/// ...and the period has at least this many abandons.
const ABANDON_PEAK_MIN_ABANDONS: u64 = 20;
/// A complaint type is rising with at least this many complaints...
const RISING_MIN_COMPLAINTS: u64 = 10;
/// ...at least this many more than in the previous period...
const RISING_MIN_MORE: u64 = 5;
/// ...and at least this ratio to the previous period's count.
const RISING_MIN_RATIO: f64 = 1.3;
/// A missed SLA's misses concentrate where at least this many of its contacts are...
const WHERE_MIN_CONTACTS: u64 = 30;
/// ...missed at a rate this far above the SLA's own...
const WHERE_GAP: f64 = 0.10;
/// ...and at least this many times it.
const WHERE_RATIO: f64 = 1.5;
/// An agent is far below the team with a resolution rate this far under the overall rate,
/// over at least `[data_quality] min_person_contacts` answered contacts.
const AGENT_RESOLUTION_GAP: f64 = 0.10;
/// Inconsistent records are a finding from this many...
const INCONSISTENT_MIN: u64 = 10;
/// ...and this share of the records they belong to (contacts, answered contacts, responses).
const INCONSISTENT_MIN_SHARE: f64 = 0.01;
/// Peak and other days each need this many contacts in the service-level base.
const PEAK_MIN_BASE: u64 = 30;
/// A quality criterion is a finding when failed at least this often...
const QA_CRITERION_MIN_FAILED: u64 = 3;
/// ...at this fail rate or more (high from the second rate on); only the three most failed.
const QA_CRITERION_FAIL_RATES: (f64, f64) = (0.10, 0.25);
/// An agent fails inspections far more than the team with a pass rate this far under the
/// team's, over at least `[data_quality] min_person_inspections` inspections.
const QA_AGENT_GAP: f64 = 0.20;
/// An order sub-type is resolved far less often than orders as a whole at this gap, with at
/// least [`ORDER_MIN_CONTACTS`] contacts.
const ORDER_RESOLVED_GAP: f64 = 0.10;
const ORDER_MIN_CONTACTS: u64 = 20;

/// What every rule may read.
pub(super) struct Facts<'a> {
    r: &'a Report,
    calendar: Option<&'a Calendar>,
    /// The weekday × hour with the most abandons, and when it is, in words.
    abandon_peak: Option<(&'a HourRow, String)>,
}

/// A rule: its name (the id prefix of its findings) and what it does.
type Rule = (&'static str, fn(&Facts<'_>, &mut Vec<Finding>));

mod quality;
use quality::{integrity, plan_coverage, qa_agent, qa_criterion};

/// The rules, in the order their findings are listed.
const RULES: &[Rule] = &[
    ("termination_right", termination_right),
    ("tier_undecided", tier_undecided),
    ("failures_passed_over", failures_passed_over),
    ("rejected_share", rejected_share),
    ("missing_days", missing_days),
    ("inconsistent", inconsistent),
    ("sla_status", sla_status),
    ("top_complaint_type", top_complaint_type),
    ("abandon_peak", abandon_peak),
    ("complaint_rising", complaint_rising),
    ("holiday_peak", holiday_peak),
    ("agent_low_resolution", agent_low_resolution),
    ("peak_staffing", peak_staffing),
    ("qa_criterion", qa_criterion),
    ("qa_agent", qa_agent),
    ("plan_coverage", plan_coverage),
    ("integrity", integrity),
    ("order_type_unresolved", order_type_unresolved),
];

/// Run every rule over the report.
pub(super) fn findings(r: &Report, calendar: Option<&Calendar>) -> Vec<Finding> {
    let weekday = |w: u32| {
        r.text
            .findings
            .weekdays
            .get(w as usize)
            .cloned()
            .unwrap_or_default()
    };
    let peak = r
        .metrics
        .hourly
        .iter()
        .filter(|h| h.abandoned > 0)
        .max_by(|a, b| {
            a.abandoned
                .cmp(&b.abandoned)
                .then(b.weekday.cmp(&a.weekday))
                .then(b.hour.cmp(&a.hour))
        });
    let facts = Facts {
        r,
        calendar,
        abandon_peak: peak.map(|h| {
            let when = format!(
                "{} {:02}:00–{:02}:00",
                weekday(h.weekday),
                h.hour,
                h.hour + 1
            );
            (h, when)
        }),
    };
    let mut out = Vec::new();
    for (_, rule) in RULES {
        rule(&facts, &mut out);
    }
    for x in &mut out {
        x.title = title(r, &x.id);
    }
    out
}

/// A finding's heading from its id (`kind` or `kind:subject`): the kind's title, and the
/// subject as a person names it (an SLA by its name, an input or a label in words).
fn title(r: &Report, id: &str) -> String {
    let t = &r.text;
    let (kind, subject) = id.split_once(':').unwrap_or((id, ""));
    let subject = match kind {
        "sla_missed" | "not_measurable" | "inconclusive" => r
            .metrics
            .scorecard
            .iter()
            .find(|l| l.id == subject)
            .map_or(subject.to_string(), |l| l.name.clone()),
        "rejected_share" => t.label(&format!("input_{subject}")),
        "inconsistent" => t.label(&format!("inconsistent_{subject}")),
        "order_type_unresolved" => t.order_type(subject),
        "integrity" => String::new(),
        _ => subject.to_string(),
    };
    let kind = t.label(&format!("finding_{kind}"));
    if subject.is_empty() {
        kind
    } else {
        t.label("finding_title")
            .replace("{kind}", &kind)
            .replace("{subject}", &subject)
    }
}

fn finding(id: String, severity: Severity, evidence: String, suggestion: String) -> Finding {
    Finding {
        id,
        title: String::new(),
        severity,
        evidence,
        suggestion,
    }
}

/// The contract's termination right has been reached.
fn termination_right(f: &Facts<'_>, out: &mut Vec<Finding>) {
    let t = &f.r.text;
    if let Some(inc) =
        f.r.metrics
            .incentive
            .as_ref()
            .filter(|i| i.termination_right)
    {
        out.push(finding(
            "termination_right".into(),
            Severity::High,
            t.finding(
                "termination",
                &[
                    ("n", inc.consecutive_failures.to_string()),
                    ("clause", inc.clause.clone().unwrap_or_default()),
                ],
            ),
            t.finding("termination_suggestion", &[]),
        ));
    }
}

/// The tier could not be decided: a condition names a figure that is not measurable.
fn tier_undecided(f: &Facts<'_>, out: &mut Vec<Finding>) {
    let t = &f.r.text;
    let Some(inc) = f.r.metrics.incentive.as_ref() else {
        return;
    };
    if inc.undecided_conditions.is_empty() {
        return;
    }
    out.push(finding(
        "tier_undecided".into(),
        Severity::High,
        t.finding(
            "tier_undecided",
            &[(
                "conditions",
                inc.undecided_conditions.join(&t.label("list_separator")),
            )],
        ),
        t.finding("tier_undecided_suggestion", &[]),
    ));
}

/// Earlier periods the consecutive-failure count passed over (tier undecided).
fn failures_passed_over(f: &Facts<'_>, out: &mut Vec<Finding>) {
    let t = &f.r.text;
    let Some(inc) = f.r.metrics.incentive.as_ref() else {
        return;
    };
    if inc.undecided_periods.is_empty() {
        return;
    }
    let periods: Vec<&str> = inc
        .undecided_periods
        .iter()
        .map(|p| p.get(..7).unwrap_or(p))
        .collect();
    out.push(finding(
        "failures_passed_over".into(),
        Severity::Medium,
        t.finding(
            "failures_passed_over",
            &[("periods", periods.join(&t.label("list_separator")))],
        ),
        t.finding("failures_passed_over_suggestion", &[]),
    ));
}

/// An input with more rows not accepted than the contract allows: the verdict is provisional.
fn rejected_share(f: &Facts<'_>, out: &mut Vec<Finding>) {
    let t = &f.r.text;
    let limit = f.r.terms.max_rejected_share;
    for s in &f.r.metrics.data_quality.rejected_shares {
        // The commonest (kind, column) pairs among this input's rows not accepted.
        let mut by: std::collections::BTreeMap<(String, String), u64> = Default::default();
        for x in f.r.rejections.iter().filter(|x| x.input == s.input) {
            let kind = t.label(&format!("category_{}", x.category.as_str()));
            *by.entry((t.column(&x.column), kind)).or_default() += 1;
        }
        let mut top: Vec<((String, String), u64)> = by.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let top: Vec<String> = top
            .iter()
            .take(3)
            .map(|((column, kind), n)| format!("{column} {kind} × {n}"))
            .collect();
        out.push(finding(
            format!("rejected_share:{}", s.input),
            Severity::High,
            t.finding(
                "rejected_share",
                &[
                    ("input", t.label(&format!("input_{}", s.input))),
                    ("share", pct(Some(s.share))),
                    ("read", s.read.to_string()),
                    ("rejected", s.rejected.to_string()),
                    ("duplicates", s.duplicates.to_string()),
                    ("limit", pct(Some(limit))),
                    ("top", top.join(&t.label("list_separator"))),
                ],
            ),
            t.finding("rejected_share_suggestion", &[]),
        ));
    }
}

/// Records that contradict each other, when they are many: at least
/// [`INCONSISTENT_MIN`] and [`INCONSISTENT_MIN_SHARE`] of their base.
fn inconsistent(f: &Facts<'_>, out: &mut Vec<Finding>) {
    let t = &f.r.text;
    for (key, n, base) in f.r.inconsistencies() {
        let share = n as f64 / base.max(1) as f64;
        if n < INCONSISTENT_MIN || share < INCONSISTENT_MIN_SHARE {
            continue;
        }
        out.push(finding(
            key.replace("inconsistent_", "inconsistent:"),
            Severity::High,
            t.finding(
                "inconsistent",
                &[
                    ("what", t.label(key)),
                    ("n", n.to_string()),
                    ("share", pct(Some(share))),
                ],
            ),
            t.finding("inconsistent_suggestion", &[]),
        ));
    }
}

/// Working days with no contact at all: the verdict is provisional.
fn missing_days(f: &Facts<'_>, out: &mut Vec<Finding>) {
    let t = &f.r.text;
    let days = &f.r.metrics.data_quality.missing_days;
    if days.is_empty() {
        return;
    }
    let shown: Vec<&str> = days.iter().take(10).map(|d| d.as_str()).collect();
    let sep = t.label("list_separator");
    let more = if days.len() > 10 {
        format!("{sep}…")
    } else {
        String::new()
    };
    out.push(finding(
        "missing_days".into(),
        Severity::High,
        t.finding(
            "missing_days",
            &[
                ("n", days.len().to_string()),
                ("days", format!("{}{more}", shown.join(&sep))),
            ],
        ),
        t.finding("missing_days_suggestion", &[]),
    ));
}

/// Every SLA missed, and every SLA that could not be measured.
fn sla_status(f: &Facts<'_>, out: &mut Vec<Finding>) {
    let t = &f.r.text;
    let when = f
        .abandon_peak
        .as_ref()
        .map(|p| p.1.clone())
        .unwrap_or_default();
    for (k, l) in f.r.metrics.scorecard.iter().enumerate() {
        match l.status {
            Status::Missed => {
                let mut evidence = t.finding(
                    "sla_missed",
                    &[
                        ("sla", l.name.clone()),
                        ("clause", l.clause.clone()),
                        ("actual", fmt_value(l.metric, l.actual)),
                        ("target", fmt_target(l.metric, l.target)),
                    ],
                );
                let mut suggestion = t.finding(
                    &format!("sla_missed_{}", l.metric.as_str()),
                    &[("when", when.clone())],
                );
                if let Some((place, missed, n)) = concentration(f, k, l) {
                    let all = (l.denominator - l.numerator) / l.denominator;
                    evidence += &t.finding(
                        "sla_missed_where",
                        &[
                            ("where", place.clone()),
                            ("rate", pct(Some(missed as f64 / n as f64))),
                            ("missed", missed.to_string()),
                            ("n", n.to_string()),
                            ("all", pct(Some(all))),
                        ],
                    );
                    suggestion = t.finding(
                        "sla_missed_where_suggestion",
                        &[("where", place), ("suggestion", suggestion)],
                    );
                }
                out.push(finding(
                    format!("sla_missed:{}", l.id),
                    Severity::High,
                    evidence,
                    suggestion,
                ))
            }
            Status::NotMeasurable => out.push(finding(
                format!("not_measurable:{}", l.id),
                Severity::Medium,
                t.finding(
                    "not_measurable",
                    &[
                        ("sla", l.name.clone()),
                        ("clause", l.clause.clone()),
                        ("why", l.note.clone().unwrap_or_default()),
                    ],
                ),
                t.finding("not_measurable_suggestion", &[]),
            )),
            Status::Inconclusive => out.push(finding(
                format!("inconclusive:{}", l.id),
                Severity::Medium,
                t.finding(
                    "inconclusive",
                    &[
                        ("sla", l.name.clone()),
                        ("clause", l.clause.clone()),
                        ("actual", fmt_value(l.metric, l.actual)),
                        ("interval", crate::report::interval_text(l, t)),
                        (
                            "why",
                            crate::report::inconclusive_note(l, t).unwrap_or_default(),
                        ),
                    ],
                ),
                t.finding("inconclusive_suggestion", &[]),
            )),
            Status::Met => {}
        }
    }
}

/// Where the misses of SLA `k` (scorecard line `l`) concentrate: the channel (for an SLA
/// over all channels) or the hour of arrival, with [`WHERE_MIN_CONTACTS`] contacts or
/// more, whose miss rate most exceeds the SLA's own, when it is [`WHERE_GAP`] above it and
/// [`WHERE_RATIO`] times it: in words, with its misses and contacts.
fn concentration(
    f: &Facts<'_>,
    k: usize,
    l: &crate::evaluate::ScoreLine,
) -> Option<(String, u64, u64)> {
    let spread = f.r.spreads.get(k)?;
    if l.denominator <= 0.0 {
        return None;
    }
    let all = (l.denominator - l.numerator) / l.denominator;
    let t = &f.r.text;
    let mut best: Option<(f64, String, u64, u64)> = None;
    let mut consider = |place: String, (n, missed): (u64, u64)| {
        let rate = missed as f64 / n.max(1) as f64;
        if n < WHERE_MIN_CONTACTS || rate < all + WHERE_GAP || rate < all * WHERE_RATIO {
            return;
        }
        let excess = missed as f64 - n as f64 * all;
        if best.as_ref().is_none_or(|b| excess > b.0) {
            best = Some((excess, place, missed, n));
        }
    };
    if l.channel.is_none() {
        for (c, x) in spread.channel.iter().enumerate() {
            let name = f.r.channel_names.get(c).cloned().unwrap_or_default();
            let place = t.finding("where_channel", &[("channel", t.channel(&name))]);
            consider(place, *x);
        }
    }
    for (h, x) in spread.hour.iter().enumerate() {
        let place = t.finding(
            "where_hour",
            &[
                ("from", format!("{h:02}:00")),
                ("to", format!("{:02}:00", h + 1)),
            ],
        );
        consider(place, *x);
    }
    best.map(|(_, place, missed, n)| (place, missed, n))
}

/// One complaint type holds a large share of the complaints.
fn top_complaint_type(f: &Facts<'_>, out: &mut Vec<Finding>) {
    let (t, m) = (&f.r.text, &f.r.metrics);
    let Some(top) = m.complaint_types.first() else {
        return;
    };
    if m.overall.complaints < TOP_COMPLAINT_MIN_COMPLAINTS
        || top.row.share < TOP_COMPLAINT_MIN_SHARE
    {
        return;
    }
    let ty = top
        .row
        .complaint_type
        .clone()
        .unwrap_or_else(|| t.label("none"));
    out.push(finding(
        "top_complaint_type".into(),
        Severity::Medium,
        t.finding(
            "top_complaint",
            &[
                ("type", ty.clone()),
                ("share", pct(Some(top.row.share))),
                ("n", top.row.complaints.to_string()),
            ],
        ),
        t.finding("top_complaint_suggestion", &[("type", ty)]),
    ));
}

/// Abandons concentrate in one weekday-hour.
fn abandon_peak(f: &Facts<'_>, out: &mut Vec<Finding>) {
    let t = &f.r.text;
    let Some((h, when)) = &f.abandon_peak else {
        return;
    };
    let total: u64 = f.r.metrics.hourly.iter().map(|h| h.abandoned).sum();
    let share = h.abandoned as f64 / total as f64;
    if total < ABANDON_PEAK_MIN_ABANDONS || share < ABANDON_PEAK_MIN_SHARE {
        return;
    }
    out.push(finding(
        "abandon_peak".into(),
        Severity::Medium,
        t.finding(
            "abandon_peak",
            &[
                ("when", when.clone()),
                ("n", h.abandoned.to_string()),
                ("share", pct(Some(share))),
            ],
        ),
        t.finding("abandon_peak_suggestion", &[("when", when.clone())]),
    ));
}

/// Complaint types rising against the previous period.
fn complaint_rising(f: &Facts<'_>, out: &mut Vec<Finding>) {
    let t = &f.r.text;
    for c in &f.r.metrics.complaint_types {
        let Some(prev) = c.previous_complaints else {
            continue;
        };
        let n = c.row.complaints;
        if n < RISING_MIN_COMPLAINTS
            || n < prev + RISING_MIN_MORE
            || (n as f64) < RISING_MIN_RATIO * prev.max(1) as f64
        {
            continue;
        }
        let ty = c
            .row
            .complaint_type
            .clone()
            .unwrap_or_else(|| t.label("none"));
        out.push(finding(
            format!("complaint_rising:{ty}"),
            Severity::Medium,
            t.finding(
                "complaint_rising",
                &[
                    ("type", ty.clone()),
                    ("n", n.to_string()),
                    ("prev", prev.to_string()),
                    ("change", pct(Some(n as f64 / prev.max(1) as f64 - 1.0))),
                ],
            ),
            t.finding("complaint_rising_suggestion", &[("type", ty)]),
        ));
    }
}

/// Volume peaks on the first working days after a holiday: at least the contract's
/// `[peaks] volume_factor` times the median day (both from the KPI stage's peaks).
fn holiday_peak(f: &Facts<'_>, out: &mut Vec<Finding>) {
    let (t, m) = (&f.r.text, &f.r.metrics);
    let Some(cal) = f.calendar else {
        return;
    };
    let Some(median) = m.peaks.median_day_contacts.filter(|&v| v > 0.0) else {
        return;
    };
    let peaks: Vec<&DayRow> = m
        .daily
        .iter()
        .filter(|d| {
            let Ok(day) = chrono::NaiveDate::parse_from_str(&d.date, "%Y-%m-%d") else {
                return false;
            };
            let after_holiday = day.pred_opt().is_some_and(|p| cal.holidays.contains(&p));
            !cal.windows_of(day).is_empty()
                && after_holiday
                && d.contacts as f64 >= m.peaks.volume_factor * median
        })
        .collect();
    let Some(top) = peaks.iter().max_by_key(|d| d.contacts) else {
        return;
    };
    let dates: Vec<&str> = peaks.iter().map(|d| d.date.as_str()).collect();
    out.push(finding(
        "holiday_peak".into(),
        Severity::Medium,
        t.finding(
            "holiday_peak",
            &[
                ("dates", dates.join(&t.label("list_separator"))),
                ("n", top.contacts.to_string()),
                ("ratio", format!("{:.1}", top.contacts as f64 / median)),
                ("median", format!("{median:.0}")),
                ("sl", pct(top.service_level)),
            ],
        ),
        t.finding("holiday_peak_suggestion", &[]),
    ));
}

/// Agents whose resolution rate is far below the team's.
fn agent_low_resolution(f: &Facts<'_>, out: &mut Vec<Finding>) {
    let (t, m) = (&f.r.text, &f.r.metrics);
    let Some(team_rate) = m.overall.resolution_rate else {
        return;
    };
    for a in &m.agents {
        let Some(rate) = a.resolution_rate else {
            continue;
        };
        let enough = a.answered >= f.r.terms.min_person_contacts;
        if !enough || rate >= team_rate - AGENT_RESOLUTION_GAP {
            continue;
        }
        out.push(finding(
            format!("agent_low_resolution:{}", a.agent_id),
            Severity::Low,
            t.finding(
                "agent_low_resolution",
                &[
                    ("agent", agent_label(&a.agent_id, a.agent_name.as_deref())),
                    ("rate", pct(Some(rate))),
                    ("n", a.answered.to_string()),
                    ("team_rate", pct(Some(team_rate))),
                ],
            ),
            t.finding("agent_low_resolution_suggestion", &[]),
        ));
    }
}

/// Service level on peak days (holidays, the days around them, unusually busy days) well
/// below the other days' (the contract's `[peaks] service_level_drop`): the provider did not
/// staff for the peak.
fn peak_staffing(f: &Facts<'_>, out: &mut Vec<Finding>) {
    let (t, m) = (&f.r.text, &f.r.metrics);
    let p = &m.peaks;
    let (Some(peak), Some(other)) = (p.peak_service_level, p.other_service_level) else {
        return;
    };
    let drop = f.r.terms.peaks_drop;
    // Enough calls on both sides for the gap to mean something.
    let base = |peak: bool| -> u64 {
        m.daily
            .iter()
            .filter(|d| d.peak.is_some() == peak)
            .map(|d| d.service_level_base)
            .sum()
    };
    if peak > other - drop || base(true) < PEAK_MIN_BASE || base(false) < PEAK_MIN_BASE {
        return;
    }
    // The three peak days with the lowest service level, as evidence.
    let mut worst: Vec<&DayRow> = m
        .daily
        .iter()
        .filter(|d| d.peak.is_some() && d.service_level.is_some())
        .collect();
    worst.sort_by(|a, b| {
        a.service_level
            .partial_cmp(&b.service_level)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.date.cmp(&b.date))
    });
    let days: Vec<String> = worst
        .iter()
        .take(3)
        .map(|d| {
            let kind = t.label(&format!("peak_{}", d.peak.as_deref().unwrap_or("")));
            format!("{} ({kind}) {}", d.date, pct(d.service_level))
        })
        .collect();
    let severity = if other - peak >= 2.0 * drop {
        Severity::High
    } else {
        Severity::Medium
    };
    out.push(finding(
        "peak_staffing".into(),
        severity,
        t.finding(
            "peak_staffing",
            &[
                ("n", p.peak_days.to_string()),
                ("peak_sl", pct(Some(peak))),
                ("other_sl", pct(Some(other))),
                ("days", days.join("; ")),
                ("clause", f.r.terms.peaks_clause.clone().unwrap_or_default()),
            ],
        ),
        t.finding("peak_staffing_suggestion", &[]),
    ));
}

/// Order sub-types resolved far less often than orders as a whole.
fn order_type_unresolved(f: &Facts<'_>, out: &mut Vec<Finding>) {
    let (t, m) = (&f.r.text, &f.r.metrics);
    let Some(all) = m.orders.resolved_rate else {
        return;
    };
    for o in &m.orders.types {
        let Some(rate) = o.resolved_rate else {
            continue;
        };
        if o.contacts < ORDER_MIN_CONTACTS || rate > all - ORDER_RESOLVED_GAP {
            continue;
        }
        let name = t.order_type(&o.order_type);
        out.push(finding(
            format!("order_type_unresolved:{}", o.order_type),
            Severity::Medium,
            t.finding(
                "order_unresolved",
                &[
                    ("type", name.clone()),
                    ("rate", pct(Some(rate))),
                    ("n", o.contacts.to_string()),
                    ("all_rate", pct(Some(all))),
                ],
            ),
            t.finding("order_unresolved_suggestion", &[("type", name)]),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_a_distinct_name() {
        let mut names: Vec<&str> = RULES.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), RULES.len());
    }
}
