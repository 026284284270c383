//! Canonical vocabulary shared by every stage: contact kinds, priorities and complexities
//! (channels, which contracts and profiles may add to, are in [`crate::channel`]), with
//! their parsing rules from `docs/contact-record.md`.
//!
//! This module holds value types only; it reads no files and computes no KPI.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

pub use crate::channel::{Channel, Channels};

macro_rules! canonical_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $text:literal $(| $alias:literal)*),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The canonical spelling used in files and `metrics.json`.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            /// Parse a value case-insensitively, accepting the canonical spelling and the
            /// common Chinese labels of the seeds.
            pub fn parse(s: &str) -> Option<Self> {
                // The canonical spelling as it is: the common case, without lower-casing.
                $( if s == $text { return Some($name::$variant); } )+
                let t = lower(s);
                let t: &str = &t;
                $( if t == $text $(|| t == $alias)* { return Some($name::$variant); } )+
                None
            }
            /// The accepted canonical spellings, for error messages.
            pub fn expected() -> String {
                [$($text),+].join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

canonical_enum!(
    /// Contact kind (`kind` column). Missing means consultation.
    Kind {
        Consultation => "consultation" | "咨询",
        Order => "order" | "订单" | "订单处理",
        Complaint => "complaint" | "投诉",
        Suggestion => "suggestion" | "建议",
        Other => "other" | "其他",
    }
);

canonical_enum!(
    /// Contact priority.
    Priority {
        Normal => "normal" | "普通" | "一般",
        Urgent => "urgent" | "紧急" | "加急",
    }
);

canonical_enum!(
    /// Request complexity.
    Complexity {
        Standard => "standard" | "标准" | "一般" | "简单",
        Complex => "complex" | "复杂",
    }
);

canonical_enum!(
    /// Whether the customer reached the service (inbound, the default) or the service called
    /// the customer (outbound: call-backs, follow-ups). Outbound contacts count in no service
    /// figure; they are read to find call-backs (`docs/metrics.md`, Call-backs).
    Direction {
        Inbound => "inbound" | "in" | "呼入" | "来电" | "入" | "incoming",
        Outbound => "outbound" | "out" | "呼出" | "外呼" | "去电" | "出" | "回拨" | "回访" | "callback" | "call-back" | "outgoing",
    }
);

canonical_enum!(
    /// Where a quality inspection comes from: a sampled recording (or transcript) of a
    /// contact, or a mystery shopper's test contact.
    InspectionSource {
        Recording => "recording" | "录音" | "录音抽检" | "抽检" | "transcript" | "sampling",
        MysteryShopper => "mystery_shopper" | "神秘顾客" | "暗访" | "mystery shopper" | "mystery",
    }
);

/// `s` trimmed and lower-cased, without allocating in the common case (ASCII already in
/// lower case). For ASCII text, ASCII and Unicode lower-casing agree.
fn lower(s: &str) -> std::borrow::Cow<'_, str> {
    let t = s.trim();
    if !t.is_ascii() {
        std::borrow::Cow::Owned(t.to_lowercase())
    } else if t.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(t.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(t)
    }
}

/// Parse a boolean per `docs/contact-record.md`.
pub fn parse_bool(s: &str) -> Option<bool> {
    // The common spellings as they are, without trimming or lower-casing.
    match s {
        "true" => return Some(true),
        "false" => return Some(false),
        _ => {}
    }
    match &*lower(s) {
        "true" | "1" | "y" | "yes" | "是" | "t" | "1.0" | "√" | "✓" | "✔" | "有" | "对" => {
            Some(true)
        }
        "false" | "0" | "n" | "no" | "否" | "f" | "0.0" | "×" | "✗" | "✘" | "无" | "错" => {
            Some(false)
        }
        _ => None,
    }
}

/// Mask personal data for display: keep the first three and last four characters of a
/// phone-like value (`138****5678`), hide everything else.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() >= 8 {
        let head: String = chars[..3].iter().collect();
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("{head}****{tail}")
    } else {
        "****".to_string()
    }
}

/// Mask anything in free text that looks like personal data: phone and id numbers in any
/// common spelling (seven or more digits, grouped by spaces, dashes, dots or parentheses,
/// with or without `+86`; an 18-character id number ending in `X`) and tokens with an `@`
/// (e-mail addresses). Dates (`2026-10-01 09`) and decimals (`46303.385`) are left as they
/// are. Used on every message that quotes an input value and on labels shown in reports, so
/// a personal value in the wrong column never leaks.
pub fn mask_personal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, token) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if token.contains('@') {
            out.push_str("****@****");
        } else {
            out.push_str(token);
        }
    }
    mask_number_runs(&out)
}

