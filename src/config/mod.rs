//! Configuration stage: command-line options plus the contract template and its business
//! calendar, resolved once into a [`RunConfig`] that every later stage reads.
//!
//! Nothing here touches contact data. Errors are usage errors (exit code 2) that name the
//! file and key at fault.

pub mod assessment;
pub mod calendar;
pub mod contract;
pub mod manifest;
pub mod plan;
pub mod profile;
pub mod read;
pub mod text;

pub use calendar::Calendar;
pub use contract::Contract;

use crate::error::{Error, Result};
use chrono::{Datelike, NaiveDate, TimeZone};
use chrono_tz::Tz;
use std::path::PathBuf;

/// Report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// How often a report is made: the monthly evaluation, or a weekly or daily summary.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Default,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Cadence {
    Daily,
    Weekly,
    #[default]
    Monthly,
}

impl Cadence {
    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Daily => "daily",
            Cadence::Weekly => "weekly",
            Cadence::Monthly => "monthly",
        }
    }
}

/// The evaluation period: half-open `[start, end)` in the contract's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    /// The calendar month `YYYY-MM`.
    pub fn parse_month(s: &str) -> Result<Period> {
        let bad = || {
            Error::usage(format!("--period `{s}` is not a month"))
                .with_hint("write the period as YYYY-MM, e.g. --period 2026-10")
        };
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        let y: i32 = y.parse().map_err(|_| bad())?;
        let m: u32 = m.parse().map_err(|_| bad())?;
        let start = NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)?;
        Ok(Period::month_of(start))
    }

    /// A month `YYYY-MM`, a quarter `YYYY-Qn`, a year `YYYY`, an ISO week `YYYY-Www` or a
    /// day `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Result<Period> {
        let bad = || {
            Error::usage(format!("--period `{s}` is not a period")).with_hint(
                "write a month (2026-10), a quarter (2026-Q3), a year (2026), an ISO week (2026-W42) or a day (2026-10-15)",
            )
        };
        let t = s.trim();
        if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            return Ok(Period::day(d));
        }
        if let Some((y, w)) = t.split_once("-W").or_else(|| t.split_once("-w")) {
            let y: i32 = y.parse().map_err(|_| bad())?;
            let w: u32 = w.parse().map_err(|_| bad())?;
            let monday = NaiveDate::from_isoywd_opt(y, w, chrono::Weekday::Mon).ok_or_else(bad)?;
            return Ok(Period::week_of(monday));
        }
        if let Some((y, q)) = t.split_once("-Q").or_else(|| t.split_once("-q")) {
            let y: i32 = y.parse().map_err(|_| bad())?;
            let q: u32 = q.parse().map_err(|_| bad())?;
            if !(1..=4).contains(&q) {
                return Err(bad());
            }
            let start = NaiveDate::from_ymd_opt(y, (q - 1) * 3 + 1, 1).ok_or_else(bad)?;
            let end = Period::month_of(Period::month_of(Period::month_of(start).end).end).end;
            return Ok(Period { start, end });
        }
        if t.len() == 4 {
            let y: i32 = t.parse().map_err(|_| bad())?;
            let start = NaiveDate::from_ymd_opt(y, 1, 1).ok_or_else(bad)?;
            let end = NaiveDate::from_ymd_opt(y + 1, 1, 1).ok_or_else(bad)?;
            return Ok(Period { start, end });
        }
        Period::parse_month(t)
    }

    /// One local day.
    pub fn day(d: NaiveDate) -> Period {
        Period {
            start: d,
            end: d.succ_opt().expect("date in range"),
        }
    }

    /// The ISO week (Monday to Sunday) holding `d`.
    pub fn week_of(d: NaiveDate) -> Period {
        let start = d - chrono::Duration::days(d.weekday().num_days_from_monday() as i64);
        Period {
            start,
            end: start + chrono::Duration::days(7),
        }
    }

    /// The days of the period.
    pub fn days(&self) -> Vec<Period> {
        self.start
            .iter_days()
            .take_while(|d| *d < self.end)
            .map(Period::day)
            .collect()
    }

    /// The ISO weeks that overlap the period, whole.
    pub fn weeks(&self) -> Vec<Period> {
        let mut out = Vec::new();
        let mut w = Period::week_of(self.start);
        while w.start < self.end {
            out.push(w);
            w = Period::week_of(w.end);
        }
        out
    }

    pub fn month_of(d: NaiveDate) -> Period {
        let start = NaiveDate::from_ymd_opt(d.year(), d.month(), 1).expect("first of month");
        let end = if d.month() == 12 {
            NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
        }
        .expect("first of next month");
        Period { start, end }
    }

    /// `YYYY-MM` for a month, `YYYY-Qn` for a quarter, `YYYY` for a year, `YYYY-Www` for an
    /// ISO week, `YYYY-MM-DD` for a day, else `start_end`.
    pub fn label(&self) -> String {
        use chrono::Datelike;
        let s = self.start;
        if Period::day(s) == *self {
            s.format("%Y-%m-%d").to_string()
        } else if Period::week_of(s) == *self {
            s.format("%G-W%V").to_string()
        } else if Period::month_of(s) == *self {
            s.format("%Y-%m").to_string()
        } else if Period::parse(&format!("{}-Q{}", s.year(), (s.month() - 1) / 3 + 1)).ok()
            == Some(*self)
        {
            format!("{}-Q{}", s.year(), (s.month() - 1) / 3 + 1)
        } else if Period::parse(&s.year().to_string()).ok() == Some(*self) {
            s.year().to_string()
        } else {
            format!("{}_{}", self.start, self.end)
        }
    }

    /// Period bounds as Unix milliseconds in the time zone.
    pub fn bounds_ms(&self, tz: Tz) -> (i64, i64) {
        let at = |d: NaiveDate| {
            tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
                .earliest()
                .expect("midnight exists")
                .timestamp_millis()
        };
        (at(self.start), at(self.end))
    }

    /// The previous calendar month (for history lookups).
    pub fn previous_month(&self) -> Period {
        Period::month_of(self.start.pred_opt().expect("date in range"))
    }
}

