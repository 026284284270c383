//! Satisfaction: the period's survey responses, each with its contact's channel and agent
//! (a linked response wins over the contact's inline rating), tallied as they are gathered
//! ([`responses`]): score sums by channel and by agent, response counts by channel and
//! score. Every figure is made from those: the survey summary, the mean score and response
//! count by channel and by agent, the score distribution ([`Responses::figures`]), and an
//! SLA's mean or top-box rate with its spread ([`Responses::measure`]). The sums are taken
//! in the responses' order (the surveys', then the contacts'), so on every run alike.
//! Survey items' statistics are here too; the survey's reading and linking are the
//! normalize stage's.

use super::{one_array, ScoreRow};
use crate::error::Result;
use crate::model::Channel;
use crate::util::{chunk_ranges, FastMap};
use polars::prelude::*;
use polars_arrow::bitmap::iterator::TrueIdxIter;
use serde::Serialize;
use std::collections::BTreeMap;

/// The period's survey responses, tallied as they are gathered: the responses linked to a
/// contact of the period (or to none, with a time in the period or none at all), then the
/// inline ratings of the period's contacts no response links to. Every sum is taken in that
/// order.
#[derive(Debug)]
pub(super) struct Responses {
    all: Sum,
    /// NPS answers, promoters (9–10) and detractors (0–6).
    nps: (u64, u64, u64),
    /// By the contact's channel (its position in the run's table; the last: no channel).
    channels: Vec<Sum>,
    /// By the contact's agent (category id: the ids of a column are numbered from 0).
    agents: Vec<Sum>,
    /// Responses by channel (as `channels`) and score (its bits; -0.0 counts as 0.0).
    scores: FastMap<(usize, u64), u64>,
}

impl Default for Responses {
    fn default() -> Self {
        Responses {
            all: Sum::default(),
            nps: (0, 0, 0),
            channels: vec![Sum::default(); Channel::MAX + 1],
            agents: Vec::new(),
            scores: FastMap::default(),
        }
    }
}

/// The category ids of the categorical column `name` of `df`.
fn codes<'a>(df: &'a DataFrame, name: &str) -> Result<&'a UInt32Chunked> {
    Ok(df.column(name)?.cat32()?.physical())
}

/// Satisfaction responses of the period, each with the channel and agent of its contact;
/// the responses of other periods; each survey item's statistics.
pub(super) fn responses(
    all_contacts: &DataFrame,
    period_contacts: &DataFrame,
    surveys: &DataFrame,
    bounds: (i64, i64),
    survey: &crate::config::contract::SurveyCfg,
) -> Result<(Responses, u64, Vec<ItemStats>)> {
    let (a, b) = bounds;
    // Each response's contact, by the row the normalize stage linked it to.
    let rows = surveys.column(crate::normalize::CONTACT_ROW)?.u32()?;
    let linked = all_contacts
        .select(["channel", "agent_id", "arrived_ms"])?
        .take(rows)?;
    let n = surveys.height();
    let mut r = Responses::default();
    let mut kept = Vec::with_capacity(n);
    let whole = |c: &str| -> Result<_> { Ok(one_array(surveys.column(c)?.f64()?, 0, n)) };
    let (score, nps) = (whole("score")?, whole("nps")?);
    let responded = one_array(surveys.column("responded_ms")?.i64()?, 0, n);
    let arrived = one_array(linked.column("arrived_ms")?.i64()?, 0, n);
    let channel = one_array(codes(&linked, "channel")?, 0, n);
    let agent = one_array(codes(&linked, "agent_id")?, 0, n);
    for i in 0..n {
        // No time at all: attributed to the period being evaluated.
        let t = responded.get(i).or_else(|| arrived.get(i));
        let keep = t.is_none_or(|t| (a..b).contains(&t));
        kept.push(keep);
        if keep {
            // A score is never null: the normalize stage refuses a response without one.
            r.push(score.value(i), nps.get(i), channel.get(i), agent.get(i));
        }
    }
    let in_period = r.all.n;
    let item_stats = item_stats(surveys, &kept, in_period, survey)?;
    r.add_inline(period_contacts)?;
    Ok((r, n as u64 - in_period, item_stats))
}

