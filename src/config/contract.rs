//! Contract templates (TOML, `spec/contract-template.md`): parsing and validation.
//!
//! A template is read once, checked strictly (unknown keys, impossible targets, missing
//! thresholds, duplicate ids, conditions that name nothing) and turned into a [`Contract`]
//! the later stages use as-is. Every error names the file and the key and exits with code 2.
//! This module computes nothing from contact data.

use crate::error::{Error, Result};
use crate::model::{Channel, Complexity, Kind, Priority};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ContractInfo {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub client: Option<String>,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default = "default_tz")]
    pub timezone: String,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub monthly_base_fee: Option<f64>,
    /// One calendar file or several (merged), relative to the contract file.
    #[serde(default)]
    pub calendar: Option<OneOrMany>,
    /// Free-text description of the contract (seed, scope), shown on the Summary sheet.
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

fn default_tz() -> String {
    "Asia/Shanghai".into()
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyCfg {
    #[serde(default = "one")]
    pub scale_min: f64,
    #[serde(default = "five")]
    pub scale_max: f64,
    #[serde(default = "two")]
    pub top_box: u32,
}

fn one() -> f64 {
    1.0
}
fn five() -> f64 {
    5.0
}
fn two() -> u32 {
    2
}

impl Default for SurveyCfg {
    fn default() -> Self {
        SurveyCfg {
            scale_min: 1.0,
            scale_max: 5.0,
            top_box: 2,
        }
    }
}

impl SurveyCfg {
    /// Lowest score that counts as "satisfied" (top box).
    pub fn top_box_min(&self) -> f64 {
        self.scale_max - self.top_box as f64 + 1.0
    }
}

/// SLA metrics of `spec/metrics.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaMetric {
    ServiceLevel,
    ResponseWithin,
    ResolutionRate,
    FcrRate,
    CsatMean,
    CsatTopBoxRate,
    ResolvedWithin,
    /// `response_within` over urgent contacts only (emergencies).
    UrgentResponseWithin,
    /// Share of quality inspections passed.
    QaPassRate,
}

