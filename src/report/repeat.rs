//! Repeat contacts (重复来电) in words: each rate with how it is counted, the contacts that
//! cannot be followed, and each agent's repeats within the short window. The figures are
//! [`crate::kpi::repeat`]'s.

/// Column label keys of the repeat-contact tables.
pub const REPEAT_COLUMNS: &[&str] = &["scoring_item", "scoring_value", "scoring_basis"];
pub const REPEAT_AGENT_COLUMNS: &[&str] = &[
    "agent_id",
    "answered",
    "repeat_within_count",
    "repeat_within_rate",
];

impl super::Report {
    /// The repeat-contact figures: (item, value, how it is counted); empty without
    /// `[repeat]`.
    pub fn repeat_lines(&self) -> Vec<[String; 3]> {
        let Some(r) = &self.metrics.repeat else {
            return Vec::new();
        };
        let t = &self.text;
        let f = |k: &str| {
            t.label(k)
                .replace("{window}", &r.fcr_window_hours.to_string())
                .replace("{contacts}", &r.contacts.to_string())
                .replace("{days}", &r.days.to_string())
                .replace("{within}", &r.within_minutes.to_string())
        };
        let of = |basis: String, n: u64, d: u64| {
            t.label("repeat_of")
                .replace("{basis}", &basis)
                .replace("{n}", &super::count(n))
                .replace("{d}", &super::count(d))
        };
        vec![
            [
                t.label("repeat_fcr_rate"),
                super::pct(r.repeat_fcr_rate),
                of(
                    f("repeat_fcr_basis"),
                    r.first_resolved,
                    r.answered - r.unfollowed,
                ),
            ],
            [
                t.label("repeat_contact_rate"),
                super::pct(r.repeat_contact_rate),
                of(
                    f("repeat_contact_basis"),
                    r.repeat_callers_contacts,
                    r.answered,
                ),
            ],
            [
                t.label("repeat_within_rate"),
                super::pct(r.repeat_within_rate),
                of(f("repeat_within_basis"), r.repeated_within, r.answered),
            ],
            [
                t.label("repeat_unfollowed"),
                super::count(r.unfollowed),
                f("repeat_unfollowed_basis"),
            ],
            [
                t.label("repeat_without_caller"),
                super::count(r.without_caller),
                String::new(),
            ],
        ]
    }

    /// Each agent's repeats within the short window.
    pub fn repeat_agent_lines(&self) -> Vec<[String; 4]> {
        let Some(r) = &self.metrics.repeat else {
            return Vec::new();
        };
        r.agents
            .iter()
            .map(|a| {
                [
                    a.agent_id.clone(),
                    super::count(a.answered),
                    super::count(a.repeated_within),
                    super::pct(a.rate),
                ]
            })
            .collect()
    }
}
