//! Survey items: the questions of a survey file beside its overall score (`item_<name>`
//! columns, in a canonical file or from a profile's `item_…` keys). Each accepted response's
//! item values are checked against the survey scale and kept column-wise, so that the KPI
//! stage can give every item its statistics; a value off the scale rejects the row, a blank
//! is a missing answer. The statistics themselves are not computed here.

use super::{cells::header_key, parse_number, RowError};
use crate::columns::ITEM_PREFIX;
use crate::config::contract::SurveyCfg;
use crate::error::Result;
use crate::ingest::Cell;
use polars::prelude::*;

/// The items of a run: every item seen, in first-seen order, and where the current file
/// has them.
#[derive(Debug, Default)]
pub(super) struct Items {
    pub(super) names: Vec<String>,
    /// The current file's item columns: (item index, file column).
    pos: Vec<(usize, usize)>,
}

/// Whether a header cell names an item column.
pub(super) fn is_item(header: &str) -> bool {
    let key = header_key(header);
    key.len() > ITEM_PREFIX.len() && key.starts_with(ITEM_PREFIX)
}

impl Items {
    /// Find the current file's item columns.
    pub(super) fn header(&mut self, headers: &[String]) {
        self.pos.clear();
        for (col, h) in headers.iter().enumerate() {
            if !is_item(h) {
                continue;
            }
            let name = header_key(h)[ITEM_PREFIX.len()..].to_string();
            let k = match self.names.iter().position(|n| *n == name) {
                Some(k) => k,
                None => {
                    self.names.push(name);
                    self.names.len() - 1
                }
            };
            self.pos.push((k, col));
        }
    }

    /// Whether the current file has item columns.
    pub(super) fn in_file(&self) -> bool {
        !self.pos.is_empty()
    }

    /// A row's item values (one per item of the run; `None`: not answered or not in the
    /// file), or the first value that is no score on the survey scale.
    pub(super) fn parse(
        &self,
        cells: &[Cell],
        survey: &SurveyCfg,
    ) -> std::result::Result<Vec<Option<f64>>, RowError> {
        let mut out = vec![None; self.names.len()];
        for &(k, col) in &self.pos {
            let column = || format!("{ITEM_PREFIX}{}", self.names[k]);
            let c = cells.get(col).unwrap_or(&Cell::Empty);
            if c.is_empty() {
                continue;
            }
            let v = parse_number(c).map_err(|e| RowError::new(column(), e))?;
            if v < survey.scale_min || v > survey.scale_max {
                return Err(RowError::new(
                    column(),
                    crate::why!("score_outside_scale", v, survey.scale_min, survey.scale_max),
                ));
            }
            out[k] = Some(v);
        }
        Ok(out)
    }
}

/// Item values of accepted responses, one column per item.
#[derive(Debug, Default)]
pub(super) struct ItemCols {
    values: Vec<Vec<Option<f64>>>,
}

impl ItemCols {
    /// Add a response's values; `before`: responses already held (an item first seen now
    /// is missing for them).
    pub(super) fn push(&mut self, row: Vec<Option<f64>>, before: usize) {
        while self.values.len() < row.len() {
            self.values.push(vec![None; before]);
        }
        for (k, v) in self.values.iter_mut().enumerate() {
            v.push(row.get(k).copied().flatten());
        }
    }

    /// The item columns for `height` responses, named `item_<name>`.
    pub(super) fn columns(self, names: &[String], height: usize) -> Vec<Column> {
        let mut values = self.values;
        names
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let mut v = values.get_mut(k).map(std::mem::take).unwrap_or_default();
                v.resize(height, None);
                Column::new(format!("{ITEM_PREFIX}{name}").into(), v)
            })
            .collect()
    }
}

/// Give every part the item columns of the run, null where its file had none, in the run's
/// order, so that the parts stack.
pub(super) fn align(parts: &mut [DataFrame], names: &[String]) -> Result<()> {
    for part in parts.iter_mut() {
        for name in names {
            let col = format!("{ITEM_PREFIX}{name}");
            if part.column(&col).is_err() {
                let nulls = Column::full_null(col.into(), part.height(), &DataType::Float64);
                part.with_column(nulls)?;
            }
        }
    }
    Ok(())
}
