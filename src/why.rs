//! Why a cell or a row is refused, as data rather than as English: a key of the text
//! tables' `[reasons]` and the values of its placeholders, carried as one string (so that
//! it passes through the readers' borrowed cells and the parsers' `String` errors
//! unchanged) and worded only when shown, in the report's language
//! ([`crate::config::text::Text::reason`]) or in English on the command line. This module
//! encodes and decodes; it holds no wording.

use std::fmt::Display;

/// Starts an encoded reason: the key follows.
const MARK: char = '\u{1}';
/// Separates the key and each value.
const SEP: char = '\u{1f}';
/// Separates the items of a value that is a list, worded with the language's separator.
pub const LIST: char = '\u{1e}';

/// The reason `key` with its placeholder values `{0}`, `{1}` …
#[macro_export]
macro_rules! why {
    ($key:literal $(, $arg:expr)* $(,)?) => {
        $crate::why::encode($key, &[$(&$arg as &dyn std::fmt::Display),*])
    };
}

/// [`why!`] of literals, as a `&'static str` (for the readers' borrowed cells).
#[macro_export]
macro_rules! why_const {
    ($key:literal $(, $arg:literal)* $(,)?) => {
        concat!("\u{1}", $key $(, "\u{1f}", $arg)*)
    };
}

/// The reason `key` with `args`, encoded. A value holding the marks (from a hostile cell)
/// has them replaced, so that it cannot split the reason.
pub fn encode(key: &str, args: &[&dyn Display]) -> String {
    let mut s = String::with_capacity(48);
    s.push(MARK);
    s.push_str(key);
    for a in args {
        s.push(SEP);
        s.extend(
            a.to_string()
                .chars()
                .map(|c| if c == MARK || c == SEP { '\u{fffd}' } else { c }),
        );
    }
    s
}

/// A value that is a list of `items` (the values a column may take).
pub fn list<T: Display>(items: impl IntoIterator<Item = T>) -> String {
    items
        .into_iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(&LIST.to_string())
}

/// The key and values of an encoded reason; `None` for a plain text.
pub fn decode(s: &str) -> Option<(&str, Vec<&str>)> {
    let mut parts = s.strip_prefix(MARK)?.split(SEP);
    let key = parts.next()?;
    Some((key, parts.collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_keeps_its_key_and_values_even_hostile_ones() {
        let r = why!("not_a_number", "12\u{1f}3");
        assert_eq!(decode(&r), Some(("not_a_number", vec!["12\u{fffd}3"])));
        let two = encode("x", &[&"a\u{1}", &4]);
        assert_eq!(decode(&two), Some(("x", vec!["a\u{fffd}", "4"])));
        assert_eq!(decode(&why!("missing")), Some(("missing", vec![])));
        assert_eq!(decode("plain text"), None);
        assert_eq!(
            decode(why_const!("excel_error", "#N/A")),
            Some(("excel_error", vec!["#N/A"]))
        );
    }
}
