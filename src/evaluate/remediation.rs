//! Remediation tracking (整改跟踪): each problem of a period (a missed SLA, an indicator that
//! lost points, an integrity finding) keeps a stable id, gets a deadline (整改期限) from the
//! contract, and is followed from one month to the next through the history: a problem of
//! the period before that is gone now is resolved (已整改), one still there is still open
//! (仍未整改, with its first month and deadline carried over), one that had gone and came
//! back is recurring (复发), the rest are new (新发现).
//!
//! This module decides states only; which findings are problems, and their wording, is the
//! report stage's (`report::remediation`).

use super::{previous_period, HistoryEntry};
use crate::config::Period;
use serde::{Deserialize, Serialize};

/// Where a problem stands in this period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemStatus {
    /// Found this period, never before.
    New,
    /// Found this period and in the period before: not remedied.
    Open,
    /// Found this period, not in the period before, but in an earlier one.
    Recurring,
    /// Found in the period before, not this period.
    Resolved,
}

impl ProblemStatus {
    /// The text tables' key of the status (`remediation_open`).
    pub fn key(self) -> &'static str {
        match self {
            ProblemStatus::New => "remediation_new",
            ProblemStatus::Open => "remediation_open",
            ProblemStatus::Recurring => "remediation_recurring",
            ProblemStatus::Resolved => "remediation_resolved",
        }
    }
}

/// One tracked problem.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Problem {
    /// Stable from month to month: the finding's id (`sla_missed:fcr`), or `indicator:<id>`.
    pub id: String,
    pub title: String,
    pub status: ProblemStatus,
    /// The first day of the period in which this episode of the problem was first found.
    pub first_period: String,
    /// The day by which it is to be remedied (`YYYY-MM-DD`).
    pub deadline: String,
}

/// A period's remediation list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Remediation {
    /// `[report] remediation_days`.
    pub days: u32,
    /// The period before (its first day) whose problems were checked; null when the
    /// history does not have it, and then nothing can be called resolved or still open.
    pub previous_period: Option<String>,
    /// Problems not remedied: new, still open and recurring.
    pub open: usize,
    pub resolved: usize,
    /// This period's problems in the order found, then those resolved.
    pub problems: Vec<Problem>,
}

/// A problem found this period: its id and heading.
pub struct Found {
    pub id: String,
    pub title: String,
}

