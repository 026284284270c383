//! The scoring sheet (考核得分) in words: each indicator's rule and one sentence saying what
//! its figure earned or lost (`按时办结率 66.67%，低于基准值 80.00%，得 0 分`), the summary
//! lines from the base score to the payout, the site ranking (红黑榜) and the incidents. The
//! points and amounts are [`crate::evaluate::scoring`]'s; nothing here computes one.

use super::{duration, pct, Report};
use crate::config::contract::scoring::{Better, Steps};
use crate::config::text::Text;
use crate::evaluate::scoring::{
    AdjustmentScore, IndicatorScore, IndicatorStatus, RuleOut, ScoreSheet, Unit,
};

/// One summary line of the sheet: item, value, how it follows, clause.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoringLine {
    pub item: String,
    pub value: String,
    pub basis: String,
    pub clause: String,
    /// A total (shown in bold).
    pub total: bool,
}

/// One indicator of one site, as the sheet and the HTML show it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorLine {
    pub site: String,
    pub block: String,
    pub name: String,
    pub clause: String,
    pub weight: f64,
    pub actual: Option<f64>,
    pub unit: Unit,
    pub rule: String,
    pub points: Option<f64>,
    pub lost: Option<f64>,
    pub sentence: String,
}

/// Points as written: to two decimals, trailing zeros dropped (`12.5`, `15`).
pub fn points(x: f64) -> String {
    let s = format!("{:.2}", x);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A figure in its unit: a percentage, a duration or a number.
pub fn figure(x: f64, unit: Unit) -> String {
    match unit {
        Unit::Percent => pct(Some(x)),
        Unit::Seconds => duration(x),
        Unit::Number => points(x),
    }
}

/// A difference between two figures in words: percentage points, a duration, a number.
fn gap(x: f64, unit: Unit, t: &Text) -> String {
    match unit {
        Unit::Percent => t
            .label("scoring_percentage_points")
            .replace("{n}", &points(x * 100.0)),
        _ => figure(x, unit),
    }
}

/// Which way a rule's figure is better, by its shape.
fn better(r: &RuleOut) -> Better {
    match r.shape.as_str() {
        "linear" if r.target < r.baseline => Better::Lower,
        "piecewise" if r.knots.last().map(|k| k.1) < r.knots.first().map(|k| k.1) => Better::Lower,
        _ => r.better.unwrap_or_default(),
    }
}

/// "低于" where higher is better, "高于" where lower is.
fn short_of(r: &RuleOut, t: &Text) -> String {
    t.label(match better(r) {
        Better::Higher => "scoring_below",
        Better::Lower => "scoring_above",
    })
}

/// A rule in words (`达到目标值 90.00% 得满分，未达到基准值 80.00% 得 10 分，其间按线性插值`).
pub fn rule_words(r: &RuleOut, unit: Unit, t: &Text) -> String {
    let f = |x: Option<f64>| x.map_or_else(String::new, |x| figure(x, unit));
    let p = |x: Option<f64>| x.map_or_else(String::new, points);
    let key = match (r.shape.as_str(), better(r)) {
        ("per_step", Better::Lower) => "scoring_rule_per_step_lower".to_string(),
        ("threshold", Better::Lower) => "scoring_rule_threshold_lower".to_string(),
        (shape, _) => format!("scoring_rule_{shape}"),
    };
    let knots: Vec<String> = r
        .knots
        .iter()
        .map(|(x, pt)| {
            t.label("scoring_knot")
                .replace("{x}", &figure(*x, unit))
                .replace("{points}", &points(*pt))
        })
        .collect();
    let steps = match r.steps {
        Some(Steps::Whole) => t.label("scoring_steps_whole"),
        Some(Steps::Started) => t.label("scoring_steps_started"),
        _ => String::new(),
    };
    t.label(&key)
        .replace("{target}", &f(r.target))
        .replace("{baseline}", &f(r.baseline))
        .replace("{floor}", &p(r.floor))
        .replace("{threshold}", &f(r.threshold))
        .replace(
            "{step}",
            &r.step.map_or_else(String::new, |s| gap(s, unit, t)),
        )
        .replace("{deduct}", &p(r.deduct))
        .replace("{knots}", &knots.join(&t.label("list_separator")))
        .replace("{steps}", &steps)
}

/// What an indicator earned, in one sentence, naming the figure, the rule's mark it met or
/// missed and the points.
pub fn sentence(i: &IndicatorScore, t: &Text) -> String {
    let r = &i.rule;
    let fill = |key: &str| {
        let actual = i.actual.map_or_else(String::new, |a| figure(a, i.unit));
        t.label(key)
            .replace("{name}", &i.name)
            .replace("{actual}", &actual)
            .replace("{short}", &short_of(r, t))
            .replace(
                "{meets}",
                &t.label(match better(r) {
                    Better::Higher => "scoring_meets",
                    Better::Lower => "scoring_meets_lower",
                }),
            )
            .replace(
                "{target}",
                &r.target.map_or_else(String::new, |x| figure(x, i.unit)),
            )
            .replace(
                "{baseline}",
                &r.baseline.map_or_else(String::new, |x| figure(x, i.unit)),
            )
            .replace(
                "{threshold}",
                &r.threshold.map_or_else(String::new, |x| figure(x, i.unit)),
            )
            .replace(
                "{gap}",
                &match (i.actual, r.threshold) {
                    (Some(a), Some(th)) => gap((a - th).abs(), i.unit, t),
                    _ => String::new(),
                },
            )
            .replace("{deduct}", &r.deduct.map_or_else(String::new, points))
            .replace(
                "{step}",
                &r.step.map_or_else(String::new, |s| gap(s, i.unit, t)),
            )
            .replace("{source}", i.source.as_deref().unwrap_or(""))
            .replace("{weight}", &points(i.weight))
    };
    if i.status != IndicatorStatus::Scored {
        let policy = match i.status {
            IndicatorStatus::Excluded => "scoring_unmeasurable_redistribute",
            IndicatorStatus::Zero => "scoring_unmeasurable_zero",
            IndicatorStatus::Failed => "scoring_unmeasurable_fail",
            _ if i.actual.is_some() => "scoring_cap_undecided",
            _ => "scoring_unmeasurable_undecided",
        };
        return fill(policy).replace("{cap}", i.cap_condition.as_deref().unwrap_or(""));
    }
    let (p, weight) = (i.points.unwrap_or(0.0), i.weight);
    // What the rule gave, before a cap lowered it, says where the figure lies.
    let by_rule = i.before_cap.unwrap_or(p);
    let full = by_rule >= weight - 1e-9;
    let key = match r.shape.as_str() {
        "manual" => "scoring_says_manual",
        _ if full => "scoring_says_full",
        "linear" if by_rule <= r.floor.unwrap_or(0.0) + 1e-9 => "scoring_says_linear_floor",
        "linear" => "scoring_says_linear_between",
        "piecewise" => "scoring_says_piecewise",
        "per_step" => "scoring_says_per_step",
        _ => "scoring_says_threshold_missed",
    };
    let mark = match r.shape.as_str() {
        "linear" => r.target,
        // Where the knots reach the most points.
        "piecewise" => r
            .knots
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|k| k.0),
        _ => r.threshold,
    };
    let mut s = fill(key).replace(
        "{mark}",
        &mark.map_or_else(String::new, |x| figure(x, i.unit)),
    );
    if i.capped {
        s.push_str(
            &t.label("scoring_says_capped")
                .replace("{cap}", i.cap_condition.as_deref().unwrap_or(""))
                .replace("{points}", &i.cap_points.map_or_else(String::new, points)),
        );
    }
    s.push_str(
        &t.label("scoring_says_points")
            .replace("{points}", &points(p)),
    );
    if let Some(lost) = i.lost.filter(|l| *l > 0.0) {
        s.push_str(
            &t.label("scoring_says_lost")
                .replace("{lost}", &points(lost)),
        );
    }
    s
}

