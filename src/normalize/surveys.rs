//! Survey responses: each row checked and parsed (the commonest cell forms by the contact
//! kernels' arithmetic, the rest through [`check_survey`]), and [`SurveySink`], which builds
//! the canonical survey frame and accounts for every row. Linking responses to contacts is
//! [`super::link`]'s job.

use super::{
    cell_at, check_block, check_extra_columns, check_repeated_columns, finish_parts, map_headers,
    opt_column, opt_str_col, parse_common_ms, parse_number, parse_timestamp, row_key, same_schema,
    str_col, take_normalized, text, Ledger, LocalToUtc, Rejection, RowCounts, RowError, KEY,
};
use crate::columns::{survey as sc, SURVEY_COLUMNS};
use crate::config::contract::SurveyCfg;
use crate::error::{Error, Result};
use crate::ingest::{self, Cell, RowSink};
use crate::normalize::cells::invalid_cell;
use crate::normalize::items::{align, is_item, ItemCols, Items};
use crate::util::InputFile;
use chrono_tz::Tz;
use polars::prelude::*;
use std::borrow::Cow;

/// One survey response, checked and parsed.
pub(super) struct SurveyValues<'c> {
    pub(super) rid: Cow<'c, str>,
    pub(super) contact_id: Option<Cow<'c, str>>,
    pub(super) responded: Option<i64>,
    pub(super) score: f64,
    pub(super) nps: Option<f64>,
}

pub(super) fn check_survey<'c>(
    pos: &[Option<usize>],
    cells: &[Cell<'c>],
    tz: Tz,
    survey: &SurveyCfg,
    file: &str,
    row_no: u64,
) -> std::result::Result<SurveyValues<'c>, RowError> {
    let get = |k: usize| cell_at(pos, cells, k);
    let score_cell = get(sc::SCORE);
    if score_cell.is_empty() {
        return Err(RowError::new("score", crate::why!("missing_required")));
    }
    let score = parse_number(score_cell).map_err(|e| RowError::new("score", e))?;
    if score < survey.scale_min || score > survey.scale_max {
        return Err(RowError::new(
            "score",
            crate::why!(
                "score_outside_scale",
                score,
                survey.scale_min,
                survey.scale_max
            ),
        ));
    }
    let nps = match get(sc::NPS) {
        c if c.is_empty() => None,
        c => {
            let v = parse_number(c).map_err(|e| RowError::new("nps", e))?;
            if !(0.0..=10.0).contains(&v) {
                return Err(RowError::new("nps", crate::why!("nps_outside_range", v)));
            }
            Some(v)
        }
    };
    let responded = match get(sc::RESPONDED_AT) {
        c if c.is_empty() => None,
        c => Some(parse_timestamp(c, tz).map_err(|e| RowError::new("responded_at", e))?),
    };
    let rid = text(get(sc::RESPONSE_ID)).unwrap_or_else(|| Cow::Owned(format!("{file}#{row_no}")));
    Ok(SurveyValues {
        rid,
        contact_id: text(get(sc::CONTACT_ID)),
        responded,
        score,
        nps,
    })
}

/// The values of a survey row whose cells are all in their commonest forms (plain numbers,
/// a `YYYY-MM-DD HH:MM:SS` time in an hour with one offset, an id), as [`check_survey`]
/// gives them, by the ingest kernels' arithmetic; `None` leaves the row to
/// [`check_survey`], which decides it and names any problem.
pub(super) fn survey_plain<'c>(
    pos: &[Option<usize>],
    cells: &[Cell<'c>],
    zone: &mut LocalToUtc,
    survey: &SurveyCfg,
) -> Option<SurveyValues<'c>> {
    let get = |k: usize| cell_at(pos, cells, k);
    let plain = |c: &Cell<'c>| match c {
        Cell::Text(s) => Some(*s),
        _ => None,
    };
    // A plain number (no blanks around it) parses as `parse_number` reads it.
    let number =
        |k: usize, ok: &dyn Fn(f64) -> bool| plain(get(k))?.parse::<f64>().ok().filter(|&x| ok(x));
    let score = number(sc::SCORE, &|x| {
        x.is_finite() && x >= survey.scale_min && x <= survey.scale_max
    })?;
    let nps = match get(sc::NPS) {
        c if c.is_empty() => None,
        _ => Some(number(sc::NPS, &|x| (0.0..=10.0).contains(&x))?),
    };
    let responded = match get(sc::RESPONDED_AT) {
        c if c.is_empty() => None,
        c => Some(zone.to_utc(parse_common_ms(plain(c)?)?)?),
    };
    Some(SurveyValues {
        // Without an id, the row's stand-in id is `check_survey`'s to make.
        rid: text(get(sc::RESPONSE_ID))?,
        contact_id: text(get(sc::CONTACT_ID)),
        responded,
        score,
        nps,
    })
}