impl Responses {
    /// A response: its score and NPS answer, its contact's channel and agent.
    fn push(&mut self, score: f64, nps: Option<f64>, channel: Option<u32>, agent: Option<u32>) {
        self.all.add(score);
        if let Some(p) = nps {
            self.nps.0 += 1;
            self.nps.1 += u64::from(p >= 9.0);
            self.nps.2 += u64::from(p <= 6.0);
        }
        let none = self.channels.len() - 1;
        let c = channel.map_or(none, |c| (c as usize).min(none));
        self.channels[c].add(score);
        if let Some(g) = agent.map(|g| g as usize) {
            if g >= self.agents.len() {
                self.agents.resize(g + 1, Sum::default());
            }
            self.agents[g].add(score);
        }
        *self.scores.entry((c, (score + 0.0).to_bits())).or_default() += 1;
    }

    /// The inline ratings of `contacts` that no survey response links to, in row order.
    fn add_inline(&mut self, contacts: &DataFrame) -> Result<()> {
        let rating = contacts.column("satisfaction")?.f64()?;
        let (has, channel, agent) = (
            contacts.column("has_survey")?.bool()?,
            codes(contacts, "channel")?,
            codes(contacts, "agent_id")?,
        );
        for (start, len) in chunk_ranges(rating) {
            let start = start as i64;
            let (rating, has, channel, agent) = (
                one_array(rating, start, len),
                one_array(has, start, len),
                one_array(channel, start, len),
                one_array(agent, start, len),
            );
            // The rated contacts only (a few in a hundred, as a rule).
            for i in TrueIdxIter::new(len, rating.validity()) {
                if has.get(i) == Some(false) {
                    self.push(rating.value(i), None, channel.get(i), agent.get(i));
                }
            }
        }
        Ok(())
    }

    /// The responses by score, lowest first, of the channel `channel` (a position in
    /// `channels`; of every channel: `None`).
    fn by_score(&self, channel: Option<usize>) -> Vec<(f64, u64)> {
        let mut v: Vec<(f64, u64)> = (self.scores.iter())
            .filter(|((c, _), _)| channel.is_none_or(|ch| *c == ch))
            .map(|(&(_, bits), &n)| (f64::from_bits(bits), n))
            .collect();
        v.sort_by(|x, y| x.0.total_cmp(&y.0));
        // One line a score (of several channels, the score is on several lines).
        v.dedup_by(|later, kept| {
            let same = later.0.to_bits() == kept.0.to_bits();
            if same {
                kept.1 += later.1;
            }
            same
        });
        v
    }

    /// Every figure of the responses; `top`: the lowest top-box score.
    pub(super) fn figures(&self, top: f64) -> Figures {
        let by_score = self.by_score(None);
        let groups = |sums: &[Sum]| -> Vec<(usize, Csat)> {
            (sums.iter().enumerate())
                .filter(|(_, s)| s.n > 0)
                .map(|(k, s)| (k, s.csat()))
                .collect()
        };
        Figures {
            summary: Summary {
                mean: self.all.csat().mean,
                responses: self.all.n,
                top_box: (by_score.iter())
                    .filter(|(x, _)| *x >= top)
                    .map(|(_, n)| n)
                    .sum(),
                nps_responses: self.nps.0,
                promoters: self.nps.1,
                detractors: self.nps.2,
            },
            by_channel: (groups(&self.channels).into_iter())
                .filter_map(|(c, s)| Some((Channel::at(c)?, s)))
                .collect(),
            by_agent: (groups(&self.agents).into_iter())
                .map(|(g, s)| (g as u32, s))
                .collect(),
            scores: (by_score.into_iter())
                .map(|(score, responses)| ScoreRow { score, responses })
                .collect(),
        }
    }

