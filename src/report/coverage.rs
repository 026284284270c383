//! The inspections against a sampling plan (抽样计划完成情况) in words: planned, inspected and
//! coverage in all, by stratum and by agent, and the inspections outside the plan. The
//! counts are [`crate::kpi::coverage`]'s.

/// Column label keys of the coverage tables.
pub const COVERAGE_COLUMNS: &[&str] = &[
    "coverage_name",
    "coverage_planned",
    "coverage_inspected",
    "coverage_rate",
];

impl super::Report {
    /// The plan's coverage as tables: its total, each stratum, then each agent; empty
    /// without `--plan`.
    pub fn coverage_lines(&self) -> Vec<[String; 4]> {
        let Some(c) = &self.metrics.plan_coverage else {
            return Vec::new();
        };
        let t = &self.text;
        let line = |name: String, planned: u64, inspected: u64, rate: Option<f64>| {
            [
                name,
                super::count(planned),
                super::count(inspected),
                super::pct(rate),
            ]
        };
        let mut out = vec![line(t.label("plan_total"), c.planned, c.inspected, c.rate)];
        out.extend(
            c.strata
                .iter()
                .map(|s| line(s.name.clone(), s.planned, s.inspected, s.rate)),
        );
        out.extend(c.agents.iter().map(|a| {
            let name = format!("{}：{}", t.label("coverage_by_agent"), a.name);
            line(name, a.planned, a.inspected, a.rate)
        }));
        out.push([
            t.label("coverage_outside"),
            String::new(),
            super::count(c.outside),
            String::new(),
        ]);
        out
    }
}