/// A block range's accepted survey responses, and its cache of the zone's offsets.
#[derive(Default)]
pub(super) struct SurveyAcc<'c> {
    pub(super) cols: SurveyCols<Cow<'c, str>>,
    pub(super) zone: Option<LocalToUtc>,
}

/// Accepted survey responses, column-wise.
pub(super) struct SurveyCols<S> {
    pub(super) key: Vec<u64>,
    pub(super) response_id: Vec<S>,
    pub(super) contact_id: Vec<Option<S>>,
    pub(super) responded_ms: Vec<Option<i64>>,
    pub(super) score: Vec<f64>,
    pub(super) nps: Vec<Option<f64>>,
    /// The survey items' values (row-by-row reading only) and their names.
    pub(super) items: ItemCols,
    pub(super) item_names: Vec<String>,
}

impl<S> Default for SurveyCols<S> {
    fn default() -> Self {
        SurveyCols {
            key: Vec::new(),
            response_id: Vec::new(),
            contact_id: Vec::new(),
            responded_ms: Vec::new(),
            score: Vec::new(),
            nps: Vec::new(),
            items: ItemCols::default(),
            item_names: Vec::new(),
        }
    }
}
impl<S: AsRef<str>> SurveyCols<S> {
    pub(super) fn push<'c>(&mut self, key: u64, v: SurveyValues<'c>)
    where
        S: From<Cow<'c, str>>,
    {
        self.key.push(key);
        self.response_id.push(v.rid.into());
        self.contact_id.push(v.contact_id.map(S::from));
        self.responded_ms.push(v.responded);
        self.score.push(v.score);
        self.nps.push(v.nps);
    }

    pub(super) fn into_frame(self) -> Result<DataFrame> {
        let c = self;
        let height = c.key.len();
        let mut columns = vec![
            Column::new(KEY.into(), c.key),
            str_col("response_id", &c.response_id),
            opt_str_col("contact_id", &c.contact_id),
            opt_column::<Int64Type, _>("responded_ms", c.responded_ms),
            Column::new("score".into(), c.score),
            opt_column::<Float64Type, _>("nps", c.nps),
        ];
        columns.extend(c.items.columns(&c.item_names, height));
        Ok(DataFrame::new(height, columns)?)
    }
}

/// Builds canonical survey responses from ingested rows.
pub struct SurveySink<'a> {
    pub(super) tz: Tz,
    pub(super) survey: &'a SurveyCfg,
    pub(super) cols: SurveyCols<String>,
    pub(super) parts: Vec<DataFrame>,
    pub(super) pos: Vec<Option<usize>>,
    pub ledger: Ledger,
    /// Read files with columns that are no canonical names (`--ignore-extra-columns`).
    pub(super) allow_extra: bool,
    pub(super) items: Items,
}

impl<'a> SurveySink<'a> {
    /// Read files with columns that are no canonical names instead of refusing them.
    pub fn allow_extra_columns(&mut self, yes: bool) {
        self.allow_extra = yes;
    }

    pub fn new(tz: Tz, survey: &'a SurveyCfg) -> Self {
        SurveySink {
            tz,
            survey,
            cols: SurveyCols::default(),
            parts: Vec::new(),
            pos: Vec::new(),
            ledger: Ledger::new("surveys"),
            allow_extra: false,
            items: Items::default(),
        }
    }

    pub(super) fn flush(&mut self) -> Result<()> {
        if !self.cols.key.is_empty() {
            let mut cols = std::mem::take(&mut self.cols);
            cols.item_names = self.items.names.clone();
            self.parts.push(cols.into_frame()?);
        }
        Ok(())
    }

