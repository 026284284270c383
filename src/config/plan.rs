//! What a sampling plan (`cseval plan`) is asked for, resolved from its flags before any
//! data is read: the confidence and margin, how the sample is sized (pooled over the frame,
//! within each stratum, a fixed number per stratum, a percentage), the strata, the filters
//! on the frame, the risk weights and the seed. Every value is checked here; the draw is
//! `kpi::sampling`'s.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// How many contacts the plan draws.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Size {
    /// n for the confidence and margin over the whole frame (with the finite-population
    /// correction), shared among the strata in proportion to their size.
    Pooled,
    /// n for the confidence and margin within each stratum, on its own size.
    PerStratum,
    /// This many from each stratum (all of a smaller one).
    Fixed(u64),
    /// This share of each stratum, rounded up.
    Percent(f64),
}

/// What divides the frame into strata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stratum {
    Channel,
    Agent,
    /// Workday, weekend, holiday, make-up workday (the contract's calendar).
    DayType,
    /// Night 0–8, morning 8–12, afternoon 12–18, evening 18–24 (local time).
    HourBand,
}

/// A heavier chance of being drawn for some contacts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// Complaints (kind `complaint`).
    Complaints(f64),
    /// Urgent contacts.
    Urgent(f64),
    /// The contacts of one agent.
    Agent(String, f64),
    /// The contacts of agents new in the period (no contact of theirs in the inputs before
    /// it).
    NewAgents(f64),
    /// The contacts of agents whose inspections (`--inspections`) score below this mean.
    AgentsBelow(f64, f64),
}

/// One stratum of a plan drawn: its key parts, contacts and sample (`manifest.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StratumCount {
    pub key: Vec<String>,
    pub population: u64,
    pub sample: u64,
}

/// A sampling plan's terms (`manifest.json` → `spec`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanSpec {
    pub confidence: f64,
    pub margin: f64,
    /// The rate expected (0.5 when unknown: the largest sample).
    pub expected: f64,
    pub size: Size,
    pub strata: Vec<Stratum>,
    /// Filters on the frame.
    pub answered_only: bool,
    pub min_handle_seconds: Option<f64>,
    pub channels: Vec<String>,
    pub risks: Vec<Risk>,
    pub seed: u64,
}

fn bad(flag: &str, value: &str, hint: &str) -> Error {
    Error::usage(format!("{flag} {value}: not understood")).with_hint(hint.to_string())
}

/// `--size`: `pooled`, `per-stratum`, a number per stratum, or a percentage (`5%`).
pub fn parse_size(s: &str) -> Result<Size> {
    let hint = "use pooled, per-stratum, a number per stratum (20) or a percentage (5%)";
    Ok(match s {
        "pooled" => Size::Pooled,
        "per-stratum" | "per_stratum" => Size::PerStratum,
        _ if s.ends_with('%') => {
            let p: f64 = s[..s.len() - 1]
                .trim()
                .parse()
                .map_err(|_| bad("--size", s, hint))?;
            if !(p > 0.0 && p <= 100.0) {
                return Err(bad("--size", s, hint));
            }
            Size::Percent(p / 100.0)
        }
        _ => match s.parse::<u64>() {
            Ok(n) if n > 0 => Size::Fixed(n),
            _ => return Err(bad("--size", s, hint)),
        },
    })
}

/// `--stratify`: a comma-separated list of `channel`, `agent`, `day-type`, `hour-band`.
pub fn parse_strata(s: &str) -> Result<Vec<Stratum>> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        out.push(match part {
            "channel" => Stratum::Channel,
            "agent" => Stratum::Agent,
            "day-type" | "day_type" => Stratum::DayType,
            "hour-band" | "hour_band" => Stratum::HourBand,
            _ => {
                return Err(bad(
                    "--stratify",
                    part,
                    "use channel, agent, day-type or hour-band, comma-separated",
                ))
            }
        });
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// `--oversample`: `complaints=3`, `urgent=2` or `agent:A017=2`.
pub fn parse_risk(s: &str) -> Result<Risk> {
    let hint = "write complaints=3, urgent=2, agent:A017=2, new-agents=2 or below:75=2 (agents whose inspections score below 75 on average); a weight above 1 draws more often";
    let (key, w) = s
        .rsplit_once('=')
        .ok_or_else(|| bad("--oversample", s, hint))?;
    let w: f64 = w.trim().parse().map_err(|_| bad("--oversample", s, hint))?;
    if !(w.is_finite() && w > 0.0) {
        return Err(bad("--oversample", s, hint));
    }
    Ok(match key.trim() {
        "complaints" => Risk::Complaints(w),
        "urgent" => Risk::Urgent(w),
        "new-agents" | "new_agents" => Risk::NewAgents(w),
        k => match (k.strip_prefix("agent:"), k.strip_prefix("below:")) {
            (Some(a), _) if !a.is_empty() => Risk::Agent(a.to_string(), w),
            (_, Some(score)) => {
                let score: f64 = score.parse().map_err(|_| bad("--oversample", s, hint))?;
                Risk::AgentsBelow(score, w)
            }
            _ => return Err(bad("--oversample", s, hint)),
        },
    })
}

impl PlanSpec {
    /// Check the numbers: a confidence between 50 % and 100 %, a margin between 0 and 50 %,
    /// an expected rate between 0 and 1.
    pub fn check(&self) -> Result<()> {
        if !(self.confidence > 0.5 && self.confidence < 1.0) {
            return Err(bad(
                "--confidence",
                &self.confidence.to_string(),
                "e.g. 0.95",
            ));
        }
        if !(self.margin > 0.0 && self.margin < 0.5) {
            return Err(bad(
                "--margin",
                &self.margin.to_string(),
                "e.g. 0.05 for ±5 %",
            ));
        }
        if !(self.expected > 0.0 && self.expected < 1.0) {
            return Err(bad(
                "--expected",
                &self.expected.to_string(),
                "the rate expected, e.g. 0.8; 0.5 when unknown",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_or_say_what_is_expected() {
        assert_eq!(parse_size("pooled").unwrap(), Size::Pooled);
        assert_eq!(parse_size("20").unwrap(), Size::Fixed(20));
        assert_eq!(parse_size("5%").unwrap(), Size::Percent(0.05));
        assert!(parse_size("0").is_err() && parse_size("120%").is_err());
        assert_eq!(
            parse_strata("agent, channel").unwrap(),
            [Stratum::Channel, Stratum::Agent]
        );
        let e = parse_strata("shift").unwrap_err();
        assert!(e.message.contains("--stratify shift"), "{}", e.message);
        assert_eq!(
            parse_risk("agent:A017=2").unwrap(),
            Risk::Agent("A017".into(), 2.0)
        );
        assert!(parse_risk("complaints").is_err());
    }
}
