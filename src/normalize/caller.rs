//! Who called, for the repeat-contact measures (`docs/metrics.md`, Repeat contacts): the
//! customer's phone number (digits only, without `+86`/`0086`/`86` before a mobile number
//! and without leading zeros), else the customer id, as a keyed 64-bit hash. The hash lives
//! only in the run's contact frame: it is never written to any file (converted Parquet
//! drops it), and the number or id itself is never kept.

use std::hash::BuildHasher;

/// The hash key (fixed, so that the same inputs give the same figures).
const KEY: u64 = 0x63_73_65_76_61_6c_21_01;

/// A phone number as it is compared: its digits, a country code 86 before an eleven-digit
/// mobile number and leading zeros (a trunk prefix) taken off.
pub fn phone_key(s: &str) -> Option<String> {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let d = digits.strip_prefix("00").unwrap_or(&digits);
    let d = match d.strip_prefix("86") {
        Some(rest) if rest.len() == 11 && rest.starts_with('1') => rest,
        _ => d,
    };
    let d = d.trim_start_matches('0');
    (!d.is_empty()).then(|| d.to_string())
}

/// The caller of a contact: its phone number, else its customer id; `None` when neither
/// is given.
pub fn caller(phone: Option<&str>, id: Option<&str>) -> Option<u64> {
    let h = foldhash::quality::FixedState::with_seed(KEY);
    if let Some(p) = phone.and_then(phone_key) {
        return Some(h.hash_one(("phone", p)));
    }
    let id = id.map(str::trim).filter(|s| !s.is_empty())?;
    Some(h.hash_one(("id", id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_number_in_any_spelling_is_one_caller() {
        let same = [
            "13812345678",
            "+86 138 1234 5678",
            "0086-13812345678",
            "8613812345678",
            "138-1234-5678",
        ];
        let k = caller(Some(same[0]), None);
        assert!(k.is_some());
        for s in same {
            assert_eq!(caller(Some(s), None), k, "{s}");
        }
        // A landline with and without its trunk zero.
        assert_eq!(
            caller(Some("010-62345678"), None),
            caller(Some("1062345678"), None)
        );
        assert_ne!(caller(Some("13812345679"), None), k);
        // No phone: the customer id; neither: no caller.
        assert_eq!(caller(None, Some(" U1 ")), caller(Some(""), Some("U1")));
        assert_eq!(caller(None, None), None);
    }
}