impl SlaMetric {
    pub fn as_str(self) -> &'static str {
        match self {
            SlaMetric::ServiceLevel => "service_level",
            SlaMetric::ResponseWithin => "response_within",
            SlaMetric::ResolutionRate => "resolution_rate",
            SlaMetric::FcrRate => "fcr_rate",
            SlaMetric::CsatMean => "csat_mean",
            SlaMetric::CsatTopBoxRate => "csat_top_box_rate",
            SlaMetric::ResolvedWithin => "resolved_within",
            SlaMetric::UrgentResponseWithin => "urgent_response_within",
            SlaMetric::QaPassRate => "qa_pass_rate",
        }
    }
    fn needs_threshold(self) -> bool {
        matches!(
            self,
            SlaMetric::ServiceLevel
                | SlaMetric::ResponseWithin
                | SlaMetric::ResolvedWithin
                | SlaMetric::UrgentResponseWithin
        )
    }
    /// A rate between 0 and 1 (as opposed to a mean score).
    pub fn is_rate(self) -> bool {
        self != SlaMetric::CsatMean
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Denominator {
    Answered,
    Contacts,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SlaFile {
    pub id: String,
    pub clause: String,
    pub metric: SlaMetric,
    pub target: f64,
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub complexity: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub threshold_seconds: Option<f64>,
    #[serde(default)]
    pub threshold_minutes: Option<f64>,
    #[serde(default)]
    pub threshold_hours: Option<f64>,
    #[serde(default)]
    pub threshold_working_hours: Option<f64>,
    #[serde(default)]
    pub threshold_working_days: Option<f64>,
    #[serde(default)]
    pub short_abandon_seconds: Option<f64>,
    #[serde(default)]
    pub denominator: Option<Denominator>,
    /// `qa_pass_rate` only: count inspections of this source (`recording`, `mystery_shopper`).
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A time threshold, wall-clock or on the business calendar.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Threshold {
    /// Wall-clock seconds.
    Seconds(f64),
    /// Working seconds on the business calendar (from working hours or days).
    WorkingSeconds(f64),
}

impl Threshold {
    pub fn describe(&self, lang_en: bool) -> String {
        match *self {
            Threshold::Seconds(s) if s >= 3600.0 && s % 3600.0 == 0.0 => {
                if lang_en {
                    format!("{} h", s / 3600.0)
                } else {
                    format!("{}小时", s / 3600.0)
                }
            }
            Threshold::Seconds(s) if s >= 60.0 && s % 60.0 == 0.0 => {
                if lang_en {
                    format!("{} min", s / 60.0)
                } else {
                    format!("{}分钟", s / 60.0)
                }
            }
            Threshold::Seconds(s) => {
                if lang_en {
                    format!("{s} s")
                } else {
                    format!("{s}秒")
                }
            }
            Threshold::WorkingSeconds(s) => {
                if lang_en {
                    format!("{} working h", s / 3600.0)
                } else {
                    format!("{}工作小时", s / 3600.0)
                }
            }
        }
    }
}

/// A validated service level.
#[derive(Debug, Clone, Serialize)]
pub struct Sla {
    pub id: String,
    pub clause: String,
    pub metric: SlaMetric,
    pub target: f64,
    pub channel: Option<Channel>,
    pub complexity: Option<Complexity>,
    pub priority: Option<Priority>,
    pub kind: Option<Kind>,
    pub threshold: Option<Threshold>,
    /// Threshold as written (e.g. "4 working hours"), for the Method sheet.
    pub threshold_text: Option<String>,
    pub short_abandon_seconds: Option<f64>,
    pub denominator: Denominator,
    /// `qa_pass_rate` only: the inspection source counted.
    pub source: Option<crate::model::InspectionSource>,
    pub description: Option<String>,
}

/// `[peaks]`: which days count as peak days and when their service level is a finding.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PeaksCfg {
    /// Where the contract asks for holiday-peak staffing.
    #[serde(default)]
    pub clause: Option<String>,
    /// Days before and after each run of holidays that count as peak days.
    #[serde(default = "two_days")]
    pub days_around_holidays: u32,
    /// A day with at least this many times the median day's contacts is a peak day.
    #[serde(default = "one_and_a_half")]
    pub volume_factor: f64,
    /// Service level on peak days this far (a fraction, 0.05 = 5 points) below the other
    /// days' is a peak-staffing finding.
    #[serde(default = "five_points")]
    pub service_level_drop: f64,
}

fn two_days() -> u32 {
    2
}
fn one_and_a_half() -> f64 {
    1.5
}
fn five_points() -> f64 {
    0.05
}

impl Default for PeaksCfg {
    fn default() -> Self {
        PeaksCfg {
            clause: None,
            days_around_holidays: two_days(),
            volume_factor: one_and_a_half(),
            service_level_drop: five_points(),
        }
    }
}

/// `[quality]`: how quality inspections are scored.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct QualityCfg {
    /// Where the contract sets the quality monitoring (recording sampling, mystery shoppers).
    #[serde(default)]
    pub clause: Option<String>,
    /// An inspection without a pass/fail verdict passes when its score is at least this.
    #[serde(default = "eighty")]
    pub pass_score: f64,
    /// A criterion scored with points (not pass/fail) fails below this many points.
    #[serde(default)]
    pub criterion_pass_score: Option<f64>,
}

fn eighty() -> f64 {
    80.0
}

impl Default for QualityCfg {
    fn default() -> Self {
        QualityCfg {
            clause: None,
            pass_score: eighty(),
            criterion_pass_score: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TierFile {
    pub name: String,
    #[serde(default)]
    pub all: Vec<String>,
    #[serde(default)]
    pub any: Vec<String>,
    #[serde(default)]
    pub always: bool,
    #[serde(default)]
    pub bonus_rate: f64,
    #[serde(default)]
    pub failure: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IncentiveFile {
    #[serde(default)]
    pub clause: Option<String>,
    #[serde(default)]
    pub consecutive_failures_for_termination: Option<u32>,
    #[serde(default)]
    pub tier: Vec<TierFile>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PenaltyFile {
    #[serde(default)]
    pub clause: Option<String>,
    pub per_breached_sla_rate: f64,
    #[serde(default)]
    pub cap_rate: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContractFile {
    contract: ContractInfo,
    #[serde(default)]
    survey: SurveyCfg,
    #[serde(default)]
    sla: Vec<SlaFile>,
    #[serde(default)]
    incentive: Option<IncentiveFile>,
    #[serde(default)]
    penalty: Option<PenaltyFile>,
    #[serde(default)]
    peaks: PeaksCfg,
    #[serde(default)]
    quality: QualityCfg,
}

/// Comparison operator of a tier condition.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Op {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
}

/// A tier condition: `<metric or SLA id> <op> <value>`.
#[derive(Debug, Clone, Serialize)]
pub struct Condition {
    pub text: String,
    pub subject: String,
    pub op: Op,
    pub value: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tier {
    pub name: String,
    pub all: Vec<Condition>,
    pub any: Vec<Condition>,
    pub always: bool,
    pub bonus_rate: f64,
    pub failure: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Incentive {
    pub clause: Option<String>,
    pub consecutive_failures_for_termination: Option<u32>,
    pub tiers: Vec<Tier>,
}

/// A validated contract.
#[derive(Debug, Clone, Serialize)]
pub struct Contract {
    pub path: PathBuf,
    pub info: ContractInfo,
    pub survey: SurveyCfg,
    pub slas: Vec<Sla>,
    pub incentive: Option<Incentive>,
    pub penalty: Option<PenaltyFile>,
    pub peaks: PeaksCfg,
    pub quality: QualityCfg,
    /// Calendar files, resolved against the contract's folder.
    pub calendar_paths: Vec<PathBuf>,
}

/// Overall metric ids a tier condition may name (besides SLA ids).
pub const CONDITION_METRICS: &[&str] = &[
    "resolution_rate",
    "fcr_rate",
    "csat_mean",
    "csat_top_box_rate",
    "csat_response_rate",
    "complaint_rate",
    "nps",
    "service_level",
    "abandon_rate",
];

fn parse_condition(text: &str, file: &Path, key: &str, sla_ids: &[String]) -> Result<Condition> {
    let bad = |why: &str| {
        Error::usage(format!("{}: `{key}`: condition `{text}`: {why}", file.display())).with_hint(format!(
            "write conditions as \"<id> <op> <number>\" with op one of >= > <= < ==, and id an [[sla]] id or one of: {}",
            CONDITION_METRICS.join(", ")
        ))
    };
    let parts: Vec<&str> = text.split_whitespace().collect();
    if parts.len() != 3 {
        return Err(bad("expected three parts"));
    }
    let op = match parts[1] {
        ">=" => Op::Ge,
        ">" => Op::Gt,
        "<=" => Op::Le,
        "<" => Op::Lt,
        "==" | "=" => Op::Eq,
        _ => return Err(bad("unknown operator")),
    };
    let value: f64 = parts[2]
        .parse()
        .map_err(|_| bad("the value is not a number"))?;
    let subject = parts[0].to_string();
    if !CONDITION_METRICS.contains(&subject.as_str()) && !sla_ids.contains(&subject) {
        return Err(bad("names neither a metric nor an [[sla]] id"));
    }
    Ok(Condition {
        text: text.to_string(),
        subject,
        op,
        value,
    })
}

fn parse_enum<T>(
    v: &Option<String>,
    parse: fn(&str) -> Option<T>,
    expected: String,
    file: &Path,
    key: &str,
) -> Result<Option<T>> {
    match v {
        None => Ok(None),
        Some(s) => parse(s).map(Some).ok_or_else(|| {
            Error::usage(format!("{}: `{key}`: unknown value `{s}`", file.display()))
                .with_hint(format!("expected one of: {expected}"))
        }),
    }
}

impl Contract {
    /// Read and validate a contract template.
    pub fn load(path: &Path) -> Result<Contract> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::usage(format!(
                "contract template {}: cannot read: {e}",
                path.display()
            ))
            .with_hint("pass an existing file to --contract (see report-templates/contracts/)")
        })?;
        Self::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Contract> {
        let f: ContractFile = toml::from_str(text).map_err(|e| {
            let msg = e.to_string();
            let hint = if msg.contains("unknown field") {
                "a misspelt key would silently drop a target, so unknown keys are refused; check the spelling against spec/contract-template.md"
            } else {
                "see spec/contract-template.md for the template format"
            };
            Error::usage(format!("{}: invalid contract template: {}", path.display(), msg.trim())).with_hint(hint)
        })?;
        let file = path;
        let info = f.contract;
        let _: chrono_tz::Tz = info.timezone.parse().map_err(|_| {
            Error::usage(format!(
                "{}: `contract.timezone`: unknown time zone `{}`",
                file.display(),
                info.timezone
            ))
            .with_hint("use an IANA name such as \"Asia/Shanghai\"")
        })?;
        if let Some(fee) = info.monthly_base_fee {
            if !(fee.is_finite() && fee >= 0.0) {
                return Err(Error::usage(format!(
                    "{}: `contract.monthly_base_fee` must be a non-negative amount",
                    file.display()
                )));
            }
        }
        let s = &f.survey;
        if !(s.scale_max > s.scale_min)
            || s.top_box == 0
            || s.top_box as f64 > s.scale_max - s.scale_min + 1.0
        {
            return Err(Error::usage(format!(
                "{}: `[survey]`: scale {}..{} with top_box {} is impossible",
                file.display(),
                s.scale_min,
                s.scale_max,
                s.top_box
            ))
            .with_hint("scale_max must exceed scale_min and top_box must be between 1 and the number of scale points"));
        }

        let mut slas = Vec::new();
        let mut ids: Vec<String> = Vec::new();
        for (i, sf) in f.sla.iter().enumerate() {
            let key = |k: &str| format!("sla[{i}] ({}).{k}", sf.id);
            if ids.contains(&sf.id) {
                return Err(Error::usage(format!(
                    "{}: `{}`: duplicate [[sla]] id",
                    file.display(),
                    key("id")
                )));
            }
            ids.push(sf.id.clone());
            let channel = parse_enum(
                &sf.channel,
                Channel::parse,
                Channel::expected(),
                file,
                &key("channel"),
            )?;
            let complexity = parse_enum(
                &sf.complexity,
                Complexity::parse,
                Complexity::expected(),
                file,
                &key("complexity"),
            )?;
            let priority = parse_enum(
                &sf.priority,
                Priority::parse,
                Priority::expected(),
                file,
                &key("priority"),
            )?;
            let kind = parse_enum(&sf.kind, Kind::parse, Kind::expected(), file, &key("kind"))?;
            let source = parse_enum(
                &sf.source,
                crate::model::InspectionSource::parse,
                crate::model::InspectionSource::expected(),
                file,
                &key("source"),
            )?;
            if source.is_some() && sf.metric != SlaMetric::QaPassRate {
                return Err(Error::usage(format!(
                    "{}: `{}` only applies to metric qa_pass_rate",
                    file.display(),
                    key("source")
                )));
            }
            let thresholds: Vec<(Threshold, String)> = [
                sf.threshold_seconds
                    .map(|v| (Threshold::Seconds(v), format!("threshold_seconds = {v}"))),
                sf.threshold_minutes.map(|v| {
                    (
                        Threshold::Seconds(v * 60.0),
                        format!("threshold_minutes = {v}"),
                    )
                }),
                sf.threshold_hours.map(|v| {
                    (
                        Threshold::Seconds(v * 3600.0),
                        format!("threshold_hours = {v}"),
                    )
                }),
                sf.threshold_working_hours.map(|v| {
                    (
                        Threshold::WorkingSeconds(v * 3600.0),
                        format!("threshold_working_hours = {v}"),
                    )
                }),
                // Working days are converted once the calendar is known (see resolve_working_days).
                sf.threshold_working_days.map(|v| {
                    (
                        Threshold::WorkingSeconds(-v),
                        format!("threshold_working_days = {v}"),
                    )
                }),
            ]
            .into_iter()
            .flatten()
            .collect();
            if thresholds.len() > 1 {
                return Err(Error::usage(format!(
                    "{}: `sla` `{}` has more than one threshold key",
                    file.display(),
                    sf.id
                ))
                .with_hint("keep exactly one of threshold_seconds, threshold_minutes, threshold_hours, threshold_working_hours, threshold_working_days"));
            }
            let threshold = thresholds.first().cloned();
            if sf.metric.needs_threshold() && threshold.is_none() {
                return Err(Error::usage(format!(
                    "{}: `sla` `{}`: metric `{}` needs a threshold",
                    file.display(),
                    sf.id,
                    sf.metric.as_str()
                ))
                .with_hint("add e.g. threshold_seconds = 20 or threshold_working_hours = 4"));
            }
            if let Some((t, _)) = &threshold {
                let v = match t {
                    Threshold::Seconds(v) => *v,
                    Threshold::WorkingSeconds(v) => v.abs(),
                };
                if !(v.is_finite() && v > 0.0) {
                    return Err(Error::usage(format!(
                        "{}: `sla` `{}`: the threshold must be a positive number",
                        file.display(),
                        sf.id
                    )));
                }
            }
            if !sf.target.is_finite() {
                return Err(Error::usage(format!(
                    "{}: `{}`: not a number",
                    file.display(),
                    key("target")
                )));
            }
            if sf.metric.is_rate() && !(0.0..=1.0).contains(&sf.target) {
                return Err(Error::usage(format!(
                    "{}: `{}` = {} is impossible for a rate",
                    file.display(),
                    key("target"),
                    sf.target
                ))
                .with_hint("percentages are written as fractions: 80 % is 0.80"));
            }
            if sf.metric == SlaMetric::CsatMean && !(s.scale_min..=s.scale_max).contains(&sf.target)
            {
                return Err(Error::usage(format!(
                    "{}: `{}` = {} lies outside the survey scale {}..{}",
                    file.display(),
                    key("target"),
                    sf.target,
                    s.scale_min,
                    s.scale_max
                )));
            }
            if let Some(sa) = sf.short_abandon_seconds {
                if !(sa.is_finite() && sa >= 0.0) {
                    return Err(Error::usage(format!(
                        "{}: `{}` must be zero or more",
                        file.display(),
                        key("short_abandon_seconds")
                    )));
                }
            }
            slas.push(Sla {
                id: sf.id.clone(),
                clause: sf.clause.clone(),
                metric: sf.metric,
                target: sf.target,
                channel,
                complexity,
                priority,
                kind,
                threshold: threshold.as_ref().map(|t| t.0),
                threshold_text: threshold.map(|t| t.1),
                short_abandon_seconds: sf.short_abandon_seconds,
                denominator: sf.denominator.unwrap_or(Denominator::Answered),
                source,
                description: sf.description.clone(),
            });
        }

        let incentive = match f.incentive {
            None => None,
            Some(inc) => {
                let mut tiers = Vec::new();
                for (i, t) in inc.tier.iter().enumerate() {
                    let k = format!("incentive.tier[{i}] ({})", t.name);
                    let all = t
                        .all
                        .iter()
                        .map(|c| parse_condition(c, file, &format!("{k}.all"), &ids))
                        .collect::<Result<Vec<_>>>()?;
                    let any = t
                        .any
                        .iter()
                        .map(|c| parse_condition(c, file, &format!("{k}.any"), &ids))
                        .collect::<Result<Vec<_>>>()?;
                    if all.is_empty() && any.is_empty() && !t.always {
                        return Err(Error::usage(format!(
                            "{}: `{k}` has no condition",
                            file.display()
                        ))
                        .with_hint("give `all`, `any` or `always = true`"));
                    }
                    if !(0.0..=1.0).contains(&t.bonus_rate) {
                        return Err(Error::usage(format!(
                            "{}: `{k}.bonus_rate` = {} is impossible",
                            file.display(),
                            t.bonus_rate
                        ))
                        .with_hint("rates are fractions of monthly_base_fee: 10 % is 0.10"));
                    }
                    tiers.push(Tier {
                        name: t.name.clone(),
                        all,
                        any,
                        always: t.always,
                        bonus_rate: t.bonus_rate,
                        failure: t.failure,
                    });
                }
                Some(Incentive {
                    clause: inc.clause,
                    consecutive_failures_for_termination: inc.consecutive_failures_for_termination,
                    tiers,
                })
            }
        };
        if let Some(p) = &f.penalty {
            let bad = !(0.0..=1.0).contains(&p.per_breached_sla_rate)
                || p.cap_rate.is_some_and(|c| !(0.0..=1.0).contains(&c));
            if bad {
                return Err(Error::usage(format!(
                    "{}: `[penalty]`: rates must lie between 0 and 1",
                    file.display()
                )));
            }
        }
        let pk = &f.peaks;
        if !pk.volume_factor.is_finite()
            || pk.volume_factor < 1.0
            || !(0.0..=1.0).contains(&pk.service_level_drop)
        {
            return Err(Error::usage(format!(
                "{}: `[peaks]`: volume_factor must be 1 or more and service_level_drop between 0 and 1",
                file.display()
            ))
            .with_hint("e.g. volume_factor = 1.5 (one and a half times the median day), service_level_drop = 0.05"));
        }
        let q = &f.quality;
        if !q.pass_score.is_finite() || q.criterion_pass_score.is_some_and(|v| !v.is_finite()) {
            return Err(Error::usage(format!(
                "{}: `[quality]`: scores must be numbers",
                file.display()
            )));
        }
        if f.sla.iter().any(|s| {
            s.metric == SlaMetric::UrgentResponseWithin
                && s.priority.as_deref().and_then(Priority::parse) == Some(Priority::Normal)
        }) {
            return Err(Error::usage(format!(
                "{}: an urgent_response_within [[sla]] cannot set priority = \"normal\"",
                file.display()
            ))
            .with_hint("urgent_response_within always counts urgent contacts; use response_within with priority = \"normal\" for the others"));
        }
        let base = path.parent().unwrap_or(Path::new("."));
        let calendar_paths = match &info.calendar {
            None => vec![],
            Some(OneOrMany::One(s)) => vec![base.join(s)],
            Some(OneOrMany::Many(v)) => v.iter().map(|s| base.join(s)).collect(),
        };
        Ok(Contract {
            path: path.to_path_buf(),
            info,
            survey: f.survey,
            slas,
            incentive,
            penalty: f.penalty,
            peaks: f.peaks,
            quality: f.quality,
            calendar_paths,
        })
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.info.timezone.parse().expect("validated at load")
    }

    /// The short-abandon threshold in force for a channel: from the first [[sla]] on that
    /// channel (or on all channels) that sets one; 0 (no call is short) otherwise.
    pub fn short_abandon_seconds(&self, channel: Channel) -> f64 {
        self.slas
            .iter()
            .filter(|s| s.channel.is_none_or(|c| c == channel))
            .find_map(|s| s.short_abandon_seconds)
            .unwrap_or(0.0)
    }

    /// The service-level threshold for a channel: from its `service_level` [[sla]].
    pub fn service_level_threshold(&self, channel: Channel) -> Option<f64> {
        self.slas
            .iter()
            .find_map(|s| match (s.metric, s.channel, s.threshold) {
                (SlaMetric::ServiceLevel, Some(c), Some(Threshold::Seconds(t))) if c == channel => {
                    Some(t)
                }
                _ => None,
            })
    }

    /// Convert `threshold_working_days` (stored as negative placeholders) into working
    /// seconds once the calendar's working-day length is known (8 h without a calendar).
    pub fn resolve_working_days(&mut self, working_day_seconds: f64) {
        for s in &mut self.slas {
            if let Some(Threshold::WorkingSeconds(v)) = s.threshold {
                if v < 0.0 {
                    s.threshold = Some(Threshold::WorkingSeconds(-v * working_day_seconds));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: &str = r#"
[contract]
id = "T"
name = "t"
[[sla]]
id = "phone_answer"
clause = "1"
channel = "phone"
metric = "service_level"
threshold_seconds = 20
target = 0.8
"#;

    fn parse(s: &str) -> Result<Contract> {
        Contract::parse(s, Path::new("c.toml"))
    }

    #[test]
    fn minimal_template_loads() {
        let c = parse(MIN).unwrap();
        assert_eq!(c.slas.len(), 1);
        assert_eq!(c.slas[0].threshold, Some(Threshold::Seconds(20.0)));
        assert_eq!(c.service_level_threshold(Channel::Phone), Some(20.0));
    }

    #[test]
    fn unknown_key_names_file_and_key() {
        let e = parse(&MIN.replace("target = 0.8", "tagret = 0.8")).unwrap_err();
        assert_eq!(e.code, crate::error::ExitCode::Usage);
        assert!(
            e.message.contains("c.toml") && e.message.contains("tagret"),
            "{}",
            e.message
        );
    }

    #[test]
    fn impossible_target_is_refused() {
        let e = parse(&MIN.replace("target = 0.8", "target = 80")).unwrap_err();
        assert!(e.message.contains("impossible"), "{}", e.message);
    }

    #[test]
    fn missing_threshold_is_refused() {
        let e = parse(&MIN.replace("threshold_seconds = 20\n", "")).unwrap_err();
        assert!(e.message.contains("needs a threshold"), "{}", e.message);
    }

    #[test]
    fn conditions_must_name_something() {
        let t = format!(
            "{MIN}\n[incentive]\n[[incentive.tier]]\nname = \"a\"\nall = [\"csat_maen >= 4\"]\n"
        );
        let e = parse(&t).unwrap_err();
        assert!(e.message.contains("csat_maen"), "{}", e.message);
        let t = format!("{MIN}\n[incentive]\n[[incentive.tier]]\nname = \"a\"\nall = [\"phone_answer >= 0.8\"]\n");
        assert!(parse(&t).is_ok());
    }

    #[test]
    fn working_days_resolve_against_calendar_day_length() {
        let mut c =
            parse(&MIN.replace("threshold_seconds = 20", "threshold_working_days = 5")).unwrap();
        c.resolve_working_days(8.0 * 3600.0);
        assert_eq!(
            c.slas[0].threshold,
            Some(Threshold::WorkingSeconds(5.0 * 8.0 * 3600.0))
        );
    }
}
