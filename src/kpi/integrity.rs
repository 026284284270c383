//! Integrity checks on the provider's own export (数据核查): patterns that a gamed or
//! incomplete export leaves and that no KPI shows: answered calls with next to no talk time,
//! abandons piling up just under the short-abandon threshold, answers exactly at the
//! service-level threshold, hours inside the service windows without a single contact, and
//! survey invitations skewed by agent, and (in [`stamps`]) bursts of identical arrival
//! times and gaps in sequentially numbered ids. Each check gives its count, the agents or
//! hours it concerns, and whether it stands out; none of them changes a KPI.

mod rows;
mod stamps;

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
    /// `short_talk`, `under_short_abandon`, `at_threshold`, `empty_hours`, `survey_skew`,
    /// `bursts`, `id_gaps`.
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

/// Per agent: (agent, answered real-time calls with next to no talk, answered contacts
/// surveyed, answered contacts).
type AgentTable = Vec<(String, u64, u64, u64)>;

/// The agents of the agents table with answered contacts, with their counts of `counted`.
fn agent_table(counted: &rows::Counted, agents: &[super::AgentRow]) -> AgentTable {
    let mut out: AgentTable = agents
        .iter()
        .filter(|a| a.answered > 0)
        .map(|a| {
            let [short, surveyed] = counted.agents.get(&a.agent_id).copied().unwrap_or_default();
            (a.agent_id.clone(), short, surveyed, a.answered)
        })
        .collect();
    out.sort();
    out
}

/// Answered calls on real-time channels with next to no talk time (`rows` of `base`), and
/// the agents whose share of them is far above everyone's.
fn short_talk((rows, base): (u64, u64), table: &AgentTable) -> Check {
    let share = if base > 0 {
        rows as f64 / base as f64
    } else {
        0.0
    };
    let agents: Vec<(String, u64, u64)> = table
        .iter()
        .map(|(a, k, _, n)| (a.clone(), *k, *n))
        .filter(|(_, k, n)| *k >= MIN_ROWS / 2 && *k as f64 / *n as f64 >= FACTOR * share)
        .collect();
    Check {
        id: "short_talk".into(),
        measured: base > 0,
        rows,
        expected: Some(share),
        flagged: rows >= MIN_ROWS && !agents.is_empty(),
        agents,
        ..Default::default()
    }
}