/// The remediation list of `period`, from its problems and the history's lists.
pub fn track(found: &[Found], period: Period, history: &[HistoryEntry], days: u32) -> Remediation {
    let start = period.start.to_string();
    let deadline = period
        .end
        .checked_add_days(chrono::Days::new(u64::from(days).saturating_sub(1)))
        .map_or_else(String::new, |d| d.to_string());
    let previous = previous_period(history, period);
    let unresolved = |h: &HistoryEntry| -> Vec<Problem> {
        h.remediation
            .iter()
            .flat_map(|r| r.problems.iter())
            .filter(|p| p.status != ProblemStatus::Resolved)
            .cloned()
            .collect()
    };
    let before: Vec<Problem> = previous.map(unresolved).unwrap_or_default();
    let earlier: Vec<Problem> = history
        .iter()
        .filter(|h| h.period.start < previous.map_or(start.clone(), |p| p.period.start.clone()))
        .flat_map(unresolved)
        .collect();
    let mut problems: Vec<Problem> = Vec::new();
    for f in found {
        if problems.iter().any(|p| p.id == f.id) {
            continue;
        }
        let p = match before.iter().find(|p| p.id == f.id) {
            Some(b) => Problem {
                status: ProblemStatus::Open,
                title: f.title.clone(),
                ..b.clone()
            },
            None => Problem {
                id: f.id.clone(),
                title: f.title.clone(),
                status: if earlier.iter().any(|p| p.id == f.id) {
                    ProblemStatus::Recurring
                } else {
                    ProblemStatus::New
                },
                first_period: start.clone(),
                deadline: deadline.clone(),
            },
        };
        problems.push(p);
    }
    let open = problems.len();
    for b in &before {
        if !problems.iter().any(|p| p.id == b.id) {
            problems.push(Problem {
                status: ProblemStatus::Resolved,
                ..b.clone()
            });
        }
    }
    Remediation {
        days,
        previous_period: previous.map(|p| p.period.start.clone()),
        open,
        resolved: problems.len() - open,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::HistoryPeriod;

    fn month(m: u32) -> Period {
        let d = |m: u32| chrono::NaiveDate::from_ymd_opt(2026, m, 1).unwrap();
        Period {
            start: d(m),
            end: d(m + 1),
        }
    }

    fn found(ids: &[&str]) -> Vec<Found> {
        ids.iter()
            .map(|id| Found {
                id: id.to_string(),
                title: format!("title of {id}"),
            })
            .collect()
    }

    /// What the history holds of a period: its first and last day and its list.
    fn entry(p: Period, r: Remediation) -> HistoryEntry {
        let json = serde_json::json!({
            "contract_id": "c",
            "period": {"start": p.start.to_string(), "end": p.end.to_string()},
            "remediation": r,
        });
        let mut h: HistoryEntry = serde_json::from_value(json).unwrap();
        h.period = HistoryPeriod {
            start: p.start.to_string(),
            end: p.end.to_string(),
        };
        h
    }

    fn states(r: &Remediation) -> Vec<(&str, ProblemStatus, &str, &str)> {
        r.problems
            .iter()
            .map(|p| {
                (
                    p.id.as_str(),
                    p.status,
                    p.first_period.as_str(),
                    p.deadline.as_str(),
                )
            })
            .collect()
    }

    /// Four months, 15 days to remedy (a deadline is the period's last day + 15 days):
    /// - August: `sla_missed:fcr` and `integrity:short_talk` found: both new, deadline
    ///   2026-08-31 + 15 = 2026-09-15; 2 open.
    /// - September: `sla_missed:fcr` again: still open, its August start and deadline kept;
    ///   `integrity:short_talk` gone: resolved; 1 open, 1 resolved.
    /// - October: nothing found: `sla_missed:fcr` resolved; 0 open.
    /// - November: `integrity:short_talk` back: not in October, but in August: recurring,
    ///   a new deadline 2026-11-30 + 15 = 2026-12-15; `sla_missed:fcr`, resolved in October,
    ///   is no longer listed.
    #[test]
    fn a_problem_is_new_then_still_open_then_resolved_and_one_recurs() {
        let aug = track(
            &found(&["sla_missed:fcr", "integrity:short_talk"]),
            month(8),
            &[],
            15,
        );
        use ProblemStatus::*;
        assert_eq!(
            states(&aug),
            [
                ("sla_missed:fcr", New, "2026-08-01", "2026-09-15"),
                ("integrity:short_talk", New, "2026-08-01", "2026-09-15"),
            ]
        );
        assert_eq!(
            (aug.open, aug.resolved, aug.previous_period.as_deref()),
            (2, 0, None)
        );
        let mut history = vec![entry(month(8), aug)];
        let sep = track(&found(&["sla_missed:fcr"]), month(9), &history, 15);
        assert_eq!(
            states(&sep),
            [
                ("sla_missed:fcr", Open, "2026-08-01", "2026-09-15"),
                ("integrity:short_talk", Resolved, "2026-08-01", "2026-09-15"),
            ]
        );
        assert_eq!((sep.open, sep.resolved), (1, 1));
        assert_eq!(sep.previous_period.as_deref(), Some("2026-08-01"));
        history.push(entry(month(9), sep));
        let oct = track(&found(&[]), month(10), &history, 15);
        assert_eq!(
            states(&oct),
            [("sla_missed:fcr", Resolved, "2026-08-01", "2026-09-15")]
        );
        assert_eq!((oct.open, oct.resolved), (0, 1));
        history.push(entry(month(10), oct));
        let nov = track(&found(&["integrity:short_talk"]), month(11), &history, 15);
        assert_eq!(
            states(&nov),
            [(
                "integrity:short_talk",
                Recurring,
                "2026-11-01",
                "2026-12-15"
            )]
        );
    }

    /// Without the period before in the history, nothing is called still open or resolved:
    /// a problem of two months ago found again is recurring. 10 days to remedy: August's
    /// deadline is 2026-08-31 + 10 = 2026-09-10, October's 2026-10-31 + 10 = 2026-11-10.
    #[test]
    fn a_gap_in_the_history_resolves_nothing() {
        let aug = track(&found(&["sla_missed:fcr"]), month(8), &[], 10);
        assert_eq!(aug.problems[0].deadline, "2026-09-10");
        let history = vec![entry(month(8), aug)];
        let oct = track(&found(&["sla_missed:fcr"]), month(10), &history, 10);
        assert_eq!(
            states(&oct),
            [(
                "sla_missed:fcr",
                ProblemStatus::Recurring,
                "2026-10-01",
                "2026-11-10"
            )]
        );
        assert_eq!(oct.previous_period, None);
    }
}
