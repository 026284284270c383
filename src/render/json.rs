//! `metrics.json`: the report's [`crate::report::Metrics`], with the stable keys of
//! `docs/metrics.md`. Serialisation only; nothing is computed here.

use super::{Output, Renderer};
use crate::error::{Error, Result};
use crate::report::Report;

pub struct Json;

impl Renderer for Json {
    fn name(&self) -> &'static str {
        "metrics.json"
    }
    fn render(&self, report: &Report, out: &mut dyn Output) -> Result<()> {
        let mut s = serde_json::to_string_pretty(&report.metrics)
            .map_err(|e| Error::runtime(format!("cannot serialise metrics.json: {e}")))?;
        s.push('\n');
        out.bytes("metrics.json", s.as_bytes())
    }
}
