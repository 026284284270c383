//! Mapped reading: a mapping profile ([`crate::config::profile`]) applied to a file's rows.
//!
//! [`MappedSink`] sits between a reader and the normalize stage's sink: it converts each
//! source row into a canonical row (source columns, constants, date plus time, timestamp
//! plus duration, value maps, sentinels, Excel serials, clock durations) and hands it on; it
//! never decides whether a row is accepted (normalize does, with the same rules as for
//! canonical files).

use super::{Cell, RowSink};
use crate::config::profile::{
    closest_n, value_key, ColumnRule, DurationFormat, Profile, Source, DURATION_COLUMNS,
    NUMBER_COLUMNS, TIMESTAMP_COLUMNS,
};
use crate::error::{Error, Result};
use crate::util::InputFile;
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

/// A rule with its source columns resolved to indexes in the current file.
#[derive(Debug, Clone)]
enum Resolved {
    Column(usize),
    Constant(String),
    Join(Vec<usize>, String),
    Mean(Vec<usize>),
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
    /// The column each row filter reads, in the current file.
    filters: Vec<usize>,
    /// The profile with the workbook's own 1904 date system, when the file being read is a
    /// workbook that has it.
    date_1904: Option<Profile>,
    /// What the reader said of the next file's date system, before its header.
    next_1904: bool,
    /// The order the rules' columns go to the inner sink in.
    order: Vec<usize>,
    inner: &'a mut dyn RowSink,
    resolved: Vec<Resolved>,
}

impl<'a> MappedSink<'a> {
    pub fn new(profile: &'a Profile, inner: &'a mut dyn RowSink) -> Self {
        MappedSink {
            profile,
            filters: Vec::new(),
            date_1904: None,
            next_1904: false,
            order: Vec::new(),
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
            // 上午9:05, 下午3:05:10, 9时05分: read as on any date.
            if let Some(t) = cn_clock(&format!("2000年1月1日 {}", s.trim())) {
                return Ok(t.time().num_seconds_from_midnight() as f64);
            }
            Err(crate::why!("not_a_time_of_day", s.trim()))
        }
        other => Err(crate::why!("not_a_time_of_day", other.to_text())),
    }
}

/// A number written as a spreadsheet shows it: thousands separators (`1,234.5`) and a
/// trailing percent sign (`85%` is 85, the number shown). `None` for anything else.
fn shown_number(s: &str) -> Option<f64> {
    let s = s.trim();
    let s = s.strip_suffix('%').map(str::trim_end).unwrap_or(s);
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let digits = int.strip_prefix(['-', '+']).unwrap_or(int);
    let groups: Vec<&str> = digits.split(',').collect();
    let grouped = groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3);
    if groups.len() > 1 && !grouped {
        return None;
    }
    if !groups
        .iter()
        .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()))
        || frac.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    s.replace(',', "").parse().ok()
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

/// A duration written in Chinese: `90秒`, `1分30秒`, `1小时2分`, `2时5分10秒`, `3分钟`; each
/// number followed by its unit, units from hours down, nothing else.
fn cn_duration(s: &str) -> Option<f64> {
    const UNITS: &[(&str, f64)] = &[
        ("小时", 3600.0),
        ("时", 3600.0),
        ("分钟", 60.0),
        ("分", 60.0),
        ("秒钟", 1.0),
        ("秒", 1.0),
    ];
    let mut rest = s.trim();
    let (mut total, mut last) = (0.0, f64::INFINITY);
    while !rest.is_empty() {
        let n_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .filter(|&i| i > 0)?;
        let n: f64 = rest[..n_end].parse().ok()?;
        rest = &rest[n_end..];
        let (unit, secs) = UNITS.iter().find(|(u, _)| rest.starts_with(u))?;
        // Units must come from larger to smaller (1分30秒, not 30秒1分).
        if *secs >= last {
            return None;
        }
        last = *secs;
        total += n * secs;
        rest = &rest[unit.len()..];
    }
    (last.is_finite()).then_some(total)
}

