//! The integrity checks (数据核查) in words: each check's name, what it found against what
//! is expected, the agents (hours, channels) it concerns, and why it matters. The counts
//! are [`crate::kpi::integrity`]'s.

use super::{count, pct, Report};
use crate::kpi::integrity::Check;

/// Column label keys of the 数据核查 table.
pub const INTEGRITY_COLUMNS: &[&str] = &[
    "integrity_check",
    "integrity_result",
    "integrity_concerns",
    "integrity_why",
];

impl Report {
    /// A check's result in words: not checked, nothing standing out, or what stands out.
    pub fn integrity_result(&self, c: &Check) -> String {
        let t = &self.text;
        if !c.measured {
            return t.label("integrity_not_measured");
        }
        let expected = match (c.id.as_str(), c.expected) {
            ("short_talk" | "survey_skew", Some(p)) => pct(Some(p)),
            (_, Some(x)) => format!("{x:.1}"),
            _ => String::new(),
        };
        let key = match (c.flagged, c.expected.is_some()) {
            (true, true) => "integrity_flagged",
            (false, true) => "integrity_clear",
            (true, false) => "integrity_flagged_count",
            (false, false) => "integrity_clear_count",
        };
        t.label(key)
            .replace("{rows}", &count(c.rows))
            .replace("{expected}", &expected)
    }

    /// The agents a check names (`A017 12/40`), else its examples.
    pub fn integrity_concerns(&self, c: &Check) -> String {
        let sep = self.text.label("list_separator");
        if !c.channels.is_empty() {
            return c
                .channels
                .iter()
                .map(|(ch, k, x)| {
                    self.text
                        .label("integrity_channel")
                        .replace("{channel}", &self.text.channel(ch))
                        .replace("{rows}", &count(*k))
                        .replace("{expected}", &format!("{x:.1}"))
                })
                .collect::<Vec<_>>()
                .join(&sep);
        }
        if c.agents.is_empty() {
            return c.examples.join(&sep);
        }
        c.agents
            .iter()
            .map(|(a, k, n)| format!("{a} {}/{}", count(*k), count(*n)))
            .collect::<Vec<_>>()
            .join(&sep)
    }

    /// The 数据核查 table.
    pub fn integrity_lines(&self) -> Vec<[String; 4]> {
        let t = &self.text;
        self.metrics
            .integrity
            .checks
            .iter()
            .map(|c| {
                [
                    t.label(&format!("integrity_{}", c.id)),
                    self.integrity_result(c),
                    self.integrity_concerns(c),
                    t.label(&format!("integrity_{}_why", c.id)),
                ]
            })
            .collect()
    }
}
