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
    let mut out = Vec::with_capacity(RANGE_LINES * 128);
    let mut failed = None;
    report.each_evidence_line(list, from..from + RANGE_LINES, &mut |l| {
        if let Err(e) = csv_line(&mut out, &l) {
            failed.get_or_insert(e);
        }
    });
    if let Some(e) = failed {
        return Err(fail(&e));
    }
    Ok(out)
}

/// One CSV record, as the `csv` crate writes it: a line whose fields hold no comma, quote
/// or line break (nearly every line) is the fields joined by commas, checked once joined
/// (no quote or line break, no comma but the separators) instead of field by field; any
/// other line is written by the crate.
fn csv_line(out: &mut Vec<u8>, fields: &[&str]) -> csv::Result<()> {
    let start = out.len();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(f.as_bytes());
    }
    // Two vectorized searches over the line (a byte loop took a fifth of the wording).
    let line = &out[start..];
    let plain = fields.len() > 1
        && memchr::memchr3(b'"', b'\n', b'\r', line).is_none()
        && memchr::memchr_iter(b',', line).count() == fields.len() - 1;
    if plain {
        out.push(b'\n');
        return Ok(());
    }
    out.truncate(start);
    let mut w = csv::Writer::from_writer(out);
    w.write_record(fields)?;
    w.flush()?;
    Ok(())
}

impl Renderer for EvidenceCsv {
    fn name(&self) -> &'static str {
        "evidence"
    }

    fn large(&self) -> bool {
        true
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
                // Four ranges a thread a batch: a thread done early with its range takes
                // another rather than wait for the batch's last.
                let batch = RANGE_LINES * 4 * rayon::current_num_threads().max(1);
                let word = |start: usize| -> Vec<Result<Vec<u8>>> {
                    (start..n.min(start + batch))
                        .step_by(RANGE_LINES)
                        .collect::<Vec<_>>()
                        .into_par_iter()
                        .map(|from| lines(report, list, from, &fail))
                        .collect()
                };
                // The batches are worded in order on a thread of their own, a few ahead of
                // the one being written (and hashed) here: neither waits for the other
                // batch by batch.
                std::thread::scope(|s| -> Result<()> {
                    let (tx, rx) = std::sync::mpsc::sync_channel(2);
                    let wording = s.spawn(move || {
                        for start in (0..n).step_by(batch) {
                            // A failed send: the writing stopped on an error.
                            if tx.send(word(start)).is_err() {
                                return;
                            }
                        }
                    });
                    for parts in rx {
                        for part in parts {
                            w.write_all(&part?).map_err(|e| fail(&e))?;
                        }
                    }
                    wording
                        .join()
                        .map_err(|_| fail(&"a thread wording the lines failed"))
                })?;
                Ok(())
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// A line is what the `csv` crate writes, whatever its fields hold.
        #[test]
        fn a_line_is_what_the_csv_crate_writes(
            fields in proptest::collection::vec("[a-z0-9 ,\"\r\n张-]{0,6}", 1..9)
        ) {
            let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
            let mut fast = Vec::new();
            csv_line(&mut fast, &refs).unwrap();
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(&refs).unwrap();
            proptest::prop_assert_eq!(fast, w.into_inner().unwrap());
        }
    }
}
