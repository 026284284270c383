//! How the report writes figures: counts with thousands separators, durations as h:mm:ss
//! (and the workbook's format for them), percentages, SLA figures. One rule each, used by
//! every renderer; nothing here reads a report.

use crate::config::contract::SlaMetric;

/// A count as the report writes it: thousands separated (`3,300`).
pub fn count(n: u64) -> String {
    crate::util::grouped(n as f64, 0)
}

/// A duration in seconds as every output writes it: hours, minutes and seconds
/// (`4:09:04`, `0:00:25`, `145:00:12`), to the nearest second ([`duration_seconds`]); the
/// workbook writes the same value with the format [`DURATION_FORMAT`].
pub fn duration(s: f64) -> String {
    let mut out = String::new();
    write_duration(&mut out, s);
    out
}

/// [`duration`], written into `out`.
pub fn write_duration(out: &mut String, s: f64) {
    use std::fmt::Write as _;
    let t = duration_seconds(s) as i64;
    let _ = write!(out, "{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60);
}

/// A duration to the nearest whole second: what [`duration`] and the workbook show.
pub fn duration_seconds(s: f64) -> f64 {
    s.max(0.0).round()
}

/// The workbook's number format of a duration (a value in days): `[h]:mm:ss`.
pub const DURATION_FORMAT: &str = "[h]:mm:ss";

pub fn pct(x: Option<f64>) -> String {
    x.map(|v| format!("{:.2}%", v * 100.0))
        .unwrap_or_else(|| "—".into())
}

/// A figure of SLA metric `metric` as text: a percentage for a rate, else two decimals.
pub fn fmt_value(metric: SlaMetric, v: Option<f64>) -> String {
    fmt_value_of(v, metric.is_rate())
}

/// A figure as text: a percentage when `percent`, else two decimals; "—" for none.
pub fn fmt_value_of(v: Option<f64>, percent: bool) -> String {
    if percent {
        pct(v)
    } else {
        v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".into())
    }
}
