//! The label keys of the tables every renderer shows, column by column in the order they
//! are shown: one list per table, so that the workbook and the HTML cannot drift apart.
//! Nothing here reads a figure.

/// Label keys of the scorecard's columns, in the order every renderer shows them (the
/// workbook adds a `note` column).
pub const SCORECARD_COLUMNS: &[&str] = &[
    "sla",
    "clause",
    "metric",
    "scope",
    "threshold",
    "target",
    "actual",
    "interval",
    "previous",
    "numerator",
    "denominator",
    "status",
];

/// The label keys of the survey items table's columns, in order (HTML and workbook).
pub const SURVEY_ITEM_COLUMNS: [&str; 7] = [
    "survey_item",
    "item_responses",
    "item_missing",
    "item_mean",
    "item_median",
    "item_sd",
    "item_top_box",
];

/// The day-by-day table.
pub const DAILY_COLUMNS: &[&str] = &[
    "date",
    "day_type",
    "peak",
    "contacts",
    "answered",
    "abandoned",
    "urgent",
    "service_level",
];

/// The trend table (the workbook adds a column per SLA).
pub const TREND_COLUMNS: &[&str] = &[
    "period",
    "contacts",
    "resolution_rate",
    "fcr_rate",
    "csat_mean",
    "csat_top_box_rate",
    "complaint_rate",
    "tier",
    "slas_missed",
];

/// The payment statement.
pub const PAYMENT_COLUMNS: &[&str] = &[
    "payment_item",
    "payment_basis",
    "payment_rate",
    "payment_amount",
    "clause",
];

/// The tier conditions as they were checked.
pub const CONDITION_COLUMNS: &[&str] = &[
    "condition_tier",
    "condition",
    "condition_actual",
    "condition_required",
    "condition_result",
];

/// An evidence line of a missed SLA over inspections: an inspection that did not pass.
pub const INSPECTION_EVIDENCE_COLUMNS: &[&str] = &[
    "inspection_id",
    "contact_id",
    "agent_id",
    "source",
    "channel",
    "inspected_at",
    "score",
    "failed_criteria",
];

/// An evidence line of a missed SLA.
pub const EVIDENCE_COLUMNS: &[&str] = &[
    "contact_id",
    "channel",
    "agent_id",
    "arrived_at",
    "answered_at",
    "resolved_at",
    "evidence_time",
    "evidence_reason",
];
/// The scoring sheet's summary.
pub const SCORING_COLUMNS: &[&str] = &["scoring_item", "scoring_value", "scoring_basis", "clause"];

/// The scoring sheet's indicators (the site column only when sites are scored).
pub const SCORING_INDICATOR_COLUMNS: &[&str] = &[
    "scoring_site",
    "scoring_block",
    "scoring_indicator",
    "clause",
    "scoring_weight",
    "scoring_actual",
    "scoring_rule",
    "scoring_points",
    "scoring_lost",
    "scoring_sentence",
];

/// The site ranking.
pub const SCORING_RANKING_COLUMNS: &[&str] = &[
    "scoring_rank",
    "scoring_site",
    "scoring_score",
    "contacts",
    "scoring_list",
];

/// The incidents.
pub const SCORING_INCIDENT_COLUMNS: &[&str] = &[
    "scoring_incident_date",
    "scoring_incident_class",
    "scoring_incident_description",
    "scoring_incident_amount",
    "scoring_incident_deadline",
    "clause",
    "scoring_site",
];
/// The remediation list (整改跟踪).
pub const REMEDIATION_COLUMNS: &[&str] = &[
    "remediation_id",
    "remediation_problem",
    "remediation_first",
    "remediation_deadline",
    "remediation_status",
];
/// The written report's scorecard: the columns that fit a portrait page.
pub const DOCX_SCORECARD_COLUMNS: &[&str] =
    &["sla", "clause", "target", "actual", "interval", "status"];
/// The written report's channel table.
pub const DOCX_CHANNEL_COLUMNS: &[&str] = &[
    "channel",
    "contacts",
    "service_level",
    "abandon_rate",
    "asa_seconds",
    "resolution_rate",
    "csat_mean",
];
/// The written report's indicators of the scoring sheet.
pub const DOCX_SCORING_COLUMNS: &[&str] = &[
    "scoring_indicator",
    "scoring_weight",
    "scoring_points",
    "scoring_lost",
    "scoring_sentence",
];
