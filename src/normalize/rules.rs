//! The validity rules of the canonical records, written once: each rule is a name, what it
//! asks of one record's normalized values, and the same as a Polars expression over the
//! normalized columns.
//!
//! The converted-Parquet check is the conjunction of these expressions
//! ([`contact_check`], [`survey_check`]). The row check and the column kernels read text
//! cells and give the reason a row fails, so they are written for speed and wording, and a
//! property test holds both of them, and every expression, to the rules here: a record is
//! accepted on every path exactly when every rule holds. A rule deleted from any path fails
//! that test.

use crate::config::contract::{Contract, SurveyCfg};
use crate::model::{Channels, Complexity, Kind, Priority};
use polars::prelude::*;

/// One validity rule over records of type `R`, checked against a `C` (the survey scale, and
/// for contacts the run's channels).
pub struct Rule<R, C = SurveyCfg> {
    pub name: &'static str,
    /// Whether record `r` keeps the rule.
    pub holds: fn(&R, &C) -> bool,
    /// The rule over the normalized columns (null where a value it needs is null).
    pub expr: fn(&C) -> Expr,
}

/// What a contact is checked against: the contract's survey scale and the run's channels.
#[derive(Debug, Clone, Default)]
pub struct Checks {
    pub survey: SurveyCfg,
    pub channels: Channels,
    /// Keep who called (a keyed hash, [`super::caller`]): the contract measures repeat
    /// contacts.
    pub callers: bool,
}

impl Checks {
    pub fn of(contract: &Contract) -> Checks {
        Checks {
            survey: contract.survey.clone(),
            channels: contract.channels.clone(),
            callers: contract.measures_repeats(),
        }
    }
}

/// A contact's values as a normalized frame holds them.
#[derive(Debug, Clone, Default)]
pub struct ContactRecord {
    pub contact_id: Option<String>,
    pub channel: Option<String>,
    pub kind: Option<String>,
    pub priority: Option<String>,
    pub complexity: Option<String>,
    pub arrived_ms: Option<i64>,
    pub answered_ms: Option<i64>,
    pub resolved_ms: Option<i64>,
    pub wait_s: Option<f64>,
    pub handle_s: Option<f64>,
    pub satisfaction: Option<f64>,
}

/// A survey response's values as a normalized frame holds them.
#[derive(Debug, Clone, Default)]
pub struct SurveyRecord {
    pub response_id: Option<String>,
    pub score: Option<f64>,
    pub nps: Option<f64>,
}

/// Whether column `c` holds one of `values`.
fn one_of(c: &str, values: &[&str]) -> Expr {
    values
        .iter()
        .fold(lit(false), |e, v| e.or(col(c).eq(lit(*v))))
}

/// `c` is null, or `ok` holds.
fn optional(c: &str, ok: Expr) -> Expr {
    col(c).is_null().or(ok)
}

/// A duration: zero or more and finite.
fn duration(c: &str) -> Expr {
    optional(c, col(c).gt_eq(lit(0.0)).and(col(c).lt(lit(f64::INFINITY))))
}

fn is_duration(v: Option<f64>) -> bool {
    v.is_none_or(|v| v >= 0.0 && v.is_finite())
}

/// `v`, if given, is one of the names of a vocabulary.
fn named<T: Copy>(v: Option<&str>, all: &[T], name: fn(T) -> &'static str) -> bool {
    v.is_some_and(|v| all.iter().any(|&x| name(x) == v))
}

/// `v` is the name of one of the run's channels.
fn channel_named(v: Option<&str>, channels: &Channels) -> bool {
    v.is_some_and(|v| channels.names().any(|n| n == v))
}

fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|&x| name(x)).collect()
}

/// Whether `channel` is one of the run's channels (also checked on the linked contacts
/// outside a period that converted partitions hold with their link columns only).
pub fn known_channel(channels: &Channels) -> Expr {
    one_of("channel", &channels.names().collect::<Vec<_>>())
}

