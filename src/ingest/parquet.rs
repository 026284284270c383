//! Parquet input read through Polars: string, number and boolean columns become cells, a
//! normalized table (`cseval convert`'s output) is offered to the sink whole. Nothing here
//! checks values.

use super::{Cell, RowSink};
use crate::error::{Error, Result};
use crate::util::InputFile;

/// Parquet (through Polars): string, number and boolean columns become cells; other types
/// are passed on as their text.
pub(super) fn read_parquet(
    file: &mut InputFile,
    bytes: Vec<u8>,
    sink: &mut dyn RowSink,
) -> Result<()> {
    use polars::prelude::{AnyValue, ParquetReader, SerReader};
    let df = ParquetReader::new(std::io::Cursor::new(bytes))
        .finish()
        .map_err(|e| {
            Error::input(format!("{}: cannot read Parquet: {e}", file.path.display()))
                .with_hint("the file may be damaged or not really Parquet")
        })?;
    if sink.normalized(file, &df)? {
        file.rows = df.height() as u64;
        return Ok(());
    }
    let headers: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    sink.header(file, &headers)?;
    let columns = df.columns();
    let mut owned: Vec<Option<String>> = vec![None; columns.len()];
    for i in 0..df.height() {
        let values: Vec<AnyValue> = columns
            .iter()
            .map(|c| c.get(i).unwrap_or(AnyValue::Null))
            .collect();
        for (o, v) in owned.iter_mut().zip(&values) {
            *o = match v {
                AnyValue::Null | AnyValue::String(_) | AnyValue::Boolean(_) => None,
                v if v.is_primitive_numeric() => None,
                AnyValue::StringOwned(s) => Some(s.to_string()),
                other => Some(other.to_string()),
            };
        }
        let cells: Vec<Cell> = values
            .iter()
            .zip(&owned)
            .map(|(v, o)| match (v, o) {
                (_, Some(s)) => Cell::Text(s.as_str()),
                (AnyValue::Null, _) => Cell::Empty,
                (AnyValue::String(s), _) => {
                    if s.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(s)
                    }
                }
                (AnyValue::Boolean(b), _) => Cell::Bool(*b),
                (v, _) => v.extract::<f64>().map_or(Cell::Empty, Cell::Number),
            })
            .collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        file.rows += 1;
        // Row numbers as in a spreadsheet view: header = 1.
        sink.row(i as u64 + 2, &cells);
    }
    Ok(())
}