/// A check of rows against what is expected, by channel: abandons waiting T−2 to T seconds
/// (T the short-abandon threshold) against T to T+2; answers after exactly T seconds (the
/// service-level threshold) against the mean of T−1 and T+1.
fn by_channel(id: &str, channels: Vec<(String, u64, f64)>) -> Check {
    let rows: u64 = channels.iter().map(|c| c.1).sum();
    let expected: f64 = channels.iter().map(|c| c.2).sum();
    Check {
        id: id.into(),
        measured: !channels.is_empty(),
        rows,
        expected: Some(expected),
        flagged: rows >= MIN_ROWS && rows as f64 >= FACTOR * expected.max(1.0),
        channels: channels.into_iter().filter(|c| c.1 > 0).collect(),
        ..Default::default()
    }
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
    // The hours of the period with a contact, marked in one pass over the arrivals.
    let hours = ((b - a) / 3_600_000 + 1).max(0) as usize;
    let mut seen = vec![false; hours];
    for arr in df.column("arrived_ms")?.i64()?.downcast_iter() {
        for t in arr.values_iter() {
            if let Some(s) = seen.get_mut(((t - a).max(0) / 3_600_000) as usize) {
                *s = true;
            }
        }
    }
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
            if inside && !seen.get(h as usize).copied().unwrap_or(false) {
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
fn survey_skew(table: &AgentTable) -> Result<Check> {
    let all: Vec<(String, u64, u64)> = table
        .iter()
        .map(|(a, _, s, n)| (a.clone(), *s, *n))
        .collect();
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

/// What the checks count in the period's enriched contacts (`df`), before the agents'
/// table names them: read from the frame alone, so that it can run beside the breakdowns.
pub struct Counted {
    asked: rows::Asked,
    counted: rows::Counted,
    hours: Check,
    bursts: Check,
    gaps: Check,
}

/// Count what every check looks for in the period's enriched contacts (`df`).
pub fn count(
    df: &DataFrame,
    contract: &Contract,
    calendar: Option<&Calendar>,
    bounds: (i64, i64),
) -> Result<Counted> {
    let asked = rows::Asked::of(contract);
    let t0 = std::time::Instant::now();
    let counted = rows::count(df, &asked)?;
    tracing::debug!(seconds = t0.elapsed().as_secs_f64(), "integrity: counts");
    let t0 = std::time::Instant::now();
    let hours = empty_hours(df, calendar, contract.tz(), bounds)?;
    tracing::debug!(
        seconds = t0.elapsed().as_secs_f64(),
        "integrity: empty hours"
    );
    let t0 = std::time::Instant::now();
    // The bursts are one pass over the arrivals on one core; the id gaps take the chunks
    // of the ids on the others.
    let (bursts, gaps) = rayon::join(
        || stamps::bursts(df, bounds, contract.tz()),
        || stamps::id_gaps(df),
    );
    let (bursts, gaps) = (bursts?, gaps?);
    tracing::debug!(seconds = t0.elapsed().as_secs_f64(), "integrity: stamps");
    Ok(Counted {
        asked,
        counted,
        hours,
        bursts,
        gaps,
    })
}

/// The checks, from what [`count`] counted and the period's agents.
pub fn checks(
    counted: Counted,
    agents: &[super::AgentRow],
    contract: &Contract,
) -> Result<Integrity> {
    let Counted {
        asked,
        counted,
        hours,
        bursts,
        gaps,
    } = counted;
    let chs = &contract.channels;
    let table = agent_table(&counted, agents);
    let name = |c: crate::model::Channel| chs.name(c).to_string();
    Ok(Integrity {
        checks: vec![
            short_talk((counted.short, counted.talked), &table),
            by_channel(
                "under_short_abandon",
                asked
                    .under
                    .iter()
                    .zip(&counted.under)
                    .map(|(&(c, _), &[u, o])| (name(c), u, o as f64))
                    .collect(),
            ),
            by_channel(
                "at_threshold",
                asked
                    .at
                    .iter()
                    .zip(&counted.at)
                    .map(|(&(c, _), &[a, m, p])| (name(c), a, (m + p) as f64 / 2.0))
                    .collect(),
            ),
            hours,
            survey_skew(&table)?,
            bursts,
            gaps,
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every check over `rows`, counted from their frame and named by their agents.
    fn checks_of(rows: &[(&str, bool, f64, f64, bool)]) -> Result<Integrity> {
        let counted = count(&frame(rows), &contract(), None, (0, 1))?;
        checks(counted, &agents(rows), &contract())
    }

    /// Contacts of (agent, answered, handle s, wait/response s, surveyed), all on the phone.
    fn frame(rows: &[(&str, bool, f64, f64, bool)]) -> DataFrame {
        df!(
            "answered" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            "handle_s" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            "wait_s" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
            "resp_s" => rows.iter().map(|r| r.1.then_some(r.3)).collect::<Vec<_>>(),
            "has_survey" => rows.iter().map(|r| r.4).collect::<Vec<_>>(),
            "arrived_ms" => vec![0i64; rows.len()],
            "contact_id" => (0..rows.len()).map(|i| format!("c-{i}-x")).collect::<Vec<_>>(),
        )
        .unwrap()
        .hstack(&[
            crate::normalize::dtypes::channel_column(
                &crate::model::Channels::default(),
                vec![Some(0u8); rows.len()],
            ),
            crate::normalize::dtypes::label_column(
                "agent_id",
                rows.iter().map(|r| (!r.0.is_empty()).then_some(r.0)),
            )
            .unwrap(),
        ])
        .unwrap()
    }

    /// The agents table of `rows`: each agent's answered contacts.
    fn agents(rows: &[(&str, bool, f64, f64, bool)]) -> Vec<super::super::AgentRow> {
        let mut by: std::collections::BTreeMap<&str, u64> = Default::default();
        for r in rows.iter().filter(|r| r.1 && !r.0.is_empty()) {
            *by.entry(r.0).or_default() += 1;
        }
        by.into_iter()
            .map(|(a, n)| super::super::AgentRow {
                agent_id: a.to_string(),
                answered: n,
                ..Default::default()
            })
            .collect()
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
        let c = checks_of(&rows).unwrap().checks.remove(0);
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
        let all = checks_of(&rows).unwrap().checks;
        let (under, at) = (&all[1], &all[2]);
        assert_eq!(
            (under.rows, under.expected, under.flagged),
            (12, Some(2.0), true)
        );
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
        let counted = rows::count(&frame(&rows), &rows::Asked::of(&contract())).unwrap();
        let table = agent_table(&counted, &agents(&rows));
        let c = survey_skew(&table).unwrap();
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
