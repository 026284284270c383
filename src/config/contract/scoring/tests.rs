//! A scoring sheet that does not add up, or whose rule is malformed, is refused naming the
//! file, the indicator (block, class) and the fix.

use crate::config::contract::Contract;
use std::path::Path;

const HEAD: &str = r#"
[contract]
id = "T"
name = "t"
[[sla]]
id = "answer"
clause = "1"
channel = "phone"
metric = "service_level"
threshold_seconds = 20
target = 0.8
"#;

const SHEET: &str = r#"
[scoring]
[[scoring.block]]
id = "ops"
name = "运营"
weight = 40
[[scoring.block]]
id = "svc"
name = "服务"
weight = 60
[[scoring.indicator]]
id = "answer"
name = "接通率"
block = "ops"
clause = "1"
weight = 40
metric = "answer"
rule = "linear"
target = 0.9
baseline = 0.8
[[scoring.indicator]]
id = "abandon"
name = "呼损率"
block = "svc"
clause = "2"
weight = 60
metric = "abandon_rate"
rule = "threshold"
threshold = 0.05
better = "lower"
"#;

fn parse(sheet: &str) -> Result<Contract, String> {
    Contract::parse(&format!("{HEAD}{sheet}"), Path::new("c.toml"))
        .map_err(|e| format!("{} | hint: {}", e.message, e.hint.unwrap_or_default()))
}

#[test]
fn a_sheet_that_adds_up_loads() {
    let c = parse(SHEET).unwrap();
    let s = c.scoring.unwrap();
    assert_eq!(s.indicators.len(), 2);
    assert_eq!(s.total, 100.0);
}

#[test]
fn block_weights_that_do_not_add_up_are_refused_with_the_sum() {
    let e = parse(&SHEET.replace(
        "weight = 60\n[[scoring.indicator]]",
        "weight = 50\n[[scoring.indicator]]",
    ))
    .unwrap_err();
    assert!(e.contains("c.toml") && e.contains("`scoring.block`"), "{e}");
    assert!(
        e.contains("add up to 90 (ops 40 + svc 50), not the total 100"),
        "{e}"
    );
    assert!(
        e.contains("make the block weights add up to `total`"),
        "{e}"
    );
}

#[test]
fn indicator_weights_that_do_not_fill_their_block_are_refused_naming_it() {
    let e = parse(&SHEET.replace("weight = 60\nmetric", "weight = 55\nmetric")).unwrap_err();
    assert!(e.contains("`scoring.block (svc)`"), "{e}");
    assert!(
        e.contains("add up to 55 (abandon 55), not block `svc`'s weight 60"),
        "{e}"
    );
}

#[test]
fn a_malformed_rule_is_refused_naming_the_indicator_and_the_fix() {
    // A missing key.
    let e = parse(&SHEET.replace("baseline = 0.8\n", "")).unwrap_err();
    assert!(
        e.contains("`scoring.indicator[0] (answer)`: rule `linear` needs `baseline`"),
        "{e}"
    );
    assert!(
        e.contains("rule linear takes target, baseline, floor"),
        "{e}"
    );
    // A key the rule does not use.
    let e = parse(&SHEET.replace(
        "better = \"lower\"",
        "better = \"lower\"\nknots = [[0, 1], [1, 2]]",
    ))
    .unwrap_err();
    assert!(
        e.contains("indicator[1] (abandon)`: rule `threshold` does not use `knots`"),
        "{e}"
    );
    // An unknown rule.
    let e = parse(&SHEET.replace("rule = \"linear\"", "rule = \"linar\"")).unwrap_err();
    assert!(
        e.contains("unknown rule `linar`")
            && e.contains("use one of linear, piecewise, per_step, threshold, manual"),
        "{e}"
    );
    // A figure that does not exist.
    let e =
        parse(&SHEET.replace("metric = \"abandon_rate\"", "metric = \"abandn_rate\"")).unwrap_err();
    assert!(
        e.contains("indicator[1] (abandon).metric`: `abandn_rate` names no figure"),
        "{e}"
    );
    // Points past the weight.
    let e = parse(&SHEET.replace("baseline = 0.8\n", "baseline = 0.8\nfloor = 50\n")).unwrap_err();
    assert!(
        e.contains("points must lie between 0 and the weight 40"),
        "{e}"
    );
    // Knots that repeat a figure.
    let bad = SHEET.replace(
        "rule = \"linear\"\ntarget = 0.9\nbaseline = 0.8",
        "rule = \"piecewise\"\nknots = [[0.9, 40], [0.9, 0]]",
    );
    let e = parse(&bad).unwrap_err();
    assert!(
        e.contains("`knots` needs two or more [figure, points] pairs with distinct figures"),
        "{e}"
    );
}

#[test]
fn what_a_veto_or_adjustment_names_must_exist() {
    let e = parse(&format!("{SHEET}[[scoring.veto]]\nid = \"v\"\nname = \"泄露\"\nclause = \"9\"\nincident_class = \"leak\"\n")).unwrap_err();
    assert!(
        e.contains("veto[0] (v)`: incident class `leak` is not declared"),
        "{e}"
    );
    let e = parse(&format!("{SHEET}[[scoring.adjustment]]\nid = \"a\"\nname = \"加分\"\nclause = \"9\"\npoints = 1\ncap = 3\n")).unwrap_err();
    assert!(
        e.contains("needs exactly one of `when`, `incident_class` and `manual = true`"),
        "{e}"
    );
    let e = parse(&format!(
        "{SHEET}[[scoring.band]]\nmin = 60\npayout_rate = 1.0\n"
    ))
    .unwrap_err();
    assert!(
        e.contains("no band covers scores below 60") && e.contains("add a band with min = 0"),
        "{e}"
    );
}