    pub fn into_frame(mut self) -> Result<(DataFrame, Vec<Rejection>, RowCounts)> {
        self.flush()?;
        let empty = SurveyCols::<String> {
            item_names: self.items.names.clone(),
            ..Default::default()
        }
        .into_frame()?;
        let mut parts = std::mem::take(&mut self.parts);
        align(&mut parts, &self.items.names)?;
        let df = finish_parts(parts, empty, "response_id", "response_id", &mut self.ledger)?;
        let n = df.height() as u64;
        let (rej, counts) = self.ledger.finish(n);
        Ok((df, rej, counts))
    }
}

impl RowSink for SurveySink<'_> {
    fn header(&mut self, file: &InputFile, headers: &[String]) -> Result<()> {
        self.ledger.open(file);
        self.pos = map_headers(headers, SURVEY_COLUMNS);
        if self.pos[sc::SCORE].is_none() {
            return Err(Error::input(format!(
                "{}: required survey column `score` missing (found: {})",
                self.ledger.file(),
                headers.join(", ")
            ))
            .with_hint("rename the overall-satisfaction column to `score`"));
        }
        let file = self.ledger.file();
        check_repeated_columns(file, headers, SURVEY_COLUMNS)?;
        self.items.header(headers);
        let others: Vec<String> = headers.iter().filter(|h| !is_item(h)).cloned().collect();
        check_extra_columns(file, &others, SURVEY_COLUMNS, "survey", self.allow_extra)
    }

    fn filtered(&mut self, _row_no: u64, rule: &str) {
        self.ledger.filtered(rule);
    }

    fn row(&mut self, row_no: u64, cells: &[Cell<'_>]) {
        self.ledger.counts.read += 1;
        let key = self.ledger.key(row_no);
        if let Some(e) = invalid_cell(&self.pos, cells, SURVEY_COLUMNS) {
            return self.ledger.reject(key, e);
        }
        let file = self.ledger.file();
        let items = self.items.parse(cells, self.survey);
        match (
            check_survey(&self.pos, cells, self.tz, self.survey, file, row_no),
            items,
        ) {
            (Ok(v), Ok(items)) => {
                let before = self.cols.key.len();
                self.cols.push(key, v);
                self.cols.items.push(items, before);
            }
            (Err(e), _) | (_, Err(e)) => self.ledger.reject(key, e),
        }
    }

    fn normalized(&mut self, file: &InputFile, table: &DataFrame) -> Result<bool> {
        let want = SurveyCols::<String>::default().into_frame()?;
        if !same_schema(table, &want) {
            return Ok(false);
        }
        self.flush()?;
        self.ledger.open(file);
        let good = super::rules::survey_check(self.survey);
        take_normalized(
            file,
            table,
            good,
            // A survey frame has no channel column.
            &crate::model::Channels::default(),
            "every survey response passes (score off the scale, NPS outside 0..10, no id)",
            &mut self.parts,
            &mut self.ledger,
        )
    }

    fn block(&mut self, block: &ingest::Block<'_>) -> Result<()> {
        if self.items.in_file() {
            // The block kernels know no items: the rows go one by one.
            let mut cells = Vec::new();
            for (i, row) in block.rows().iter().enumerate() {
                cells.clear();
                cells.extend(block.cells(i));
                self.row(*row, &cells);
            }
            return Ok(());
        }
        self.flush()?;
        let (pos, tz, survey) = (&self.pos, self.tz, self.survey);
        let file_index = self.ledger.file_index();
        let file = self.ledger.files.last().cloned().unwrap_or_default();
        let rows = block.rows();
        check_block(
            block,
            |acc: &mut SurveyAcc, i, cells| {
                let zone = acc.zone.get_or_insert_with(|| LocalToUtc::new(tz));
                let v = match survey_plain(pos, cells, zone, survey) {
                    Some(v) => v,
                    None => check_survey(pos, cells, tz, survey, &file, rows[i])?,
                };
                acc.cols.push(row_key(file_index, rows[i]), v);
                Ok(())
            },
            |acc| acc.cols.into_frame(),
            |i| row_key(file_index, rows[i]),
            &mut self.parts,
            &mut self.ledger,
        )
    }
}
