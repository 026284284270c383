//! The contract terms the report shows beside its figures (peaks, quality, data quality,
//! survey scale, default priority, declared channels, uncertainty, repeat contacts), taken
//! from the contract once when the report is built.

/// The contract terms the report shows beside the figures.
#[derive(Debug, Clone)]
pub struct ContractTerms {
    /// `[peaks]`: the service-level drop that makes a finding, and its clause.
    pub peaks_drop: f64,
    pub peaks_clause: Option<String>,
    /// `[quality]`: its clause and pass score.
    pub quality_clause: Option<String>,
    pub quality_pass_score: f64,
    pub survey: crate::config::contract::SurveyCfg,
    /// `[data_quality]`: the share of rows read that may be rejected or duplicates, and
    /// the fewest contacts an SLA needs in scope.
    pub max_rejected_share: f64,
    pub min_population: u64,
    /// `[data_quality]`: the fewest inspections and answered contacts behind a finding
    /// that names an agent.
    pub min_person_inspections: u64,
    pub min_person_contacts: u64,
    /// `[contract] default_priority`: the priority of contacts that give none.
    pub default_priority: Option<&'static str>,
    /// The declared channels: name, real-time, the file that declares it.
    pub declared_channels: Vec<(String, bool, String)>,
    /// `[uncertainty]`: confidence, verdict policy, how an inconclusive SLA counts.
    pub uncertainty: crate::config::contract::UncertaintyCfg,
    /// `[repeat]`, when the contract measures repeat contacts.
    pub repeat: Option<crate::config::contract::RepeatCfg>,
    /// `[report]`: the written report's cover, sign-off and remediation terms.
    pub report: crate::config::contract::report::ReportCfg,
}

/// The contract terms the report shows beside the figures.
pub(super) fn terms(c: &crate::config::Contract) -> ContractTerms {
    ContractTerms {
        peaks_drop: c.peaks.service_level_drop,
        peaks_clause: c.peaks.clause.clone(),
        quality_clause: c.quality.clause.clone(),
        quality_pass_score: c.quality.pass_score,
        survey: c.survey.clone(),
        max_rejected_share: c.data_quality.max_rejected_share,
        min_population: c.data_quality.min_population,
        min_person_inspections: c.data_quality.min_person_inspections,
        min_person_contacts: c.data_quality.min_person_contacts,
        default_priority: c.default_priority.map(|p| p.as_str()),
        uncertainty: c.uncertainty.clone(),
        repeat: c.measures_repeats().then(|| c.repeat_cfg()),
        report: c.report.clone(),
        declared_channels: c
            .channels
            .declared()
            .map(|(name, realtime, file)| {
                let file = std::path::Path::new(file)
                    .file_name()
                    .map_or(file.to_string(), |f| f.to_string_lossy().into_owned());
                (name.to_string(), realtime, file)
            })
            .collect(),
    }
}