impl Report {
    /// The scoring sheet, when the contract has one.
    pub fn scoring(&self) -> Option<&ScoreSheet> {
        self.metrics.scoring.as_ref()
    }

    /// Every indicator of every site, with its rule and sentence.
    pub fn scoring_indicator_lines(&self) -> Vec<IndicatorLine> {
        let Some(s) = self.scoring() else {
            return Vec::new();
        };
        let t = &self.text;
        let mut out = Vec::new();
        for site in &s.sites {
            for i in &site.indicators {
                let block = site
                    .blocks
                    .iter()
                    .find(|b| Some(&b.id) == i.block.as_ref())
                    .map_or_else(String::new, |b| b.name.clone());
                out.push(IndicatorLine {
                    site: self.site_name(&site.site),
                    block,
                    name: i.name.clone(),
                    clause: i.clause.clone(),
                    weight: i.weight,
                    actual: i.actual,
                    unit: if i.rule.shape == "manual" {
                        Unit::Number
                    } else {
                        i.unit
                    },
                    rule: rule_words(&i.rule, i.unit, t),
                    points: i.points,
                    lost: i.lost,
                    sentence: sentence(i, t),
                });
            }
        }
        out
    }

    /// A site's name; the contacts that name none are "（未注明职场）".
    pub fn site_name(&self, site: &Option<String>) -> String {
        site.clone()
            .unwrap_or_else(|| self.text.label("scoring_no_site"))
    }

