//! `[report]`: what the written evaluation report (评估报告, `report.docx`) says of itself
//! and of its remediation terms: the evaluator on the cover and in the sign-off, the
//! report number's pattern, the documents the evaluation is based on, the days the provider
//! has to remedy a problem (整改期限), and whether the Word document is written at all.
//! Checked here; used by `report` and `render`. Nothing here reads contact data.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The placeholders a report number may use.
pub const NUMBER_PLACEHOLDERS: &[&str] = &["{contract}", "{year}", "{month}"];

/// `[report]`, with its defaults.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReportCfg {
    /// 评估单位: who evaluates (cover, sign-off). Unnamed when not given.
    #[serde(default)]
    pub evaluator: Option<String>,
    /// 报告编号: `{contract}` (the contract id), `{year}` and `{month}` (the period's start,
    /// the month as two digits).
    #[serde(default = "default_number")]
    pub number: String,
    /// 评估依据: the documents the evaluation rests on besides the contract itself.
    #[serde(default)]
    pub basis: Vec<String>,
    /// 整改期限: days after the period's last day by which a problem found is to be remedied.
    #[serde(default = "fifteen")]
    pub remediation_days: u32,
    /// Write `report.docx` in a monthly report folder.
    #[serde(default = "yes")]
    pub docx: bool,
}

fn default_number() -> String {
    "{contract}-{year}{month}".into()
}
fn fifteen() -> u32 {
    15
}
fn yes() -> bool {
    true
}

impl Default for ReportCfg {
    fn default() -> Self {
        ReportCfg {
            evaluator: None,
            number: default_number(),
            basis: Vec::new(),
            remediation_days: fifteen(),
            docx: yes(),
        }
    }
}

impl ReportCfg {
    /// The report number of the period starting `start` (`YYYY-MM-DD`) under `contract`.
    pub fn number_of(&self, contract: &str, start: &str) -> String {
        let (year, month) = (start.get(0..4).unwrap_or(""), start.get(5..7).unwrap_or(""));
        self.number
            .replace("{contract}", contract)
            .replace("{year}", year)
            .replace("{month}", month)
    }

    /// Refuse a pattern with an unknown placeholder and an impossible remediation term.
    pub fn check(&self, path: &Path) -> Result<()> {
        let mut rest = self.number.clone();
        for p in NUMBER_PLACEHOLDERS {
            rest = rest.replace(p, "");
        }
        if rest.contains('{') || rest.contains('}') || self.number.trim().is_empty() {
            return Err(Error::usage(format!(
                "{}: report.number `{}` is not a report number pattern",
                path.display(),
                self.number
            ))
            .with_hint("use text and the placeholders {contract}, {year} and {month}"));
        }
        if !(1..=366).contains(&self.remediation_days) {
            return Err(Error::usage(format!(
                "{}: report.remediation_days = {} is outside 1–366",
                path.display(),
                self.remediation_days
            ))
            .with_hint("the days the provider has to remedy a problem, e.g. 15"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_number_fills_its_placeholders_and_unknown_ones_are_refused() {
        let c = ReportCfg::default();
        assert_eq!(c.number_of("EXP-2026", "2026-10-01"), "EXP-2026-202610");
        let c = ReportCfg {
            number: "PG〔{year}〕{month}号".into(),
            ..ReportCfg::default()
        };
        assert_eq!(c.number_of("x", "2026-03-01"), "PG〔2026〕03号");
        assert!(c.check(Path::new("c.toml")).is_ok());
        let bad = ReportCfg {
            number: "{contract}-{yyyymm}".into(),
            ..ReportCfg::default()
        };
        let e = bad.check(Path::new("c.toml")).unwrap_err().to_string();
        assert!(e.contains("report.number"), "{e}");
        let bad = ReportCfg {
            remediation_days: 0,
            ..ReportCfg::default()
        };
        assert!(bad.check(Path::new("c.toml")).is_err());
    }
}
