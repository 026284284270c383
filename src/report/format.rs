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
    match t / 3600 {
        // Nearly every duration: no call into the formatter (an evidence list writes millions).
        h @ 0..=9 => out.push(char::from(b'0' + h as u8)),
        h => {
            let _ = write!(out, "{h}");
        }
    }
    out.push(':');
    push_two_digits(out, (t / 60 % 60) as u8);
    out.push(':');
    push_two_digits(out, (t % 60) as u8);
}

/// `v` (below 100) as two digits, `07` for 7.
pub fn push_two_digits(out: &mut String, v: u8) {
    out.push(char::from(b'0' + v / 10 % 10));
    out.push(char::from(b'0' + v % 10));
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

/// A scorecard line's confidence interval as text (`78.75%–83.93%`), "全量" (census) for a
/// figure counted over every contact, "—" when there is no figure.
pub fn interval_text(l: &crate::evaluate::ScoreLine, t: &crate::config::text::Text) -> String {
    match (l.interval, l.actual) {
        (Some(i), _) => t
            .label("interval_range")
            .replace("{low}", &fmt_value(l.metric, Some(i.low)))
            .replace("{high}", &fmt_value(l.metric, Some(i.high))),
        (None, Some(_)) if !l.sample => t.label("census"),
        _ => "—".into(),
    }
}

/// A scorecard line's 说明 beside its status: an inconclusive figure's reason (its interval
/// reaches across the target under the contract's verdict policy) and the sample that
/// would decide it.
pub fn inconclusive_note(
    l: &crate::evaluate::ScoreLine,
    t: &crate::config::text::Text,
) -> Option<String> {
    if l.status != crate::evaluate::Status::Inconclusive {
        return None;
    }
    let policy = t.label(
        &crate::config::contract::UncertaintyCfg {
            verdict: l.verdict,
            ..Default::default()
        }
        .policy_key(),
    );
    let mut s = t
        .label("inconclusive_note")
        .replace("{policy}", &policy)
        .replace("{target}", &fmt_target(l.metric, l.target));
    if let Some(n) = l.decided_at {
        s.push_str(
            &t.label("inconclusive_more")
                .replace("{n}", &count(n))
                .replace("{now}", &count(l.denominator as u64)),
        );
    }
    Some(s)
}

/// A figure of SLA metric `metric` as text: a percentage for a rate, a duration for a time
/// in seconds, else two decimals.
pub fn fmt_value(metric: SlaMetric, v: Option<f64>) -> String {
    match (metric, v) {
        (SlaMetric::CallbackMeanSeconds, Some(s)) => duration(s),
        _ => fmt_value_of(v, metric.is_rate()),
    }
}

/// An SLA's target as text: [`fmt_value`], after `≤ ` for a ceiling (a metric where lower
/// is better).
pub fn fmt_target(metric: SlaMetric, target: f64) -> String {
    let v = fmt_value(metric, Some(target));
    if metric.lower_is_better() {
        format!("≤ {v}")
    } else {
        v
    }
}

/// A figure as text: a percentage when `percent`, else two decimals; "—" for none.
pub fn fmt_value_of(v: Option<f64>, percent: bool) -> String {
    if percent {
        pct(v)
    } else {
        v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The doc's examples, worked: 14,944 s = 4 h 9 min 4 s; 24.6 s rounds to 25; 522,012 s =
    /// 145 h 0 min 12 s; a negative duration is 0.
    #[test]
    fn durations_are_hours_minutes_seconds() {
        assert_eq!(duration(14_944.0), "4:09:04");
        assert_eq!(duration(24.6), "0:00:25");
        assert_eq!(duration(522_012.0), "145:00:12");
        assert_eq!(duration(-3.0), "0:00:00");
        assert_eq!(duration(35_999.5), "10:00:00");
    }

    proptest::proptest! {
        /// Written digit by digit as the formatter writes `{h}:{m:02}:{s:02}`.
        #[test]
        fn a_duration_is_written_as_the_formatter_writes_it(s in -10.0f64..4e7) {
            let t = duration_seconds(s) as i64;
            let want = format!("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60);
            proptest::prop_assert_eq!(duration(s), want);
        }
    }
}