/// The number runs of `text` (digit groups joined by one separator each, a leading `+`)
/// that look like phone or id numbers, masked.
fn mask_number_runs(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i].is_ascii_digit()
            || (chars[i] == '+' || chars[i] == '(')
                && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit());
        if !starts || (i > 0 && (chars[i - 1].is_ascii_digit() || chars[i - 1] == '.')) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let (end, groups, seps) = number_run(&chars, i);
        let run: String = chars[i..end].iter().collect();
        if looks_personal(&groups, &seps) {
            out.push_str(&mask(&groups.concat()));
        } else {
            out.push_str(&run);
        }
        i = end;
    }
    out
}

/// The run starting at `start`: where it ends, its digit groups (an id's final `X` kept in
/// the last group) and the separators between them.
fn number_run(chars: &[char], start: usize) -> (usize, Vec<String>, Vec<char>) {
    const SEPARATORS: &[char] = &[' ', '-', '.', '(', ')'];
    let mut i = start;
    if chars[i] == '+' || chars[i] == '(' {
        i += 1;
    }
    let (mut groups, mut seps) = (vec![String::new()], Vec::new());
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            groups.last_mut().expect("a group").push(c);
            i += 1;
        } else if SEPARATORS.contains(&c) && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit()) {
            seps.push(c);
            groups.push(String::new());
            i += 1;
        } else if c == ')'
            && chars.get(i + 1) == Some(&' ')
            && chars.get(i + 2).is_some_and(|n| n.is_ascii_digit())
        {
            // `(010) 1234-5678`: the closing parenthesis and a space part one group.
            seps.push(c);
            groups.push(String::new());
            i += 2;
        } else if (c == 'X' || c == 'x') && groups.concat().len() == 17 {
            groups.last_mut().expect("a group").push('X');
            i += 1;
            break;
        } else {
            break;
        }
    }
    (i, groups, seps)
}

/// Whether digit groups joined by `seps` are a phone or id number rather than a date, a
/// time, a decimal or a count.
fn looks_personal(groups: &[String], seps: &[char]) -> bool {
    let digits: usize = groups.iter().map(|g| g.len()).sum();
    if digits < 7 {
        return false;
    }
    // A decimal: one dot between an integer part and a fraction.
    if seps == ['.'] {
        return false;
    }
    // A date, maybe with an hour: a four-digit year and groups of one or two digits.
    let date =
        groups[0].len() == 4 && groups.len() >= 3 && groups[1..].iter().all(|g| g.len() <= 2);
    !date
}

/// Parse a naive ISO-like timestamp (no offset).
pub fn parse_naive(s: &str) -> Option<NaiveDateTime> {
    [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y/%m/%d %H:%M:%S%.f",
        "%Y/%m/%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s.trim(), f).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_parse_case_insensitively_and_in_chinese() {
        assert_eq!(Kind::parse("投诉"), Some(Kind::Complaint));
        assert_eq!(Priority::parse(" Urgent "), Some(Priority::Urgent));
    }

    #[test]
    fn bools() {
        assert_eq!(parse_bool("是"), Some(true));
        assert_eq!(parse_bool("N"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
        // Check marks and the Chinese words for "there is / there is none".
        for (s, want) in [
            ("√", true),
            ("×", false),
            ("有", true),
            ("无", false),
            (" ✓ ", true),
        ] {
            assert_eq!(parse_bool(s), Some(want), "{s}");
        }
    }

    #[test]
    fn personal_values_in_messages_are_masked() {
        assert_eq!(
            mask_personal("unknown channel `13812345678` (expected phone)"),
            "unknown channel `138****5678` (expected phone)"
        );
        assert_eq!(
            mask_personal("`a.b@example.com` is not a number"),
            "****@**** is not a number"
        );
        assert_eq!(
            mask_personal("`2026-13-45 99:00` is not a timestamp"),
            "`2026-13-45 99:00` is not a timestamp"
        );
        // Phone numbers in every common spelling, an id number, but no date or decimal.
        for (text, want) in [
            ("call 138-0000-1001 now", "call 138****1001 now"),
            ("`+86 138 0000 1002`", "`861****1002`"),
            ("tel (010) 1234-5678", "tel 010****5678"),
            ("138.0000.1003", "138****1003"),
            ("id 11010519491231002X", "id 110****002X"),
            (
                "`46303.3851648148` is not a timestamp",
                "`46303.3851648148` is not a timestamp",
            ),
            (
                "answered 2026-10-01 09:00:00, before",
                "answered 2026-10-01 09:00:00, before",
            ),
            ("2026/10/01 09:05", "2026/10/01 09:05"),
            ("3000 rows, 12 columns", "3000 rows, 12 columns"),
        ] {
            assert_eq!(mask_personal(text), want, "{text}");
        }
    }

    #[test]
    fn masking() {
        assert_eq!(mask("13812345678"), "138****5678");
        assert_eq!(mask("123"), "****");
    }
}
