//! Linking survey responses to contacts by `contact_id`: each response gets the row of its
//! contact (or none), each contact whether it has a response. The table behind it is
//! [`super::ids`].

use super::opt_column;
use crate::error::Result;
use crate::util::chunk_ranges;
use polars::prelude::*;

/// Name of the survey column holding the row of the linked contact in the contacts frame
/// (null: no accepted contact has the survey's `contact_id`). Internal: never written out.
pub const CONTACT_ROW: &str = "_contact_row";

/// Link survey responses to contacts by `contact_id`: `has_survey` on the contacts that a
/// response links to (their inline score then does not count), and [`CONTACT_ROW`] on the
/// responses, so that the KPI stage reads a response's channel, agent and topic by row
/// instead of joining the contacts again. Contact ids are unique (duplicates are gone), so
/// a response links to at most one contact. Neither frame is copied.
pub fn link_surveys(
    mut contacts: DataFrame,
    mut surveys: DataFrame,
) -> Result<(DataFrame, DataFrame)> {
    use rayon::prelude::*;
    let t = std::time::Instant::now();
    let survey_ids = surveys.column("contact_id")?.str()?.clone();
    // Each contact id's responses: the last found, the others through it.
    let table = super::ids::IdTable::new(&survey_ids);
    tracing::debug!(seconds = t.elapsed().as_secs_f64(), "link: table");
    let t = std::time::Instant::now();
    // Chunk by chunk of the ids, so that `has_survey` has the frame's chunk layout.
    let ids = contacts.column("contact_id")?.str()?.clone();
    let parts: Vec<(BooleanChunked, Vec<(u32, u32)>)> = chunk_ranges(&ids)
        .into_par_iter()
        .map(|(offset, len)| {
            let part = ids.slice(offset as i64, len);
            let mut links = Vec::new();
            let mut has = Vec::with_capacity(len);
            table.find_all(part.downcast_iter().flat_map(|a| a.iter()), |hit| {
                if let Some(h) = hit {
                    links.push((h, (offset + has.len()) as u32));
                }
                has.push(hit.is_some());
            });
            (BooleanChunked::from_slice("has_survey".into(), &has), links)
        })
        .collect();
    tracing::debug!(seconds = t.elapsed().as_secs_f64(), "link: probe");
    let t = std::time::Instant::now();
    let mut has_survey = BooleanChunked::full("has_survey".into(), false, 0);
    let mut row: Vec<Option<u32>> = vec![None; table.positions()];
    for (has, links) in parts {
        has_survey.append_owned(has)?;
        for (last, j) in links {
            for i in table.with_same_id(last) {
                row[i as usize] = Some(j);
            }
        }
    }
    drop(table);
    contacts.with_column(has_survey.with_name("has_survey".into()).into_column())?;
    surveys.with_column(opt_column::<UInt32Type, _>(CONTACT_ROW, row))?;
    tracing::debug!(seconds = t.elapsed().as_secs_f64(), "link: rows");
    Ok((contacts, surveys))
}