/// The rules every accepted contact keeps.
pub const CONTACT_RULES: &[Rule<ContactRecord, Checks>] = &[
    Rule {
        name: "contact_id is given",
        holds: |c, _| c.contact_id.is_some(),
        expr: |_| col("contact_id").is_not_null(),
    },
    Rule {
        name: "channel is a built-in or declared channel",
        holds: |c, k| channel_named(c.channel.as_deref(), &k.channels),
        expr: |k| known_channel(&k.channels),
    },
    Rule {
        name: "kind is a canonical kind",
        holds: |c, _| named(c.kind.as_deref(), Kind::ALL, Kind::as_str),
        expr: |_| one_of("kind", &names(Kind::ALL, Kind::as_str)),
    },
    Rule {
        name: "priority, if given, is a canonical priority",
        holds: |c, _| {
            c.priority.is_none() || named(c.priority.as_deref(), Priority::ALL, Priority::as_str)
        },
        expr: |_| {
            optional(
                "priority",
                one_of("priority", &names(Priority::ALL, Priority::as_str)),
            )
        },
    },
    Rule {
        name: "complexity, if given, is a canonical complexity",
        holds: |c, _| {
            c.complexity.is_none()
                || named(c.complexity.as_deref(), Complexity::ALL, Complexity::as_str)
        },
        expr: |_| {
            optional(
                "complexity",
                one_of("complexity", &names(Complexity::ALL, Complexity::as_str)),
            )
        },
    },
    Rule {
        name: "arrived_at is given",
        holds: |c, _| c.arrived_ms.is_some(),
        expr: |_| col("arrived_ms").is_not_null(),
    },
    Rule {
        name: "no answer before arrival",
        holds: |c, _| match (c.answered_ms, c.arrived_ms) {
            (Some(b), Some(a)) => b >= a,
            (Some(_), None) => false,
            (None, _) => true,
        },
        expr: |_| optional("answered_ms", col("answered_ms").gt_eq(col("arrived_ms"))),
    },
    Rule {
        name: "no resolution before arrival",
        holds: |c, _| match (c.resolved_ms, c.arrived_ms) {
            (Some(b), Some(a)) => b >= a,
            (Some(_), None) => false,
            (None, _) => true,
        },
        expr: |_| optional("resolved_ms", col("resolved_ms").gt_eq(col("arrived_ms"))),
    },
    Rule {
        name: "no resolution before the answer",
        holds: |c, _| match (c.resolved_ms, c.answered_ms) {
            (Some(r), Some(a)) => r >= a,
            _ => true,
        },
        expr: |_| {
            optional(
                "resolved_ms",
                col("answered_ms")
                    .is_null()
                    .or(col("resolved_ms").gt_eq(col("answered_ms"))),
            )
        },
    },
    Rule {
        name: "wait_seconds is a duration",
        holds: |c, _| is_duration(c.wait_s),
        expr: |_| duration("wait_s"),
    },
    Rule {
        name: "handle_seconds is a duration",
        holds: |c, _| is_duration(c.handle_s),
        expr: |_| duration("handle_s"),
    },
    Rule {
        name: "satisfaction, if given, is on the survey scale",
        holds: |c, k| {
            c.satisfaction
                .is_none_or(|v| v >= k.survey.scale_min && v <= k.survey.scale_max)
        },
        expr: |k| {
            optional(
                "satisfaction",
                col("satisfaction")
                    .gt_eq(lit(k.survey.scale_min))
                    .and(col("satisfaction").lt_eq(lit(k.survey.scale_max))),
            )
        },
    },
];

