//! Workbook reading (XLSX/XLSM/XLS/XLSB/ODS) with calamine: the zip-bomb check, the sheet
//! choice, typed cells (numbers, dates, durations) and the streaming XLSX reader that never
//! allocates a sheet's declared area. Nothing here knows canonical columns.

use super::{Cell, RowSink};
use crate::config::read::{Limits, ReadOptions};
use crate::error::{Error, Result};
use crate::util::InputFile;
use calamine::{open_workbook_auto_from_rs, Data, Reader};
use std::path::Path;

/// Refuse a workbook whose zip entries declare more uncompressed data than the limit (a zip
/// bomb), before any of it is inflated.
pub(super) fn check_zip(path: &Path, bytes: &[u8], limits: Limits) -> Result<()> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| {
        Error::input(format!("{}: cannot open the workbook: {e}", path.display()))
            .with_hint("the file may be damaged or not really a spreadsheet; re-export it")
    })?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| {
            Error::input(format!("{}: cannot open the workbook: {e}", path.display()))
                .with_hint("the file may be damaged; re-export it")
        })?;
        total = total.saturating_add(entry.size());
    }
    if total > limits.max_uncompressed_bytes {
        return Err(Error::input(format!(
            "{}: the workbook declares {total} bytes uncompressed, over the limit of {} bytes (a zip bomb?)",
            path.display(),
            limits.max_uncompressed_bytes
        ))
        .with_hint("re-export the sheet as CSV, or raise --max-uncompressed-mb if the file is genuine"));
    }
    Ok(())
}

/// The sheet to read: the one the options name, else the first.
pub(super) fn pick_sheet(path: &Path, names: &[String], opts: &ReadOptions) -> Result<String> {
    match &opts.sheet {
        Some(want) => names.iter().find(|n| *n == want).cloned().ok_or_else(|| {
            Error::input(format!("{}: no sheet `{want}`", path.display()))
                .with_hint(format!("the workbook's sheets: {}", names.join(", ")))
        }),
        None => names
            .first()
            .cloned()
            .ok_or_else(|| Error::input(format!("{}: the workbook has no sheet", path.display()))),
    }
}

/// Convert one workbook value to a cell (shared by the dense and the streaming readers).
pub(super) fn excel_cell<'a>(v: &'a calamine::DataRef<'a>) -> Cell<'a> {
    use calamine::DataRef as D;
    match v {
        D::Empty | D::Error(_) => Cell::Empty,
        D::String(s) | D::DateTimeIso(s) | D::DurationIso(s) => Cell::Text(s.as_str()),
        D::SharedString(s) => Cell::Text(s),
        D::Int(i) => Cell::Number(*i as f64),
        D::Float(f) => Cell::Number(*f),
        D::Bool(b) => Cell::Bool(*b),
        D::DateTime(dt) => excel_datetime(dt),
    }
}

pub(super) fn excel_datetime<'a>(dt: &calamine::ExcelDateTime) -> Cell<'a> {
    // A pure time of day (value below one day) is kept as seconds: it is either a duration
    // stored as a time (talk time) or the time half of a date + time.
    if dt.is_duration() || dt.as_f64() < 1.0 {
        Cell::Duration(dt.as_f64() * 86_400.0)
    } else {
        match dt.as_datetime() {
            Some(t) => Cell::DateTime(t),
            None => Cell::Number(dt.as_f64()),
        }
    }
}