    /// An SLA's figure over the responses of `channel` (of every channel: `None`): the sum of
    /// the scores (with `top`, the count of those at least `top`), the responses, and the
    /// scores' sample standard deviation (null below two responses).
    pub(super) fn measure(
        &self,
        channel: Option<Channel>,
        top: Option<f64>,
    ) -> (f64, f64, Option<f64>) {
        let sum = match channel {
            None => self.all,
            Some(c) => self.channels.get(c.index()).copied().unwrap_or_default(),
        };
        let scores = self.by_score(channel.map(|c| c.index()));
        let n = sum.n as f64;
        let hits: u64 = (scores.iter())
            .filter(|(x, _)| top.is_some_and(|t| *x >= t))
            .map(|(_, n)| n)
            .sum();
        let sd = sample_sd(scores.iter().copied(), sum.sum / n, sum.n);
        (if top.is_some() { hits as f64 } else { sum.sum }, n, sd)
    }
}

/// A sum of scores and their count.
#[derive(Debug, Default, Clone, Copy)]
struct Sum {
    sum: f64,
    n: u64,
}

impl Sum {
    fn add(&mut self, x: f64) {
        self.sum += x;
        self.n += 1;
    }
    fn csat(self) -> Csat {
        Csat {
            mean: (self.n > 0).then(|| self.sum / self.n as f64),
            n: self.n,
        }
    }
}

/// The satisfaction figures of the period's responses.
pub(super) struct Figures {
    pub(super) summary: Summary,
    /// By channel and by agent (category id): those with a response.
    pub(super) by_channel: BTreeMap<Channel, Csat>,
    pub(super) by_agent: BTreeMap<u32, Csat>,
    /// Responses per score, lowest score first.
    pub(super) scores: Vec<ScoreRow>,
}

/// One survey item's answers in the period (`survey_items` in metrics.json).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct ItemStats {
    pub item: String,
    /// Responses of the period that answer the item, and those that leave it blank.
    pub responses: u64,
    pub missing: u64,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    /// Sample standard deviation (n − 1); null below two answers.
    pub sd: Option<f64>,
    /// Share of the answers in the top box (the contract's `[survey] top_box`).
    pub top_box_rate: Option<f64>,
}

/// Every survey item's statistics over the `asked` responses of the period (`kept`: which
/// rows of `surveys` those are).
fn item_stats(
    surveys: &DataFrame,
    kept: &[bool],
    asked: u64,
    survey: &crate::config::contract::SurveyCfg,
) -> Result<Vec<ItemStats>> {
    let items: Vec<&PlSmallStr> = (surveys.get_column_names().into_iter())
        .filter(|n| n.starts_with(crate::columns::ITEM_PREFIX))
        .collect();
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let kept = BooleanChunked::from_slice("kept".into(), kept);
    let mut out = Vec::with_capacity(items.len());
    for name in items {
        let answers = surveys.column(name)?.f64()?.filter(&kept)?;
        let mut v: Vec<f64> = answers.iter().flatten().collect();
        v.sort_by(f64::total_cmp);
        out.push(describe(
            &name[crate::columns::ITEM_PREFIX.len()..],
            &v,
            asked,
            survey.top_box_min(),
        ));
    }
    Ok(out)
}

/// The sample standard deviation (n − 1) of `n` values of mean `mean`, given as (value, how
/// many times); null below two values. The deviations from the mean are summed: no loss of
/// precision to cancellation.
fn sample_sd(counted: impl Iterator<Item = (f64, u64)>, mean: f64, n: u64) -> Option<f64> {
    (n > 1).then(|| {
        let dp: f64 = counted
            .map(|(x, k)| k as f64 * (x - mean) * (x - mean))
            .sum();
        (dp / (n - 1) as f64).sqrt()
    })
}

/// Statistics of `sorted` answers out of `asked` responses.
fn describe(item: &str, sorted: &[f64], asked: u64, top_box_min: f64) -> ItemStats {
    let n = sorted.len();
    let mean = (n > 0).then(|| sorted.iter().sum::<f64>() / n as f64);
    let median = (n > 0).then(|| {
        if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        }
    });
    let sd = mean.and_then(|m| sample_sd(sorted.iter().map(|&x| (x, 1)), m, n as u64));
    let top = sorted.iter().filter(|x| **x >= top_box_min).count();
    ItemStats {
        item: item.to_string(),
        responses: n as u64,
        missing: asked - n as u64,
        mean,
        median,
        sd,
        top_box_rate: (n > 0).then(|| top as f64 / n as f64),
    }
}