/// The rules every accepted survey response keeps.
pub const SURVEY_RULES: &[Rule<SurveyRecord>] = &[
    Rule {
        name: "response_id is given",
        holds: |r, _| r.response_id.is_some(),
        expr: |_| col("response_id").is_not_null(),
    },
    Rule {
        name: "score is on the survey scale",
        holds: |r, s| {
            r.score
                .is_some_and(|v| v >= s.scale_min && v <= s.scale_max)
        },
        expr: |s| {
            col("score")
                .gt_eq(lit(s.scale_min))
                .and(col("score").lt_eq(lit(s.scale_max)))
        },
    },
    Rule {
        name: "nps, if given, lies in 0..10",
        holds: |r, _| r.nps.is_none_or(|v| (0.0..=10.0).contains(&v)),
        expr: |_| {
            optional(
                "nps",
                col("nps").gt_eq(lit(0.0)).and(col("nps").lt_eq(lit(10.0))),
            )
        },
    },
];

/// Every rule of `rules` as one expression.
fn all_of<R, C>(rules: &[Rule<R, C>], against: &C) -> Expr {
    rules
        .iter()
        .fold(lit(true), |e, r| e.and((r.expr)(against)))
}

/// [`CONTACT_RULES`] over the normalized contact columns.
pub fn contact_check(checks: &Checks) -> Expr {
    all_of(CONTACT_RULES, checks)
}

/// [`SURVEY_RULES`] over the normalized survey columns.
pub fn survey_check(survey: &SurveyCfg) -> Expr {
    all_of(SURVEY_RULES, survey)
}

/// The rules a converted file's rows must keep, named, for the message that refuses it.
pub fn rule_names<R, C>(rules: &[Rule<R, C>]) -> String {
    rules.iter().map(|r| r.name).collect::<Vec<_>>().join("; ")
}

#[cfg(test)]
mod tests {
    //! Every path is held to the rules: for random records, some breaking each rule, the
    //! expressions agree with `holds` rule by rule, and the row check (record reader) and the
    //! column kernels (block reader) accept exactly the records that keep every rule.
    use super::*;
    use crate::config::read::ReadOptions;
    use crate::ingest::{self, RowSink};
    use crate::normalize::{ContactSink, SurveySink};
    use chrono::TimeZone;
    use proptest::prelude::*;

    const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;
    /// 2026-10-01 09:00 in Shanghai.
    const T0: i64 = 1_790_816_400_000;

    fn local(ms: i64) -> String {
        TZ.timestamp_millis_opt(ms)
            .unwrap()
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    }

    fn num(v: Option<f64>) -> String {
        v.map(|v| {
            if v.is_infinite() {
                "1e400".into()
            } else {
                v.to_string()
            }
        })
        .unwrap_or_default()
    }

    fn text<T: AsRef<str>>(v: &Option<T>) -> String {
        v.as_ref()
            .map(|s| s.as_ref().to_string())
            .unwrap_or_default()
    }