    /// The sheet's summary: base score, bonus and minus points, score, vetoes, pass mark,
    /// verdict, band, grade, payout, what the score withholds, incident deductions.
    pub fn scoring_lines(&self) -> Vec<ScoringLine> {
        let Some(s) = self.scoring() else {
            return Vec::new();
        };
        let t = &self.text;
        let l = |k: &str| t.label(k);
        let score = |x: Option<f64>| x.map_or_else(|| "—".to_string(), points);
        let line =
            |item: String, value: String, basis: String, clause: &Option<String>| ScoringLine {
                item,
                value,
                basis,
                clause: clause.clone().unwrap_or_default(),
                total: false,
            };
        let mut out = Vec::new();
        let base_basis = if s.sites.len() > 1 || s.combine.is_some() {
            t.label(&format!(
                "scoring_combine_{}",
                serde_json::to_value(s.combine)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            ))
            .replace("{n}", &s.sites.len().to_string())
        } else if s.sites.first().is_some_and(|x| x.excluded_weight > 1e-9) {
            t.label("scoring_redistributed")
                .replace("{weight}", &points(s.sites[0].excluded_weight))
        } else {
            l("scoring_base_basis")
        };
        out.push(line(
            l("scoring_base"),
            format!("{} / {}", score(s.base_score), points(s.total)),
            base_basis,
            &s.clause,
        ));
        for a in &s.adjustments {
            out.push(line(
                a.name.clone(),
                signed(a.points),
                adjustment_basis(a, s, t),
                &Some(a.clause.clone()),
            ));
        }
        out.push(ScoringLine {
            total: true,
            ..line(
                l("scoring_score"),
                score(s.score),
                self.undecided_words(s),
                &s.clause,
            )
        });
        for v in &s.vetoes {
            let state = match v.triggered {
                Some(true) => l("scoring_veto_triggered"),
                Some(false) => l("scoring_veto_clear"),
                None => l("condition_undecided"),
            };
            let what = v.condition.clone().or_else(|| {
                v.incident_class_name
                    .as_ref()
                    .map(|c| t.label("scoring_veto_incident").replace("{class}", c))
            });
            out.push(line(
                t.label("scoring_veto").replace("{name}", &v.name),
                state,
                what.unwrap_or_default(),
                &Some(v.clause.clone()),
            ));
        }
        if let Some(m) = s.pass_mark {
            out.push(line(
                l("scoring_pass_mark"),
                points(m),
                String::new(),
                &s.clause,
            ));
        }
        let verdict = if s.failed {
            "scoring_failed"
        } else if s.score.is_none() {
            "condition_undecided"
        } else {
            "scoring_passed"
        };
        out.push(ScoringLine {
            total: true,
            ..line(l("scoring_verdict"), l(verdict), String::new(), &s.clause)
        });
        if let Some(b) = &s.band {
            let basis = if s.band_lowered > 0 {
                t.label("scoring_band_lowered")
                    .replace("{n}", &s.band_lowered.to_string())
            } else {
                String::new()
            };
            out.push(line(l("scoring_band"), b.clone(), basis, &s.clause));
        }
        if let Some(g) = &s.grade {
            out.push(line(
                l("scoring_grade"),
                g.clone(),
                String::new(),
                &s.clause,
            ));
        }
        if let Some(r) = s.payout_rate {
            out.push(line(
                l("scoring_payout_rate"),
                pct(Some(r)),
                String::new(),
                &s.clause,
            ));
        }
        if let (Some(pool), Some(paid)) = (s.pool, s.pool_paid) {
            out.push(line(
                l("scoring_pool"),
                self.money(Some(paid)),
                t.label("scoring_pool_basis")
                    .replace("{pool}", &self.money(Some(pool))),
                &s.clause,
            ));
        }
        out
    }

    fn undecided_words(&self, s: &ScoreSheet) -> String {
        if s.undecided.is_empty() {
            return String::new();
        }
        let names: Vec<String> = s
            .undecided
            .iter()
            .map(|id| self.scoring_item_name(s, id))
            .collect();
        self.text
            .label("scoring_undecided")
            .replace("{items}", &names.join(&self.text.label("list_separator")))
    }