/// Everything a run needs, resolved once from flags and files.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub contract: Contract,
    /// `--incidents` and `--scores`: what the evaluator supplies for the scoring sheet.
    pub assessment: assessment::Assessment,
    pub calendar: Option<Calendar>,
    pub calls: Vec<PathBuf>,
    pub surveys: Vec<PathBuf>,
    pub mapping: Option<profile::Profile>,
    pub survey_mapping: Option<profile::Profile>,
    /// Quality inspection exports and their mapping profile.
    pub inspections: Vec<PathBuf>,
    pub inspection_mapping: Option<profile::Profile>,
    /// Which reports to write: monthly (the full evaluation), weekly and daily summaries.
    pub cadences: Vec<Cadence>,
    /// `None`: the month of the latest `arrived_at` (decided after ingest).
    pub period: Option<Period>,
    /// `--from`/`--to`: one report per month of `[from, to)`; overrides `period`.
    pub range: Option<(NaiveDate, NaiveDate)>,
    pub lang: Lang,
    pub out: Option<PathBuf>,
    pub force: bool,
    pub fail_on_breach: bool,
    pub history: Option<PathBuf>,
    pub limits: read::Limits,
    /// `--ignore-extra-columns`: canonical files may carry columns with other names.
    pub ignore_extra_columns: bool,
    /// `SOURCE_DATE_EPOCH`, read once: the timestamp inside generated files.
    pub source_date_epoch: Option<i64>,
    /// `--quiet`: errors only, no progress or summary lines on stderr.
    pub quiet: bool,
    /// Show a progress bar (stderr is a terminal and --quiet is off).
    pub progress: bool,
}

/// Add the channels the mapping profiles declare (`[[channel]]`) to the contract's: the
/// run's channel table, one for every input.
pub fn declare_profile_channels(
    contract: &mut Contract,
    profiles: [&Option<profile::Profile>; 3],
) -> Result<()> {
    for p in profiles.into_iter().flatten() {
        contract.declare_channels(&p.channels, &p.path)?;
    }
    Ok(())
}

/// Load the contract and its calendar.
pub fn load_contract(path: &std::path::Path) -> Result<(Contract, Option<Calendar>)> {
    let mut contract = Contract::load(path)?;
    let calendar = if contract.calendar_paths.is_empty() {
        None
    } else {
        Some(Calendar::load(&contract.calendar_paths)?)
    };
    let day = calendar
        .as_ref()
        .map(|c| c.working_day_seconds() as f64)
        .unwrap_or(contract::DEFAULT_WORKING_DAY_SECONDS);
    contract.resolve_working_days(day);
    Ok((contract, calendar))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_period_is_half_open_and_local() {
        let p = Period::parse_month("2026-12").unwrap();
        assert_eq!(p.start, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        assert_eq!(p.end, NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
        let (a, _) = p.bounds_ms(chrono_tz::Asia::Shanghai);
        // 2026-12-01 00:00 +08:00 = 2026-11-30 16:00 UTC.
        assert_eq!(a, 1_796_054_400_000);
        assert_eq!(p.label(), "2026-12");
        assert!(Period::parse_month("2026-13").is_err());
        assert!(Period::parse_month("202610").is_err());
        let q = Period::parse("2021-Q1").unwrap();
        assert_eq!(
            (q.start.to_string(), q.end.to_string()),
            ("2021-01-01".into(), "2021-04-01".into())
        );
        assert_eq!(q.label(), "2021-Q1");
        assert_eq!(Period::parse("2026").unwrap().label(), "2026");
        assert!(Period::parse("2021-Q5").is_err());
        let w = Period::parse("2026-W42").unwrap();
        assert_eq!(
            (w.start.to_string(), w.end.to_string(), w.label()),
            ("2026-10-12".into(), "2026-10-19".into(), "2026-W42".into())
        );
        let d = Period::parse("2026-10-15").unwrap();
        assert_eq!(
            (d.end.to_string(), d.label()),
            ("2026-10-16".into(), "2026-10-15".into())
        );
        // October 2026 starts on a Thursday: its weeks run from 2026-09-28 to 2026-11-02.
        let m = Period::parse("2026-10").unwrap();
        let weeks = m.weeks();
        assert_eq!(weeks.len(), 5);
        assert_eq!(weeks[0].label(), "2026-W40");
        assert_eq!(weeks[4].end.to_string(), "2026-11-02");
        assert_eq!(m.days().len(), 31);
        assert!(Period::parse("2026-W54").is_err());
    }
}
