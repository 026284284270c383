//! Mapping profiles: turn any export (Chinese headers, GB18030, Excel serial dates, `H:MM:SS`
//! durations, 12-hour clocks, `YYMMDD` dates, sentinels, verbal scales, flags from status
//! values) into canonical records without a code change.
//!
//! A profile (TOML, `report-templates/mappings/`) says how to read the file (sheet, header
//! row, delimiter, encoding) and, for each canonical column, where its value comes from: a
//! source column, a constant, a date column plus a time column, or a timestamp plus a
//! duration column; with value maps, missing-value codes, sentinels meaning "none", extra
//! timestamp formats and a duration format. [`MappedSink`] sits between ingest and normalize:
//! it converts each source row into a canonical row and hands it on; it never decides whether
//! a row is accepted (normalize does, with the same rules as for canonical files). Profile
//! mistakes are usage errors naming the profile, the key and the closest column names.

use crate::error::{Error, Result};
use crate::ingest::{Cell, Encoding, InputFile, ReadOptions, RowSink};
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Which canonical record a profile produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Records {
    Contacts,
    Surveys,
    Inspections,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileInfo {
    name: String,
    #[serde(default)]
    description: Option<String>,
    records: Records,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceFile {
    #[serde(default)]
    sheet: Option<String>,
    #[serde(default)]
    header_row: Option<u64>,
    #[serde(default)]
    delimiter: Option<String>,
    #[serde(default)]
    quote: Option<String>,
    #[serde(default)]
    encoding: Encoding,
    /// Excel serial dates in text files count from 1904-01-01 instead of 1899-12-30.
    #[serde(default)]
    date_1904: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Defaults {
    /// Extra timestamp formats (chrono strftime), tried before the ISO forms.
    #[serde(default)]
    timestamp_formats: Vec<String>,
    /// Date formats for `date` columns and date-only timestamps.
    #[serde(default)]
    date_formats: Vec<String>,
    /// Values that mean "no answer" in every column (e.g. "-99", "N/A").
    #[serde(default)]
    missing: Vec<String>,
}

/// Duration format of a source column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
enum DurationFormat {
    /// Numbers are seconds; `H:MM:SS`/`MM:SS` text and time cells are read as clock durations.
    #[default]
    Auto,
    Seconds,
    Minutes,
    /// Numbers are fractions of a day (Excel times).
    DayFraction,
}

/// Where a canonical column comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum ColumnFile {
    Name(String),
    Spec(ColumnSpec),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnSpec {
    /// Source column.
    #[serde(default)]
    from: Option<String>,
    /// A constant for every row.
    #[serde(default)]
    value: Option<toml::Value>,
    /// Date column (with `time`): the timestamp is date + time of day.
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    time: Option<String>,
    /// Duration column added to the timestamp of `from` (e.g. answered_at = arrived + wait).
    #[serde(default)]
    add: Option<String>,
    /// Value map: source value → canonical value (verbal scales, flags from status values,
    /// Chinese enum labels).
    #[serde(default)]
    map: BTreeMap<String, toml::Value>,
    /// Values that mean "none" for this column (e.g. "0:00:00" for a call never answered).
    #[serde(default)]
    none: Vec<String>,
    #[serde(default)]
    missing: Vec<String>,
    #[serde(default)]
    formats: Vec<String>,
    #[serde(default)]
    duration: DurationFormat,
    /// Map values not in `map` to this value instead of passing them through.
    #[serde(default)]
    otherwise: Option<toml::Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    profile: ProfileInfo,
    #[serde(default)]
    source: SourceFile,
    #[serde(default)]
    defaults: Defaults,
    columns: BTreeMap<String, ColumnFile>,
}

/// How one canonical column is produced.
#[derive(Debug, Clone)]
enum Source {
    Column(String),
    Constant(String),
    DateTime { date: String, time: String },
    Plus { base: String, add: String },
}

#[derive(Debug, Clone)]
struct ColumnRule {
    canonical: &'static str,
    source: Source,
    map: BTreeMap<String, String>,
    otherwise: Option<String>,
    none: Vec<String>,
    missing: Vec<String>,
    formats: Vec<String>,
    duration: DurationFormat,
}

/// A validated mapping profile.
#[derive(Debug, Clone)]
pub struct Profile {
    pub path: PathBuf,
    pub name: String,
    pub description: Option<String>,
    pub records: Records,
    pub read: ReadOptions,
    date_1904: bool,
    date_formats: Vec<String>,
    timestamp_formats: Vec<String>,
    rules: Vec<ColumnRule>,
}

fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

const TIMESTAMP_COLUMNS: &[&str] = &["arrived_at", "answered_at", "resolved_at", "responded_at"];
const DURATION_COLUMNS: &[&str] = &["wait_seconds", "handle_seconds"];

impl Profile {
    pub fn load(path: &Path) -> Result<Profile> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::usage(format!(
                "mapping profile {}: cannot read: {e}",
                path.display()
            ))
            .with_hint("see report-templates/mappings/ for examples")
        })?;
        Self::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Profile> {
        let p = path.display();
        let f: ProfileFile = toml::from_str(text).map_err(|e| {
            Error::usage(format!(
                "{p}: invalid mapping profile: {}",
                e.to_string().trim()
            ))
            .with_hint("see the README section \"Writing a mapping profile\"")
        })?;
        let canonical: &[&'static str] = match f.profile.records {
            Records::Contacts => crate::normalize::CONTACT_COLUMNS,
            Records::Surveys => crate::normalize::SURVEY_COLUMNS,
            Records::Inspections => crate::normalize::INSPECTION_COLUMNS,
        };
        let mut rules = Vec::new();
        for (key, col) in &f.columns {
            let criterion = f.profile.records == Records::Inspections
                && key.len() > crate::normalize::inspections::CRITERION_PREFIX.len()
                && key.starts_with(crate::normalize::inspections::CRITERION_PREFIX);
            let canon = canonical
                .iter()
                .find(|c| **c == key.as_str())
                .copied()
                // Criterion names are the profile's own: kept for the whole run.
                .or_else(|| criterion.then(|| &*Box::leak(key.clone().into_boxed_str())))
                .ok_or_else(|| {
                    Error::usage(format!("{p}: `columns.{key}` is not a canonical column"))
                        .with_hint(format!(
                            "canonical columns: {}{}",
                            canonical.join(", "),
                            closest(key, canonical.iter().map(|s| s.to_string()))
                                .map(|c| format!("; did you mean `{c}`?"))
                                .unwrap_or_default()
                        ))
                })?;
            let spec = match col {
                ColumnFile::Name(n) => ColumnSpec {
                    from: Some(n.clone()),
                    ..Default::default()
                },
                ColumnFile::Spec(s) => s.clone(),
            };
            let source = match (&spec.from, &spec.value, &spec.date, &spec.time, &spec.add) {
                (Some(c), None, None, None, None) => Source::Column(c.clone()),
                (None, Some(v), None, None, None) => Source::Constant(value_text(v)),
                (None, None, Some(d), Some(t), None) => Source::DateTime { date: d.clone(), time: t.clone() },
                (Some(b), None, None, None, Some(a)) => Source::Plus { base: b.clone(), add: a.clone() },
                _ => {
                    return Err(Error::usage(format!("{p}: `columns.{key}`: unclear source")).with_hint(
                        "give exactly one of: from = \"col\"; value = \"constant\"; date = \"col\" with time = \"col\"; from = \"col\" with add = \"duration col\"",
                    ))
                }
            };
            rules.push(ColumnRule {
                canonical: canon,
                source,
                map: spec
                    .map
                    .iter()
                    .map(|(k, v)| (k.trim().to_lowercase(), value_text(v)))
                    .collect(),
                otherwise: spec.otherwise.as_ref().map(value_text),
                none: spec.none.clone(),
                missing: spec
                    .missing
                    .iter()
                    .chain(&f.defaults.missing)
                    .cloned()
                    .collect(),
                formats: spec.formats.clone(),
                duration: spec.duration,
            });
        }
        let delimiter = match &f.source.delimiter {
            None => None,
            Some(d) if d == "\\t" || d == "\t" || d.eq_ignore_ascii_case("tab") => Some(b'\t'),
            Some(d) if d.len() == 1 => Some(d.as_bytes()[0]),
            Some(d) => {
                return Err(Error::usage(format!(
                    "{p}: `source.delimiter` = `{d}` is not one character"
                ))
                .with_hint("write e.g. delimiter = \",\" or delimiter = \"tab\""))
            }
        };
        let quote = match &f.source.quote {
            None => None,
            Some(q) if q.len() == 1 => Some(q.as_bytes()[0]),
            Some(q) => {
                return Err(Error::usage(format!(
                    "{p}: `source.quote` = `{q}` is not one character"
                ))
                .with_hint("write e.g. quote = \"'\""))
            }
        };
        Ok(Profile {
            path: path.to_path_buf(),
            name: f.profile.name,
            description: f.profile.description,
            records: f.profile.records,
            read: ReadOptions {
                sheet: f.source.sheet,
                header_row: f.source.header_row,
                delimiter,
                quote,
                encoding: f.source.encoding,
                limits: Default::default(),
                record_reader: false,
            },
            date_1904: f.source.date_1904,
            date_formats: f.defaults.date_formats,
            timestamp_formats: f.defaults.timestamp_formats,
            rules,
        })
    }

    /// How each canonical column is produced, for `cseval validate`.
    pub fn describe(&self) -> Vec<(String, String)> {
        self.rules
            .iter()
            .map(|r| {
                let src = match &r.source {
                    Source::Column(c) => format!("column `{c}`"),
                    Source::Constant(v) => format!("constant `{v}`"),
                    Source::DateTime { date, time } => format!("date `{date}` + time `{time}`"),
                    Source::Plus { base, add } => format!("`{base}` + duration `{add}`"),
                };
                let map = if r.map.is_empty() {
                    String::new()
                } else {
                    format!(", {} mapped values", r.map.len())
                };
                (r.canonical.to_string(), format!("{src}{map}"))
            })
            .collect()
    }
}

/// The candidate closest to `want` (Jaro–Winkler), if any is reasonably close.
fn closest(want: &str, candidates: impl Iterator<Item = String>) -> Option<String> {
    candidates
        .map(|c| {
            (
                strsim::jaro_winkler(&want.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|(s, _)| *s > 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// The `n` candidates closest to `want`, best first.
fn closest_n(want: &str, candidates: &[String], n: usize) -> Vec<String> {
    let mut scored: Vec<(f64, &String)> = candidates
        .iter()
        .filter(|c| !c.is_empty())
        .map(|c| {
            (
                strsim::jaro_winkler(&want.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().take(n).map(|(_, c)| c.clone()).collect()
}

/// A rule with its source columns resolved to indexes in the current file.
#[derive(Debug, Clone)]
enum Resolved {
    Column(usize),
    Constant(String),
    DateTime(usize, usize),
    Plus(usize, usize),
}

/// Converted value of one canonical cell.
enum Out {
    Empty,
    Text(String),
    Number(f64),
    DateTime(NaiveDateTime),
    Invalid(String),
}

/// Adapts a source file to the canonical sink.
pub struct MappedSink<'a> {
    profile: &'a Profile,
    inner: &'a mut dyn RowSink,
    resolved: Vec<Resolved>,
}

impl<'a> MappedSink<'a> {
    pub fn new(profile: &'a Profile, inner: &'a mut dyn RowSink) -> Self {
        MappedSink {
            profile,
            inner,
            resolved: Vec::new(),
        }
    }
}

fn cell_text(c: &Cell) -> String {
    c.to_text()
}

/// Seconds since midnight of a time-of-day value.
fn time_of_day(c: &Cell) -> std::result::Result<f64, String> {
    match c {
        Cell::DateTime(t) => Ok(t.time().num_seconds_from_midnight() as f64),
        Cell::Duration(s) => Ok(*s),
        Cell::Number(n) if (0.0..1.0).contains(n) => Ok((n * 86_400.0).round()),
        Cell::Text(s) => {
            for f in [
                "%H:%M:%S",
                "%H:%M",
                "%I:%M:%S %p",
                "%I:%M %p",
                "%H:%M:%S%.f",
            ] {
                if let Ok(t) = NaiveTime::parse_from_str(s.trim(), f) {
                    return Ok(t.num_seconds_from_midnight() as f64);
                }
            }
            Err(format!("`{}` is not a time of day", s.trim()))
        }
        other => Err(format!("`{}` is not a time of day", other.to_text())),
    }
}

/// Parse a clock duration `H:MM:SS` or `MM:SS`.
fn hms(s: &str) -> Option<f64> {
    let parts: Vec<&str> = s.trim().split(':').collect();
    let nums: Option<Vec<f64>> = parts.iter().map(|p| p.trim().parse::<f64>().ok()).collect();
    match nums?.as_slice() {
        [h, m, s] if *m < 60.0 && *s < 60.0 => Some(h * 3600.0 + m * 60.0 + s),
        [m, s] if *s < 60.0 => Some(m * 60.0 + s),
        _ => None,
    }
}

impl Profile {
    fn excel_serial(&self, n: f64) -> Option<NaiveDateTime> {
        let base = if self.date_1904 {
            NaiveDate::from_ymd_opt(1904, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(1899, 12, 30)?
        };
        if !(1.0..2_958_466.0).contains(&n) {
            return None;
        }
        let ms = (n * 86_400_000.0).round() as i64;
        Some(base.and_hms_opt(0, 0, 0)? + Duration::milliseconds(ms))
    }

    fn date(&self, c: &Cell, rule: &ColumnRule) -> std::result::Result<NaiveDate, String> {
        match c {
            Cell::DateTime(t) => Ok(t.date()),
            Cell::Number(n) => {
                let text = c.to_text();
                for f in rule.formats.iter().chain(&self.date_formats) {
                    if let Ok(d) = NaiveDate::parse_from_str(&text, f) {
                        return Ok(d);
                    }
                }
                self.excel_serial(*n)
                    .map(|t| t.date())
                    .ok_or_else(|| format!("`{text}` is not a date"))
            }
            Cell::Text(s) => {
                let s = s.trim();
                let formats = rule
                    .formats
                    .iter()
                    .chain(&self.date_formats)
                    .map(|s| s.as_str());
                for f in formats.chain(["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"]) {
                    if let Ok(d) = NaiveDate::parse_from_str(s, f) {
                        return Ok(d);
                    }
                }
                Err(format!("`{s}` is not a date"))
            }
            other => Err(format!("`{}` is not a date", other.to_text())),
        }
    }

    fn timestamp(&self, c: &Cell, rule: &ColumnRule) -> Out {
        match c {
            Cell::DateTime(t) => Out::DateTime(*t),
            Cell::Number(n) => match self.excel_serial(*n) {
                Some(t) => Out::DateTime(t),
                None => Out::Invalid(format!("`{}` is not an Excel date", c.to_text())),
            },
            Cell::Text(s) => {
                let s = s.trim();
                for f in rule.formats.iter().chain(&self.timestamp_formats) {
                    if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
                        return Out::DateTime(t);
                    }
                }
                for f in rule.formats.iter().chain(&self.date_formats) {
                    if let Ok(d) = NaiveDate::parse_from_str(s, f) {
                        return Out::DateTime(d.and_hms_opt(0, 0, 0).expect("midnight"));
                    }
                }
                // Leave ISO forms (with or without offset) to the canonical parser.
                Out::Text(s.to_string())
            }
            other => Out::Text(other.to_text()),
        }
    }

    fn duration(&self, c: &Cell, rule: &ColumnRule) -> Out {
        let v = match (c, rule.duration) {
            (Cell::Duration(s), _) => Some(*s),
            (Cell::Number(n), DurationFormat::DayFraction) => Some(n * 86_400.0),
            (Cell::Number(n), DurationFormat::Minutes) => Some(n * 60.0),
            (Cell::Number(n), _) => Some(*n),
            (Cell::Text(s), f) => {
                let s = s.trim();
                match s.parse::<f64>() {
                    Ok(n) => Some(match f {
                        DurationFormat::Minutes => n * 60.0,
                        DurationFormat::DayFraction => n * 86_400.0,
                        _ => n,
                    }),
                    Err(_) => hms(s),
                }
            }
            _ => None,
        };
        match v {
            Some(v) => Out::Number(v),
            None => Out::Invalid(format!(
                "`{}` is not a duration (expected seconds or H:MM:SS)",
                c.to_text()
            )),
        }
    }

    /// Is this cell "missing" or a "none" sentinel for the rule?
    fn is_none(&self, c: &Cell, rule: &ColumnRule) -> bool {
        if c.is_empty() {
            return true;
        }
        let text = cell_text(c);
        let clock = match c {
            Cell::Duration(s) => Some(*s),
            Cell::DateTime(t) if t.date() < NaiveDate::from_ymd_opt(1900, 1, 2).expect("date") => {
                Some(t.time().num_seconds_from_midnight() as f64)
            }
            _ => None,
        }
        .map(|s| {
            format!(
                "{}:{:02}:{:02}",
                (s / 3600.0) as u64,
                ((s % 3600.0) / 60.0) as u64,
                (s % 60.0) as u64
            )
        });
        rule.missing
            .iter()
            .chain(&rule.none)
            .any(|m| m.trim() == text || clock.as_deref() == Some(m.trim()))
    }

    fn convert(&self, rule: &ColumnRule, res: &Resolved, cells: &[Cell]) -> Out {
        let get = |i: usize| cells.get(i).unwrap_or(&Cell::Empty);
        let is_ts = TIMESTAMP_COLUMNS.contains(&rule.canonical);
        let is_dur = DURATION_COLUMNS.contains(&rule.canonical);
        match res {
            Resolved::Constant(v) => Out::Text(v.clone()),
            Resolved::DateTime(d, t) => {
                let (dc, tc) = (get(*d), get(*t));
                if self.is_none(dc, rule) {
                    return Out::Empty;
                }
                let date = match self.date(dc, rule) {
                    Ok(d) => d,
                    Err(e) => return Out::Invalid(e),
                };
                if self.is_none(tc, rule) {
                    return Out::Invalid("missing time of day".into());
                }
                match time_of_day(tc) {
                    Ok(s) => Out::DateTime(
                        date.and_hms_opt(0, 0, 0).expect("midnight")
                            + Duration::milliseconds((s * 1000.0).round() as i64),
                    ),
                    Err(e) => Out::Invalid(e),
                }
            }
            Resolved::Plus(b, a) => {
                let (bc, ac) = (get(*b), get(*a));
                if self.is_none(bc, rule) || self.is_none(ac, rule) {
                    return Out::Empty;
                }
                let base = match self.timestamp(bc, rule) {
                    Out::DateTime(t) => t,
                    Out::Text(s) => match crate::normalize::parse_naive(&s) {
                        Some(t) => t,
                        None => return Out::Invalid(format!("`{s}` is not a timestamp")),
                    },
                    other => return other,
                };
                match self.duration(ac, rule) {
                    Out::Number(secs) => {
                        Out::DateTime(base + Duration::milliseconds((secs * 1000.0).round() as i64))
                    }
                    other => other,
                }
            }
            Resolved::Column(i) => {
                let c = get(*i);
                if self.is_none(c, rule) {
                    return Out::Empty;
                }
                if !rule.map.is_empty() || rule.otherwise.is_some() {
                    let key = cell_text(c).trim().to_lowercase();
                    match (rule.map.get(&key), &rule.otherwise) {
                        (Some(v), _) => {
                            return if v.is_empty() {
                                Out::Empty
                            } else {
                                Out::Text(v.clone())
                            }
                        }
                        (None, Some(o)) => return Out::Text(o.clone()),
                        (None, None) => {}
                    }
                }
                if is_ts {
                    self.timestamp(c, rule)
                } else if is_dur {
                    self.duration(c, rule)
                } else {
                    match c {
                        Cell::Number(n) => Out::Number(*n),
                        Cell::Bool(b) => Out::Text(b.to_string()),
                        other => Out::Text(cell_text(other)),
                    }
                }
            }
        }
    }
}

impl RowSink for MappedSink<'_> {
    fn header(&mut self, file: &InputFile, headers: &[String]) -> Result<()> {
        let p = self.profile;
        let find = |key: &str, name: &str| -> Result<usize> {
            headers
                .iter()
                .position(|h| h.trim() == name.trim())
                .ok_or_else(|| {
                    let near = closest_n(name, headers, 3);
                    Error::usage(format!(
                        "mapping profile {}: `columns.{key}`: no column `{name}` in {}",
                        p.path.display(),
                        file.path.display()
                    ))
                    .with_hint(if near.is_empty() {
                        "the file has no header names".to_string()
                    } else {
                        format!("closest column names in the file: {}", near.join(", "))
                    })
                })
        };
        self.resolved = p
            .rules
            .iter()
            .map(|r| {
                Ok(match &r.source {
                    Source::Column(c) => Resolved::Column(find(r.canonical, c)?),
                    Source::Constant(v) => Resolved::Constant(v.clone()),
                    Source::DateTime { date, time } => {
                        Resolved::DateTime(find(r.canonical, date)?, find(r.canonical, time)?)
                    }
                    Source::Plus { base, add } => {
                        Resolved::Plus(find(r.canonical, base)?, find(r.canonical, add)?)
                    }
                })
            })
            .collect::<Result<_>>()?;
        let canonical: Vec<String> = p.rules.iter().map(|r| r.canonical.to_string()).collect();
        self.inner.header(file, &canonical)
    }

    fn row(&mut self, row_no: u64, cells: &[Cell<'_>]) {
        let outs: Vec<Out> = self
            .profile
            .rules
            .iter()
            .zip(&self.resolved)
            .map(|(r, res)| self.profile.convert(r, res, cells))
            .collect();
        let mapped: Vec<Cell> = outs
            .iter()
            .map(|o| match o {
                Out::Empty => Cell::Empty,
                Out::Text(s) => Cell::Text(s.as_str()),
                Out::Number(n) => Cell::Number(*n),
                Out::DateTime(t) => Cell::DateTime(*t),
                Out::Invalid(why) => Cell::Invalid(why.as_str()),
            })
            .collect();
        self.inner.row(row_no, &mapped);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_durations() {
        assert_eq!(hms("0:03:44"), Some(224.0));
        assert_eq!(hms("12:05"), Some(725.0));
        assert_eq!(hms("1:75:00"), None);
    }

    #[test]
    fn unknown_canonical_column_suggests_the_closest() {
        let e = Profile::parse(
            "[profile]\nname = \"x\"\nrecords = \"contacts\"\n[columns]\ncontact_idd = \"ID\"\n",
            Path::new("p.toml"),
        )
        .unwrap_err();
        assert_eq!(e.code, crate::error::ExitCode::Usage);
        assert!(e.hint.unwrap().contains("did you mean `contact_id`"));
    }

    #[test]
    fn excel_serials_in_both_date_systems() {
        let base =
            "[profile]\nname = \"x\"\nrecords = \"contacts\"\n[columns]\ncontact_id = \"ID\"\n";
        let p1900 = Profile::parse(base, Path::new("p.toml")).unwrap();
        let p1904 = Profile::parse(
            &base.replace("[columns]", "[source]\ndate_1904 = true\n[columns]"),
            Path::new("p.toml"),
        )
        .unwrap();
        let t = |p: &Profile, n: f64| p.excel_serial(n).unwrap().to_string();
        // 46303.5 is 2026-10-08 12:00 in the 1900 system; the 1904 system is 1462 days later.
        assert_eq!(t(&p1900, 46303.5), "2026-10-08 12:00:00");
        assert_eq!(t(&p1904, 46303.5 - 1462.0), "2026-10-08 12:00:00");
    }

    #[test]
    fn closest_names() {
        let cols: Vec<String> = ["Call Id", "Agent", "Date", "Time"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(closest_n("Agnet", &cols, 1), vec!["Agent".to_string()]);
    }
}
