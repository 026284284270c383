//! The canonical record columns, in file-header spelling, and the positions the row checks
//! read them at: each record's names and positions are generated from one list, so the two
//! cannot drift apart. Every stage may use these names; this module holds no rule about
//! their values (those are in [`crate::model`] and the normalize stage).

/// `canonical_columns!(NAMES, module { CONST = "name", ... })`: the table `NAMES` of every
/// name, in order, and `module::CONST`, the position of each name in it.
macro_rules! canonical_columns {
    ($(#[$doc:meta])* $table:ident, $module:ident { $($konst:ident = $name:literal),* $(,)? }) => {
        $(#[$doc])*
        pub const $table: &[&str] = &[$($name),*];

        #[doc = concat!("Positions of the names in [`", stringify!($table), "`].")]
        pub mod $module {
            canonical_columns!(@positions 0usize; $($konst)*);
        }
    };
    (@positions $n:expr; $head:ident $($rest:ident)*) => {
        pub const $head: usize = $n;
        canonical_columns!(@positions $n + 1usize; $($rest)*);
    };
    (@positions $n:expr;) => {};
}

canonical_columns!(
    /// Canonical contact columns, in file-header spelling.
    CONTACT_COLUMNS,
    contact {
        CONTACT_ID = "contact_id",
        CHANNEL = "channel",
        KIND = "kind",
        TOPIC = "topic",
        COMPLAINT_TYPE = "complaint_type",
        PRIORITY = "priority",
        COMPLEXITY = "complexity",
        ARRIVED_AT = "arrived_at",
        ANSWERED_AT = "answered_at",
        RESOLVED_AT = "resolved_at",
        WAIT_SECONDS = "wait_seconds",
        HANDLE_SECONDS = "handle_seconds",
        RESOLVED = "resolved",
        FCR = "first_contact_resolved",
        AGENT_ID = "agent_id",
        AGENT_NAME = "agent_name",
        TEAM = "team",
        CUSTOMER_ID = "customer_id",
        CUSTOMER_PHONE = "customer_phone",
        SATISFACTION = "satisfaction",
        // Extension: an answered flag for exports that give one instead of `answered_at`.
        ANSWERED = "answered",
        // Extension: the site (职场) or provider a contact was handled at, for scoring
        // sheets that score sites (`docs/scoring.md`).
        SITE = "site",
        // Extension: inbound (the default) or outbound; outbound contacts are call-backs
        // and follow-ups, in no service figure (`docs/metrics.md`, Call-backs).
        DIRECTION = "direction",
    }
);

canonical_columns!(
    /// Canonical survey-response columns, in file-header spelling.
    SURVEY_COLUMNS,
    survey {
        RESPONSE_ID = "response_id",
        CONTACT_ID = "contact_id",
        RESPONDED_AT = "responded_at",
        SCORE = "score",
        NPS = "nps",
        COMMENT = "comment",
    }
);

canonical_columns!(
    /// Canonical inspection columns, in file-header spelling. Besides these, every column
    /// whose name starts with [`CRITERION_PREFIX`] is one criterion.
    INSPECTION_COLUMNS,
    inspection {
        ID = "inspection_id",
        CONTACT_ID = "contact_id",
        AGENT_ID = "agent_id",
        AGENT_NAME = "agent_name",
        INSPECTOR = "inspector",
        INSPECTED_AT = "inspected_at",
        SOURCE = "source",
        CHANNEL = "channel",
        SCORE = "score",
        PASSED = "passed",
        COMMENT = "comment",
    }
);

/// Prefix of the criterion columns: `criterion_greeting` is criterion `greeting`.
pub const CRITERION_PREFIX: &str = "criterion_";

/// Prefix of the survey item columns (the questions beside the overall score):
/// `item_speed` is item `speed`.
pub const ITEM_PREFIX: &str = "item_";

/// Which canonical contact columns the inputs give: a column counts when at least one
/// contact input has it (for a mapped export: when its profile maps it). What a metric can
/// be computed from depends on it: no column, no figure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ColumnsSeen(u32);

const _: () = assert!(CONTACT_COLUMNS.len() <= 32);

impl ColumnsSeen {
    /// Every column (inputs whose columns are not known one by one, such as converted
    /// Parquet files, which hold every canonical column).
    pub fn all() -> Self {
        ColumnsSeen(u32::MAX)
    }

    /// Mark column `k` (a position in [`CONTACT_COLUMNS`]) as given.
    pub fn add(&mut self, k: usize) {
        self.0 |= 1 << k;
    }

    /// Whether column `k` is given.
    pub fn has(self, k: usize) -> bool {
        self.0 & (1 << k) != 0
    }

    /// The columns given by `self` or by `other`.
    pub fn union(self, other: ColumnsSeen) -> Self {
        ColumnsSeen(self.0 | other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_name_their_columns() {
        assert_eq!(CONTACT_COLUMNS[contact::FCR], "first_contact_resolved");
        assert_eq!(CONTACT_COLUMNS[contact::SATISFACTION], "satisfaction");
        assert_eq!(CONTACT_COLUMNS[contact::ANSWERED], "answered");
        assert_eq!(CONTACT_COLUMNS[contact::SITE], "site");
        assert_eq!(CONTACT_COLUMNS[contact::DIRECTION], "direction");
        assert_eq!(CONTACT_COLUMNS.len(), contact::DIRECTION + 1);
        assert_eq!(SURVEY_COLUMNS[survey::NPS], "nps");
        assert_eq!(INSPECTION_COLUMNS[inspection::PASSED], "passed");
    }
}

/// A header cell (or a column name in a mapping profile) as names are matched: NFKC
/// (full-width letters, digits and parentheses as their plain forms), without a byte-order
/// mark, spaces or line breaks (a header wrapped onto two lines in Excel), in lower case.
pub fn header_key(h: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    h.trim_start_matches('\u{feff}')
        .nfkc()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}
