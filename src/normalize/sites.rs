//! One site's share of a dataset, for scoring sheets that score each site (职场) on its own
//! (`docs/scoring.md`, Sites): its contacts (by the `site` column), the responses linked to
//! them (their links renumbered), and the inspections of its contacts with their criteria.
//! Responses linked to no contact and inspections that name no accepted contact belong to no
//! site. Nothing is computed here; the rows are only taken.

use super::{Dataset, CONTACT_ROW};
use crate::error::Result;
use polars::prelude::*;
use std::collections::BTreeSet;

impl Dataset {
    /// The sites the accepted contacts name, sorted, with `None` (last) when some name none.
    pub fn sites(&self) -> Result<Vec<Option<String>>> {
        let site = self.contacts.column("site")?.cast(&DataType::String)?;
        let set: BTreeSet<Option<String>> =
            site.str()?.iter().map(|s| s.map(str::to_string)).collect();
        let mut out: Vec<Option<String>> = set.iter().filter(|s| s.is_some()).cloned().collect();
        if set.contains(&None) {
            out.push(None);
        }
        Ok(out)
    }

    /// The dataset of site `site` (`None`: the contacts that name no site).
    pub fn of_site(&self, site: Option<&str>) -> Result<Dataset> {
        let names = self.contacts.column("site")?.cast(&DataType::String)?;
        let mask: Vec<bool> = names.str()?.iter().map(|s| s == site).collect();
        let mut renumber = Vec::with_capacity(mask.len());
        let mut n = 0u32;
        for &m in &mask {
            renumber.push(n);
            n += m as u32;
        }
        let contacts = self
            .contacts
            .filter(&BooleanChunked::from_slice("m".into(), &mask))?;
        let rows = self.surveys.column(CONTACT_ROW)?.u32()?;
        let keep: Vec<bool> = rows
            .iter()
            .map(|r| r.is_some_and(|r| mask[r as usize]))
            .collect();
        let mut surveys = self
            .surveys
            .filter(&BooleanChunked::from_slice("m".into(), &keep))?;
        let moved: Vec<Option<u32>> = rows
            .iter()
            .flatten()
            .filter(|r| mask[*r as usize])
            .map(|r| Some(renumber[r as usize]))
            .collect();
        surveys.with_column(super::opt_column::<UInt32Type, _>(CONTACT_ROW, moved))?;
        let ids: BTreeSet<&str> = contacts
            .column("contact_id")?
            .str()?
            .iter()
            .flatten()
            .collect();
        let mut inspections = self.inspections.clone();
        let mut criteria = self.criteria.clone();
        if inspections.height() > 0 {
            let linked: Vec<bool> = inspections
                .column("contact_id")?
                .cast(&DataType::String)?
                .str()?
                .iter()
                .map(|c| c.is_some_and(|c| ids.contains(c)))
                .collect();
            inspections = inspections.filter(&BooleanChunked::from_slice("m".into(), &linked))?;
            let kept: BTreeSet<&str> = inspections
                .column("inspection_id")?
                .str()?
                .iter()
                .flatten()
                .collect();
            let with: Vec<bool> = criteria
                .column("inspection_id")?
                .str()?
                .iter()
                .map(|c| c.is_some_and(|c| kept.contains(c)))
                .collect();
            criteria = criteria.filter(&BooleanChunked::from_slice("m".into(), &with))?;
        }
        Ok(Dataset {
            contact_columns: self.contact_columns,
            contacts,
            contacts_elsewhere: 0,
            // A call-back is one whoever made it.
            outbound: self.outbound.clone(),
            surveys,
            inputs: self.inputs.clone(),
            survey_inputs: self.survey_inputs.clone(),
            rejections: Vec::new(),
            contact_rows: self.contact_rows.clone(),
            survey_rows: self.survey_rows.clone(),
            inspections,
            criteria,
            inspection_inputs: self.inspection_inputs.clone(),
            inspection_rows: self.inspection_rows.clone(),
        })
    }
}
