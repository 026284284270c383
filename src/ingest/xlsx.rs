//! Workbook reading (XLSX/XLSM/XLS/XLSB/ODS) with calamine: the zip-bomb check, the sheet
//! choice, typed cells (numbers, dates, durations) and the streaming XLSX reader that never
//! allocates a sheet's declared area. Nothing here knows canonical columns.

use super::merges::Merges;
use super::{guarded, header_note, Cell, HeaderRows, RowSink};
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

/// The sheet to read: the one the options name (hidden or not), else the first visible
/// worksheet (a hidden sheet before it is what the user does not see in Excel).
pub(super) fn pick_sheet(
    path: &Path,
    sheets: &[calamine::Sheet],
    opts: &ReadOptions,
) -> Result<String> {
    use calamine::{SheetType, SheetVisible};
    let listed = || {
        let all: Vec<String> = sheets
            .iter()
            .map(|s| match s.visible {
                SheetVisible::Visible => format!("`{}`", s.name),
                _ => format!("`{}` (hidden)", s.name),
            })
            .collect();
        format!("the workbook's sheets: {}", all.join(", "))
    };
    match &opts.sheet {
        Some(want) => sheets
            .iter()
            .find(|s| s.name == *want || s.name.trim() == want.trim())
            .map(|s| s.name.clone())
            .ok_or_else(|| {
                Error::input(format!("{}: no sheet `{want}`", path.display())).with_hint(listed())
            }),
        None => sheets
            .iter()
            .find(|s| s.visible == SheetVisible::Visible && s.typ == SheetType::WorkSheet)
            .map(|s| s.name.clone())
            .ok_or_else(|| {
                Error::input(format!(
                    "{}: the workbook has no visible worksheet",
                    path.display()
                ))
                .with_hint(format!(
                    "{}; name the sheet to read with `sheet` in a mapping profile's [source]",
                    listed()
                ))
            }),
    }
}

/// The names of a workbook's sheets other than `sheet`.
fn other_sheets(sheets: &[calamine::Sheet], sheet: &str) -> Vec<String> {
    sheets
        .iter()
        .filter(|s| s.name != sheet)
        .map(|s| s.name.clone())
        .collect()
}

/// The reason an Excel error value rejects the row whose column holds it.
pub(super) fn error_text(e: &calamine::CellErrorType) -> &'static str {
    use calamine::CellErrorType as E;
    match e {
        E::Div0 => crate::why_const!("excel_error", "#DIV/0!"),
        E::NA => crate::why_const!("excel_error", "#N/A"),
        E::Name => crate::why_const!("excel_error", "#NAME?"),
        E::Null => crate::why_const!("excel_error", "#NULL!"),
        E::Num => crate::why_const!("excel_error", "#NUM!"),
        E::Ref => crate::why_const!("excel_error", "#REF!"),
        E::Value => crate::why_const!("excel_error", "#VALUE!"),
        E::GettingData => crate::why_const!("excel_error", "#GETTING_DATA"),
    }
}

/// The reason a formula saved without its computed value rejects the row.
pub(super) const UNCOMPUTED: &str = crate::why_const!("uncomputed_formula");

/// Whether a number format displays its value as a percentage: a `%` outside quoted text,
/// escapes and brackets (`0%`, `0.0%`, but not `0"%"` or `[Red]0`).
pub(super) fn shows_percent(code: &str) -> bool {
    let (mut quoted, mut bracket, mut escaped) = (false, false, false);
    for c in code.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '[' if !quoted => bracket = true,
            ']' if !quoted => bracket = false,
            '%' if !quoted && !bracket => return true,
            _ => {}
        }
    }
    false
}

/// The number a percent-formatted cell displays (0.85 shown as 85% is 85), without the
/// binary noise of the multiplication.
pub(super) fn percent_value(v: f64) -> f64 {
    (v * 100.0 * 1e9).round() / 1e9
}

/// One workbook value as the streaming reader keeps it: a value, or a formula that has none.
#[derive(Clone)]
pub(super) enum Raw<'a> {
    Value(calamine::DataRef<'a>),
    Uncomputed,
}

