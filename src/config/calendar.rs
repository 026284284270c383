//! Business calendars and working-time arithmetic.
//!
//! A calendar file (TOML, `docs/contract-template.md`) gives working windows per weekday,
//! holidays (days off, also on weekdays) and make-up workdays (调休). From it we build a
//! prefix sum of working seconds per day so that the working time between two instants is
//! `cum(b) - cum(a)`, O(1) per contact: this is the column kernel the KPI stage applies to
//! whole columns. This module does not decide which thresholds use working time (the
//! contract does) and never reads contact data.

use crate::error::{Error, Result};
use chrono::{Datelike, NaiveDate, NaiveTime, TimeZone, Timelike, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct HoursFile {
    #[serde(default)]
    mon: Vec<String>,
    #[serde(default)]
    tue: Vec<String>,
    #[serde(default)]
    wed: Vec<String>,
    #[serde(default)]
    thu: Vec<String>,
    #[serde(default)]
    fri: Vec<String>,
    #[serde(default)]
    sat: Vec<String>,
    #[serde(default)]
    sun: Vec<String>,
    // The spec's example writes these after `[hours]`, which in TOML puts them inside the
    // table; accept them there as well as at the top level.
    #[serde(default)]
    holidays: Vec<String>,
    #[serde(default)]
    workdays: Vec<String>,
    #[serde(default)]
    makeup_hours: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    name: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    timezone: Option<String>,
    #[serde(default)]
    hours: HoursFile,
    #[serde(default)]
    holidays: Vec<String>,
    #[serde(default)]
    workdays: Vec<String>,
    #[serde(default)]
    makeup_hours: Vec<String>,
}

/// A working window within a day, in seconds since local midnight.
type Window = (u32, u32);

/// First day covered by the prefix table. Working time before it counts as zero.
const EPOCH_DAY: (i32, u32, u32) = (1990, 1, 1);
/// [`EPOCH_DAY`] in days from 1970-01-01 (twenty years, five of them leap years).
const EPOCH_UNIX_DAYS: i64 = 20 * 365 + 5;
/// Number of days in the prefix table (1990-01-01 .. ~2100).
const DAYS: usize = 40_200;

/// A resolved business calendar (one or more calendar files merged).
#[derive(Debug, Clone)]
pub struct Calendar {
    pub name: String,
    pub sources: Vec<String>,
    pub files: Vec<PathBuf>,
    pub tz: Tz,
    week: [Vec<Window>; 7],
    makeup: Vec<Window>,
    pub holidays: BTreeSet<NaiveDate>,
    pub workdays: BTreeSet<NaiveDate>,
    /// Years for which the files list at least one holiday or make-up day.
    pub years_covered: BTreeSet<i32>,
    /// `prefix[d]` = working seconds from EPOCH_DAY 00:00 to day `d` 00:00.
    prefix: Vec<i64>,
    /// Which windows day `d` of the prefix table has: a weekday's (0 = Monday .. 6), the
    /// make-up days' ([`MAKEUP`]) or none ([`HOLIDAY`]).
    day_kind: Vec<u8>,
}

const MAKEUP: u8 = 7;
const HOLIDAY: u8 = 8;

/// Local wall-clock time of instants in one zone, with the zone's offset cached per UTC
/// hour: an hour whose two ends have the same offset keeps it throughout (offsets never
/// change twice within an hour); other hours are converted instant by instant.
pub struct LocalClock {
    tz: Tz,
    /// `(UTC hour, offset in ms or NO_OFFSET)`, direct-mapped by hour: enough slots that
    /// a row's times hours or days apart (arrival, answer, resolution) keep theirs.
    slots: [(i64, i64); SLOTS],
}

const SLOTS: usize = 64;

const NO_OFFSET: i64 = i64::MIN;

impl LocalClock {
    pub fn new(tz: Tz) -> Self {
        LocalClock {
            tz,
            slots: [(i64::MIN, NO_OFFSET); SLOTS],
        }
    }

    /// The local wall-clock time of the instant `ms` (Unix milliseconds), as milliseconds
    /// from 1970-01-01 00:00 local time: days and hours by plain division.
    pub fn local_ms(&mut self, ms: i64) -> Option<i64> {
        let offset = self.offset(ms);
        if offset == NO_OFFSET {
            Some(
                self.tz
                    .timestamp_millis_opt(ms)
                    .single()?
                    .naive_local()
                    .and_utc()
                    .timestamp_millis(),
            )
        } else {
            ms.checked_add(offset)
        }
    }

    /// The zone's offset at `ms` in ms, cached per UTC hour; `NO_OFFSET` when it changes
    /// within that hour.
    fn offset(&mut self, ms: i64) -> i64 {
        use chrono::Offset;
        let hour = ms.div_euclid(3_600_000);
        let tz = self.tz;
        let slot = &mut self.slots[hour.rem_euclid(SLOTS as i64) as usize];
        if slot.0 != hour {
            let offset = |t: i64| {
                tz.timestamp_millis_opt(t)
                    .single()
                    .map(|d| d.offset().fix().local_minus_utc() as i64 * 1000)
            };
            let offset = match (
                offset(hour * 3_600_000),
                offset(hour * 3_600_000 + 3_599_999),
            ) {
                (Some(a), Some(b)) if a == b => a,
                _ => NO_OFFSET,
            };
            *slot = (hour, offset);
        }
        slot.1
    }
}

/// Working time of instants on one calendar, converting them to local time through a
/// [`LocalClock`]: the column kernel's way to call [`Calendar::working_seconds`] row after
/// row.
pub struct WorkClock<'a> {
    cal: &'a Calendar,
    clock: LocalClock,
}

