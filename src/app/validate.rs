//! `cseval validate`: read and check every input as `run` would, print what was read, how
//! each profile maps its columns and the row accounting, and write nothing.

use super::inputs;
use crate::columns::CONTACT_COLUMNS;
use crate::config::RunConfig;
use crate::error::{ExitCode, Result};

/// `cseval validate`: read and check everything, print a summary, write nothing.
/// Exit 0 when every row was accepted, 3 when some were rejected.
pub fn validate(cfg: &RunConfig) -> Result<ExitCode> {
    let data = inputs::load(cfg)?;
    println!(
        "contract {} ({}): {} SLA(s)",
        cfg.contract.info.id,
        cfg.contract.path.display(),
        cfg.contract.slas.len()
    );
    if let Some(c) = &cfg.calendar {
        println!(
            "calendar {}: {} holidays, {} make-up workdays",
            c.name,
            c.holidays.len(),
            c.workdays.len()
        );
    }
    for f in data
        .inputs
        .iter()
        .chain(&data.survey_inputs)
        .chain(&data.inspection_inputs)
    {
        println!(
            "input {}: {} rows, sha256 {}",
            f.path.display(),
            f.rows,
            f.settled()?.sha256
        );
    }
    for (what, prof) in [
        ("contacts", &cfg.mapping),
        ("surveys", &cfg.survey_mapping),
        ("inspections", &cfg.inspection_mapping),
    ] {
        if let Some(p) = prof {
            println!("{what} mapped by {} ({}):", p.name, p.path.display());
            for (canon, src) in p.describe() {
                println!("  {canon:<24} <- {src}");
            }
        }
    }
    if !cfg.calls.is_empty() {
        let given = |yes: bool| -> Vec<&str> {
            (0..CONTACT_COLUMNS.len())
                .filter(|&k| data.contact_columns.has(k) == yes)
                .map(|k| CONTACT_COLUMNS[k])
                .collect()
        };
        println!("contact columns found: {}", given(true).join(", "));
        println!("contact columns missing: {}", given(false).join(", "));
    }
    let r = &data.contact_rows;
    println!(
        "contacts: read {} = accepted {} + rejected {} + duplicates {}",
        r.read, r.accepted, r.rejected, r.duplicates
    );
    let s = &data.survey_rows;
    println!(
        "surveys: read {} = accepted {} + rejected {} + duplicates {}",
        s.read, s.accepted, s.rejected, s.duplicates
    );
    if !cfg.inspections.is_empty() {
        let q = &data.inspection_rows;
        println!(
            "inspections: read {} = accepted {} + rejected {} + duplicates {}",
            q.read, q.accepted, q.rejected, q.duplicates
        );
    }
    let en = crate::config::text::Text::load(crate::config::Lang::En);
    for x in data.rejections.iter().take(20) {
        println!(
            "  {} row {} column {}: {} ({})",
            x.file,
            x.row,
            x.column,
            en.reason(&x.reason),
            x.category
        );
    }
    if data.rejections.len() > 20 {
        println!("  … and {} more", data.rejections.len() - 20);
    }
    Ok(if data.rejections.is_empty() {
        ExitCode::Ok
    } else {
        ExitCode::Input
    })
}
