//! `metrics.json`: the report's [`crate::report::Metrics`], with the stable keys of
//! `docs/metrics.md`. Serialisation only; nothing is computed here.

use super::Renderer;
use crate::error::{Error, Result};
use crate::report::Report;
use std::path::PathBuf;

pub struct Json;

impl Renderer for Json {
    fn name(&self) -> &'static str {
        "metrics.json"
    }
    fn render(&self, report: &Report) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        let mut s = serde_json::to_string_pretty(&report.metrics)
            .map_err(|e| Error::runtime(format!("cannot serialise metrics.json: {e}")))?;
        s.push('\n');
        Ok(vec![(PathBuf::from("metrics.json"), s.into_bytes())])
    }
}