/// A file's bytes shared between the reader and the fingerprinting thread.
#[derive(Clone)]
pub(super) struct SharedBytes(pub(super) std::sync::Arc<Vec<u8>>);

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// XLSX/XLSM with calamine's streaming cell reader: cells arrive row by row and no dense
/// range is allocated, so a sheet whose used area is declared (or padded) to a million rows
/// by 16,384 columns costs only the cells it really holds.
pub(super) fn read_xlsx_streaming(
    file: &mut InputFile,
    bytes: SharedBytes,
    opts: &ReadOptions,
    sink: &mut dyn RowSink,
) -> Result<()> {
    use calamine::{DataRef, Xlsx};
    let path = file.path.clone();
    let bad = |e: &dyn std::fmt::Display| {
        Error::input(format!("{}: cannot open the workbook: {e}", path.display()))
            .with_hint("the file may be damaged or not really a spreadsheet; re-export it")
    };
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| bad(&e))?;
    let sheet = pick_sheet(&path, &wb.sheet_names(), opts)?;
    let mut reader = wb.worksheet_cells_reader(&sheet).map_err(|e| {
        Error::input(format!(
            "{}: sheet `{sheet}`: cannot read: {e}",
            path.display()
        ))
    })?;
    let header_row = opts.header_row.unwrap_or(0);
    let mut header_seen = false;
    let mut current: Option<u32> = None;
    let mut row_vals: Vec<(u32, DataRef)> = Vec::new();
    let mut flush =
        |row: u32, vals: &mut Vec<(u32, DataRef)>, header_seen: &mut bool| -> Result<()> {
            let width = vals.iter().map(|(c, _)| *c as usize + 1).max().unwrap_or(0);
            let mut cells: Vec<Cell> = vec![Cell::Empty; width];
            for (c, v) in vals.iter() {
                cells[*c as usize] = excel_cell(v);
            }
            let user_row = row as u64 + 1;
            let blank = cells.iter().all(|c| c.is_empty());
            if !*header_seen {
                if user_row >= header_row && !blank {
                    let headers: Vec<String> = cells.iter().map(|c| c.to_text()).collect();
                    sink.header(file, &headers)?;
                    *header_seen = true;
                }
            } else if !blank {
                file.rows += 1;
                sink.row(user_row, &cells);
            }
            vals.clear();
            Ok(())
        };
    // calamine parses the sheet on a second thread while this one checks the rows it has
    // already parsed: the sheet's XML is read once, and the checks cost no extra time as
    // long as they keep up with the parsing.
    type Batch<'a> = std::result::Result<Vec<(u32, u32, DataRef<'a>)>, String>;
    const BATCH: usize = 1 << 16;
    std::thread::scope(|scope| -> Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch<'_>>(4);
        // Emptied batches go back to the parsing thread, so that no batch is allocated
        // (and its pages faulted in) more than once.
        let (back_tx, back_rx) = std::sync::mpsc::channel::<Vec<(u32, u32, DataRef<'_>)>>();
        scope.spawn(move || {
            let fresh = || {
                back_rx
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(BATCH))
            };
            let mut batch = fresh();
            loop {
                match reader.next_cell() {
                    Ok(Some(cell)) => {
                        let (r, c) = cell.get_position();
                        let v = cell.get_value().clone();
                        if !matches!(v, DataRef::Empty) {
                            batch.push((r, c, v));
                        }
                        if batch.len() >= BATCH {
                            let full = std::mem::replace(&mut batch, fresh());
                            if tx.send(Ok(full)).is_err() {
                                return;
                            }
                        }
                    }
                    Ok(None) => {
                        let _ = tx.send(Ok(batch));
                        return;
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e.to_string()));
                        return;
                    }
                }
            }
        });
        for batch in rx {
            let batch = batch.map_err(|e| {
                Error::input(format!(
                    "{}: sheet `{sheet}`: cannot read: {e}",
                    path.display()
                ))
            })?;
            let mut batch = batch;
            for (r, c, v) in batch.drain(..) {
                if current.is_some_and(|cur| cur != r) {
                    flush(current.unwrap_or(0), &mut row_vals, &mut header_seen)?;
                }
                current = Some(r);
                row_vals.push((c, v));
            }
            let _ = back_tx.send(batch);
        }
        Ok(())
    })?;
    if let Some(cur) = current {
        flush(cur, &mut row_vals, &mut header_seen)?;
    }
    if !header_seen {
        return Err(
            Error::input(format!("{}: sheet `{sheet}` is empty", path.display()))
                .with_hint("expected a header row and data rows"),
        );
    }
    Ok(())
}

pub(super) fn read_workbook(
    file: &mut InputFile,
    bytes: Vec<u8>,
    opts: &ReadOptions,
    sink: &mut dyn RowSink,
) -> Result<()> {
    let path = file.path.clone();
    let mut wb = open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|e| {
        Error::input(format!("{}: cannot open the workbook: {e}", path.display()))
            .with_hint("the file may be damaged or not really a spreadsheet; re-export it")
    })?;
    let sheet = pick_sheet(&path, &wb.sheet_names(), opts)?;
    let range = wb.worksheet_range(&sheet).map_err(|e| {
        Error::input(format!(
            "{}: sheet `{sheet}`: cannot read: {e}",
            path.display()
        ))
    })?;
    let start_row = range.start().map(|(r, _)| r).unwrap_or(0) as u64;
    let start_col = range.start().map(|(_, c)| c).unwrap_or(0) as usize;
    let mut rows = range.rows();
    // Skip the rows above the header (1-based spreadsheet row numbers).
    let skip = opts
        .header_row
        .map_or(0, |h| h.saturating_sub(1).saturating_sub(start_row));
    let start_row = start_row + skip;
    for _ in 0..skip {
        rows.next();
    }
    let header_row = rows
        .next()
        .ok_or_else(|| Error::input(format!("{}: sheet `{sheet}` is empty", path.display())))?;
    let mut headers: Vec<String> = vec![String::new(); start_col];
    headers.extend(header_row.iter().map(|c| match c {
        Data::String(s) => s.trim().to_string(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }));
    sink.header(file, &headers)?;
    let mut cells: Vec<Cell> = Vec::new();
    for (i, row) in rows.enumerate() {
        cells.clear();
        cells.extend(std::iter::repeat_n(Cell::Empty, start_col));
        cells.extend(row.iter().map(|c| match c {
            Data::Empty | Data::Error(_) => Cell::Empty,
            Data::String(s) => Cell::Text(s.as_str()),
            Data::Int(i) => Cell::Number(*i as f64),
            Data::Float(f) => Cell::Number(*f),
            Data::Bool(b) => Cell::Bool(*b),
            Data::DateTime(dt) => excel_datetime(dt),
            Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.as_str()),
        }));
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        file.rows += 1;
        // Row numbers as Excel shows them: 1-based, header at start_row + 1.
        sink.row(start_row + i as u64 + 2, &cells);
    }
    Ok(())
}
