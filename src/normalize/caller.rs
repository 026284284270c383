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
    with_phone_key(s, str::to_string)
}

/// `f` of [`phone_key`]`(s)`, without building a string for it: the digits of a number of
/// up to 32 digits are gathered on the stack (ten million rows, ten million allocations
/// fewer).
fn with_phone_key<R>(s: &str, f: impl FnOnce(&str) -> R) -> Option<R> {
    // The common cell, a mobile number of eleven digits as it is: its own key (nothing to
    // take off: no `00` or `86` before it, no leading zero).
    let b = s.as_bytes();
    if b.len() == 11 && b[0] == b'1' && b.iter().all(u8::is_ascii_digit) {
        return Some(f(s));
    }
    let mut stack = [0u8; 32];
    let mut heap = Vec::new();
    let mut n = 0;
    for b in s.bytes().filter(u8::is_ascii_digit) {
        match stack.get_mut(n) {
            Some(slot) => *slot = b,
            None if heap.is_empty() => {
                heap.extend_from_slice(&stack);
                heap.push(b);
            }
            None => heap.push(b),
        }
        n += 1;
    }
    let digits = if heap.is_empty() {
        &stack[..n]
    } else {
        &heap[..]
    };
    // ASCII digits only: always UTF-8.
    let digits = std::str::from_utf8(digits).ok()?;
    let d = digits.strip_prefix("00").unwrap_or(digits);
    let d = match d.strip_prefix("86") {
        Some(rest) if rest.len() == 11 && rest.starts_with('1') => rest,
        _ => d,
    };
    let d = d.trim_start_matches('0');
    (!d.is_empty()).then(|| f(d))
}

/// The caller of a contact: its phone number, else its customer id; `None` when neither
/// is given.
pub fn caller(phone: Option<&str>, id: Option<&str>) -> Option<u64> {
    let h = foldhash::quality::FixedState::with_seed(KEY);
    // A `&str` hashes as the `String` of the same text.
    if let Some(k) = phone.and_then(|p| with_phone_key(p, |d| h.hash_one(("phone", d)))) {
        return Some(k);
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

    proptest::proptest! {
        /// A plain eleven-digit mobile number is its own key, as the digit-by-digit way
        /// takes it: numbers of ten to twelve digits, leading 0, 1 or 8, with and without
        /// a blank or a dash among them.
        #[test]
        fn a_mobile_number_is_keyed_as_digit_by_digit(
            digits in "[018][0-9]{9,11}",
            sep in proptest::option::of(0usize..12),
            dash in proptest::bool::ANY,
        ) {
            let mut s = digits.clone();
            if let Some(at) = sep.filter(|&at| at < s.len()) {
                s.insert(at, if dash { '-' } else { ' ' });
            }
            let slow = |s: &str| -> Option<String> {
                let d: String = s.chars().filter(char::is_ascii_digit).collect();
                let d = d.strip_prefix("00").unwrap_or(&d).to_string();
                let d = match d.strip_prefix("86") {
                    Some(rest) if rest.len() == 11 && rest.starts_with('1') => rest.to_string(),
                    _ => d,
                };
                let d = d.trim_start_matches('0');
                (!d.is_empty()).then(|| d.to_string())
            };
            proptest::prop_assert_eq!(phone_key(&s), slow(&s), "{}", s);
        }
    }

    #[test]
    fn a_key_is_the_same_past_the_stack_buffer() {
        // 40 digits: gathered on the heap; "00" taken off, "86" kept (no mobile number
        // follows it).
        let long = format!("0086{}", "9".repeat(36));
        assert_eq!(phone_key(&long).as_deref(), Some(&long[2..]));
        assert_eq!(
            phone_key("+86 (0) 138-1234-5678"),
            Some("86013812345678".to_string())
        );
        assert_eq!(phone_key("00000"), None);
        assert_eq!(phone_key("无"), None);
        let h = foldhash::quality::FixedState::with_seed(KEY);
        assert_eq!(
            caller(Some(&long), None),
            Some(h.hash_one(("phone", long[2..].to_string())))
        );
    }
}
