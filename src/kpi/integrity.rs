//! Integrity checks on the provider's own export (数据核查): patterns that a gamed or
//! incomplete export leaves and that no KPI shows: answered calls with next to no talk time,
//! abandons piling up just under the short-abandon threshold, answers exactly at the
//! service-level threshold, hours inside the service windows without a single contact, and
//! survey invitations skewed by agent. Each check gives its count, the agents or hours it
//! concerns, and whether it stands out; none of them changes a KPI.

use super::Row;
use crate::config::{Calendar, Contract};
use crate::error::Result;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

/// Talk time under this many seconds is next to none.
const SHORT_TALK_SECONDS: f64 = 5.0;
/// A check stands out from this many rows…
const MIN_ROWS: u64 = 10;
/// …when they are this many times what is expected.
const FACTOR: f64 = 3.0;
/// An agent's survey share stands out on this many answered contacts.
const MIN_AGENT_CONTACTS: u64 = 30;

/// `metrics.json` → `integrity`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Integrity {
    pub checks: Vec<Check>,
}

/// One check.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Check {
    /// `short_talk`, `under_short_abandon`, `at_threshold`, `empty_hours`, `survey_skew`.
    pub id: String,
    /// Whether the data allowed the check (a calendar for the hours, a threshold …).
    pub measured: bool,
    /// The rows (hours) it found, and what they are compared with.
    pub rows: u64,
    pub expected: Option<f64>,
    /// It stands out.
    pub flagged: bool,
    /// The agents concerned: (agent, rows, of answered).
    pub agents: Vec<(String, u64, u64)>,
    /// A few examples (hours).
    pub examples: Vec<String>,
    /// By channel: (channel, rows, what they are compared with).
    #[serde(default)]
    pub channels: Vec<(String, u64, f64)>,
}

fn count(df: &DataFrame, e: Expr) -> Result<u64> {
    let g = df
        .clone()
        .lazy()
        .filter(e)
        .select([len().cast(DataType::Int64).alias("n")])
        .collect()?;
    Ok(Row { df: &g, i: 0 }.count("n"))
}

/// Per agent: (agent, rows where `e`, answered contacts).
fn by_agent(df: &DataFrame, e: Expr) -> Result<Vec<(String, u64, u64)>> {
    let g = df
        .clone()
        .lazy()
        .filter(col("answered"))
        .group_by([col("agent_id").cast(DataType::String)])
        .agg([
            e.cast(DataType::Int64).sum().alias("k"),
            len().cast(DataType::Int64).alias("n"),
        ])
        .sort(["agent_id"], SortMultipleOptions::default())
        .collect()?;
    Ok((0..g.height())
        .filter_map(|i| {
            let r = Row { df: &g, i };
            Some((r.text("agent_id")?, r.count("k"), r.count("n")))
        })
        .collect())
}

/// Answered calls on real-time channels with next to no talk time, and the agents whose
/// share of them is far above everyone's.
fn short_talk(df: &DataFrame, realtime: Expr) -> Result<Check> {
    let short = col("handle_s").lt(lit(SHORT_TALK_SECONDS));
    let rows = count(df, col("answered").and(realtime.clone()).and(short.clone()))?;
    let base = count(
        df,
        col("answered")
            .and(realtime.clone())
            .and(col("handle_s").is_not_null()),
    )?;
    let share = if base > 0 {
        rows as f64 / base as f64
    } else {
        0.0
    };
    let agents: Vec<(String, u64, u64)> = by_agent(df, realtime.and(short).fill_null(lit(false)))?
        .into_iter()
        .filter(|(_, k, n)| *k >= MIN_ROWS / 2 && *n > 0 && *k as f64 / *n as f64 >= FACTOR * share)
        .collect();
    Ok(Check {
        id: "short_talk".into(),
        measured: base > 0,
        rows,
        expected: Some(share),
        flagged: rows >= MIN_ROWS && !agents.is_empty(),
        agents,
        examples: Vec::new(),
        channels: Vec::new(),
    })
}

