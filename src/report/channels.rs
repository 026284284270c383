//! The channel table's cells, by column key, as every renderer shows them: the HTML shows
//! all of [`HTML_CHANNEL_COLUMNS`], the written report the few of
//! [`super::DOCX_CHANNEL_COLUMNS`] that fit a portrait page. The figures are the KPI
//! stage's; nothing is computed here.

use super::{count, pct, Report};

/// The HTML's channel table.
pub const HTML_CHANNEL_COLUMNS: &[&str] = &[
    "channel",
    "contacts",
    "answered",
    "service_level",
    "abandon_rate",
    "asa_seconds",
    "response_p90_seconds",
    "resolution_rate",
    "fcr_rate",
    "csat_mean",
];

impl Report {
    /// One row per channel, a cell per key of `columns` (an unknown key gives "—"), each with
    /// whether it is a figure.
    pub fn channel_cells(&self, columns: &[&str]) -> Vec<Vec<(String, bool)>> {
        let dur = |v: Option<f64>| v.map_or_else(|| "—".into(), super::duration);
        self.metrics
            .channels
            .iter()
            .map(|(name, c)| {
                columns
                    .iter()
                    .map(|k| match *k {
                        "channel" => (self.text.channel(name), false),
                        "contacts" => (count(c.contacts), true),
                        "answered" => (count(c.answered), true),
                        "service_level" => (pct(c.service_level), true),
                        "abandon_rate" => (pct(c.abandon_rate), true),
                        "asa_seconds" => (dur(c.asa_seconds), true),
                        "response_p90_seconds" => (dur(c.response_p90_seconds), true),
                        "resolution_rate" => (pct(c.resolution_rate), true),
                        "fcr_rate" => (pct(c.fcr_rate), true),
                        "csat_mean" => (
                            c.csat_mean
                                .map_or_else(|| "—".into(), |v| crate::util::grouped(v, 2)),
                            true,
                        ),
                        _ => ("—".into(), true),
                    })
                    .collect()
            })
            .collect()
    }
}
