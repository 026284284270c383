//! Contract templates (TOML, `docs/contract-template.md`): parsing and validation.
//!
//! A template is read once, checked strictly (unknown keys, impossible targets, missing
//! thresholds, duplicate ids, conditions that name nothing) and turned into a [`Contract`]
//! the later stages use as-is. Every error names the file and the key and exits with code 2.
//! This module computes nothing from contact data.

use crate::channel::{ChannelDecl, Channels};
use crate::error::{Error, Result};
use crate::model::{Channel, Complexity, Kind, Priority};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

mod parse;
pub mod report;
pub mod scoring;
mod terms;
use parse::{
    check_data_quality, check_info, check_peaks, check_penalty, check_quality, check_survey,
    parse_enum, parse_incentive, parse_sla,
};
pub use terms::{InconclusiveCounts, RepeatCfg, UncertaintyCfg, VerdictPolicy};

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
    /// The priority of a contact whose export gives none (`normal`, `urgent`): without it,
    /// such a contact is in no SLA filtered by priority.
    #[serde(default)]
    pub default_priority: Option<String>,
    /// When the business day starts (`"06:00"`): a contact at 02:00 belongs to the day
    /// before, and a month runs from its first day at this time to the next month's.
    /// Midnight when not given.
    #[serde(default)]
    pub day_start: Option<String>,
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

/// SLA metrics of `docs/metrics.md`.
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
    /// Answered contacts whose caller did not reach the service again within the window
    /// (`[repeat] fcr_window_hours`): first-contact resolution from repeat contacts.
    RepeatFcrRate,
    /// Answered contacts from callers who reached an agent `[repeat] contacts` times within
    /// `days` (重复来电率); lower is better.
    RepeatContactRate,
    /// Answered contacts followed by a repeat request within `[repeat] within_minutes`
    /// (短时重复拨打率); lower is better.
    RepeatWithinRate,
    /// Abandoned contacts called back within `[repeat] callback_window_hours` (回拨率).
    CallbackRate,
    /// Mean seconds from the abandon to the call-back; lower is better.
    CallbackMeanSeconds,
    /// Offered contacts abandoned whose caller was not reached within the call-back window,
    /// by a call-back or an answered contact (真实呼损率); lower is better.
    TrueAbandonRate,
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
            SlaMetric::RepeatFcrRate => "repeat_fcr_rate",
            SlaMetric::RepeatContactRate => "repeat_contact_rate",
            SlaMetric::RepeatWithinRate => "repeat_within_rate",
            SlaMetric::CallbackRate => "callback_rate",
            SlaMetric::CallbackMeanSeconds => "callback_mean_seconds",
            SlaMetric::TrueAbandonRate => "true_abandon_rate",
        }
    }

    /// Measured by following callers (`kpi::repeat`): needs who called.
    pub fn follows_callers(self) -> bool {
        matches!(
            self,
            SlaMetric::RepeatFcrRate
                | SlaMetric::RepeatContactRate
                | SlaMetric::RepeatWithinRate
                | SlaMetric::CallbackRate
                | SlaMetric::CallbackMeanSeconds
                | SlaMetric::TrueAbandonRate
        )
    }

    /// The target is a ceiling: met when the figure is at or below it.
    pub fn lower_is_better(self) -> bool {
        matches!(
            self,
            SlaMetric::RepeatContactRate
                | SlaMetric::RepeatWithinRate
                | SlaMetric::CallbackMeanSeconds
                | SlaMetric::TrueAbandonRate
        )
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
        !matches!(self, SlaMetric::CsatMean | SlaMetric::CallbackMeanSeconds)
    }

    /// Measured on a sample (survey responses, inspections) rather than on every contact.
    pub fn is_sampled(self) -> bool {
        matches!(
            self,
            SlaMetric::CsatMean | SlaMetric::CsatTopBoxRate | SlaMetric::QaPassRate
        )
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
    /// The name a person reads (Chinese report); `name_en` for `--lang en`. Without one,
    /// the name is made from the metric and the scope.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub name_en: Option<String>,
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
    /// How a figure from a sample is judged against the target (`[uncertainty] verdict` when
    /// not given).
    #[serde(default)]
    pub verdict: Option<VerdictPolicy>,
    /// The fewest contacts (responses, inspections) this SLA needs for a verdict
    /// (`[data_quality] min_population` when not given).
    #[serde(default)]
    pub min_population: Option<u64>,
}

/// A time threshold, wall-clock or on the business calendar.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Threshold {
    /// Wall-clock seconds.
    Seconds(f64),
    /// Working seconds on the business calendar (from working hours, or from working days
    /// once the calendar's day length is known).
    WorkingSeconds(f64),
    /// Working days as written, before [`Contract::resolve_working_days`] turns them into
    /// working seconds.
    WorkingDays(f64),
}