/// Per real-time channel with a short-abandon threshold T: abandons waiting T−2 to T
/// seconds (short, not counted) against those waiting T to T+2.
fn under_short_abandon(df: &DataFrame, contract: &Contract) -> Result<Check> {
    let mut c = Check {
        id: "under_short_abandon".into(),
        ..Default::default()
    };
    let (mut under, mut over) = (0, 0);
    for ch in contract
        .channels
        .all()
        .filter(|ch| contract.channels.is_realtime(*ch))
    {
        let t = contract.short_abandon_seconds(ch);
        if t <= 0.0 {
            continue;
        }
        c.measured = true;
        let name = contract.channels.name(ch);
        let gone = col("answered")
            .not()
            .and(col("channel").cast(DataType::String).eq(lit(name)));
        let range = |lo: f64, hi: f64| col("wait_s").gt_eq(lit(lo)).and(col("wait_s").lt(lit(hi)));
        let u = count(df, gone.clone().and(range(t - 2.0, t)))?;
        let o = count(df, gone.and(range(t, t + 2.0)))?;
        if u > 0 {
            c.channels.push((name.to_string(), u, o as f64));
        }
        under += u;
        over += o;
    }
    c.rows = under;
    c.expected = Some(over as f64);
    c.flagged = under >= MIN_ROWS && under as f64 >= FACTOR * (over.max(1)) as f64;
    Ok(c)
}

/// Per real-time channel with a service-level threshold T: answers after exactly T seconds
/// against the mean of T−1 and T+1.
fn at_threshold(df: &DataFrame, contract: &Contract) -> Result<Check> {
    let mut c = Check {
        id: "at_threshold".into(),
        ..Default::default()
    };
    let (mut at, mut around) = (0, 0.0);
    for ch in contract.channels.all() {
        let Some(t) = contract.service_level_threshold(ch) else {
            continue;
        };
        c.measured = true;
        let name = contract.channels.name(ch);
        let here = col("answered").and(col("channel").cast(DataType::String).eq(lit(name)));
        let exactly = |s: f64| count(df, here.clone().and(col("resp_s").eq(lit(s))));
        let a = exactly(t)?;
        let n = (exactly(t - 1.0)? + exactly(t + 1.0)?) as f64 / 2.0;
        if a > 0 {
            c.channels.push((name.to_string(), a, n));
        }
        at += a;
        around += n;
    }
    c.rows = at;
    c.expected = Some(around);
    c.flagged = at >= MIN_ROWS && at as f64 >= FACTOR * around.max(1.0);
    Ok(c)
}

/// Hours wholly inside the calendar's service windows without a single contact.
fn empty_hours(
    df: &DataFrame,
    calendar: Option<&Calendar>,
    tz: chrono_tz::Tz,
    bounds: (i64, i64),
) -> Result<Check> {
    let mut c = Check {
        id: "empty_hours".into(),
        ..Default::default()
    };
    let Some(cal) = calendar else {
        return Ok(c);
    };
    c.measured = true;
    let (a, b) = bounds;
    let g = df
        .clone()
        .lazy()
        .select([((col("arrived_ms") - lit(a)) / lit(3_600_000i64)).alias("h")])
        .group_by([col("h")])
        .agg([len().alias("n")])
        .collect()?;
    let seen: std::collections::HashSet<i64> = g.column("h")?.i64()?.iter().flatten().collect();
    let mut h = 0i64;
    while a + h * 3_600_000 < b {
        let start = a + h * 3_600_000;
        let local = chrono::TimeZone::timestamp_millis_opt(&tz, start)
            .earliest()
            .map(|d| d.naive_local());
        if let Some(t) = local {
            let from = chrono::Timelike::num_seconds_from_midnight(&t.time());
            let inside = cal
                .windows_of(t.date())
                .iter()
                .any(|w| w.0 <= from && from + 3600 <= w.1);
            if inside && !seen.contains(&h) {
                c.rows += 1;
                if c.examples.len() < 10 {
                    c.examples.push(t.format("%Y-%m-%d %H:00").to_string());
                }
            }
        }
        h += 1;
    }
    c.flagged = c.rows > 0;
    Ok(c)
}

/// Agents whose answered contacts were surveyed at half or twice everyone's rate.
fn survey_skew(df: &DataFrame) -> Result<Check> {
    let all = by_agent(df, col("has_survey"))?;
    let (k, n) = all.iter().fold((0, 0), |s, (_, k, n)| (s.0 + k, s.1 + n));
    let p = if n > 0 { k as f64 / n as f64 } else { 0.0 };
    let agents: Vec<(String, u64, u64)> = all
        .into_iter()
        .filter(|(_, k, n)| {
            *n >= MIN_AGENT_CONTACTS && p > 0.0 && {
                let s = *k as f64 / *n as f64;
                s >= 2.0 * p || s <= p / 2.0
            }
        })
        .collect();
    Ok(Check {
        id: "survey_skew".into(),
        measured: k > 0,
        rows: agents.len() as u64,
        expected: Some(p),
        flagged: !agents.is_empty(),
        agents,
        examples: Vec::new(),
        channels: Vec::new(),
    })
}

