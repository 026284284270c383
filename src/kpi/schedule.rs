//! The service schedule beyond the SLAs: order handling (contacts of kind `order` by
//! sub-type), urgent contacts (emergencies) and peak days (holidays, the days around them and
//! unusually busy days) with their service level, each from what the enrich kernel tallied
//! (the orders' sums by topic, the urgent contacts' tally and response times, the days').
//! Figures only; the peak-staffing finding is written by the report stage from them.

use super::tally::{OrderSums, Tally};
use super::{ratio, DayRow};
use crate::config::contract::PeaksCfg;
use crate::config::Calendar;
use chrono::{Datelike, NaiveDate};
use polars::prelude::CategoricalMapping;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `metrics.json` → `orders`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Orders {
    pub contacts: u64,
    pub resolved: u64,
    /// Resolved ÷ order contacts.
    pub resolved_rate: Option<f64>,
    /// Mean `handle_seconds` over order contacts that have one.
    pub handle_mean_seconds: Option<f64>,
    /// Mean `resolved_at − arrived_at` over resolved order contacts that have both.
    pub resolve_time_mean_seconds: Option<f64>,
    /// By sub-type, most contacts first, then by name.
    pub types: Vec<OrderTypeRow>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OrderTypeRow {
    /// `modify_address`, `cancel`, `special_note`, else the contact's topic, else
    /// `unspecified`.
    pub order_type: String,
    pub contacts: u64,
    pub share: f64,
    pub resolved: u64,
    pub resolved_rate: Option<f64>,
    pub handle_mean_seconds: Option<f64>,
    pub resolve_time_mean_seconds: Option<f64>,
}

/// The standard order sub-types, recognised in the topic (first match wins).
const ORDER_TYPES: &[(&str, &[&str])] = &[
    (
        "modify_address",
        &[
            "修改地址",
            "改地址",
            "地址修改",
            "更改地址",
            "变更地址",
            "address",
        ],
    ),
    ("cancel", &["取消", "撤单", "退单", "cancel"]),
    ("special_note", &["备注", "特殊要求", "special", "note"]),
];

/// The sub-type of an order contact with this topic.
pub fn order_type(topic: Option<&str>) -> String {
    let Some(t) = topic.map(str::trim).filter(|t| !t.is_empty()) else {
        return "unspecified".into();
    };
    let lower = t.to_lowercase();
    ORDER_TYPES
        .iter()
        .find(|(_, words)| words.iter().any(|w| lower.contains(w)))
        .map(|(k, _)| k.to_string())
        .unwrap_or_else(|| t.to_string())
}

/// Order handling, from the order contacts' sums by topic (`topic`: the topics' text).
pub(super) fn orders(
    by_topic: &BTreeMap<Option<u32>, OrderSums>,
    topic: &CategoricalMapping,
) -> Orders {
    // Sums, not means, are merged, so a sub-type's mean is exact over all its topics.
    let mut by_type: BTreeMap<String, OrderSums> = BTreeMap::new();
    let mut all = OrderSums::default();
    for (id, sums) in by_topic {
        let text = id.and_then(|id| topic.cat_to_str(id));
        by_type.entry(order_type(text)).or_default().merge(sums);
        all.merge(sums);
    }
    let mut types: Vec<OrderTypeRow> = by_type
        .into_iter()
        .map(|(k, s)| OrderTypeRow {
            order_type: k,
            contacts: s.n,
            share: s.n as f64 / all.n.max(1) as f64,
            resolved: s.resolved,
            resolved_rate: ratio(s.resolved as f64, s.n as f64),
            handle_mean_seconds: s.handle.get(),
            resolve_time_mean_seconds: s.resolve.get(),
        })
        .collect();
    types.sort_by(|x, y| {
        y.contacts
            .cmp(&x.contacts)
            .then(x.order_type.cmp(&y.order_type))
    });
    Orders {
        contacts: all.n,
        resolved: all.resolved,
        resolved_rate: ratio(all.resolved as f64, all.n as f64),
        handle_mean_seconds: all.handle.get(),
        resolve_time_mean_seconds: all.resolve.get(),
        types,
    }
}

/// `metrics.json` → `urgent`: contacts of priority `urgent`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Urgent {
    pub contacts: u64,
    pub answered: u64,
    pub resolved: u64,
    pub response_mean_seconds: Option<f64>,
    pub response_p90_seconds: Option<f64>,
    /// The slowest first response among answered urgent contacts.
    pub response_max_seconds: Option<f64>,
}

