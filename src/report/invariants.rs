//! The invariants every report keeps, checked before anything is written: the contacts add
//! up the same across the overall, channel, day and hour tables; no agent table holds more
//! contacts than there are; every input's rows are accounted for (read = accepted + rejected
//! + duplicates + filtered, and accepted = the period's contacts + those outside it +
//! outbound ones); a rate's numerator never exceeds its denominator. A violation is
//! an internal error (exit 1) naming the invariant: a report that contradicts itself is
//! never written.

use super::Metrics;
use crate::error::{Error, Result};
use crate::normalize::RowCounts;

fn broken(what: String) -> Error {
    Error::runtime(format!(
        "internal error: the report contradicts itself: {what}"
    ))
    .with_hint("no file was written; please report this with the inputs' manifest")
}

/// Check `m`.
pub fn check(m: &Metrics) -> Result<()> {
    let n = m.overall.contacts;
    check_sums(
        n,
        &[
            (
                "channels",
                m.channels.values().map(|c| c.contacts).sum::<u64>(),
            ),
            ("daily", m.daily.iter().map(|d| d.contacts).sum()),
            ("hourly", m.hourly.iter().map(|h| h.contacts).sum()),
        ],
    )?;
    let r = &m.rows;
    if n + r.out_of_period + r.outbound != r.accepted {
        return Err(broken(format!(
            "{n} contacts in the period + {} out of it + {} outbound, but {} accepted",
            r.out_of_period, r.outbound, r.accepted
        )));
    }
    let agents: u64 = m.agents.iter().map(|a| a.contacts).sum();
    if agents > n {
        return Err(broken(format!(
            "the agents table holds {agents} contacts, more than the {n} there are"
        )));
    }
    let inputs = [
        ("contacts", Some(&m.rows)),
        ("surveys", Some(&m.survey_rows)),
        ("inspections", m.inspection_rows.as_ref()),
    ];
    for (what, rows) in inputs {
        let Some(r) = rows else { continue };
        check_rows(what, r)?;
    }
    for l in m.scorecard.iter().filter(|l| l.metric.is_rate()) {
        if l.numerator > l.denominator + 1e-9 || l.actual.is_some_and(|a| !(0.0..=1.0).contains(&a))
        {
            return Err(broken(format!(
                "SLA {}: {} of {} ({:?})",
                l.id, l.numerator, l.denominator, l.actual
            )));
        }
    }
    Ok(())
}

/// Each table's contacts add up to the overall `n`.
fn check_sums(n: u64, sums: &[(&str, u64)]) -> Result<()> {
    for (table, sum) in sums {
        if *sum != n {
            return Err(broken(format!(
                "the {table} table adds up to {sum} contacts, the overall figure is {n}"
            )));
        }
    }
    Ok(())
}

/// read = accepted + rejected + duplicates + filtered, and the filters add up.
fn check_rows(what: &str, r: &RowCounts) -> Result<()> {
    let sum = r.accepted + r.rejected + r.duplicates + r.filtered;
    if sum != r.read {
        return Err(broken(format!(
            "{what}: {} rows read but {} accepted + {} rejected + {} duplicates + {} filtered = {sum}",
            r.read, r.accepted, r.rejected, r.duplicates, r.filtered
        )));
    }
    let by: u64 = r.filtered_by.values().sum();
    if by != r.filtered {
        return Err(broken(format!(
            "{what}: {} rows filtered, but the filters count {by}",
            r.filtered
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_that_do_not_add_up_are_refused() {
        check_sums(13, &[("channels", 13), ("daily", 13)]).unwrap();
        let e = check_sums(13, &[("channels", 14), ("daily", 13)]).unwrap_err();
        assert_eq!(e.code, crate::error::ExitCode::Runtime);
        assert!(
            e.message
                .contains("the channels table adds up to 14 contacts, the overall figure is 13"),
            "{}",
            e.message
        );
    }

    #[test]
    fn every_row_is_accounted_for() {
        let mut r = RowCounts {
            read: 19,
            accepted: 15,
            rejected: 3,
            duplicates: 1,
            ..Default::default()
        };
        check_rows("contacts", &r).unwrap();
        r.read = 20;
        let e = check_rows("contacts", &r).unwrap_err();
        assert!(
            e.message.contains("contacts: 20 rows read but 15 accepted + 3 rejected + 1 duplicates + 0 filtered = 19"),
            "{}",
            e.message
        );
        r.read = 21;
        r.filtered = 2;
        r.filtered_by.insert("weekend".into(), 1);
        assert!(check_rows("contacts", &r)
            .unwrap_err()
            .message
            .contains("2 rows filtered, but the filters count 1"));
    }
}