/// A timestamp whose format carries its zone: an offset (`%z`, `%:z`), a zone name (`%Z`:
/// `UTC`, `GMT` or an IANA name; an abbreviation such as `CST` means several zones and is
/// refused) or Unix seconds (`%s`, UTC). `None` when the format has no zone or the text does
/// not match it. The instant is passed on with its offset, so no zone setting moves it.
fn zoned(s: &str, f: &str) -> Option<Out> {
    let instant = |t: chrono::DateTime<chrono::FixedOffset>| Some(Out::Text(t.to_rfc3339()));
    if f.contains("%z") || f.contains("%:z") || f.contains("%#z") {
        return chrono::DateTime::parse_from_str(s, f)
            .ok()
            .and_then(instant);
    }
    if f.contains("%s") {
        let t = NaiveDateTime::parse_from_str(s, f).ok()?;
        return instant(t.and_utc().fixed_offset());
    }
    if f.contains("%Z") {
        let g = f.replace("%Z", "");
        let words: Vec<&str> = s.split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            let rest: Vec<&str> = words
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, w)| *w)
                .collect();
            let Ok(t) = NaiveDateTime::parse_from_str(&rest.join(" "), g.trim()) else {
                continue;
            };
            let tz = match *w {
                "Z" | "UTC" | "GMT" => chrono_tz::UTC,
                name => match name.parse::<chrono_tz::Tz>() {
                    Ok(tz) if name.contains('/') => tz,
                    _ => return Some(Out::Invalid(crate::why!("unknown_zone", name, s))),
                },
            };
            return Some(match local_to_instant(t, tz) {
                Some(t) => Out::Text(t.to_rfc3339()),
                None => Out::Invalid(crate::why!("nonexistent_local_time", t, tz)),
            });
        }
    }
    None
}

/// A wall-clock time in `tz` as an instant with its offset (the earlier one in an hour that
/// repeats).
fn local_to_instant(
    t: NaiveDateTime,
    tz: chrono_tz::Tz,
) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    use chrono::TimeZone;
    tz.from_local_datetime(&t)
        .earliest()
        .map(|t| t.fixed_offset())
}

