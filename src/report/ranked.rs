//! The ranked lists (consultation hotspots, complaint types): built from the period's
//! counts with the previous period's beside them, and as the rows and cells every renderer
//! shows. Counting is the KPI stage's; nothing here counts.

use super::{count, pct, ComplaintLine, Report, TopicLine};
use crate::kpi::{ComplaintRow, Kpis, TopicRow};

/// One line of a ranked list as the renderers show it: name (nulls labelled), count,
/// share, previous period's count.
pub type RankedRow = (String, u64, f64, Option<u64>);

/// A ranked list's lines as table cells, each with whether it is a figure: name, count,
/// share, previous period's count (blank without history).
pub fn ranked_cells(items: &[RankedRow]) -> Vec<Vec<(String, bool)>> {
    items
        .iter()
        .map(|(n, c, s, p)| {
            vec![
                (n.clone(), false),
                (count(*c), true),
                (pct(Some(*s)), true),
                (p.map(count).unwrap_or_default(), true),
            ]
        })
        .collect()
}

impl Report {
    /// Consultation hotspots as ranked rows.
    pub fn topic_rows(&self) -> Vec<RankedRow> {
        let none = self.text.label("none");
        self.metrics
            .topics
            .iter()
            .map(|x| {
                (
                    x.row.topic.clone().unwrap_or(none.clone()),
                    x.row.contacts,
                    x.row.share,
                    x.previous_contacts,
                )
            })
            .collect()
    }

    /// Complaint types as ranked rows.
    pub fn complaint_rows(&self) -> Vec<RankedRow> {
        let none = self.text.label("none");
        self.metrics
            .complaint_types
            .iter()
            .map(|x| {
                (
                    x.row.complaint_type.clone().unwrap_or(none.clone()),
                    x.row.complaints,
                    x.row.share,
                    x.previous_complaints,
                )
            })
            .collect()
    }
}

/// Hotspots and complaint types with the previous period's counts, when the history has
/// the previous period (a type it does not list had none).
pub(super) fn ranked_lines(
    kpis: &Kpis,
    previous: Option<&crate::evaluate::HistoryEntry>,
) -> (Vec<TopicLine>, Vec<ComplaintLine>) {
    let topics = kpis
        .topics
        .iter()
        .map(|row| TopicLine {
            previous_contacts: previous.map(|p| {
                p.topics
                    .iter()
                    .find(|x| x.topic == row.topic)
                    .map_or(0, |x| x.contacts)
            }),
            row: TopicRow {
                // A free-text label may hold a phone number typed into it.
                topic: row.topic.as_deref().map(crate::model::mask_personal),
                ..row.clone()
            },
        })
        .collect();
    let complaint_types = kpis
        .complaint_types
        .iter()
        .map(|row| ComplaintLine {
            previous_complaints: previous.map(|p| {
                p.complaint_types
                    .iter()
                    .find(|x| x.complaint_type == row.complaint_type)
                    .map_or(0, |x| x.complaints)
            }),
            row: ComplaintRow {
                complaint_type: row
                    .complaint_type
                    .as_deref()
                    .map(crate::model::mask_personal),
                ..row.clone()
            },
        })
        .collect();
    (topics, complaint_types)
}