/// Convert one workbook value to a cell.
pub(super) fn excel_cell<'a>(v: &'a Raw<'a>) -> Cell<'a> {
    use calamine::DataRef as D;
    let v = match v {
        Raw::Value(v) => v,
        Raw::Uncomputed => return Cell::Invalid(UNCOMPUTED),
    };
    match v {
        D::Empty => Cell::Empty,
        D::Error(e) => Cell::Invalid(error_text(e)),
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

/// Whether a cell position is inside Excel's grid (1,048,576 rows by 16,384 columns): a
/// damaged reference can come out anywhere, and a row as wide as its column number is
/// allocated.
fn on_grid((row, col): (u32, u32)) -> bool {
    row < crate::util::SHEET_ROWS && col < 16_384
}

/// The cells of a sheet whose number format displays a percentage, by (row, column): read
/// in a first pass over the sheet's styles, made only when the workbook has such a format.
fn percent_cells<RS: std::io::Read + std::io::Seek>(
    wb: &mut calamine::Xlsx<RS>,
    sheet: &str,
) -> std::result::Result<std::collections::HashSet<(u32, u32)>, calamine::XlsxError> {
    let mut reader = wb.worksheet_cells_reader(sheet)?;
    let percent: Vec<bool> = reader
        .styles()
        .iter()
        .map(|s| {
            s.number_format
                .as_ref()
                .is_some_and(|f| shows_percent(&f.format_code))
        })
        .collect();
    let mut cells = std::collections::HashSet::new();
    if percent.iter().any(|p| *p) {
        while let Some((r, c, style)) = reader.next_style_id()? {
            if percent.get(style).copied().unwrap_or(false) {
                cells.insert((r, c));
            }
        }
    }
    Ok(cells)
}

/// A batch of a sheet's cells (row, column, value), or why the sheet cannot be read.
type Batch<'a> = std::result::Result<Vec<(u32, u32, Raw<'a>)>, String>;
const BATCH: usize = 1 << 16;

/// The parsing thread of [`read_xlsx_streaming`]: every cell of the sheet, in batches, as
/// displayed (percentages), with formulas that have no saved value marked; a position off
/// Excel's grid or a parser failure ends the sheet with its reason.
fn parse_cells<'a, RS: std::io::Read + std::io::Seek>(
    reader: &mut calamine::XlsxCellReader<'a, RS>,
    percent: &std::collections::HashSet<(u32, u32)>,
    tx: &std::sync::mpsc::SyncSender<Batch<'a>>,
    back_rx: &std::sync::mpsc::Receiver<Vec<(u32, u32, Raw<'a>)>>,
) {
    use calamine::DataRef;
    let fresh = || {
        back_rx
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BATCH))
    };
    let mut batch = fresh();
    loop {
        let cell = match reader.next_cell_with_formula_metadata() {
            Ok(Some(cell)) => cell,
            Ok(None) => {
                let _ = tx.send(Ok(batch));
                return;
            }
            Err(e) => {
                let _ = tx.send(Err(e.to_string()));
                return;
            }
        };
        let (r, c) = cell.pos;
        if !on_grid(cell.pos) {
            let _ = tx.send(Err(format!(
                "a cell at row {} column {} is outside Excel's grid: the file is damaged",
                r as u64 + 1,
                c as u64 + 1
            )));
            return;
        }
        let v = match cell.value {
            DataRef::Empty if cell.formula.is_some() => Raw::Uncomputed,
            DataRef::Empty => continue,
            DataRef::Float(f) if percent.contains(&(r, c)) => {
                Raw::Value(DataRef::Float(percent_value(f)))
            }
            DataRef::Int(i) if percent.contains(&(r, c)) => {
                Raw::Value(DataRef::Float(percent_value(i as f64)))
            }
            v => Raw::Value(v),
        };
        batch.push((r, c, v));
        if batch.len() >= BATCH {
            let full = std::mem::replace(&mut batch, fresh());
            if tx.send(Ok(full)).is_err() {
                return;
            }
        }
    }
}

