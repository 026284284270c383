//! `evidence/<sla id>.csv`: the whole list of the contacts that missed each missed SLA
//! over contacts (of the inspections that did not pass, for one over inspections), one file
//! per SLA (UTF-8 with a byte-order mark, so that Excel reads the
//! Chinese headers), beside the workbook whose 未达标明细 sheet shows the first
//! [`SHEET_LINES`]. A list of millions is written a range of lines at a time, the ranges
//! worded in parallel and written in order.

use super::{write_err, Output, Renderer};
use crate::error::Result;
use crate::report::{evidence_file, Report, EVIDENCE_COLUMNS, INSPECTION_EVIDENCE_COLUMNS};
use rayon::prelude::*;
use std::path::Path;

/// The most lines of one SLA's list the workbook shows.
pub const SHEET_LINES: usize = 1000;
/// Lines worded at a time by one thread.
const RANGE_LINES: usize = 20_000;

pub struct EvidenceCsv;

/// Lines `from..from + RANGE_LINES` of `list` as CSV.
fn lines(
    report: &Report,
    list: &crate::report::EvidenceList,
    from: usize,
    fail: &(dyn Fn(&dyn std::fmt::Display) -> crate::error::Error + Sync),
) -> Result<Vec<u8>> {
    // About 110 bytes a line: sized once, not grown by copying.
    let mut part = csv::Writer::from_writer(Vec::with_capacity(RANGE_LINES * 128));
    let mut failed = None;
    report.each_evidence_line(list, from..from + RANGE_LINES, &mut |l| {
        if let Err(e) = part.write_record(l) {
            failed.get_or_insert(e);
        }
    });
    if let Some(e) = failed {
        return Err(fail(&e));
    }
    part.into_inner().map_err(|e| fail(&e))
}

impl Renderer for EvidenceCsv {
    fn name(&self) -> &'static str {
        "evidence"
    }

    fn render(&self, report: &Report, out: &mut dyn Output) -> Result<()> {
        for list in &report.evidence {
            let rel = evidence_file(&list.sla);
            let fail = |e: &dyn std::fmt::Display| write_err(&rel, e);
            out.file(Path::new(&rel), &mut |w| {
                let mut head = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
                if list.inspections.is_some() {
                    // An inspection list is short (inspections are sampled): whole.
                    head.write_record(report.text.labels(INSPECTION_EVIDENCE_COLUMNS))
                        .map_err(|e| fail(&e))?;
                    for line in report.inspection_lines(list) {
                        head.write_record(&line).map_err(|e| fail(&e))?;
                    }
                } else {
                    head.write_record(report.text.labels(EVIDENCE_COLUMNS))
                        .map_err(|e| fail(&e))?;
                }
                w.write_all(&head.into_inner().map_err(|e| fail(&e))?)
                    .map_err(|e| fail(&e))?;
                let n = list.rows.len();
                let batch = RANGE_LINES * rayon::current_num_threads().max(1);
                // One batch is written (and hashed) while the next is worded.
                let word = |start: usize| -> Vec<Result<Vec<u8>>> {
                    (start..n.min(start + batch))
                        .step_by(RANGE_LINES)
                        .collect::<Vec<_>>()
                        .into_par_iter()
                        .map(|from| lines(report, list, from, &fail))
                        .collect()
                };
                let mut done = word(0);
                for start in (batch..n + batch).step_by(batch) {
                    let next = std::thread::scope(|s| -> Result<Vec<Result<Vec<u8>>>> {
                        let next = s.spawn(|| if start < n { word(start) } else { Vec::new() });
                        for part in done.drain(..) {
                            w.write_all(&part?).map_err(|e| fail(&e))?;
                        }
                        next.join()
                            .map_err(|_| fail(&"a thread wording the lines failed"))
                    })?;
                    done = next;
                }
                Ok(())
            })?;
        }
        Ok(())
    }
}
