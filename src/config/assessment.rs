//! What the evaluator supplies besides the exports, for the scoring sheet: the incidents
//! list (`--incidents`: date, class, description, clause, site) and the scores of items
//! judged off-line (`--scores`: indicator, points, source, site). Both are CSV files with a
//! header row, in English or Chinese column names; every line is read and checked here (a
//! wrong date, an unknown class, a number that is none is refused naming the file, the line
//! and the column). What they do to the score is `evaluate::scoring`'s.

use crate::error::{Error, Result};
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

/// One incident (差错/事故) of the `--incidents` file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Incident {
    pub date: NaiveDate,
    /// An `[[scoring.incident_class]]` id.
    pub class: String,
    pub description: String,
    /// The clause the evaluator cites; the class's when empty.
    pub clause: Option<String>,
    /// The site it happened at, when the contract scores sites.
    pub site: Option<String>,
    /// The file line it was read from.
    pub line: u64,
}

/// One score from the `--scores` file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ManualScore {
    /// An indicator id (`rule = "manual"`) or an adjustment id (`manual = true`).
    pub indicator: String,
    pub points: f64,
    /// Where the points come from (an inspection report, a meeting's minutes).
    pub source: String,
    pub site: Option<String>,
    pub line: u64,
}

/// One contact of a sampling plan (`--plan`, the `plan.csv` of `cseval plan`).
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub stratum: String,
    pub contact_id: String,
    pub agent: Option<String>,
}

/// The evaluator's inputs of a run.
#[derive(Debug, Clone, Default)]
pub struct Assessment {
    pub incidents: Vec<Incident>,
    pub incidents_file: Option<PathBuf>,
    pub scores: Vec<ManualScore>,
    pub scores_file: Option<PathBuf>,
    /// The sampling plan the inspections are checked against.
    pub plan: Vec<Planned>,
    pub plan_file: Option<PathBuf>,
}

/// Read a `plan.csv` written by `cseval plan` (its columns by position: stratum, contact
/// id, channel, agent, …; the header in either language).
pub fn read_plan(path: &Path) -> Result<Vec<Planned>> {
    let bytes = std::fs::read(path).map_err(|e| crate::error::io_err(path, "read", e))?;
    let text = String::from_utf8_lossy(&bytes);
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| Error::input(format!("--plan {}: {e}", path.display())))?;
        let line = rec.position().map_or(0, |p| p.line());
        let cell = |i: usize| rec.get(i).map(str::trim).filter(|s| !s.is_empty());
        let id = cell(1).ok_or_else(|| {
            bad(
                "--plan",
                path,
                line,
                "contact_id",
                "empty",
                "pass the plan.csv that `cseval plan` wrote",
            )
        })?;
        out.push(Planned {
            stratum: cell(0).unwrap_or_default().to_string(),
            contact_id: id.to_string(),
            agent: cell(3).map(str::to_string),
        });
    }
    Ok(out)
}

/// The columns of each file, with the names accepted for each (English, Chinese).
const INCIDENT_COLUMNS: &[(&str, &[&str], bool)] = &[
    ("date", &["date", "日期", "发生日期"], true),
    ("class", &["class", "类别", "差错类别", "事故类别"], true),
    (
        "description",
        &["description", "描述", "事件描述", "说明"],
        true,
    ),
    ("clause", &["clause", "条款", "依据条款"], false),
    ("site", &["site", "职场", "站点"], false),
];
const SCORE_COLUMNS: &[(&str, &[&str], bool)] = &[
    ("indicator", &["indicator", "指标", "指标编号"], true),
    ("points", &["points", "得分", "分值"], true),
    ("source", &["source", "来源", "依据"], true),
    ("site", &["site", "职场", "站点"], false),
];

