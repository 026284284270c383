//! Helpers shared by the integration tests.

use serde_json::Value;

/// Assert a JSON number equals `expected` within 1e-9.
pub fn close(v: &Value, expected: f64, what: &str) {
    close_tol(v, expected, 1e-9, what);
}

/// Assert a JSON number equals `expected` within `tol` (for figures published rounded).
pub fn close_tol(v: &Value, expected: f64, tol: f64, what: &str) {
    let got = v
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: not a number: {v}"));
    assert!(
        (got - expected).abs() <= tol,
        "{what}: got {got}, expected {expected}"
    );
}

/// `(name, count)` pairs of a ranked list in metrics.json (`topics`, `complaint_types`).
pub fn ranked(list: &Value, name: &str, count: &str) -> Vec<(String, u64)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x[name].as_str().unwrap_or("").to_string(),
                x[count].as_u64().unwrap(),
            )
        })
        .collect()
}