/// XLSX/XLSM with calamine's streaming cell reader: cells arrive row by row and no dense
/// range is allocated, so a sheet whose used area is declared (or padded) to a million rows
/// by 16,384 columns costs only the cells it really holds. Cells are read as displayed:
/// percentages as the number shown, merged regions filled, error values and formulas
/// without a saved value passed on as invalid cells (listed with the row if the column is
/// used); the workbook's date system goes to the sink before the header.
pub(super) fn read_xlsx_streaming(
    file: &mut InputFile,
    bytes: SharedBytes,
    opts: &ReadOptions,
    sink: &mut dyn RowSink,
) -> Result<()> {
    use calamine::Xlsx;
    let path = file.path.clone();
    let bad = |e: &dyn std::fmt::Display| {
        Error::input(format!("{}: cannot open the workbook: {e}", path.display()))
            .with_hint("the file may be damaged or not really a spreadsheet; re-export it")
    };
    let cannot = |sheet: &str, e: &dyn std::fmt::Display| {
        Error::input(format!(
            "{}: sheet `{sheet}`: cannot read: {e}",
            path.display()
        ))
    };
    let bytes_for_merges = bytes.clone();
    let mut wb: Xlsx<_> = guarded(|| Xlsx::new(std::io::Cursor::new(bytes)))
        .map_err(|e| bad(&e))?
        .map_err(|e| bad(&e))?;
    let sheets = wb.sheets_metadata().to_vec();
    let sheet = pick_sheet(&path, &sheets, opts)?;
    sink.workbook(wb.has_1904_epoch());
    let percent = guarded(|| percent_cells(&mut wb, &sheet))
        .map_err(|e| cannot(&sheet, &e))?
        .map_err(|e| cannot(&sheet, &e))?;
    let mut reader = guarded(|| wb.worksheet_cells_reader(&sheet))
        .map_err(|e| cannot(&sheet, &e))?
        .map_err(|e| cannot(&sheet, &e))?;
    let header_row = opts.header_row.unwrap_or(0);
    let mut header_seen = false;
    let mut header_rows = HeaderRows::new(opts);
    let grouped = header_rows.grouped();
    let mut current: Option<u32> = None;
    let mut merges: Option<Merges> = None;
    let mut row_vals: Vec<(u32, Raw)> = Vec::new();
    let mut flush = |row: u32, vals: &mut Vec<(u32, Raw)>, header_seen: &mut bool| -> Result<()> {
        let width = vals.iter().map(|(c, _)| *c as usize + 1).max().unwrap_or(0);
        let mut cells: Vec<Cell> = vec![Cell::Empty; width];
        for (c, v) in vals.iter() {
            cells[*c as usize] = excel_cell(v);
        }
        let user_row = row as u64 + 1;
        let blank = cells.iter().all(|c| c.is_empty());
        if !*header_seen {
            if user_row >= header_row && !blank {
                let row: Vec<String> = cells.iter().map(|c| c.to_text()).collect();
                let Some(headers) = header_rows.push(row) else {
                    vals.clear();
                    return Ok(());
                };
                sink.header(file, &headers).map_err(|e| {
                    let place = format!("sheet `{sheet}`, spreadsheet row {user_row}");
                    header_note(e, &place, &headers, &other_sheets(&sheets, &sheet))
                })?;
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
    std::thread::scope(|scope| -> Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch<'_>>(4);
        // Emptied batches go back to the parsing thread, so that no batch is allocated
        // (and its pages faulted in) more than once.
        let (back_tx, back_rx) = std::sync::mpsc::channel::<Vec<(u32, u32, Raw<'_>)>>();
        let percent = &percent;
        scope.spawn(move || {
            // One guard around the whole parse: a panic in calamine ends the sheet with the
            // file's error.
            if let Err(damaged) = guarded(|| parse_cells(&mut reader, percent, &tx, &back_rx)) {
                let _ = tx.send(Err(damaged));
            }
        });
        // The merged regions come from a third thread's scan of the sheet's XML (they stand
        // after the cells): parsed batches wait for it, kept, so the parse never stalls.
        let bytes = &bytes_for_merges.0;
        let sheet_name = &sheet;
        let mut scan = Some(scope.spawn(move || {
            guarded(|| super::merges::xlsx_regions(bytes, sheet_name)).unwrap_or_default()
        }));
        let mut waiting = Vec::new();
        for next in rx.iter().map(Some).chain(std::iter::once(None)) {
            let end = next.is_none();
            if let Some(batch) = next {
                waiting.push(batch.map_err(|e| cannot(&sheet, &e))?);
            }
            if merges.is_none() {
                if !end && scan.as_ref().is_some_and(|h| !h.is_finished()) {
                    continue;
                }
                let regions = scan.take().and_then(|h| h.join().ok()).unwrap_or_default();
                merges = Some(Merges::new(&regions));
            }
            let m = merges.as_mut().expect("the regions are known");
            for mut batch in waiting.drain(..) {
                for (r, c, v) in batch.drain(..) {
                    if let Some(cur) = current.filter(|cur| *cur != r) {
                        m.fill(cur, &mut row_vals, grouped && !header_seen);
                        flush(cur, &mut row_vals, &mut header_seen)?;
                    }
                    current = Some(r);
                    row_vals.push((c, v));
                }
                let _ = back_tx.send(batch);
            }
        }
        Ok(())
    })?;
    if let (Some(cur), Some(m)) = (current, merges.as_mut()) {
        m.fill(cur, &mut row_vals, grouped && !header_seen);
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

/// XLS/XLSB/ODS through calamine's dense range: the same cells as the streaming reader
/// (error values invalid, merged regions of an XLS filled, its date system passed on), but
/// number formats are not exposed for these formats, so a percentage reads as its fraction.
pub(super) fn read_workbook(
    file: &mut InputFile,
    bytes: Vec<u8>,
    opts: &ReadOptions,
    sink: &mut dyn RowSink,
) -> Result<()> {
    let path = file.path.clone();
    let bad = |e: &dyn std::fmt::Display| {
        Error::input(format!("{}: cannot open the workbook: {e}", path.display()))
            .with_hint("the file may be damaged or not really a spreadsheet; re-export it")
    };
    let mut wb = guarded(|| open_workbook_auto_from_rs(std::io::Cursor::new(bytes)))
        .map_err(|e| bad(&e))?
        .map_err(|e| bad(&e))?;
    let sheets = wb.sheets_metadata().to_vec();
    let sheet = pick_sheet(&path, &sheets, opts)?;
    let merged = match &wb {
        calamine::Sheets::Xls(x) => {
            sink.workbook(x.has_1904_epoch());
            x.merge_cells_by_sheet_name(&sheet).unwrap_or_default()
        }
        _ => Vec::new(),
    };
    let cannot = |e: &dyn std::fmt::Display| {
        Error::input(format!(
            "{}: sheet `{sheet}`: cannot read: {e}",
            path.display()
        ))
    };
    let mut range = guarded(|| wb.worksheet_range(&sheet))
        .map_err(|e| cannot(&e))?
        .map_err(|e| cannot(&e))?;
    for d in merged.iter().filter(|d| d.end.0 > d.start.0) {
        let top_left = range.get_value(d.start).cloned().unwrap_or(Data::Empty);
        for r in d.start.0 + 1..=d.end.0 {
            for c in d.start.1..=d.end.1 {
                if range.get_value((r, c)).is_some() {
                    range.set_value((r, c), top_left.clone());
                }
            }
        }
    }
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
    let mut header_rows = HeaderRows::new(opts);
    let headers = loop {
        let row = rows
            .next()
            .ok_or_else(|| Error::input(format!("{}: sheet `{sheet}` is empty", path.display())))?;
        let mut names: Vec<String> = vec![String::new(); start_col];
        names.extend(row.iter().map(|c| match c {
            Data::String(s) => s.trim().to_string(),
            Data::Empty => String::new(),
            other => other.to_string(),
        }));
        if let Some(h) = header_rows.push(names) {
            break h;
        }
    };
    let start_row = start_row + opts.header_rows.max(1) - 1;
    sink.header(file, &headers).map_err(|e| {
        let place = format!("sheet `{sheet}`, spreadsheet row {}", start_row + 1);
        header_note(e, &place, &headers, &other_sheets(&sheets, &sheet))
    })?;
    let mut cells: Vec<Cell> = Vec::new();
    for (i, row) in rows.enumerate() {
        cells.clear();
        cells.extend(std::iter::repeat_n(Cell::Empty, start_col));
        cells.extend(row.iter().map(|c| match c {
            Data::Empty => Cell::Empty,
            Data::Error(e) => Cell::Invalid(error_text(e)),
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