/// A CSV file's rows as the named columns, with their file lines.
fn read_rows(
    path: &Path,
    flag: &str,
    columns: &[(&str, &[&str], bool)],
) -> Result<Vec<(u64, Vec<Option<String>>)>> {
    let bytes = std::fs::read(path).map_err(|e| crate::error::io_err(path, "read", e))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::input(format!("{flag} {}: not UTF-8 text", path.display()))
            .with_hint("save the file as CSV UTF-8")
    })?;
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = r
        .headers()
        .map_err(|e| Error::input(format!("{flag} {}: line 1: {e}", path.display())))?
        .iter()
        .map(crate::columns::header_key)
        .collect();
    let mut at = Vec::new();
    for (name, aliases, required) in columns {
        let pos = header
            .iter()
            .position(|h| aliases.iter().any(|a| crate::columns::header_key(a) == *h));
        if pos.is_none() && *required {
            return Err(Error::input(format!(
                "{flag} {}: line 1 (the header): no column `{name}`",
                path.display()
            ))
            .with_hint(format!(
                "the header needs {}",
                columns
                    .iter()
                    .filter(|c| c.2)
                    .map(|c| format!("{} ({})", c.0, c.1[1]))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        at.push(pos);
    }
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| Error::input(format!("{flag} {}: {e}", path.display())))?;
        let line = rec.position().map_or(0, |p| p.line());
        let cells: Vec<Option<String>> = at
            .iter()
            .map(|p| {
                p.and_then(|p| rec.get(p))
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            })
            .collect();
        if cells.iter().all(Option::is_none) {
            continue;
        }
        out.push((line, cells));
    }
    Ok(out)
}

fn bad(flag: &str, path: &Path, line: u64, column: &str, what: &str, hint: &str) -> Error {
    Error::input(format!(
        "{flag} {}: file line {line}, column `{column}`: {what}",
        path.display()
    ))
    .with_hint(hint.to_string())
}

/// One line of an evaluator's file: cell `i` (of `columns`), required.
fn need(
    (flag, path, columns): (&str, &Path, &[(&str, &[&str], bool)]),
    (line, cells): &(u64, Vec<Option<String>>),
    i: usize,
    hint: &str,
) -> Result<String> {
    cells[i]
        .clone()
        .ok_or_else(|| bad(flag, path, *line, columns[i].0, "empty", hint))
}

/// Read the `--incidents` file.
pub fn read_incidents(path: &Path) -> Result<Vec<Incident>> {
    let flag = "--incidents";
    let file = (flag, path, INCIDENT_COLUMNS);
    let hint = "every incident needs a date, a class and a description";
    let mut out = Vec::new();
    for row in read_rows(path, flag, INCIDENT_COLUMNS)? {
        let date_text = need(file, &row, 0, hint)?;
        let date = parse_date(&date_text).ok_or_else(|| {
            let what = format!("`{date_text}` is not a date");
            bad(
                flag,
                path,
                row.0,
                "date",
                &what,
                "write dates as 2026-10-05 or 2026/10/5",
            )
        })?;
        out.push(Incident {
            date,
            class: need(file, &row, 1, hint)?,
            description: need(file, &row, 2, hint)?,
            clause: row.1[3].clone(),
            site: row.1[4].clone(),
            line: row.0,
        });
    }
    Ok(out)
}

/// Read the `--scores` file.
pub fn read_scores(path: &Path) -> Result<Vec<ManualScore>> {
    let flag = "--scores";
    let file = (flag, path, SCORE_COLUMNS);
    let hint = "every line needs an indicator, its points and their source";
    let mut out = Vec::new();
    for row in read_rows(path, flag, SCORE_COLUMNS)? {
        let text = need(file, &row, 1, hint)?;
        let points: f64 = text
            .parse()
            .ok()
            .filter(|p: &f64| p.is_finite())
            .ok_or_else(|| {
                let what = format!("`{text}` is not a number");
                bad(
                    flag,
                    path,
                    row.0,
                    "points",
                    &what,
                    "write the points as a plain number, e.g. 8.5",
                )
            })?;
        out.push(ManualScore {
            indicator: need(file, &row, 0, hint)?,
            points,
            source: need(file, &row, 2, hint)?,
            site: row.1[3].clone(),
            line: row.0,
        });
    }
    Ok(out)
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
}

impl Assessment {
    /// Read the files given (`plan`: a sampling plan, read whatever the contract), and check
    /// the incidents and scores against the contract's `[scoring]`: every
    /// incident's class declared, every score for a manual indicator or adjustment, within
    /// its weight.
    pub fn load(
        incidents: Option<&Path>,
        scores: Option<&Path>,
        plan: Option<&Path>,
        scoring: Option<&crate::config::contract::scoring::Scoring>,
    ) -> Result<Assessment> {
        let a = Assessment {
            incidents: incidents
                .map(read_incidents)
                .transpose()?
                .unwrap_or_default(),
            incidents_file: incidents.map(Path::to_path_buf),
            scores: scores.map(read_scores).transpose()?.unwrap_or_default(),
            scores_file: scores.map(Path::to_path_buf),
            plan: plan.map(read_plan).transpose()?.unwrap_or_default(),
            plan_file: plan.map(Path::to_path_buf),
        };
        let Some(sc) = scoring else {
            if incidents.is_some() || scores.is_some() {
                return Err(Error::usage("--incidents and --scores are read by a contract's [scoring] section, and this contract has none")
                    .with_hint("add a [scoring] section to the contract (docs/scoring.md) or leave the flags out"));
            }
            return Ok(a);
        };
        for i in &a.incidents {
            if sc.incident_class(&i.class).is_none() {
                let path = a.incidents_file.as_deref().unwrap_or(Path::new(""));
                return Err(bad(
                    "--incidents",
                    path,
                    i.line,
                    "class",
                    &format!("`{}` is no incident class of the contract", i.class),
                    &format!(
                        "use one of: {}",
                        sc.incident_classes
                            .iter()
                            .map(|c| format!("{} ({})", c.id, c.name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
        for (k, m) in a.scores.iter().enumerate() {
            let path = a.scores_file.as_deref().unwrap_or(Path::new(""));
            let twice = a.scores[..k]
                .iter()
                .find(|o| o.indicator == m.indicator && o.site == m.site);
            let is_indicator = sc.indicators.iter().any(|i| i.id == m.indicator);
            if let (Some(first), true) = (twice, is_indicator) {
                return Err(bad(
                    "--scores",
                    path,
                    m.line,
                    "indicator",
                    &format!(
                        "`{}` was scored already on line {}",
                        m.indicator, first.line
                    ),
                    "give each manual indicator one score (per site)",
                ));
            }
            let indicator = sc.indicators.iter().find(|i| {
                i.id == m.indicator && i.rule == crate::config::contract::scoring::Rule::Manual
            });
            let adjustment = sc
                .adjustments
                .iter()
                .find(|x| x.id == m.indicator && x.manual);
            let ok = match (indicator, adjustment) {
                (Some(i), _) => (0.0..=i.weight).contains(&m.points),
                // The cap applies to the adjustment's total, not to one line.
                (_, Some(x)) => m.points * x.points >= 0.0,
                _ => {
                    return Err(bad("--scores", path, m.line, "indicator", &format!("`{}` is no manual indicator or adjustment of the contract", m.indicator), "name an indicator with rule = \"manual\" or an adjustment with manual = true"));
                }
            };
            if !ok {
                return Err(bad("--scores", path, m.line, "points", &format!("{} is outside what `{}` allows", m.points, m.indicator), "an indicator's points lie between 0 and its weight; an adjustment's have its sign (its cap applies to their total)"));
            }
        }
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.csv");
        std::fs::write(&p, text).unwrap();
        (dir, p)
    }

    #[test]
    fn incidents_read_in_chinese_headers_and_bad_lines_are_named() {
        let (_d, p) =
            file("\u{feff}日期,类别,描述\n2026/10/5,error,漏回访\n2026年10月9日,major,宕机\n");
        let v = read_incidents(&p).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!((v[0].date.to_string(), v[0].line), ("2026-10-05".into(), 2));
        assert_eq!(v[1].date.to_string(), "2026-10-09");
        let (_d, p) = file("date,class,description\n2026-10-05,error,x\n10/5,error,y\n");
        let e = read_incidents(&p).unwrap_err();
        assert!(
            e.message
                .contains("file line 3, column `date`: `10/5` is not a date"),
            "{}",
            e.message
        );
        let (_d, p) = file("date,class\n2026-10-05,error\n");
        let e = read_incidents(&p).unwrap_err();
        assert!(
            e.message
                .contains("line 1 (the header): no column `description`"),
            "{}",
            e.message
        );
    }

    #[test]
    fn scores_need_a_number_and_a_source() {
        let (_d, p) = file("指标,得分,来源\nm,8.5,检查表\nm,八,检查表\n");
        let e = read_scores(&p).unwrap_err();
        assert!(
            e.message
                .contains("file line 3, column `points`: `八` is not a number"),
            "{}",
            e.message
        );
        let (_d, p) = file("indicator,points,source\nm,8,\n");
        let e = read_scores(&p).unwrap_err();
        assert!(
            e.message.contains("file line 2, column `source`: empty"),
            "{}",
            e.message
        );
    }
}
