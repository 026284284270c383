//! Repeat contacts (重复来电) in words: each rate with how it is counted, the contacts that
//! cannot be followed, call-backs and truly abandoned contacts, and each agent's repeats
//! within the short window. The figures are [`crate::kpi::repeat`]'s and
//! [`crate::kpi::callback`]'s.

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
                .replace(
                    "{callback_window}",
                    &r.callbacks
                        .as_ref()
                        .map_or(String::new(), |c| c.window_hours.to_string()),
                )
        };
        let of = |basis: String, n: u64, d: u64| {
            t.label("repeat_of")
                .replace("{basis}", &basis)
                .replace("{n}", &super::count(n))
                .replace("{d}", &super::count(d))
        };
        // A rate, with its basis: n of d.
        let rate = |key: &str, v: Option<f64>, basis: &str, n: u64, d: u64| {
            [t.label(key), super::pct(v), of(f(basis), n, d)]
        };
        let mut lines = vec![
            rate(
                "repeat_fcr_rate",
                r.repeat_fcr_rate,
                "repeat_fcr_basis",
                r.first_resolved,
                r.answered - r.unfollowed,
            ),
            rate(
                "repeat_contact_rate",
                r.repeat_contact_rate,
                "repeat_contact_basis",
                r.repeat_callers_contacts,
                r.answered,
            ),
            rate(
                "repeat_within_rate",
                r.repeat_within_rate,
                "repeat_within_basis",
                r.repeated_within,
                r.answered,
            ),
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
        ];
        let Some(c) = &r.callbacks else {
            lines.push([
                t.label("callback_rate"),
                "—".into(),
                t.label("why_no_direction"),
            ]);
            return lines;
        };
        lines.extend([
            rate(
                "callback_rate",
                c.callback_rate,
                "callback_basis",
                c.called_back,
                c.abandoned - c.unfollowed,
            ),
            [
                t.label("callback_mean_seconds"),
                c.callback_mean_seconds
                    .map_or_else(|| "—".into(), super::duration),
                f("callback_mean_basis"),
            ],
            rate(
                "true_abandon_rate",
                c.true_abandon_rate,
                "true_abandon_basis",
                c.truly_abandoned,
                c.offered - c.unfollowed,
            ),
            [
                t.label("callback_unfollowed"),
                super::count(c.unfollowed),
                f("callback_unfollowed_basis"),
            ],
            [
                t.label("callback_outbound"),
                super::count(c.outbound),
                f("callback_outbound_basis"),
            ],
        ]);
        lines
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