impl WorkClock<'_> {
    /// Working seconds from the table's epoch to the instant `ms`; `working_seconds(a, b)`
    /// is `cum(b) - cum(a)`.
    pub fn cum(&mut self, ms: i64) -> f64 {
        match self.clock.local_ms(ms) {
            Some(t) => self.cal.cum_local_ms(t),
            None => 0.0,
        }
    }
}

fn parse_window(s: &str, file: &Path, key: &str) -> Result<Window> {
    let bad = || {
        Error::usage(format!(
            "{}: key `{key}`: `{s}` is not a working window",
            file.display()
        ))
        .with_hint("write windows as \"HH:MM-HH:MM\", e.g. \"09:00-12:00\"")
    };
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let t = |x: &str| -> Result<u32> {
        let x = x.trim();
        if x == "24:00" {
            return Ok(86_400);
        }
        NaiveTime::parse_from_str(x, "%H:%M")
            .map(|t| t.num_seconds_from_midnight())
            .map_err(|_| bad())
    };
    let (a, b) = (t(a)?, t(b)?);
    if a >= b {
        return Err(bad());
    }
    Ok((a, b))
}

fn parse_day(s: &str, file: &Path, key: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        Error::usage(format!(
            "{}: key `{key}`: `{s}` is not a date",
            file.display()
        ))
        .with_hint("write dates as \"YYYY-MM-DD\"")
    })
}

fn windows(list: &[String], file: &Path, key: &str) -> Result<Vec<Window>> {
    let mut w: Vec<Window> = list
        .iter()
        .map(|s| parse_window(s, file, key))
        .collect::<Result<_>>()?;
    w.sort();
    for pair in w.windows(2) {
        if pair[1].0 < pair[0].1 {
            return Err(Error::usage(format!(
                "{}: key `{key}`: working windows overlap",
                file.display()
            )));
        }
    }
    Ok(w)
}

fn epoch_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(EPOCH_DAY.0, EPOCH_DAY.1, EPOCH_DAY.2).expect("valid epoch day")
}