    /// A value from `valid` mostly, from `invalid` or none now and then (weights).
    fn pick(
        valid: &'static [&'static str],
        invalid: &'static [&'static str],
        (v, i, n): (u32, u32, u32),
    ) -> impl Strategy<Value = Option<String>> {
        prop_oneof![
            v => proptest::sample::select(valid).prop_map(|s| Some(s.to_string())),
            i => proptest::sample::select(invalid).prop_map(|s| Some(s.to_string())),
            n => Just(None),
        ]
    }

    fn time(some: u32) -> impl Strategy<Value = Option<i64>> {
        // Seconds around T0, before and after: replies before arrival happen.
        prop_oneof![
            some => (-3_600i64..7_200).prop_map(|s| Some(T0 + s * 1000)),
            10 - some => Just(None),
        ]
    }

    fn amount(
        valid: &'static [f64],
        (v, i, n): (u32, u32, u32),
    ) -> impl Strategy<Value = Option<f64>> {
        prop_oneof![
            v => proptest::sample::select(valid).prop_map(Some),
            i => proptest::sample::select(&[-5.0, -0.5, 6.0, f64::INFINITY][..]).prop_map(Some),
            n => Just(None),
        ]
    }

    fn contact() -> impl Strategy<Value = ContactRecord> {
        const DURATIONS: &[f64] = &[0.0, 1.0, 4.5, 30.0];
        (
            (
                proptest::bool::weighted(0.95),
                pick(
                    &["phone", "chat", "email", "other", "app"],
                    &["fax", "web"],
                    (8, 1, 1),
                ),
                // An empty kind reads as a consultation: a normalized frame never has none.
                pick(
                    &["consultation", "complaint", "order", "suggestion"],
                    &["x"],
                    (17, 3, 0),
                ),
                pick(&["normal", "urgent"], &["low"], (5, 1, 4)),
                pick(&["standard", "complex"], &["easy"], (5, 1, 4)),
            ),
            (time(9), time(6), time(6)),
            (
                amount(DURATIONS, (5, 1, 4)),
                amount(DURATIONS, (5, 1, 4)),
                amount(&[1.0, 3.0, 4.5, 5.0], (3, 1, 6)),
            ),
        )
            .prop_map(
                |((id, channel, kind, priority, complexity), t, v)| ContactRecord {
                    contact_id: id.then(String::new),
                    channel,
                    kind,
                    priority,
                    complexity,
                    arrived_ms: t.0,
                    answered_ms: t.1,
                    resolved_ms: t.2,
                    wait_s: v.0,
                    handle_s: v.1,
                    satisfaction: v.2,
                },
            )
    }

    fn contact_frame(rows: &[ContactRecord]) -> DataFrame {
        let s = |f: fn(&ContactRecord) -> Option<String>| rows.iter().map(f).collect::<Vec<_>>();
        let i = |f: fn(&ContactRecord) -> Option<i64>| rows.iter().map(f).collect::<Vec<_>>();
        let x = |f: fn(&ContactRecord) -> Option<f64>| rows.iter().map(f).collect::<Vec<_>>();
        df!(
            "contact_id" => s(|r| r.contact_id.clone()),
            "channel" => s(|r| r.channel.clone()),
            "kind" => s(|r| r.kind.clone()),
            "priority" => s(|r| r.priority.clone()),
            "complexity" => s(|r| r.complexity.clone()),
            "arrived_ms" => i(|r| r.arrived_ms),
            "answered_ms" => i(|r| r.answered_ms),
            "resolved_ms" => i(|r| r.resolved_ms),
            "wait_s" => x(|r| r.wait_s),
            "handle_s" => x(|r| r.handle_s),
            "satisfaction" => x(|r| r.satisfaction),
        )
        .unwrap()
    }

    /// Each rule's expression on `df`, as one verdict per row (null: broken).
    fn verdicts<R, C>(df: &DataFrame, rule: &Rule<R, C>, against: &C) -> Vec<bool> {
        let out = df
            .clone()
            .lazy()
            .select([(rule.expr)(against).fill_null(lit(false)).alias("ok")])
            .collect()
            .unwrap();
        out.column("ok")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .map(|v| v.unwrap_or(false))
            .collect()
    }

    /// The accepted rows' ids when `csv` is read by the row check or by the block reader.
    fn accepted(csv: &str, record_reader: bool, sink: &mut dyn RowSink) {
        let opts = ReadOptions {
            record_reader,
            ..Default::default()
        };
        ingest::read_bytes(
            std::path::Path::new("t.csv"),
            csv.as_bytes().to_vec(),
            &opts,
            sink,
        )
        .unwrap();
    }

    fn ids(df: &DataFrame, column: &str) -> Vec<String> {
        let mut v: Vec<String> = df
            .column(column)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .map(str::to_string)
            .collect();
        v.sort();
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        #[test]
        fn every_contact_path_keeps_exactly_the_rules(rows in proptest::collection::vec(contact(), 1..40)) {
            // A declared channel besides the built-in ones.
            let mut checks = Checks::default();
            let app = crate::channel::ChannelDecl { name: "app".into(), realtime: Some(true), aliases: vec![] };
            checks.channels.declare(&[app], "c.toml").unwrap();
            // Ids are the row numbers, so that accepted rows can be named.
            let rows: Vec<ContactRecord> = rows
                .into_iter()
                .enumerate()
                .map(|(i, mut r)| {
                    r.contact_id = r.contact_id.map(|_| format!("c{i:03}"));
                    r
                })
                .collect();
            let df = contact_frame(&rows);
            for rule in CONTACT_RULES {
                let want: Vec<bool> = rows.iter().map(|r| (rule.holds)(r, &checks)).collect();
                prop_assert_eq!(verdicts(&df, rule, &checks), want, "{}", rule.name);
            }
            let mut csv = String::from("contact_id,channel,kind,priority,complexity,arrived_at,answered_at,resolved_at,wait_seconds,handle_seconds,satisfaction\n");
            for r in &rows {
                csv.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{},{},{}\n",
                    text(&r.contact_id), text(&r.channel), text(&r.kind), text(&r.priority),
                    text(&r.complexity), r.arrived_ms.map(local).unwrap_or_default(),
                    r.answered_ms.map(local).unwrap_or_default(),
                    r.resolved_ms.map(local).unwrap_or_default(),
                    num(r.wait_s), num(r.handle_s), num(r.satisfaction),
                ));
            }
            let want: Vec<String> = rows
                .iter()
                .filter(|r| CONTACT_RULES.iter().all(|rule| (rule.holds)(r, &checks)))
                .filter_map(|r| r.contact_id.clone())
                .collect();
            for record_reader in [true, false] {
                let mut sink = ContactSink::new(TZ, checks.clone());
                accepted(&csv, record_reader, &mut sink);
                let (df, _, _) = sink.into_frame().unwrap();
                prop_assert_eq!(ids(&df, "contact_id"), want.clone(), "record reader: {}\n{}", record_reader, csv);
            }
        }

        #[test]
        fn every_survey_path_keeps_exactly_the_rules(
            rows in proptest::collection::vec((
                amount(&[1.0, 2.0, 4.5, 5.0], (6, 2, 1)),
                prop_oneof![Just(None), proptest::sample::select(&[-1.0, 0.0, 9.0, 10.0, 10.5, 11.0][..]).prop_map(Some)],
            ), 1..40),
        ) {
            let survey = SurveyCfg::default();
            let mut rows: Vec<SurveyRecord> = rows
                .into_iter()
                .enumerate()
                .map(|(i, (score, nps))| SurveyRecord { response_id: Some(format!("s{i:03}")), score, nps })
                .collect();
            // The row check names a response without an id after its row; a converted file
            // may still lack one.
            let mut framed = rows.clone();
            framed.push(SurveyRecord { response_id: None, score: Some(3.0), nps: None });
            let df = df!(
                "response_id" => framed.iter().map(|r| r.response_id.clone()).collect::<Vec<_>>(),
                "score" => framed.iter().map(|r| r.score).collect::<Vec<_>>(),
                "nps" => framed.iter().map(|r| r.nps).collect::<Vec<_>>(),
            ).unwrap();
            for rule in SURVEY_RULES {
                let want: Vec<bool> = framed.iter().map(|r| (rule.holds)(r, &survey)).collect();
                prop_assert_eq!(verdicts(&df, rule, &survey), want, "{}", rule.name);
            }
            let mut csv = String::from("response_id,score,nps\n");
            for r in &rows {
                csv.push_str(&format!("{},{},{}\n", text(&r.response_id), num(r.score), num(r.nps)));
            }
            rows.retain(|r| SURVEY_RULES.iter().all(|rule| (rule.holds)(r, &survey)));
            let want: Vec<String> = rows.iter().filter_map(|r| r.response_id.clone()).collect();
            for record_reader in [true, false] {
                let mut sink = SurveySink::new(TZ, &survey);
                accepted(&csv, record_reader, &mut sink);
                let (df, _, _) = sink.into_frame().unwrap();
                prop_assert_eq!(ids(&df, "response_id"), want.clone(), "record reader: {}\n{}", record_reader, csv);
            }
        }
    }
}