/// A time written the Chinese way: `2026年10月1日 9时05分[30秒]`, `2026年10月1日 09:05[:30]`,
/// with `上午`/`下午` (also `凌晨`, `中午`, `晚上`) before a 12-hour clock.
fn cn_clock(s: &str) -> Option<NaiveDateTime> {
    const HALVES: &[(&str, bool)] = &[
        ("上午", false),
        ("凌晨", false),
        ("早上", false),
        ("中午", true),
        ("下午", true),
        ("晚上", true),
    ];
    let half = HALVES.iter().find(|(w, _)| s.contains(w));
    let plain = match half {
        Some((w, _)) => s.replacen(w, " ", 1),
        None => s.to_string(),
    };
    let plain = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    let t = [
        "%Y年%m月%d日 %H时%M分%S秒",
        "%Y年%m月%d日 %H时%M分",
        "%Y年%m月%d日 %H点%M分%S秒",
        "%Y年%m月%d日 %H点%M分",
        "%Y年%m月%d日 %H:%M:%S",
        "%Y年%m月%d日 %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(&plain, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(&plain, "%Y年%m月%d日")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })?;
    match half {
        None => Some(t),
        Some((_, pm)) => {
            let h = t.hour();
            if h > 12 {
                return None;
            }
            let h = match (pm, h) {
                (true, 12) => 12,
                (true, h) => h + 12,
                (false, 12) => 0,
                (false, h) => h,
            };
            t.with_hour(h)
        }
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
                Err(crate::why!("not_a_date", s))
            }
            other => Err(crate::why!("not_a_date", other.to_text())),
        }
    }

    fn timestamp(&self, c: &Cell, rule: &ColumnRule) -> Out {
        match c {
            Cell::DateTime(t) => Out::DateTime(*t),
            Cell::Number(n) => match self.excel_serial(*n) {
                Some(t) => Out::DateTime(t),
                None => Out::Invalid(crate::why!("not_an_excel_date", c.to_text())),
            },
            Cell::Text(s) => {
                let s = s.trim();
                for f in rule.formats.iter().chain(&self.timestamp_formats) {
                    if let Some(out) = zoned(s, f) {
                        return out;
                    }
                    if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
                        return Out::DateTime(t);
                    }
                }
                if let Some(t) = cn_clock(s) {
                    return Out::DateTime(t);
                }
                for f in rule.formats.iter().chain(&self.date_formats) {
                    if let Ok(d) = NaiveDate::parse_from_str(s, f) {
                        return Out::DateTime(d.and_hms_opt(0, 0, 0).expect("midnight"));
                    }
                }
                // An Excel serial number stored as text (a re-saved sheet, a CSV export of
                // one), in the file's date system: only a plausible date (1954–2119), so a
                // stray small number is still refused rather than dated to 1900.
                let serial = s
                    .parse::<f64>()
                    .ok()
                    .filter(|n| (20_000.0..80_000.0).contains(n));
                if let Some(t) = serial.and_then(|n| self.excel_serial(n)) {
                    return Out::DateTime(t);
                }
                // A naive ISO form is a wall-clock time (in the export's zone); one with an
                // offset is left to the canonical parser, which honours it.
                match crate::model::parse_naive(s) {
                    Some(t) => Out::DateTime(t),
                    None => Out::Text(s.to_string()),
                }
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
                match shown_number(s).filter(|_| !s.ends_with('%')) {
                    Some(n) => Some(match f {
                        DurationFormat::Minutes => n * 60.0,
                        DurationFormat::DayFraction => n * 86_400.0,
                        _ => n,
                    }),
                    None => hms(s).or_else(|| cn_duration(s)),
                }
            }
            _ => None,
        };
        match v {
            Some(v) => Out::Number(v),
            None => Out::Invalid(crate::why!("not_a_duration", c.to_text())),
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
        let text = value_key(&text);
        rule.missing
            .iter()
            .chain(&rule.none)
            .any(|m| *m == text || clock.as_deref() == Some(m.as_str()))
    }

    fn convert(&self, rule: &ColumnRule, res: &Resolved, cells: &[Cell]) -> Out {
        let get = |i: usize| cells.get(i).unwrap_or(&Cell::Empty);
        // An Excel error value or a formula without its value is never read as data.
        let used: &[usize] = match res {
            Resolved::Column(i) => std::slice::from_ref(i),
            Resolved::DateTime(a, _) | Resolved::Plus(a, _) => std::slice::from_ref(a),
            Resolved::Join(cols, _) | Resolved::Mean(cols) => cols,
            Resolved::Constant(_) => &[],
        };
        let second = match res {
            Resolved::DateTime(_, b) | Resolved::Plus(_, b) => Some(*b),
            _ => None,
        };
        for &i in used.iter().chain(second.as_ref()) {
            if let Cell::Invalid(why) = get(i) {
                return Out::Invalid(why.to_string());
            }
        }
        let is_ts = TIMESTAMP_COLUMNS.contains(&rule.canonical);
        let is_dur = DURATION_COLUMNS.contains(&rule.canonical);
        match res {
            Resolved::Constant(v) => Out::Text(v.clone()),
            Resolved::Mean(cols) => {
                // The answers given, missing ones left out; none at all: no score.
                let mut answers = Vec::new();
                for &i in cols {
                    let c = get(i);
                    if self.is_none(c, rule) {
                        continue;
                    }
                    let v = match c {
                        Cell::Number(n) => Some(*n),
                        Cell::Text(s) => shown_number(s),
                        _ => None,
                    };
                    match v {
                        Some(v) => answers.push(v),
                        None => return Out::Invalid(crate::why!("not_a_score", c.to_text())),
                    }
                }
                if answers.is_empty() {
                    Out::Empty
                } else {
                    Out::Number(answers.iter().sum::<f64>() / answers.len() as f64)
                }
            }
            Resolved::Join(cols, sep) => {
                let parts: Vec<String> = cols.iter().map(|&i| cell_text(get(i))).collect();
                if parts.iter().all(|p| p.is_empty()) {
                    Out::Empty
                } else {
                    Out::Text(parts.join(sep))
                }
            }
            Resolved::DateTime(d, t) => {
                let (dc, tc) = (get(*d), get(*t));
                if self.is_none(dc, rule) {
                    return Out::Empty;
                }
                let date = match self.date(dc, rule) {
                    Ok(d) => d,
                    Err(e) => return Out::Invalid(e),
                };
                // No time (or a "none" sentinel such as 0:00:00): the event did not happen
                // (a call never answered), whatever the date column says.
                if self.is_none(tc, rule) {
                    return Out::Empty;
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
                    Out::Text(s) => match crate::model::parse_naive(&s) {
                        Some(t) => t,
                        None => return Out::Invalid(crate::why!("not_a_timestamp", s)),
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
                    let key = value_key(&cell_text(c));
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
                        Cell::Text(s) if NUMBER_COLUMNS.contains(&rule.canonical) => {
                            match shown_number(s) {
                                Some(n) => Out::Number(n),
                                None => Out::Text(s.trim().to_string()),
                            }
                        }
                        Cell::Bool(b) => Out::Text(b.to_string()),
                        other => Out::Text(cell_text(other)),
                    }
                }
            }
        }
    }
}