    /// The name of an indicator, adjustment or veto of the sheet by id (`site`: the site
    /// column).
    fn scoring_item_name(&self, s: &ScoreSheet, id: &str) -> String {
        let ind = s
            .sites
            .iter()
            .flat_map(|x| &x.indicators)
            .find(|i| i.id == id)
            .map(|i| i.name.clone());
        let adj = s
            .adjustments
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.name.clone());
        let veto = s.vetoes.iter().find(|v| v.id == id).map(|v| v.name.clone());
        ind.or(adj)
            .or(veto)
            .unwrap_or_else(|| self.text.label(&format!("scoring_missing_{id}")))
    }

    /// The ranking (通报排名): rank, site, score, contacts, and 红榜 / 黑榜 for the top and
    /// bottom `ranking` sites.
    pub fn scoring_ranking_lines(&self) -> Vec<[String; 5]> {
        let Some(s) = self.scoring() else {
            return Vec::new();
        };
        let n = s.ranking_size;
        let len = s.ranking.len();
        s.ranking
            .iter()
            .map(|r| {
                let list = if r.rank <= n && r.score.is_some() {
                    self.text.label("scoring_red_list")
                } else if r.rank + n > len && r.score.is_some() {
                    self.text.label("scoring_black_list")
                } else {
                    String::new()
                };
                [
                    r.rank.to_string(),
                    self.site_name(&r.site),
                    r.score.map_or_else(|| "—".into(), points),
                    crate::util::grouped(r.contacts as f64, 0),
                    list,
                ]
            })
            .collect()
    }

    /// The incidents of the period: date, class, description, amount, deadline, clause, site.
    pub fn scoring_incident_lines(&self) -> Vec<[String; 7]> {
        let Some(s) = self.scoring() else {
            return Vec::new();
        };
        s.incidents
            .iter()
            .map(|i| {
                let class = if i.serious {
                    self.text
                        .label("scoring_serious")
                        .replace("{class}", &i.class_name)
                } else {
                    i.class_name.clone()
                };
                [
                    i.date.to_string(),
                    class,
                    i.description.clone(),
                    self.money(Some(i.amount)),
                    i.deadline.map_or_else(String::new, |d| d.to_string()),
                    i.clause.clone().unwrap_or_default(),
                    i.site.clone().unwrap_or_default(),
                ]
            })
            .collect()
    }
}

impl Report {
    /// The payment statement's lines for the scoring sheet: what the score withholds (or
    /// that it is undecided) and each incident's fixed deduction.
    pub(super) fn score_payment_lines(&self) -> Vec<super::PaymentLine> {
        let (Some(p), Some(s)) = (&self.metrics.payment, self.scoring()) else {
            return Vec::new();
        };
        if p.base_fee.is_none() {
            return Vec::new();
        }
        let t = &self.text;
        let l = |k: &str| t.label(k);
        let line = super::PaymentLine::new;
        let mut out = Vec::new();
        let moves = s.payout_rate.is_some() || s.pool.is_some();
        if moves || s.score_deduction.is_none() {
            let decided = s.score.filter(|_| s.score_deduction.is_some());
            let basis = match (decided, s.pool) {
                (None, _) => self.text.label("payment_score_undecided"),
                (Some(_), Some(pool)) => t
                    .label("payment_score_pool_basis")
                    .replace("{pool}", &self.money(Some(pool)))
                    .replace("{score}", &super::scoring::points(s.score.unwrap_or(0.0))),
                (Some(score), None) => t
                    .label("payment_score_basis")
                    .replace("{score}", &super::scoring::points(score))
                    .replace(
                        "{rate}",
                        &s.payout_rate.map_or_else(String::new, |r| pct(Some(r))),
                    ),
            };
            out.push(line(
                l("payment_score"),
                basis,
                s.payout_rate.map(|r| 1.0 - r),
                s.score_deduction.map(|d| -d),
                s.clause.clone().unwrap_or_default(),
            ));
        }
        for i in &s.incidents {
            out.push(line(
                t.label("payment_incident")
                    .replace("{class}", &i.class_name)
                    .replace("{date}", &i.date.to_string()),
                i.description.clone(),
                None,
                Some(-i.amount),
                i.clause.clone().unwrap_or_default(),
            ));
        }

        out
    }
}

/// Points with their sign (`+2`, `-3`); "—" when undecided.
fn signed(x: Option<f64>) -> String {
    match x {
        Some(x) if x > 0.0 => format!("+{}", points(x)),
        Some(x) => points(x),
        None => "—".into(),
    }
}

fn adjustment_basis(a: &AdjustmentScore, s: &ScoreSheet, t: &Text) -> String {
    let mut basis = t
        .label(match (&a.condition, a.given) {
            (Some(_), _) => "scoring_adjustment_when",
            (_, Some(_)) => "scoring_adjustment_manual",
            _ => "scoring_adjustment_count",
        })
        .replace("{given}", &a.given.map_or_else(String::new, points))
        .replace("{n}", &a.occurrences.map_or_else(|| "—".into(), points))
        .replace("{per}", &points(a.per))
        .replace("{when}", a.condition.as_deref().unwrap_or(""))
        .replace("{cap}", &points(a.cap));
    if a.capped {
        basis.push_str(&t.label("scoring_adjustment_capped"));
    }
    if s.bonus_withheld && a.per > 0.0 {
        basis.push_str(&t.label("scoring_bonus_withheld"));
    }
    basis
}

#[cfg(test)]
mod tests;