/// The mean score and the responses of a group.
#[derive(Debug, Clone, Copy)]
pub(super) struct Csat {
    pub(super) mean: Option<f64>,
    pub(super) n: u64,
}

/// The survey figures of the period: mean score, responses, top-box responses and the NPS
/// counts.
pub(super) struct Summary {
    pub(super) mean: Option<f64>,
    pub(super) responses: u64,
    pub(super) top_box: u64,
    pub(super) nps_responses: u64,
    pub(super) promoters: u64,
    pub(super) detractors: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Five responses: scores 2, 4, 3, 5, 4; NPS 10, none, 6, 9, none; channels 0, 0, none,
    /// 1, 1; agents 1, none, 1, 3, 3.
    fn five() -> Responses {
        let mut r = Responses::default();
        r.push(2.0, Some(10.0), Some(0), Some(1));
        r.push(4.0, None, Some(0), None);
        r.push(3.0, Some(6.0), None, Some(1));
        r.push(5.0, Some(9.0), Some(1), Some(3));
        r.push(4.0, None, Some(1), Some(3));
        r
    }

    #[test]
    fn figures_count_every_response_once_by_channel_agent_and_score() {
        // Mean 18 / 5 = 3.6; top box (4 and up): 4, 5 and 4; NPS: 3 answered, promoters
        // (9–10) 10 and 9, detractors (0–6) 6. Channel 0: 2 and 4 → 3; channel 1: 5 and 4
        // → 4.5; the third response has no channel. Agent 1: 2 and 3 → 2.5; agent 3: 4.5.
        // Score 4 twice, once in each channel.
        let f = five().figures(4.0);
        let s = &f.summary;
        assert_eq!((s.mean, s.responses, s.top_box), (Some(3.6), 5, 3));
        assert_eq!((s.nps_responses, s.promoters, s.detractors), (3, 2, 1));
        let (c0, c1) = (Channel::at(0).unwrap(), Channel::at(1).unwrap());
        let by_channel: Vec<_> = f
            .by_channel
            .iter()
            .map(|(c, s)| (*c, s.mean, s.n))
            .collect();
        assert_eq!(by_channel, [(c0, Some(3.0), 2), (c1, Some(4.5), 2)]);
        let by_agent: Vec<_> = f.by_agent.iter().map(|(a, s)| (*a, s.mean, s.n)).collect();
        assert_eq!(by_agent, [(1, Some(2.5), 2), (3, Some(4.5), 2)]);
        let scores: Vec<_> = f.scores.iter().map(|r| (r.score, r.responses)).collect();
        assert_eq!(scores, [(2.0, 1), (3.0, 1), (4.0, 2), (5.0, 1)]);
    }

    #[test]
    fn an_sla_measure_takes_its_channel_with_the_spread() {
        let r = five();
        // All: sum 18 of 5, mean 3.6; squared deviations 2.56 + 0.16 + 0.36 + 1.96 + 0.16
        // = 5.2, / 4 = 1.3.
        let (n, d, sd) = r.measure(None, None);
        assert_eq!((n, d), (18.0, 5.0));
        assert!((sd.unwrap() - 1.3f64.sqrt()).abs() < 1e-12);
        // Channel 0, top box from 4: 2 and 4 → 1 of 2; deviations from 3: 1 + 1 = 2, / 1.
        let (n, d, sd) = r.measure(Channel::at(0), Some(4.0));
        assert_eq!((n, d), (1.0, 2.0));
        assert!((sd.unwrap() - 2f64.sqrt()).abs() < 1e-12);
        // Channel 1: 5 and 4, mean 4.5; deviations 0.25 + 0.25, / 1.
        let (n, d, sd) = r.measure(Channel::at(1), None);
        assert_eq!((n, d), (9.0, 2.0));
        assert!((sd.unwrap() - 0.5f64.sqrt()).abs() < 1e-12);
        // A channel without responses: nothing; one response: no spread.
        assert_eq!(r.measure(Channel::at(2), None), (0.0, 0.0, None));
        let mut one = Responses::default();
        one.push(3.0, None, Some(2), None);
        assert_eq!(one.measure(Channel::at(2), None), (3.0, 1.0, None));
    }
}
