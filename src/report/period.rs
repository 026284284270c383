//! How the report writes its period: the days it covers, the last one included
//! (`2026年10月1日—10月31日`, `2026-10-01 – 2026-10-31`), and its name in titles
//! (`2026年10月`, `October 2026`, a week `2026年第42周`, a day `2026年10月15日`). The period
//! itself stays half-open in `metrics.json`; nothing here decides what it covers.

use super::Report;
use crate::config::Lang;
use chrono::{Datelike, NaiveDate};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Report {
    /// First and last day of the period (the end is exclusive in `metrics.json`).
    fn days(&self) -> Option<(NaiveDate, NaiveDate)> {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let p = &self.metrics.period;
        Some((day(&p.start)?, day(&p.end)?.pred_opt()?))
    }

    /// The days the period covers, the last one included.
    pub fn period_span(&self) -> String {
        match self.days() {
            Some((a, b)) => span(self.lang, a, b),
            None => self.metrics.period.start.clone(),
        }
    }

    /// A month of the trend (`2026-08`) as this language writes it (`2026年8月`).
    pub fn month_label(&self, ym: &str) -> String {
        let parsed = NaiveDate::parse_from_str(&format!("{ym}-01"), "%Y-%m-%d");
        match (self.lang, parsed) {
            (Lang::Zh, Ok(d)) => format!("{}年{}月", d.year(), d.month()),
            _ => ym.to_string(),
        }
    }

    /// The span and the time zone it is counted in.
    pub fn period_with_zone(&self) -> String {
        self.text
            .label("period_with_zone")
            .replace("{span}", &self.period_span())
            .replace("{zone}", &self.text.zone(&self.metrics.period.timezone))
    }

    /// The report's title: kind, contract and period.
    pub fn title(&self) -> String {
        self.text
            .label("title_with_period")
            .replace("{title}", &self.text.label("title"))
            .replace("{contract}", &self.metrics.contract_name)
            .replace("{period}", &self.period_name())
    }

    /// A chart's title: what it shows and the period's name.
    pub fn chart_title(&self, key: &str) -> String {
        format!("{} {}", self.text.label(key), self.period_name())
    }

    /// The period's name in titles: a month, an ISO week or a day.
    pub fn period_name(&self) -> String {
        match self.days() {
            Some((a, b)) => name(self.lang, a, b),
            None => self.metrics.period.start.clone(),
        }
    }
}

/// Days `a` to `b`, both included.
fn span(lang: Lang, a: NaiveDate, b: NaiveDate) -> String {
    match lang {
        Lang::Zh => {
            let full = |d: NaiveDate| format!("{}年{}月{}日", d.year(), d.month(), d.day());
            if a == b {
                full(a)
            } else if a.year() == b.year() {
                format!("{}—{}月{}日", full(a), b.month(), b.day())
            } else {
                format!("{}—{}", full(a), full(b))
            }
        }
        Lang::En if a == b => a.to_string(),
        Lang::En => format!("{a} – {b}"),
    }
}

/// The name of days `a` to `b`: a whole month, an ISO week (Monday to Sunday), else the span.
fn name(lang: Lang, a: NaiveDate, b: NaiveDate) -> String {
    let month =
        a.day() == 1 && a.month() == b.month() && b.succ_opt().is_some_and(|n| n.day() == 1);
    let week = (b - a).num_days() == 6 && a.weekday() == chrono::Weekday::Mon;
    let w = a.iso_week();
    match (lang, month, week) {
        (Lang::Zh, true, _) => format!("{}年{}月", a.year(), a.month()),
        (Lang::En, true, _) => format!("{} {}", MONTHS[a.month0() as usize], a.year()),
        (Lang::Zh, _, true) => format!("{}年第{}周", w.year(), w.week()),
        (Lang::En, _, true) => format!("{}-W{:02}", w.year(), w.week()),
        _ => span(lang, a, b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_read_as_people_write_them() {
        let (oct1, oct31) = (d("2026-10-01"), d("2026-10-31"));
        assert_eq!(span(Lang::Zh, oct1, oct31), "2026年10月1日—10月31日");
        assert_eq!(name(Lang::Zh, oct1, oct31), "2026年10月");
        assert_eq!(name(Lang::En, oct1, oct31), "October 2026");
        assert_eq!(span(Lang::En, oct1, oct31), "2026-10-01 – 2026-10-31");
        // ISO week 1 of 2026 starts on Monday 2025-12-29.
        let (mon, sun) = (d("2025-12-29"), d("2026-01-04"));
        assert_eq!(name(Lang::Zh, mon, sun), "2026年第1周");
        assert_eq!(name(Lang::En, mon, sun), "2026-W01");
        assert_eq!(span(Lang::Zh, mon, sun), "2025年12月29日—2026年1月4日");
        let day = d("2026-10-15");
        assert_eq!(name(Lang::Zh, day, day), "2026年10月15日");
        assert_eq!(name(Lang::En, day, day), "2026-10-15");
        // February of a leap year is a month too; a part of one is a span.
        assert_eq!(
            name(Lang::Zh, d("2028-02-01"), d("2028-02-29")),
            "2028年2月"
        );
        assert_eq!(
            name(Lang::Zh, d("2026-10-01"), d("2026-10-15")),
            "2026年10月1日—10月15日"
        );
    }
}
