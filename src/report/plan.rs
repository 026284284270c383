//! A sampling plan in words: its summary (frame, filters, confidence and margin, the pooled
//! n, the seed, the command), each stratum's label, size and sample, and each contact drawn
//! as a line (stratum, contact id, channel, agent, arrival, handling time). The draw is
//! [`crate::kpi::sampling`]'s; nothing here computes a size.

use crate::config::plan::{PlanSpec, Risk, Size, Stratum};
use crate::config::text::Text;
use crate::kpi::sampling::Drawn;

/// A plan as the renderers read it.
pub struct PlanReport {
    pub contract_id: String,
    pub contract_name: String,
    pub period: crate::config::Period,
    pub tz: chrono_tz::Tz,
    pub spec: PlanSpec,
    pub drawn: Drawn,
    pub text: Text,
    /// The command line that drew it.
    pub command: String,
    /// Timestamp inside the workbook.
    pub doc_epoch: i64,
}

/// Column label keys of the plan's list and strata tables.
pub const PLAN_COLUMNS: &[&str] = &[
    "plan_stratum",
    "contact_id",
    "channel",
    "plan_agent",
    "plan_arrived",
    "plan_handle",
    "plan_weight",
];
pub const PLAN_STRATA_COLUMNS: &[&str] = &["plan_stratum", "plan_population", "plan_sample"];

impl PlanReport {
    /// A stratum's label: its parts in words (`电话 · A017 · 工作日 · 上午`); "全部" when the
    /// plan has no strata.
    pub fn stratum_label(&self, k: usize) -> String {
        let t = &self.text;
        let s = &self.drawn.strata[k];
        if s.key.is_empty() {
            return t.label("plan_all");
        }
        self.spec
            .strata
            .iter()
            .zip(&s.key)
            .map(|(dim, v)| match dim {
                Stratum::Channel => t.channel(v),
                Stratum::Agent if v.is_empty() => t.label("plan_no_agent"),
                Stratum::Agent => v.clone(),
                Stratum::DayType => t.label(&format!("day_type_{v}")),
                Stratum::HourBand => t.label(&format!("hour_band_{v}")),
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// The lines of the list: stratum, contact id, channel, agent, arrival (local), handling
    /// time, weight.
    pub fn lines(&self) -> Vec<[String; 7]> {
        let t = &self.text;
        let labels: Vec<String> = (0..self.drawn.strata.len())
            .map(|k| self.stratum_label(k))
            .collect();
        self.drawn
            .lines
            .iter()
            .map(|l| {
                let at = chrono::TimeZone::timestamp_millis_opt(&self.tz, l.arrived_ms)
                    .earliest()
                    .map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
                    .unwrap_or_default();
                [
                    labels[l.stratum].clone(),
                    l.contact_id.clone(),
                    t.channel(&l.channel),
                    l.agent_id.clone().unwrap_or_default(),
                    at,
                    l.handle_s.map_or_else(String::new, super::duration),
                    super::scoring_points(l.weight),
                ]
            })
            .collect()
    }

    /// The summary: (item, value) pairs.
    pub fn summary(&self) -> Vec<(String, String)> {
        let t = &self.text;
        let l = |k: &str| t.label(k);
        let s = &self.spec;
        let size = match s.size {
            Size::Pooled => l("plan_size_pooled"),
            Size::PerStratum => l("plan_size_per_stratum"),
            Size::Fixed(n) => t.label("plan_size_fixed").replace("{n}", &n.to_string()),
            Size::Percent(p) => t
                .label("plan_size_percent")
                .replace("{p}", &super::pct(Some(p))),
        };
        let mut filters = Vec::new();
        if s.answered_only {
            filters.push(l("plan_filter_answered"));
        }
        if let Some(m) = s.min_handle_seconds {
            filters.push(t.label("plan_filter_handle").replace("{s}", &m.to_string()));
        }
        if !s.channels.is_empty() {
            let names: Vec<String> = s.channels.iter().map(|c| t.channel(c)).collect();
            filters.push(names.join(&l("list_separator")));
        }
        let risks: Vec<String> = s
            .risks
            .iter()
            .map(|r| match r {
                Risk::Complaints(w) => t
                    .label("plan_risk_complaints")
                    .replace("{w}", &w.to_string()),
                Risk::Urgent(w) => t.label("plan_risk_urgent").replace("{w}", &w.to_string()),
                Risk::NewAgents(w) => t
                    .label("plan_risk_new_agents")
                    .replace("{w}", &w.to_string()),
                Risk::AgentsBelow(score, w) => t
                    .label("plan_risk_below")
                    .replace("{score}", &score.to_string())
                    .replace("{w}", &w.to_string()),
                Risk::Agent(a, w) => t
                    .label("plan_risk_agent")
                    .replace("{agent}", a)
                    .replace("{w}", &w.to_string()),
            })
            .collect();
        let strata: Vec<String> = s
            .strata
            .iter()
            .map(|d| {
                let key = serde_json::to_value(d).unwrap_or_default();
                l(&format!("plan_by_{}", key.as_str().unwrap_or("")))
            })
            .collect();
        let none = || l("plan_none");
        let d = &self.drawn;
        vec![
            (
                l("contract"),
                format!("{} {}", self.contract_id, self.contract_name),
            ),
            (
                l("period"),
                format!(
                    "{} – {}",
                    self.period.start,
                    self.period.end.pred_opt().unwrap_or(self.period.end)
                ),
            ),
            (
                l("plan_frame"),
                t.label("plan_frame_value")
                    .replace("{frame}", &super::count(d.frame))
                    .replace("{all}", &super::count(d.period_contacts)),
            ),
            (
                l("plan_filters"),
                if filters.is_empty() {
                    none()
                } else {
                    filters.join(&l("list_separator"))
                },
            ),
            (
                l("plan_strata"),
                if strata.is_empty() {
                    none()
                } else {
                    strata.join(" · ")
                },
            ),
            (
                l("plan_confidence"),
                t.label("plan_confidence_value")
                    .replace("{c}", &super::pct(Some(s.confidence)))
                    .replace("{m}", &super::pct(Some(s.margin)))
                    .replace("{p}", &super::pct(Some(s.expected))),
            ),
            (
                l("plan_pooled"),
                t.label("plan_pooled_value")
                    .replace("{n}", &super::count(d.pooled_n)),
            ),
            (l("plan_size"), size),
            (l("plan_total"), super::count(d.lines.len() as u64)),
            (
                l("plan_risks"),
                if risks.is_empty() {
                    none()
                } else {
                    risks.join(&l("list_separator"))
                },
            ),
            (l("plan_seed"), s.seed.to_string()),
            (l("plan_command"), self.command.clone()),
        ]
    }
}