impl Calendar {
    /// Load and merge calendar files. The first file's weekly hours and time zone apply;
    /// holidays and make-up days of all files are merged (e.g. cn-2025 + cn-2026).
    pub fn load(paths: &[PathBuf]) -> Result<Calendar> {
        let mut cal: Option<Calendar> = None;
        for path in paths {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::usage(format!(
                    "calendar file {}: cannot read: {e}",
                    path.display()
                ))
                .with_hint("the `calendar` path in a contract is relative to the contract file")
            })?;
            let f: CalendarFile = toml::from_str(&text)
                .map_err(|e| Error::usage(format!("{}: invalid calendar: {e}", path.display())))?;
            let tz: Tz = match &f.timezone {
                Some(t) => t.parse().map_err(|_| {
                    Error::usage(format!(
                        "{}: key `timezone`: unknown time zone `{t}`",
                        path.display()
                    ))
                    .with_hint("use an IANA name such as \"Asia/Shanghai\"")
                })?,
                None => chrono_tz::Asia::Shanghai,
            };
            let h = &f.hours;
            let mut holidays = BTreeSet::new();
            for d in f.holidays.iter().chain(h.holidays.iter()) {
                holidays.insert(parse_day(d, path, "holidays")?);
            }
            let mut workdays = BTreeSet::new();
            for d in f.workdays.iter().chain(h.workdays.iter()) {
                workdays.insert(parse_day(d, path, "workdays")?);
            }
            if let Some(d) = holidays.intersection(&workdays).next() {
                return Err(Error::usage(format!(
                    "{}: {d} is listed both as a holiday and as a make-up workday",
                    path.display()
                )));
            }
            let makeup_src = if !f.makeup_hours.is_empty() {
                &f.makeup_hours
            } else {
                &h.makeup_hours
            };
            match cal.as_mut() {
                None => {
                    let week = [
                        windows(&h.mon, path, "hours.mon")?,
                        windows(&h.tue, path, "hours.tue")?,
                        windows(&h.wed, path, "hours.wed")?,
                        windows(&h.thu, path, "hours.thu")?,
                        windows(&h.fri, path, "hours.fri")?,
                        windows(&h.sat, path, "hours.sat")?,
                        windows(&h.sun, path, "hours.sun")?,
                    ];
                    let makeup = if makeup_src.is_empty() {
                        week[0].clone()
                    } else {
                        windows(makeup_src, path, "makeup_hours")?
                    };
                    cal = Some(Calendar {
                        name: f.name.clone(),
                        sources: f.source.clone().into_iter().collect(),
                        files: vec![path.clone()],
                        tz,
                        week,
                        makeup,
                        holidays,
                        workdays,
                        years_covered: BTreeSet::new(),
                        prefix: Vec::new(),
                        day_kind: Vec::new(),
                    });
                }
                Some(c) => {
                    c.name = format!("{} + {}", c.name, f.name);
                    c.sources.extend(f.source.clone());
                    c.files.push(path.clone());
                    c.holidays.extend(holidays);
                    c.workdays.extend(workdays);
                    if let Some(d) = c.holidays.intersection(&c.workdays).next() {
                        return Err(Error::usage(format!(
                            "{}: {d} is a holiday in one calendar file and a make-up workday in another",
                            path.display()
                        )));
                    }
                }
            }
        }
        let mut c = cal.ok_or_else(|| Error::usage("no calendar file given"))?;
        c.years_covered = c
            .holidays
            .iter()
            .chain(c.workdays.iter())
            .map(|d| d.year())
            .collect();
        c.build_prefix();
        Ok(c)
    }

    /// Working windows of a local date.
    pub fn windows_of(&self, d: NaiveDate) -> &[Window] {
        if self.holidays.contains(&d) {
            return &[];
        }
        if self.workdays.contains(&d) {
            return &self.makeup;
        }
        &self.week[d.weekday().num_days_from_monday() as usize]
    }

    /// Length of Monday's working windows in seconds: one working day.
    pub fn working_day_seconds(&self) -> i64 {
        self.week[Weekday::Mon.num_days_from_monday() as usize]
            .iter()
            .map(|(a, b)| (b - a) as i64)
            .sum()
    }

    fn build_prefix(&mut self) {
        let mut prefix = Vec::with_capacity(DAYS + 1);
        let mut day_kind = Vec::with_capacity(DAYS);
        let mut acc = 0i64;
        let mut d = epoch_day();
        prefix.push(0);
        for _ in 0..DAYS {
            day_kind.push(if self.holidays.contains(&d) {
                HOLIDAY
            } else if self.workdays.contains(&d) {
                MAKEUP
            } else {
                d.weekday().num_days_from_monday() as u8
            });
            acc += self
                .windows_of(d)
                .iter()
                .map(|(a, b)| (b - a) as i64)
                .sum::<i64>();
            prefix.push(acc);
            d = d.succ_opt().expect("date in range");
        }
        self.prefix = prefix;
        self.day_kind = day_kind;
    }

    /// Working seconds from the table's epoch to the instant `ms` (Unix milliseconds).
    fn cum(&self, ms: i64) -> f64 {
        match chrono::DateTime::from_timestamp_millis(ms) {
            Some(utc) => self.cum_local(self.tz.from_utc_datetime(&utc.naive_utc()).naive_local()),
            None => 0.0,
        }
    }

    /// Working seconds from the table's epoch to the local time `local`.
    fn cum_local(&self, local: chrono::NaiveDateTime) -> f64 {
        self.cum_local_ms(local.and_utc().timestamp_millis())
    }

    /// [`Calendar::cum_local`] of the local time given as milliseconds from 1970-01-01
    /// 00:00 local time (see `LocalClock::local_ms`): day and time of day by division.
    fn cum_local_ms(&self, local_ms: i64) -> f64 {
        let idx = local_ms.div_euclid(86_400_000) - EPOCH_UNIX_DAYS;
        if idx < 0 {
            return 0.0;
        }
        let idx = idx as usize;
        if idx >= DAYS {
            return self.prefix[DAYS] as f64;
        }
        let of_day = local_ms.rem_euclid(86_400_000);
        let secs = (of_day / 1000) as f64 + ((of_day % 1000) as f64) / 1000.0;
        let windows: &[Window] = match self.day_kind[idx] {
            HOLIDAY => &[],
            MAKEUP => &self.makeup,
            d => &self.week[d as usize],
        };
        let within: f64 = windows
            .iter()
            .map(|&(a, b)| (secs.min(b as f64) - a as f64).max(0.0))
            .sum();
        self.prefix[idx] as f64 + within
    }

    /// A [`WorkClock`] on this calendar.
    pub fn clock(&self) -> WorkClock<'_> {
        WorkClock {
            cal: self,
            clock: LocalClock::new(self.tz),
        }
    }

    /// Working seconds between two instants (Unix milliseconds); negative when `b < a`.
    pub fn working_seconds(&self, a_ms: i64, b_ms: i64) -> f64 {
        self.cum(b_ms) - self.cum(a_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn cal(extra: &str) -> Calendar {
        cal_hours(extra, r#"["09:00-12:00", "13:00-18:00"]"#)
    }

    fn cal_hours(extra: &str, day: &str) -> Calendar {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        write!(
            f,
            r#"name = "test"
source = "unit test"
timezone = "Asia/Shanghai"
holidays = ["2026-10-01","2026-10-02","2026-10-03","2026-10-04","2026-10-05","2026-10-06","2026-10-07"]
workdays = ["2026-09-20","2026-10-10"]
{extra}
[hours]
mon = {day}
tue = {day}
wed = {day}
thu = {day}
fri = {day}
"#
        )
        .unwrap();
        Calendar::load(&[f.path().to_path_buf()]).unwrap()
    }

    fn ms(s: &str) -> i64 {
        let ndt = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        chrono_tz::Asia::Shanghai
            .from_local_datetime(&ndt)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn the_epoch_in_unix_days_is_the_epoch_day() {
        let unix = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        assert_eq!((epoch_day() - unix).num_days(), EPOCH_UNIX_DAYS);
    }

    #[test]
    fn the_clock_reads_working_time_as_the_calendar_does() {
        let c = cal("");
        let mut clock = c.clock();
        let start = ms("2026-09-18 07:00");
        // Every 37 minutes for a month across the National Day holidays and make-up days.
        for k in 0..(31 * 24 * 60 / 37) {
            let a = start + k * 37 * 60_000 + 123;
            let b = a + (k % 50) * 3_600_000 + 456;
            assert_eq!(
                clock.cum(b) - clock.cum(a),
                c.working_seconds(a, b),
                "{a} {b}"
            );
        }
    }

    #[test]
    fn friday_after_close_to_monday_morning_is_45_minutes() {
        // Office closes 17:30: an e-mail at Fri 2026-11-13 17:30 answered Mon 09:45 waited
        // 0 min on Friday, nothing over the weekend and 45 min on Monday.
        let c = cal_hours("", r#"["09:00-12:00", "13:00-17:30"]"#);
        assert_eq!(
            c.working_seconds(ms("2026-11-13 17:30"), ms("2026-11-16 09:45")),
            45.0 * 60.0
        );
        // With an 18:00 close the last half hour of Friday counts too: 30 + 45 min.
        let c = cal("");
        assert_eq!(
            c.working_seconds(ms("2026-11-13 17:30"), ms("2026-11-16 09:45")),
            75.0 * 60.0
        );
    }

    #[test]
    fn lunch_break_does_not_count() {
        let c = cal("");
        // Tue 11:30 -> 13:30: 30 min before lunch + 30 min after.
        assert_eq!(
            c.working_seconds(ms("2026-11-17 11:30"), ms("2026-11-17 13:30")),
            3600.0
        );
        // Entirely inside the lunch break: zero.
        assert_eq!(
            c.working_seconds(ms("2026-11-17 12:10"), ms("2026-11-17 12:50")),
            0.0
        );
    }

    #[test]
    fn national_day_week_counts_only_working_days() {
        let c = cal("");
        // Wed 2026-09-30 17:00 -> Fri 2026-10-09 10:00.
        // Sep 30: 1 h. Oct 1-7 holidays. Oct 8 (Thu): 8 h. Oct 9 (Fri) 09:00-10:00: 1 h.
        assert_eq!(
            c.working_seconds(ms("2026-09-30 17:00"), ms("2026-10-09 10:00")),
            10.0 * 3600.0
        );
    }

    #[test]
    fn makeup_saturday_counts_with_monday_hours() {
        let c = cal("");
        // Sat 2026-10-10 is a make-up workday: 09:00 -> 18:00 = 8 h (lunch excluded).
        assert_eq!(
            c.working_seconds(ms("2026-10-10 09:00"), ms("2026-10-10 18:00")),
            8.0 * 3600.0
        );
        // An ordinary Saturday counts nothing.
        assert_eq!(
            c.working_seconds(ms("2026-10-17 09:00"), ms("2026-10-17 18:00")),
            0.0
        );
    }

    #[test]
    fn makeup_hours_override() {
        let c = cal(r#"makeup_hours = ["10:00-16:00"]"#);
        assert_eq!(
            c.working_seconds(ms("2026-10-10 09:00"), ms("2026-10-10 18:00")),
            6.0 * 3600.0
        );
    }

    #[test]
    fn month_end_and_weekend_span() {
        let c = cal("");
        // Fri 2026-10-30 16:00 -> Mon 2026-11-02 10:00: 2 h + 1 h.
        assert_eq!(
            c.working_seconds(ms("2026-10-30 16:00"), ms("2026-11-02 10:00")),
            3.0 * 3600.0
        );
        assert_eq!(c.working_day_seconds(), 8 * 3600);
    }

    #[test]
    fn shipped_calendars_agree_with_the_official_holiday_data() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("report-templates/calendars");
        let c = Calendar::load(&[dir.join("cn-2025.toml"), dir.join("cn-2026.toml")]).unwrap();
        let mut d = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let last = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap(); // the crate's last date
        let mut checked = 0;
        while d <= last {
            let official = chinese_holiday::chinese_holiday(chinese_holiday::Ymd::new(
                d.year() as u16,
                d.month() as u8,
                d.day() as u8,
            ))
            .is_workday();
            assert_eq!(!c.windows_of(d).is_empty(), official, "{d}");
            d = d.succ_opt().unwrap();
            checked += 1;
        }
        assert_eq!(checked, 724);
    }

    #[test]
    fn bad_window_is_a_usage_error() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        write!(f, "name = \"x\"\n[hours]\nmon = [\"9-12\"]\n").unwrap();
        let e = Calendar::load(&[f.path().to_path_buf()]).unwrap_err();
        assert_eq!(e.code, crate::error::ExitCode::Usage);
        assert!(e.message.contains("hours.mon"), "{}", e.message);
    }
}
