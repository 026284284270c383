//! Reading a contract template: each TOML section checked by a function of its own, every
//! mistake a usage error naming the file and the key, with a hint. The validated types are in
//! [`super`].

use super::{
    Condition, ContractInfo, DataQualityCfg, Denominator, Incentive, IncentiveFile, Op, PeaksCfg,
    PenaltyFile, QualityCfg, Sla, SlaFile, SlaMetric, SurveyCfg, Threshold, Tier,
    CONDITION_METRICS,
};
use crate::error::{Error, Result};
use crate::model::{Channels, Complexity, Kind, Priority};
use std::path::Path;

/// A condition `<figure> <op> <number>`; `known` says which figures may be named.
pub(super) fn parse_condition(
    text: &str,
    file: &Path,
    key: &str,
    known: &dyn Fn(&str) -> bool,
) -> Result<Condition> {
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
    if !known(&subject) {
        return Err(bad("names neither a metric nor an [[sla]] id"));
    }
    Ok(Condition {
        text: text.to_string(),
        subject,
        op,
        value,
    })
}

pub(super) fn parse_enum<T>(
    v: &Option<String>,
    parse: impl Fn(&str) -> Option<T>,
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
/// `[contract] day_start` (`"06:00"`) in seconds after midnight.
pub(super) fn day_start_seconds(s: &str) -> Option<u32> {
    let t = chrono::NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()?;
    Some(chrono::Timelike::num_seconds_from_midnight(&t))
}

/// `[contract]`: a known time zone, a time of day for the business day's start and a
/// non-negative fee.
pub(super) fn check_info(info: &ContractInfo, file: &Path) -> Result<()> {
    let _: chrono_tz::Tz = info.timezone.parse().map_err(|_| {
        Error::usage(format!(
            "{}: `contract.timezone`: unknown time zone `{}`",
            file.display(),
            info.timezone
        ))
        .with_hint("use an IANA name such as \"Asia/Shanghai\"")
    })?;
    if let Some(s) = &info.day_start {
        if day_start_seconds(s).is_none() {
            return Err(Error::usage(format!(
                "{}: `contract.day_start`: `{s}` is not a time of day",
                file.display()
            ))
            .with_hint("write the hour the business day starts as HH:MM, e.g. \"06:00\""));
        }
    }
    if let Some(fee) = info.monthly_base_fee {
        if !(fee.is_finite() && fee >= 0.0) {
            return Err(Error::usage(format!(
                "{}: `contract.monthly_base_fee` must be a non-negative amount",
                file.display()
            )));
        }
    }
    Ok(())
}

/// `[survey]`: a scale with room for its top box.
pub(super) fn check_survey(s: &SurveyCfg, file: &Path) -> Result<()> {
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
    Ok(())
}

/// `[[sla]]` number `i` (`before`: the ones above it): its scope, threshold and target.
pub(super) fn parse_sla(
    i: usize,
    sf: &SlaFile,
    before: &[SlaFile],
    survey: &SurveyCfg,
    channels: &Channels,
    file: &Path,
) -> Result<Sla> {
    let key = |k: &str| format!("sla[{i}] ({}).{k}", sf.id);
    if before.iter().any(|b| b.id == sf.id) {
        return Err(Error::usage(format!(
            "{}: `{}`: duplicate [[sla]] id",
            file.display(),
            key("id")
        )));
    }
    let channel = parse_enum(
        &sf.channel,
        |s| channels.parse(s),
        channels.expected(),
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
    let threshold = parse_threshold(sf, file)?;
    let narrowed = complexity.is_some() || priority.is_some() || kind.is_some();
    if sf.metric.follows_callers() && (narrowed || threshold.is_some()) {
        return Err(Error::usage(format!(
            "{}: `{}`: {} follows callers across their contacts and is scoped by channel only",
            file.display(),
            key("metric"),
            sf.metric.as_str()
        ))
        .with_hint(
            "remove complexity, priority, kind and thresholds; the windows are set in [repeat]",
        ));
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
    if sf.metric == SlaMetric::CsatMean
        && !(survey.scale_min..=survey.scale_max).contains(&sf.target)
    {
        return Err(Error::usage(format!(
            "{}: `{}` = {} lies outside the survey scale {}..{}",
            file.display(),
            key("target"),
            sf.target,
            survey.scale_min,
            survey.scale_max
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
    if sf.metric == SlaMetric::UrgentResponseWithin && priority == Some(Priority::Normal) {
        return Err(Error::usage(format!(
            "{}: an urgent_response_within [[sla]] cannot set priority = \"normal\"",
            file.display()
        ))
        .with_hint("urgent_response_within always counts urgent contacts; use response_within with priority = \"normal\" for the others"));
    }
    Ok(Sla {
        id: sf.id.clone(),
        name: sf.name.clone(),
        name_en: sf.name_en.clone(),
        clause: sf.clause.clone(),
        metric: sf.metric,
        target: sf.target,
        channel,
        complexity,
        priority,
        kind,
        threshold: threshold.as_ref().map(|t| t.0),
        threshold_written: threshold.map(|t| t.1),
        short_abandon_seconds: sf.short_abandon_seconds,
        denominator: sf.denominator.unwrap_or(Denominator::Answered),
        source,
        description: sf.description.clone(),
        // Filled in from the contract's `[uncertainty]` and `[data_quality]` by the caller.
        verdict: sf.verdict.unwrap_or_default(),
        min_population: sf.min_population.unwrap_or(0),
    })
}

/// The one threshold key of an `[[sla]]`, if any, with the key as written; a metric that
/// needs one must have one, and it must be positive.
pub(super) fn parse_threshold(
    sf: &SlaFile,
    file: &Path,
) -> Result<Option<(Threshold, (&'static str, f64))>> {
    let thresholds: Vec<(Threshold, (&'static str, f64))> = [
        sf.threshold_seconds
            .map(|v| (Threshold::Seconds(v), ("threshold_in_seconds", v))),
        sf.threshold_minutes
            .map(|v| (Threshold::Seconds(v * 60.0), ("threshold_in_minutes", v))),
        sf.threshold_hours
            .map(|v| (Threshold::Seconds(v * 3600.0), ("threshold_in_hours", v))),
        sf.threshold_working_hours.map(|v| {
            (
                Threshold::WorkingSeconds(v * 3600.0),
                ("threshold_in_working_hours", v),
            )
        }),
        // Working days are converted once the calendar is known (see resolve_working_days).
        sf.threshold_working_days
            .map(|v| (Threshold::WorkingDays(v), ("threshold_in_working_days", v))),
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
        let v = match *t {
            Threshold::Seconds(v) | Threshold::WorkingSeconds(v) | Threshold::WorkingDays(v) => v,
        };
        if !(v.is_finite() && v > 0.0) {
            return Err(Error::usage(format!(
                "{}: `sla` `{}`: the threshold must be a positive number",
                file.display(),
                sf.id
            )));
        }
    }
    Ok(threshold)
}

/// `[incentive]`: each tier's conditions (on the SLA ids `ids`) and bonus rate.
pub(super) fn parse_incentive(
    inc: IncentiveFile,
    file: &Path,
    ids: &[String],
) -> Result<Incentive> {
    let known = |s: &str| CONDITION_METRICS.contains(&s) || ids.iter().any(|i| i == s);
    let mut tiers = Vec::new();
    for (i, t) in inc.tier.iter().enumerate() {
        let k = format!("incentive.tier[{i}] ({})", t.name);
        let all = t
            .all
            .iter()
            .map(|c| parse_condition(c, file, &format!("{k}.all"), &known))
            .collect::<Result<Vec<_>>>()?;
        let any = t
            .any
            .iter()
            .map(|c| parse_condition(c, file, &format!("{k}.any"), &known))
            .collect::<Result<Vec<_>>>()?;
        if all.is_empty() && any.is_empty() && !t.always {
            return Err(
                Error::usage(format!("{}: `{k}` has no condition", file.display()))
                    .with_hint("give `all`, `any` or `always = true`"),
            );
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
    Ok(Incentive {
        clause: inc.clause,
        consecutive_failures_for_termination: inc.consecutive_failures_for_termination,
        tiers,
    })
}

/// `[penalty]`: rates between 0 and 1.
pub(super) fn check_penalty(p: &PenaltyFile, file: &Path) -> Result<()> {
    let bad = !(0.0..=1.0).contains(&p.per_breached_sla_rate)
        || p.cap_rate.is_some_and(|c| !(0.0..=1.0).contains(&c));
    if bad {
        return Err(Error::usage(format!(
            "{}: `[penalty]`: rates must lie between 0 and 1",
            file.display()
        )));
    }
    Ok(())
}

/// `[peaks]`: a volume factor of 1 or more and a drop between 0 and 1.
pub(super) fn check_peaks(pk: &PeaksCfg, file: &Path) -> Result<()> {
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
    Ok(())
}

/// `[uncertainty]`: a confidence between 50 % and 100 %.
pub(super) fn check_uncertainty(u: &super::UncertaintyCfg, file: &Path) -> Result<()> {
    if !(u.confidence > 0.5 && u.confidence < 1.0) {
        return Err(Error::usage(format!(
            "{}: `[uncertainty] confidence` = {} is not a confidence level",
            file.display(),
            u.confidence
        ))
        .with_hint("write it as a fraction between 0.5 and 1: 95 % is 0.95"));
    }
    Ok(())
}

/// `[quality]`: scores are numbers.
/// `[data_quality]`: a share between 0 and 1.
pub(super) fn check_data_quality(d: &DataQualityCfg, file: &Path) -> Result<()> {
    if !(0.0..=1.0).contains(&d.max_rejected_share) {
        return Err(Error::usage(format!(
            "{}: `[data_quality] max_rejected_share` = {} is not a share between 0 and 1",
            file.display(),
            d.max_rejected_share
        ))
        .with_hint("e.g. max_rejected_share = 0.02 for 2 %"));
    }
    Ok(())
}

pub(super) fn check_quality(q: &QualityCfg, file: &Path) -> Result<()> {
    if !q.pass_score.is_finite() || q.criterion_pass_score.is_some_and(|v| !v.is_finite()) {
        return Err(Error::usage(format!(
            "{}: `[quality]`: scores must be numbers",
            file.display()
        )));
    }
    Ok(())
}
