//! SLA measurement: the population an SLA counts ([`Scope`]: channel, kind, priority,
//! complexity) and [`measure`], which turns an SLA's numerator and denominator, counted by the
//! enrich kernel or from the frames, into a [`super::Measurement`] (null when nothing is in
//! scope, or when no input gives a column the metric needs: [`Evidence`]). Targets and
//! verdicts are the evaluate stage's.

use super::{ratio, Measurement, SlaCounts};
use crate::columns::{contact as cc, ColumnsSeen};
use crate::config::contract::SlaMetric;
use crate::config::Contract;
use crate::error::Result;
use crate::model::{Channel, Kind, Priority};

/// The contacts an SLA's figure counts: its channel, complexity (a contact without one
/// is a standard one), priority (urgent for `urgent_response_within`) and kind, as the
/// kernel of [`enrich`] picks them from their category codes. `expr` is the same scope as
/// a Polars filter, which the tests hold the kernel's to.
pub(super) struct Scope {
    pub(super) channel: Option<Channel>,
    pub(super) complexity: Option<crate::model::Complexity>,
    pub(super) priorities: Vec<Priority>,
    pub(super) kind: Option<Kind>,
}

impl Scope {
    pub(super) fn of(sla: &crate::config::contract::Sla) -> Scope {
        let mut priorities: Vec<Priority> = sla.priority.into_iter().collect();
        if sla.metric == SlaMetric::UrgentResponseWithin {
            priorities.push(Priority::Urgent);
        }
        Scope {
            channel: sla.channel,
            complexity: sla.complexity,
            priorities,
            kind: sla.kind,
        }
    }

    /// The filter on the contacts frame.
    #[cfg(test)]
    pub(super) fn expr(&self, channels: &crate::model::Channels) -> polars::prelude::Expr {
        use polars::prelude::*;
        let mut filter = lit(true);
        if let Some(c) = self.channel {
            filter = filter.and(col("channel").eq(lit(channels.name(c))));
        }
        if let Some(c) = self.complexity {
            let mut is = col("complexity").eq(lit(c.as_str()));
            if c == crate::model::Complexity::Standard {
                is = is.or(col("complexity").is_null());
            }
            filter = filter.and(is);
        }
        for p in &self.priorities {
            filter = filter.and(col("priority").eq(lit(p.as_str())));
        }
        if let Some(k) = self.kind {
            filter = filter.and(col("kind").eq(lit(k.as_str())));
        }
        filter
    }

    /// Whether a contact is in scope, from its category codes (positions in the `ALL`
    /// lists and the channel table; `None`: null, which no equality filter keeps).
    pub(super) fn matches(
        &self,
        channel: Option<u32>,
        complexity: Option<u32>,
        priority: Option<u32>,
        kind: Option<u32>,
    ) -> bool {
        use crate::model::Complexity;
        self.channel
            .is_none_or(|c| channel == Some(c.index() as u32))
            && self.complexity.is_none_or(|c| {
                complexity == Some(c as u32) || (c == Complexity::Standard && complexity.is_none())
            })
            && self.priorities.iter().all(|&p| priority == Some(p as u32))
            && self.kind.is_none_or(|k| kind == Some(k as u32))
    }
}
/// What the inputs can tell, from the canonical contact columns they give: a figure that
/// needs a column no input gives is null, never 0 %.
#[derive(Debug, Clone, Copy)]
pub struct Evidence {
    /// `resolved` or `resolved_at`.
    pub resolution: bool,
    /// `resolved_at`.
    pub resolution_time: bool,
    /// `answered_at` or an `answered` flag.
    pub answer: bool,
    /// `answered_at` or `wait_seconds`.
    pub response_time: bool,
}

impl Evidence {
    pub fn of(seen: ColumnsSeen) -> Self {
        Evidence {
            resolution: seen.has(cc::RESOLVED) || seen.has(cc::RESOLVED_AT),
            resolution_time: seen.has(cc::RESOLVED_AT),
            answer: seen.has(cc::ANSWERED_AT) || seen.has(cc::ANSWERED),
            response_time: seen.has(cc::ANSWERED_AT) || seen.has(cc::WAIT_SECONDS),
        }
    }

    /// Why SLA metric `m` cannot be measured from these inputs, if it cannot.
    fn missing_for(self, m: SlaMetric) -> Option<&'static str> {
        match m {
            SlaMetric::ResolutionRate if !self.resolution => Some("why_no_resolution"),
            SlaMetric::ResolvedWithin if !self.resolution_time => Some("why_no_resolved_at"),
            SlaMetric::ServiceLevel
            | SlaMetric::ResponseWithin
            | SlaMetric::UrgentResponseWithin
                if !self.answer =>
            {
                Some("why_no_answer")
            }
            SlaMetric::ServiceLevel
            | SlaMetric::ResponseWithin
            | SlaMetric::UrgentResponseWithin
                if !self.response_time =>
            {
                Some("why_no_response_time")
            }
            _ => None,
        }
    }
}

/// Numerator and denominator of one SLA: from the kernel's `counts` for an SLA over
/// contacts (see [`Counted`]), from the responses for satisfaction.
pub(super) fn measure(
    resp: &super::satisfaction::Responses,
    sla: &crate::config::contract::Sla,
    counts: Option<SlaCounts>,
    contract: &Contract,
    evidence: Evidence,
) -> Result<Measurement> {
    match sla.metric {
        // Measured by `super::quality::measure` over the inspections; never over contacts.
        SlaMetric::QaPassRate => {
            return Ok(super::quality::measure(None, sla, &contract.channels)?.0)
        }
        SlaMetric::CsatMean | SlaMetric::CsatTopBoxRate => {
            // Responses, filtered by the linked contact's channel.
            let top =
                (sla.metric == SlaMetric::CsatTopBoxRate).then(|| contract.survey.top_box_min());
            let (n, d, sd) = resp.measure(sla.channel, top);
            return Ok(Measurement {
                numerator: n,
                denominator: d,
                actual: ratio(n, d),
                why_missing: (d == 0.0).then_some("why_no_responses"),
                spread: sd,
            });
        }
        _ => {}
    }
    let c = counts.unwrap_or_default();
    let (n, d) = (c.num as f64, c.den as f64);
    if let Some(why) = evidence.missing_for(sla.metric) {
        return Ok(Measurement {
            numerator: 0.0,
            denominator: d,
            actual: None,
            why_missing: Some(why),
            spread: None,
        });
    }
    if sla.metric == SlaMetric::FcrRate && c.fcr_known == 0 && d > 0.0 {
        return Ok(Measurement {
            numerator: 0.0,
            denominator: d,
            actual: None,
            why_missing: Some("why_no_fcr"),
            spread: None,
        });
    }
    Ok(Measurement {
        numerator: n,
        denominator: d,
        actual: ratio(n, d),
        why_missing: (d == 0.0).then_some("why_no_contacts"),
        spread: None,
    })
}