/// Whether a canonical column is a survey item.
fn is_item(canonical: &str) -> bool {
    canonical.starts_with(crate::columns::ITEM_PREFIX)
}

/// A time of day that comes before the arrival's on the same date column is on the next day
/// (a call that arrived at 23:59:50 and was answered at 0:00:05): when the arrival and the
/// later timestamp are both a date plus a time of day, from the same date column.
fn next_day_after_arrival(profile: &Profile, outs: &mut [Out]) {
    let date_of = |r: &ColumnRule| match &r.source {
        Source::DateTime { date, .. } => Some(date.clone()),
        _ => None,
    };
    let Some(a) = profile
        .rules
        .iter()
        .position(|r| r.canonical == "arrived_at")
    else {
        return;
    };
    let (Some(date), Out::DateTime(arrived)) = (date_of(&profile.rules[a]), &outs[a]) else {
        return;
    };
    let arrived = *arrived;
    for (r, out) in profile.rules.iter().zip(outs.iter_mut()) {
        if r.canonical == "arrived_at" || date_of(r).as_ref() != Some(&date) {
            continue;
        }
        if let Out::DateTime(t) = out {
            if *t < arrived && arrived - *t < Duration::days(1) {
                *t += Duration::days(1);
            }
        }
    }
}

impl RowSink for MappedSink<'_> {
    /// A workbook's serial numbers count in its own date system, whatever the profile says
    /// for text files.
    fn workbook(&mut self, date_1904: bool) {
        self.next_1904 = date_1904;
    }

    fn header(&mut self, file: &InputFile, headers: &[String]) -> Result<()> {
        let date_1904 = std::mem::take(&mut self.next_1904);
        self.date_1904 = (date_1904 && !self.profile.date_1904).then(|| Profile {
            date_1904: true,
            ..self.profile.clone()
        });
        let p = self.profile;
        let keys: Vec<String> = headers
            .iter()
            .map(|h| crate::columns::header_key(h))
            .collect();
        let mut missing: Vec<String> = Vec::new();
        // A source column's position; a name the file lacks is noted (all are reported
        // together) and stands at position 0 until then.
        let mut find = |key: &str, name: &str| -> Result<usize> {
            let want = crate::columns::header_key(name);
            let at: Vec<usize> = (0..keys.len()).filter(|&i| keys[i] == want).collect();
            if let [first, second, ..] = at[..] {
                return Err(Error::usage(format!(
                    "{}: column `{name}` (mapped to `{key}` by {}) appears twice, as columns {} and {}",
                    file.path.display(),
                    p.path.display(),
                    first + 1,
                    second + 1
                ))
                .with_hint("rename one of them in the export, so that the profile names the one it means"));
            }
            if at.is_empty() {
                let near = closest_n(name, headers, 3);
                missing.push(if near.is_empty() {
                    format!("`columns.{key}` = `{name}`")
                } else {
                    format!("`columns.{key}` = `{name}` (closest: {})", near.join(", "))
                });
            }
            Ok(at.first().copied().unwrap_or(0))
        };
        let mut resolved = Vec::with_capacity(p.rules.len());
        for r in &p.rules {
            resolved.push(match &r.source {
                Source::Column(c) => Resolved::Column(find(r.canonical, c)?),
                Source::Constant(v) => Resolved::Constant(v.clone()),
                Source::Join { columns, separator } => {
                    let cols = columns.iter().map(|c| find(r.canonical, c));
                    Resolved::Join(cols.collect::<Result<_>>()?, separator.clone())
                }
                Source::Mean(columns) => {
                    let cols = columns.iter().map(|c| find(r.canonical, c));
                    Resolved::Mean(cols.collect::<Result<_>>()?)
                }
                Source::DateTime { date, time } => {
                    Resolved::DateTime(find(r.canonical, date)?, find(r.canonical, time)?)
                }
                Source::Plus { base, add } => {
                    Resolved::Plus(find(r.canonical, base)?, find(r.canonical, add)?)
                }
            });
        }
        let filters = p
            .filters
            .iter()
            .map(|f| find("filter", &f.column))
            .collect::<Result<Vec<_>>>()?;
        if !missing.is_empty() {
            return Err(Error::usage(format!(
                "mapping profile {}: {} source column{} not in {}: {}",
                p.path.display(),
                missing.len(),
                if missing.len() == 1 { " is" } else { "s are" },
                file.path.display(),
                missing.join("; ")
            ))
            .with_hint(if headers.iter().all(|h| h.trim().is_empty()) {
                "the file has no header names".to_string()
            } else {
                "correct the names in the profile's [columns], or name the sheet or header row where they are in its [source]".to_string()
            }));
        }
        self.resolved = resolved;
        self.filters = filters;
        // Survey items go in the order of their columns in the file (the questionnaire's),
        // after the other columns.
        let mut order: Vec<usize> = (0..p.rules.len()).collect();
        order.sort_by_key(
            |&i| match (&self.resolved[i], is_item(p.rules[i].canonical)) {
                (Resolved::Column(col), true) => (1, *col),
                _ => (0, i),
            },
        );
        self.order = order;
        let canonical: Vec<String> = self
            .order
            .iter()
            .map(|&i| p.rules[i].canonical.to_string())
            .collect();
        self.inner.header(file, &canonical)
    }

    fn row(&mut self, row_no: u64, cells: &[Cell<'_>]) {
        // Full-width digits, colons, spaces and letters as their plain forms (NFKC).
        let nfkc: Vec<Option<String>> = cells
            .iter()
            .map(|c| match c {
                Cell::Text(s) if !s.is_ascii() && !unicode_normalization::is_nfkc(s) => {
                    use unicode_normalization::UnicodeNormalization;
                    Some(s.nfkc().collect())
                }
                _ => None,
            })
            .collect();
        let normalized: Vec<Cell>;
        let cells = if nfkc.iter().any(Option::is_some) {
            normalized = cells
                .iter()
                .zip(&nfkc)
                .map(|(c, n)| match n {
                    Some(s) => Cell::Text(s.as_str()),
                    None => c.clone(),
                })
                .collect();
            &normalized[..]
        } else {
            cells
        };
        for (f, &i) in self.profile.filters.iter().zip(&self.filters) {
            let v = value_key(&cells.get(i).map(cell_text).unwrap_or_default());
            if f.values.contains(&v) != f.keep {
                return self.inner.filtered(row_no, &f.name);
            }
        }
        let profile = self.date_1904.as_ref().unwrap_or(self.profile);
        let outs: Vec<Out> = profile
            .rules
            .iter()
            .zip(&self.resolved)
            .map(|(r, res)| profile.convert(r, res, cells))
            .collect();
        let mut outs = outs;
        next_day_after_arrival(profile, &mut outs);
        if let Some(tz) = profile.time_zone {
            for (r, out) in profile.rules.iter().zip(outs.iter_mut()) {
                if let (true, Out::DateTime(t)) = (TIMESTAMP_COLUMNS.contains(&r.canonical), &*out)
                {
                    *out = match local_to_instant(*t, tz) {
                        Some(i) => Out::Text(i.to_rfc3339()),
                        None => Out::Invalid(crate::why!("nonexistent_local_time", t, tz)),
                    };
                }
            }
        }
        let mapped: Vec<Cell> = self
            .order
            .iter()
            .map(|&i| match &outs[i] {
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
    use std::path::Path;

    #[test]
    fn chinese_durations() {
        assert_eq!(cn_duration("90秒"), Some(90.0));
        assert_eq!(cn_duration("1分30秒"), Some(90.0));
        assert_eq!(cn_duration("1小时2分"), Some(3720.0));
        assert_eq!(cn_duration("2时5分10秒"), Some(7510.0));
        assert_eq!(cn_duration("3分钟"), Some(180.0));
        assert_eq!(cn_duration("30秒1分"), None);
        assert_eq!(cn_duration("1分30"), None);
        assert_eq!(cn_duration("分"), None);
        assert_eq!(cn_duration(""), None);
    }

    #[test]
    fn numbers_as_shown() {
        assert_eq!(shown_number("1,234"), Some(1234.0));
        assert_eq!(shown_number("-1,234,567.5"), Some(-1_234_567.5));
        assert_eq!(shown_number("85%"), Some(85.0));
        assert_eq!(shown_number("92.5 %"), Some(92.5));
        assert_eq!(shown_number("12"), Some(12.0));
        assert_eq!(shown_number("1,23"), None);
        assert_eq!(shown_number("12,3456"), None);
        assert_eq!(shown_number("1.2.3"), None);
        assert_eq!(shown_number("abc"), None);
        assert_eq!(shown_number("1."), None);
    }

    #[test]
    fn chinese_clocks() {
        let t = |s: &str| cn_clock(s).map(|t| t.to_string());
        assert_eq!(
            t("2026年10月8日 9时05分").as_deref(),
            Some("2026-10-08 09:05:00")
        );
        assert_eq!(
            t("2026年10月8日 下午3:05:00").as_deref(),
            Some("2026-10-08 15:05:00")
        );
        assert_eq!(
            t("2026年10月8日 上午12点10分").as_deref(),
            Some("2026-10-08 00:10:00")
        );
        assert_eq!(
            t("2026年10月8日 中午12:30").as_deref(),
            Some("2026-10-08 12:30:00")
        );
        assert_eq!(t("2026年10月8日").as_deref(), Some("2026-10-08 00:00:00"));
        assert_eq!(t("2026年10月8日 下午13:00"), None);
    }

    #[test]
    fn clock_durations() {
        assert_eq!(hms("0:03:44"), Some(224.0));
        assert_eq!(hms("12:05"), Some(725.0));
        assert_eq!(hms("1:75:00"), None);
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
        // The same serial stored as text, as a re-saved sheet or its CSV export has it.
        let rule = p1900.rules[0].clone();
        match p1900.timestamp(&Cell::Text(" 46303.5 "), &rule) {
            Out::DateTime(t) => assert_eq!(t.to_string(), "2026-10-08 12:00:00"),
            _ => panic!("a serial stored as text is a timestamp"),
        }
        assert!(matches!(
            p1900.timestamp(&Cell::Text("5"), &rule),
            Out::Text(_)
        ));
    }
}
