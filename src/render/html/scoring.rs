//! The HTML's 考核得分 section: the summary from the indicators' points to the payout,
//! each indicator with its rule, points and the sentence saying why, the site ranking and
//! the incidents. The lines are the report's ([`Report::scoring_lines`] and the others);
//! nothing is computed here.

use super::{esc, heading, table};
use crate::evaluate::scoring::Unit;
use crate::report::{duration, pct, Report};
use std::fmt::Write as _;

/// The section; none for a report without a scoring sheet.
pub(super) fn scoring_section(h: &mut String, r: &Report) {
    let Some(sheet) = r.scoring() else {
        return;
    };
    let t = &r.text;
    heading(h, r, "sheet_scoring");
    let rows: Vec<Vec<(String, bool)>> = r
        .scoring_lines()
        .into_iter()
        .map(|x| {
            vec![
                (x.item, false),
                (x.value, true),
                (x.basis, false),
                (x.clause, false),
            ]
        })
        .collect();
    table(h, &t.labels(crate::report::SCORING_COLUMNS), &rows);
    let sites = sheet.sites.len() > 1 || sheet.combine.is_some();
    let mut headers = t.labels(crate::report::SCORING_INDICATOR_COLUMNS);
    if !sites {
        headers.remove(0);
    }
    let rows: Vec<Vec<(String, bool)>> = r
        .scoring_indicator_lines()
        .into_iter()
        .map(|x| {
            let actual = x.actual.map_or_else(
                || "—".to_string(),
                |a| match x.unit {
                    Unit::Percent => pct(Some(a)),
                    Unit::Seconds => duration(a),
                    Unit::Number => crate::report::scoring_points(a),
                },
            );
            let p = |v: Option<f64>| v.map_or_else(|| "—".into(), crate::report::scoring_points);
            let mut row = vec![
                (x.site, false),
                (x.block, false),
                (x.name, false),
                (x.clause, false),
                (crate::report::scoring_points(x.weight), true),
                (actual, true),
                (x.rule, false),
                (p(x.points), true),
                (p(x.lost), true),
                (x.sentence, false),
            ];
            if !sites {
                row.remove(0);
            }
            row
        })
        .collect();
    let _ = write!(h, "<h3>{}</h3>", esc(&t.label("scoring_indicators")));
    table(h, &headers, &rows);
    let text_rows = |v: Vec<Vec<String>>| -> Vec<Vec<(String, bool)>> {
        v.into_iter()
            .map(|row| row.into_iter().map(|s| (s, false)).collect())
            .collect()
    };
    let ranking = r.scoring_ranking_lines();
    if !ranking.is_empty() {
        let _ = write!(h, "<h3>{}</h3>", esc(&t.label("scoring_ranking")));
        let rows = text_rows(ranking.into_iter().map(|x| x.to_vec()).collect());
        table(h, &t.labels(crate::report::SCORING_RANKING_COLUMNS), &rows);
    }
    let incidents = r.scoring_incident_lines();
    if !incidents.is_empty() {
        let _ = write!(h, "<h3>{}</h3>", esc(&t.label("scoring_incidents")));
        let rows = text_rows(incidents.into_iter().map(|x| x.to_vec()).collect());
        table(h, &t.labels(crate::report::SCORING_INCIDENT_COLUMNS), &rows);
    }
}
