//! Mapping profiles (parsing and validation): turn any export (Chinese headers, GB18030, Excel serial dates, `H:MM:SS`
//! durations, 12-hour clocks, `YYMMDD` dates, sentinels, verbal scales, flags from status
//! values) into canonical records without a code change.
//!
//! A profile (TOML, `report-templates/mappings/`) says how to read the file (sheet, header
//! row, delimiter, encoding) and, for each canonical column, where its value comes from: a
//! source column, a constant, a date column plus a time column, or a timestamp plus a
//! duration column; with value maps, missing-value codes, sentinels meaning "none", extra
//! timestamp formats and a duration format. This module reads and checks the profile; applying
//! it to a file's rows is [`crate::ingest::mapped`]'s job. Profile mistakes are usage errors
//! naming the profile, the key and the closest column names.

use super::read::{Encoding, ReadOptions};
use crate::error::{Error, Result};
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
    /// Rows the header spans: 2 for a grouped heading above the sub-headings.
    #[serde(default)]
    header_rows: Option<u64>,
    #[serde(default)]
    delimiter: Option<String>,
    #[serde(default)]
    quote: Option<String>,
    #[serde(default)]
    encoding: Encoding,
    /// Excel serial dates in text files count from 1904-01-01 instead of 1899-12-30.
    #[serde(default)]
    date_1904: bool,
    /// The zone of the export's times that carry none (default: the contract's).
    #[serde(default)]
    time_zone: Option<String>,
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
pub(crate) enum DurationFormat {
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
    /// Several columns joined into one value (an id unique only with its line or site).
    #[serde(default)]
    join: Option<Vec<String>>,
    /// The mean of several columns' answers (a score made of survey items).
    #[serde(default)]
    mean: Option<Vec<String>>,
    /// What goes between the joined values (default `-`).
    #[serde(default)]
    separator: Option<String>,
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

/// A row filter: rows whose `column` holds one of `drop` (or none of `keep`) are left out
/// and counted as filtered under the filter's name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilterFile {
    #[serde(default)]
    name: Option<String>,
    column: String,
    #[serde(default)]
    keep: Option<Vec<String>>,
    #[serde(default)]
    drop: Option<Vec<String>>,
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
    #[serde(default)]
    filter: Vec<FilterFile>,
    /// `[[channel]]`: channels beyond the built-in ones, or other spellings of known ones.
    #[serde(default)]
    channel: Vec<crate::channel::ChannelDecl>,
}

/// A row filter, its values in matching form (see [`value_key`]).
#[derive(Debug, Clone)]
pub(crate) struct Filter {
    pub(crate) name: String,
    pub(crate) column: String,
    /// `true`: keep only rows with one of the values; `false`: drop rows with one of them.
    pub(crate) keep: bool,
    pub(crate) values: Vec<String>,
}

/// A cell value or a profile value as they are compared (value maps, sentinels, filters):
/// NFKC, trimmed, in lower case.
pub(crate) fn value_key(v: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    v.trim().nfkc().collect::<String>().to_lowercase()
}