/// The urgent contacts' figures from their tally and their response times (`resp`, the
/// answered ones').
pub(super) fn urgent(t: &Tally, resp: &[f64]) -> Urgent {
    // The 90th percentile and the largest, as Polars' linear quantile gives them.
    let q = super::percentile::quantiles(1, &[0.9, 1.0], || resp.iter().map(|&x| (0, x)));
    Urgent {
        contacts: t.contacts,
        answered: t.answered,
        resolved: t.resolved,
        response_mean_seconds: t.resp.get(),
        response_p90_seconds: q[0][0],
        response_max_seconds: q[0][1],
    }
}

/// `metrics.json` → `peaks`: peak days against the others.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Peaks {
    pub days_around_holidays: u32,
    pub volume_factor: f64,
    /// Median contacts of the days that had any.
    pub median_day_contacts: Option<f64>,
    pub peak_days: u64,
    pub peak_contacts: u64,
    /// Service level (channels with a service-level threshold) over the peak days together,
    /// and over the other days.
    pub peak_service_level: Option<f64>,
    pub other_service_level: Option<f64>,
}

/// `holiday`, `makeup_workday`, `weekend` or `workday` (no calendar: weekends are Saturday
/// and Sunday).
pub fn day_type(cal: Option<&Calendar>, d: NaiveDate) -> &'static str {
    match cal {
        Some(c) if c.holidays.contains(&d) => "holiday",
        Some(c) if c.workdays.contains(&d) => "makeup_workday",
        Some(c) if c.windows_of(d).is_empty() => "weekend",
        Some(_) => "workday",
        None if d.weekday().number_from_monday() >= 6 => "weekend",
        None => "workday",
    }
}

/// Mark each day's type and whether it is a peak day, and sum up peaks against the others.
/// A peak day is a holiday, a day within `days_around_holidays` of one, or a day with at
/// least `volume_factor` × the median day's contacts.
pub(super) fn peaks(days: &mut [DayRow], cal: Option<&Calendar>, cfg: &PeaksCfg) -> Peaks {
    let mut volumes: Vec<u64> = days.iter().map(|d| d.contacts).collect();
    volumes.sort_unstable();
    let median = match volumes.len() {
        0 => None,
        n if n % 2 == 1 => Some(volumes[n / 2] as f64),
        n => Some((volumes[n / 2 - 1] + volumes[n / 2]) as f64 / 2.0),
    };
    let near_holiday = |d: NaiveDate| {
        cal.is_some_and(|c| {
            (1..=cfg.days_around_holidays as i64).any(|k| {
                c.holidays.contains(&(d - chrono::Duration::days(k)))
                    || c.holidays.contains(&(d + chrono::Duration::days(k)))
            })
        })
    };
    let (mut p, mut o) = ((0u64, 0u64), (0u64, 0u64));
    let (mut peak_days, mut peak_contacts) = (0, 0);
    for d in days.iter_mut() {
        let Ok(date) = NaiveDate::parse_from_str(&d.date, "%Y-%m-%d") else {
            continue;
        };
        d.day_type = day_type(cal, date).to_string();
        d.peak = if d.day_type == "holiday" {
            Some("holiday".into())
        } else if near_holiday(date) {
            Some("around_holiday".into())
        } else if median.is_some_and(|m| m > 0.0 && d.contacts as f64 >= cfg.volume_factor * m) {
            Some("volume".into())
        } else {
            None
        };
        let acc = if d.peak.is_some() {
            peak_days += 1;
            peak_contacts += d.contacts;
            &mut p
        } else {
            &mut o
        };
        acc.0 += d.service_level_hits;
        acc.1 += d.service_level_base;
    }
    Peaks {
        days_around_holidays: cfg.days_around_holidays,
        volume_factor: cfg.volume_factor,
        median_day_contacts: median,
        peak_days,
        peak_contacts,
        peak_service_level: ratio(p.0 as f64, p.1 as f64),
        other_service_level: ratio(o.0 as f64, o.1 as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_types_come_from_the_topic() {
        assert_eq!(order_type(Some("修改地址")), "modify_address");
        assert_eq!(order_type(Some("Change address")), "modify_address");
        assert_eq!(order_type(Some("取消寄件")), "cancel");
        assert_eq!(order_type(Some("备注特殊要求")), "special_note");
        assert_eq!(order_type(Some("预约上门")), "预约上门");
        assert_eq!(order_type(None), "unspecified");
        assert_eq!(order_type(Some("  ")), "unspecified");
    }
}