/// Every check over the period's enriched contacts `df`.
pub fn checks(
    df: &DataFrame,
    contract: &Contract,
    calendar: Option<&Calendar>,
    bounds: (i64, i64),
) -> Result<Integrity> {
    let realtime: Vec<String> = contract
        .channels
        .all()
        .filter(|c| contract.channels.is_realtime(*c))
        .map(|c| contract.channels.name(c).to_string())
        .collect();
    let is_rt = realtime.iter().fold(lit(false), |e, n| {
        e.or(col("channel").cast(DataType::String).eq(lit(n.as_str())))
    });
    Ok(Integrity {
        checks: vec![
            short_talk(df, is_rt)?,
            under_short_abandon(df, contract)?,
            at_threshold(df, contract)?,
            empty_hours(df, calendar, contract.tz(), bounds)?,
            survey_skew(df)?,
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Contacts of (agent, answered, handle s, wait/response s, surveyed), all on the phone.
    fn frame(rows: &[(&str, bool, f64, f64, bool)]) -> DataFrame {
        df!(
            "agent_id" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            "answered" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            "handle_s" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            "wait_s" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
            "resp_s" => rows.iter().map(|r| r.1.then_some(r.3)).collect::<Vec<_>>(),
            "has_survey" => rows.iter().map(|r| r.4).collect::<Vec<_>>(),
            "channel" => vec!["phone"; rows.len()],
            "arrived_ms" => vec![0i64; rows.len()],
        )
        .unwrap()
    }

    fn contract() -> Contract {
        let t = "[contract]\nid = \"T\"\nname = \"t\"\n[[sla]]\nid = \"sl\"\nclause = \"1\"\nchannel = \"phone\"\nmetric = \"service_level\"\nthreshold_seconds = 20\nshort_abandon_seconds = 5\ntarget = 0.8\n";
        Contract::parse(t, std::path::Path::new("c.toml")).unwrap()
    }

    #[test]
    fn an_agent_hanging_up_on_answer_stands_out() {
        // A: 12 of 20 answered calls under 5 s; B: 1 of 80. Overall 13 / 100 = 13 %; A's
        // 60 % is more than three times that (39 %), B's 1.25 % is not.
        let mut rows = vec![];
        rows.extend((0..20).map(|i| ("A", true, if i < 12 { 2.0 } else { 180.0 }, 10.0, false)));
        rows.extend((0..80).map(|i| ("B", true, if i < 1 { 3.0 } else { 200.0 }, 10.0, false)));
        let c = short_talk(&frame(&rows), col("channel").eq(lit("phone"))).unwrap();
        assert_eq!((c.rows, c.flagged), (13, true));
        assert_eq!(c.agents, [("A".to_string(), 12, 20)]);
    }

    #[test]
    fn abandons_under_the_threshold_and_answers_at_it() {
        // Short abandon at 5 s: 12 abandons after 3–4.9 s, 2 after 5–6.9 s: 12 ≥ 3 × 2.
        let mut rows = vec![];
        rows.extend((0..12).map(|i| ("", false, 0.0, 3.0 + i as f64 * 0.1, false)));
        rows.extend((0..2).map(|_| ("", false, 0.0, 6.0, false)));
        // Answers at exactly 20 s: 15; at 19 s: 2, at 21 s: 2 (mean 2): 15 ≥ 3 × 2.
        rows.extend((0..15).map(|_| ("A", true, 100.0, 20.0, false)));
        rows.extend((0..2).map(|_| ("A", true, 100.0, 19.0, false)));
        rows.extend((0..2).map(|_| ("A", true, 100.0, 21.0, false)));
        let df = frame(&rows);
        let under = under_short_abandon(&df, &contract()).unwrap();
        assert_eq!(
            (under.rows, under.expected, under.flagged),
            (12, Some(2.0), true)
        );
        let at = at_threshold(&df, &contract()).unwrap();
        assert_eq!((at.rows, at.expected, at.flagged), (15, Some(2.0), true));
    }

    #[test]
    fn an_agent_surveyed_far_more_often_stands_out() {
        // A: 30 of 40 answered contacts surveyed (75 %); B and C: 5 of 40 each. Overall
        // 40 / 120 = 33 %: A's is over twice that, B's and C's (12.5 %) under half.
        let mut rows = vec![];
        for (agent, k) in [("A", 30), ("B", 5), ("C", 5)] {
            rows.extend((0..40).map(|i| (agent, true, 100.0, 10.0, i < k)));
        }
        let c = survey_skew(&frame(&rows)).unwrap();
        assert!(c.flagged);
        assert_eq!(
            c.agents,
            [
                ("A".to_string(), 30, 40),
                ("B".to_string(), 5, 40),
                ("C".to_string(), 5, 40)
            ]
        );
    }
}