/// How one canonical column is produced.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    Column(String),
    Constant(String),
    Join {
        columns: Vec<String>,
        separator: String,
    },
    Mean(Vec<String>),
    DateTime {
        date: String,
        time: String,
    },
    Plus {
        base: String,
        add: String,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct ColumnRule {
    pub(crate) canonical: &'static str,
    pub(crate) source: Source,
    pub(crate) map: BTreeMap<String, String>,
    pub(crate) otherwise: Option<String>,
    /// "None" sentinels and missing-value codes, in [`value_key`] form.
    pub(crate) none: Vec<String>,
    pub(crate) missing: Vec<String>,
    pub(crate) formats: Vec<String>,
    pub(crate) duration: DurationFormat,
}

/// A validated mapping profile.
#[derive(Debug, Clone)]
pub struct Profile {
    pub path: PathBuf,
    pub name: String,
    pub description: Option<String>,
    pub records: Records,
    pub read: ReadOptions,
    pub(crate) date_1904: bool,
    /// The zone of times written without one; `None`: the contract's.
    pub(crate) time_zone: Option<chrono_tz::Tz>,
    pub(crate) date_formats: Vec<String>,
    pub(crate) timestamp_formats: Vec<String>,
    pub(crate) rules: Vec<ColumnRule>,
    pub(crate) filters: Vec<Filter>,
    /// `[[channel]]` tables, added to the contract's channels for the run.
    pub channels: Vec<crate::channel::ChannelDecl>,
}

fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(crate) const TIMESTAMP_COLUMNS: &[&str] =
    &["arrived_at", "answered_at", "resolved_at", "responded_at"];
pub(crate) const DURATION_COLUMNS: &[&str] = &["wait_seconds", "handle_seconds"];
/// Columns read as numbers (scores): `85%` and `1,234` written as text are read as the
/// numbers shown.
pub(crate) const NUMBER_COLUMNS: &[&str] = &["satisfaction", "score", "nps"];

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
            Records::Contacts => crate::columns::CONTACT_COLUMNS,
            Records::Surveys => crate::columns::SURVEY_COLUMNS,
            Records::Inspections => crate::columns::INSPECTION_COLUMNS,
        };
        let mut rules = Vec::new();
        for (key, col) in &f.columns {
            let prefixed = |prefix: &str| key.len() > prefix.len() && key.starts_with(prefix);
            let criterion = (f.profile.records == Records::Inspections
                && prefixed(crate::columns::CRITERION_PREFIX))
                || (f.profile.records == Records::Surveys && prefixed(crate::columns::ITEM_PREFIX));
            let canon = canonical
                .iter()
                .find(|c| **c == key.as_str())
                .copied()
                // Criterion and item names are the profile's own: kept for the whole run.
                .or_else(|| criterion.then(|| &*Box::leak(key.clone().into_boxed_str())))
                .ok_or_else(|| {
                    Error::usage(format!("{p}: `columns.{key}` is not a canonical column"))
                        .with_hint(format!(
                            "canonical columns: {}{}",
                            canonical.join(", "),
                            crate::util::closest(key, canonical.iter().map(|s| s.to_string()))
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
            let source = source_of(&spec, canon).map_err(|why| {
                Error::usage(format!("{p}: `columns.{key}`: {why}")).with_hint(
                    "give exactly one of: from = \"col\"; value = \"constant\"; join = [\"col\", \"col\"]; mean = [\"col\", …] (scores); date = \"col\" with time = \"col\" (timestamps); from = \"col\" with add = \"duration col\" (timestamps)",
                )
            })?;
            rules.push(ColumnRule {
                canonical: canon,
                source,
                map: spec
                    .map
                    .iter()
                    .map(|(k, v)| (value_key(k), value_text(v)))
                    .collect(),
                otherwise: spec.otherwise.as_ref().map(value_text),
                // Sentinels in matching form (NFKC, trimmed, lower case), as cells are compared.
                none: spec.none.iter().map(|v| value_key(v)).collect(),
                missing: spec
                    .missing
                    .iter()
                    .chain(&f.defaults.missing)
                    .map(|v| value_key(v))
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
        let time_zone = match &f.source.time_zone {
            None => None,
            Some(z) => Some(z.parse::<chrono_tz::Tz>().map_err(|_| {
                Error::usage(format!(
                    "{p}: `source.time_zone` = `{z}` is not a time zone"
                ))
                .with_hint(
                    "write an IANA name such as \"UTC\", \"Asia/Shanghai\" or \"Europe/London\"",
                )
            })?),
        };
        let filters = f
            .filter
            .iter()
            .map(|x| {
                filter_of(x).map_err(|why| {
                    Error::usage(format!("{p}: [[filter]] on `{}`: {why}", x.column))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Profile {
            path: path.to_path_buf(),
            channels: f.channel,
            name: f.profile.name,
            description: f.profile.description,
            records: f.profile.records,
            read: ReadOptions {
                sheet: f.source.sheet,
                header_row: f.source.header_row,
                header_rows: header_rows(f.source.header_rows).map_err(|why| {
                    Error::usage(format!("{p}: `source.header_rows`: {why}"))
                        .with_hint("header_rows = 2 for a grouped heading above the sub-headings")
                })?,
                delimiter,
                quote,
                encoding: f.source.encoding,
                limits: Default::default(),
                record_reader: false,
            },
            date_1904: f.source.date_1904,
            time_zone,
            date_formats: f.defaults.date_formats,
            timestamp_formats: f.defaults.timestamp_formats,
            rules,
            filters,
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
                    Source::Mean(columns) => format!("mean of {}", quoted(columns)),
                    Source::Join { columns, separator } => {
                        format!("columns {} joined with `{separator}`", quoted(columns))
                    }
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

/// Column names as a message lists them: `a`, `b`.
fn quoted(columns: &[String]) -> String {
    let names: Vec<String> = columns.iter().map(|c| format!("`{c}`")).collect();
    names.join(", ")
}

/// Where a canonical column comes from, checked against what the column is: a date plus a
/// time or a timestamp plus a duration only make a timestamp, joined columns only an id or a
/// label.
fn source_of(spec: &ColumnSpec, canonical: &str) -> std::result::Result<Source, String> {
    let timestamp = TIMESTAMP_COLUMNS.contains(&canonical);
    let s = spec;
    if let Some(cols) = &s.mean {
        let alone = s.from.is_none()
            && s.value.is_none()
            && s.join.is_none()
            && s.date.is_none()
            && s.time.is_none()
            && s.add.is_none();
        return match (alone, NUMBER_COLUMNS.contains(&canonical), cols.len()) {
            (false, _, _) => Err("unclear source".into()),
            (_, false, _) => Err(format!("`mean` makes a score, not `{canonical}`")),
            (_, _, 0) => Err("`mean` needs one or more columns".into()),
            _ => Ok(Source::Mean(cols.clone())),
        };
    }
    let source = match (&s.from, &s.value, &s.join, &s.date, &s.time, &s.add) {
        (Some(c), None, None, None, None, None) => Source::Column(c.clone()),
        (None, Some(v), None, None, None, None) => Source::Constant(value_text(v)),
        (None, None, Some(cols), None, None, None) if cols.len() >= 2 => Source::Join {
            columns: cols.clone(),
            separator: s.separator.clone().unwrap_or_else(|| "-".into()),
        },
        (None, None, Some(_), None, None, None) => {
            return Err("`join` needs two or more columns".into())
        }
        (None, None, None, Some(d), Some(t), None) => Source::DateTime {
            date: d.clone(),
            time: t.clone(),
        },
        (Some(b), None, None, None, None, Some(a)) => Source::Plus {
            base: b.clone(),
            add: a.clone(),
        },
        _ => return Err("unclear source".into()),
    };
    match &source {
        Source::DateTime { .. } | Source::Plus { .. } if !timestamp => Err(format!(
            "`{canonical}` is not a timestamp: `date` + `time` and `from` + `add` make timestamps only ({})",
            TIMESTAMP_COLUMNS.join(", ")
        )),
        Source::Join { .. } if timestamp || DURATION_COLUMNS.contains(&canonical) => Err(format!(
            "`join` makes an id or a label, not `{canonical}`"
        )),
        _ if s.separator.is_some() && !matches!(source, Source::Join { .. }) => {
            Err("`separator` goes with `join`".into())
        }
        _ => Ok(source),
    }
}

fn header_rows(n: Option<u64>) -> std::result::Result<u64, String> {
    match n.unwrap_or(1) {
        n @ 1..=3 => Ok(n),
        n => Err(format!("{n} is not 1, 2 or 3")),
    }
}

fn filter_of(f: &FilterFile) -> std::result::Result<Filter, String> {
    let (keep, values) = match (&f.keep, &f.drop) {
        (Some(k), None) => (true, k),
        (None, Some(d)) => (false, d),
        _ => return Err("give either `keep = [...]` or `drop = [...]`".into()),
    };
    if values.is_empty() {
        return Err("the list of values is empty".into());
    }
    let name = f.name.clone().unwrap_or_else(|| {
        format!(
            "{} {} {}",
            f.column,
            if keep { "not in" } else { "in" },
            values.join("/")
        )
    });
    Ok(Filter {
        name,
        column: f.column.clone(),
        keep,
        values: values.iter().map(|v| value_key(v)).collect(),
    })
}

/// The `n` candidates closest to `want`, best first.
pub(crate) fn closest_n(want: &str, candidates: &[String], n: usize) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn derivations_that_cannot_apply_are_refused_when_the_profile_loads() {
        let head = "[profile]\nname = \"x\"\nrecords = \"contacts\"\n[columns]\n";
        for (column, want) in [
            (
                "contact_id = { from = \"a\", add = \"b\" }",
                "`contact_id` is not a timestamp",
            ),
            (
                "agent_id = { date = \"a\", time = \"b\" }",
                "`agent_id` is not a timestamp",
            ),
            (
                "arrived_at = { join = [\"a\", \"b\"] }",
                "`join` makes an id or a label",
            ),
            ("contact_id = { join = [\"a\"] }", "two or more columns"),
            (
                "contact_id = { mean = [\"a\", \"b\"] }",
                "`mean` makes a score",
            ),
            (
                "contact_id = { from = \"a\", separator = \"/\" }",
                "`separator` goes with `join`",
            ),
        ] {
            let e = Profile::parse(&format!("{head}{column}\n"), Path::new("p.toml")).unwrap_err();
            assert_eq!(e.code, crate::error::ExitCode::Usage, "{column}");
            assert!(e.message.contains(want), "{column}: {}", e.message);
        }
        let f = "[[filter]]\ncolumn = \"outcome\"\nkeep = [\"A\"]\ndrop = [\"B\"]\n";
        let e = Profile::parse(
            &format!("{head}contact_id = \"id\"\n{f}"),
            Path::new("p.toml"),
        )
        .unwrap_err();
        assert!(e.message.contains("either `keep"), "{}", e.message);
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