/// The length of a working day when no calendar gives one.
pub const DEFAULT_WORKING_DAY_SECONDS: f64 = 8.0 * 3600.0;

impl Threshold {
    /// The threshold in working seconds, a day being [`DEFAULT_WORKING_DAY_SECONDS`] while
    /// working days are unresolved; `None` for a wall-clock threshold.
    pub fn working_seconds(&self) -> Option<f64> {
        match *self {
            Threshold::Seconds(_) => None,
            Threshold::WorkingSeconds(s) => Some(s),
            Threshold::WorkingDays(d) => Some(d * DEFAULT_WORKING_DAY_SECONDS),
        }
    }
}

/// A refused `[[channel]]` table.
fn channel_error(msg: String) -> Error {
    Error::usage(msg).with_hint(
        "declare a channel once with `name`, `realtime` and `aliases` (see docs/contract-template.md, Channels)",
    )
}

/// A validated service level.
#[derive(Debug, Clone, Serialize)]
pub struct Sla {
    pub id: String,
    /// `name` and `name_en` as written.
    pub name: Option<String>,
    pub name_en: Option<String>,
    pub clause: String,
    pub metric: SlaMetric,
    pub target: f64,
    pub channel: Option<Channel>,
    pub complexity: Option<Complexity>,
    pub priority: Option<Priority>,
    pub kind: Option<Kind>,
    pub threshold: Option<Threshold>,
    /// The threshold as the contract writes it: the text table's key for its unit
    /// (`threshold_in_working_days`) and the number (3), shown as "3个工作日".
    pub threshold_written: Option<(&'static str, f64)>,
    pub short_abandon_seconds: Option<f64>,
    pub denominator: Denominator,
    /// `qa_pass_rate` only: the inspection source counted.
    pub source: Option<crate::model::InspectionSource>,
    pub description: Option<String>,
    /// How a figure from a sample is judged (the SLA's, else `[uncertainty]`'s).
    pub verdict: VerdictPolicy,
    /// The fewest contacts (responses, inspections) for a verdict (the SLA's, else
    /// `[data_quality]`'s).
    pub min_population: u64,
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

/// `[data_quality]`: when the data is too thin for a firm verdict. Past either limit the
/// verdict is provisional (暂定) and a finding says why.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DataQualityCfg {
    #[serde(default)]
    pub clause: Option<String>,
    /// The largest share of an input's rows read that may be rejected or duplicates.
    #[serde(default = "two_percent")]
    pub max_rejected_share: f64,
    /// Whether a working day (a day with service windows, or any day without a calendar)
    /// with no contact makes the verdict provisional.
    #[serde(default = "yes")]
    pub missing_days: bool,
    /// The fewest contacts (responses, inspections) an SLA needs in scope for a verdict;
    /// below it the SLA is not measurable.
    #[serde(default = "thirty")]
    pub min_population: u64,
    /// The fewest inspections, and answered contacts, behind a finding that names a person
    /// (an agent): below them no agent is singled out.
    #[serde(default = "ten")]
    pub min_person_inspections: u64,
    #[serde(default = "thirty")]
    pub min_person_contacts: u64,
}

fn ten() -> u64 {
    10
}

fn thirty() -> u64 {
    30
}

fn two_percent() -> f64 {
    0.02
}

fn yes() -> bool {
    true
}

impl Default for DataQualityCfg {
    fn default() -> Self {
        DataQualityCfg {
            clause: None,
            max_rejected_share: two_percent(),
            missing_days: true,
            min_population: thirty(),
            min_person_inspections: ten(),
            min_person_contacts: thirty(),
        }
    }
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
    #[serde(default)]
    data_quality: DataQualityCfg,
    /// `[[channel]]`: channels beyond the built-in ones.
    #[serde(default)]
    channel: Vec<ChannelDecl>,
    /// `[scoring]`: the weighted scoring sheet (考核表).
    #[serde(default)]
    scoring: Option<scoring::ScoringFile>,
    #[serde(default)]
    uncertainty: UncertaintyCfg,
    #[serde(default)]
    repeat: Option<RepeatCfg>,
    /// `[report]`: the written report's cover, sign-off and remediation terms.
    #[serde(default)]
    report: report::ReportCfg,
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
    pub data_quality: DataQualityCfg,
    /// `[scoring]`, checked.
    pub scoring: Option<scoring::Scoring>,
    /// `[uncertainty]`.
    pub uncertainty: UncertaintyCfg,
    /// `[repeat]` (its defaults when an SLA or the scoring sheet names a repeat measure).
    pub repeat: Option<RepeatCfg>,
    /// `[report]`, with its defaults.
    pub report: report::ReportCfg,
    /// Calendar files, resolved against the contract's folder.
    pub calendar_paths: Vec<PathBuf>,
    /// `[contract] default_priority`, parsed.
    pub default_priority: Option<Priority>,
    /// The channels: built in, declared here (`[[channel]]`), then declared by the mapping
    /// profiles ([`Contract::declare_channels`]).
    #[serde(skip)]
    pub channels: Channels,
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
                "a misspelt key would silently drop a target, so unknown keys are refused; check the spelling against docs/contract-template.md"
            } else {
                "see docs/contract-template.md for the template format"
            };
            Error::usage(format!("{}: invalid contract template: {}", path.display(), msg.trim())).with_hint(hint)
        })?;
        check_info(&f.contract, path)?;
        check_survey(&f.survey, path)?;
        let mut channels = Channels::default();
        channels
            .declare(&f.channel, &path.display().to_string())
            .map_err(channel_error)?;
        let slas = f
            .sla
            .iter()
            .enumerate()
            .map(|(i, sf)| parse_sla(i, sf, &f.sla[..i], &f.survey, &channels, path))
            .collect::<Result<Vec<_>>>()?;
        let ids: Vec<String> = slas.iter().map(|s| s.id.clone()).collect();
        let incentive = f
            .incentive
            .map(|inc| parse_incentive(inc, path, &ids))
            .transpose()?;
        if let Some(p) = &f.penalty {
            check_penalty(p, path)?;
        }
        let scoring = f
            .scoring
            .map(|sc| scoring::parse_scoring(sc, path, &ids, &channels))
            .transpose()?;
        check_peaks(&f.peaks, path)?;
        check_quality(&f.quality, path)?;
        check_data_quality(&f.data_quality, path)?;
        parse::check_uncertainty(&f.uncertainty, path)?;
        f.report.check(path)?;
        let mut slas = slas;
        for (s, sf) in slas.iter_mut().zip(&f.sla) {
            s.verdict = sf.verdict.unwrap_or(f.uncertainty.verdict);
            s.min_population = sf.min_population.unwrap_or(f.data_quality.min_population);
        }
        let base = path.parent().unwrap_or(Path::new("."));
        let default_priority = parse_enum(
            &f.contract.default_priority,
            Priority::parse,
            Priority::expected(),
            path,
            "contract.default_priority",
        )?;
        let info = f.contract;
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
            data_quality: f.data_quality,
            scoring,
            uncertainty: f.uncertainty,
            repeat: f.repeat,
            report: f.report,
            calendar_paths,
            default_priority,
            channels,
        })
    }

    /// Whether the run keeps who called: the contract has `[repeat]`, an SLA on a measure
    /// that follows callers, or a scoring indicator or condition on one.
    pub fn measures_repeats(&self) -> bool {
        let named = |k: &str| {
            ["repeat_", "callback_", "true_abandon"]
                .iter()
                .any(|p| k.contains(p))
        };
        self.repeat.is_some()
            || self.slas.iter().any(|s| s.metric.follows_callers())
            || self.scoring.as_ref().is_some_and(|sc| {
                sc.indicators
                    .iter()
                    .any(|i| i.metric.as_deref().is_some_and(named))
                    || sc
                        .vetoes
                        .iter()
                        .filter_map(|v| v.when.as_ref())
                        .any(|c| named(&c.subject))
                    || sc
                        .adjustments
                        .iter()
                        .filter_map(|a| a.when.as_ref())
                        .any(|c| named(&c.subject))
            })
    }

    /// The repeat-contact settings in force.
    pub fn repeat_cfg(&self) -> RepeatCfg {
        self.repeat.clone().unwrap_or_default()
    }

    /// Add the `[[channel]]` tables of mapping profile `profile`.
    pub fn declare_channels(&mut self, decls: &[ChannelDecl], profile: &Path) -> Result<()> {
        self.channels
            .declare(decls, &profile.display().to_string())
            .map_err(channel_error)
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.info.timezone.parse().expect("validated at load")
    }

    /// How long after local midnight the business day starts (`[contract] day_start`).
    pub fn day_start_ms(&self) -> i64 {
        self.info
            .day_start
            .as_deref()
            .and_then(parse::day_start_seconds)
            .map_or(0, |s| s as i64 * 1000)
    }

    /// The first and the last instant (exclusive, epoch ms) of `period`'s business days.
    pub fn bounds(&self, period: crate::config::Period) -> (i64, i64) {
        let (a, b) = period.bounds_ms(self.tz());
        let shift = self.day_start_ms();
        (a + shift, b + shift)
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

    /// Convert `threshold_working_days` into working seconds once the calendar's
    /// working-day length is known ([`DEFAULT_WORKING_DAY_SECONDS`] without a calendar).
    pub fn resolve_working_days(&mut self, working_day_seconds: f64) {
        for s in &mut self.slas {
            if let Some(Threshold::WorkingDays(d)) = s.threshold {
                s.threshold = Some(Threshold::WorkingSeconds(d * working_day_seconds));
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
        assert_eq!(c.service_level_threshold(Channel::PHONE), Some(20.0));
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
