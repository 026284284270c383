//! `evidence/<sla id>.csv`: the list of the contacts that missed each missed SLA over
//! contacts, one file per SLA (UTF-8 with a byte-order mark, so that Excel reads the
//! Chinese headers), up to [`CSV_LINES`] lines, beside the workbook whose 未达标明细 sheet
//! shows the first [`SHEET_LINES`].

use super::Renderer;
use crate::error::{Error, Result};
use crate::report::{Report, EVIDENCE_COLUMNS};
use std::path::PathBuf;

/// The most lines of one SLA's list the workbook shows.
pub const SHEET_LINES: usize = 1000;
/// The most lines of one SLA's list its CSV file holds (see [`crate::kpi::EVIDENCE_LINES`]).
pub const CSV_LINES: usize = crate::kpi::EVIDENCE_LINES;

pub struct EvidenceCsv;

/// The CSV file of SLA `id`'s list.
pub fn file_name(id: &str) -> String {
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("evidence/{safe}.csv")
}

impl Renderer for EvidenceCsv {
    fn name(&self) -> &'static str {
        "evidence"
    }

    fn render(&self, report: &Report) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        let fail = |e: &dyn std::fmt::Display| {
            Error::runtime(format!("cannot write the evidence lists: {e}"))
        };
        let mut out = Vec::new();
        for list in &report.evidence {
            let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
            w.write_record(report.text.labels(EVIDENCE_COLUMNS))
                .map_err(|e| fail(&e))?;
            for line in report.evidence_lines(list, CSV_LINES) {
                w.write_record(&line).map_err(|e| fail(&e))?;
            }
            let bytes = w.into_inner().map_err(|e| fail(&e))?;
            out.push((PathBuf::from(file_name(&list.sla)), bytes));
        }
        Ok(out)
    }
}
