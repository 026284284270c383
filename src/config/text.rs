//! The report's wording in one language: labels, Method paragraphs and findings texts, from
//! `report-templates/text/{zh,en}.toml` (compiled in). Every word a reader sees comes from
//! these tables; this module fills placeholders and nothing else.

use super::Lang;
use serde::Deserialize;
use std::collections::BTreeMap;

const ZH: &str = include_str!("../../report-templates/text/zh.toml");
const EN: &str = include_str!("../../report-templates/text/en.toml");

/// Report wording in one language.
#[derive(Debug, Clone, Deserialize)]
pub struct Text {
    /// The language of the tables.
    #[serde(skip)]
    pub lang: Lang,
    pub labels: BTreeMap<String, String>,
    pub method: BTreeMap<String, String>,
    pub findings: FindingText,
    /// Why a row was not accepted, by the keys of [`crate::why`], placeholders `{0}` …
    pub reasons: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FindingText {
    pub weekdays: Vec<String>,
    #[serde(flatten)]
    pub text: BTreeMap<String, String>,
}

/// Placeholders of Method paragraphs about terms an evaluation may not have.
pub const OPTIONAL: &[&str] = &["{default_priority}", "{declared_channels}", "{fcr_window}"];

impl Text {
    pub fn load(lang: Lang) -> Text {
        let src = match lang {
            Lang::Zh => ZH,
            Lang::En => EN,
        };
        let text: Text =
            toml::from_str(src).expect("report-templates/text is valid (checked by a unit test)");
        Text { lang, ..text }
    }
    /// A label; the key itself when missing (so a gap is visible, never a crash).
    pub fn label(&self, key: &str) -> String {
        self.labels
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }
    /// A row's reason ([`crate::why`]) in this language; a plain text as it is. A key the
    /// table lacks shows itself and its values (a gap is visible, never a crash).
    pub fn reason(&self, why: &str) -> String {
        let Some((key, args)) = crate::why::decode(why) else {
            return why.to_string();
        };
        let Some(template) = self.reasons.get(key) else {
            return std::iter::once(key)
                .chain(args)
                .collect::<Vec<_>>()
                .join(" ");
        };
        let mut out = template.clone();
        for (i, a) in args.iter().enumerate() {
            let sep = self.label("list_separator");
            out = out.replace(&format!("{{{i}}}"), &a.replace(crate::why::LIST, &sep));
        }
        out
    }
    /// The label `key`, or `fallback` when the table has none (a value shown as it is).
    pub fn label_or(&self, key: &str, fallback: &str) -> String {
        self.labels
            .get(key)
            .cloned()
            .unwrap_or_else(|| fallback.to_string())
    }

    /// A channel's label: a built-in channel's from the table, a declared one's name.
    pub fn channel(&self, name: &str) -> String {
        if crate::channel::is_built_in(name) {
            self.label(name)
        } else {
            name.to_string()
        }
    }

    /// A canonical column's name as this language writes it (`arrived_at` is 到达时间);
    /// a column the table does not name (a criterion, a survey item) as it is.
    pub fn column(&self, name: &str) -> String {
        // A criterion's or a survey item's column: 质检项（开场问候）.
        let of = |kind: &str, what: String| {
            self.label("column_of")
                .replace("{kind}", &self.label(kind))
                .replace("{name}", &what)
        };
        if let Some(c) = name.strip_prefix(crate::columns::CRITERION_PREFIX) {
            return of("criterion", self.criterion(c));
        }
        if let Some(q) = name.strip_prefix(crate::columns::ITEM_PREFIX) {
            return of("survey_item", q.to_string());
        }
        self.label_or(&format!("column_{name}"), name)
    }

    /// A time zone as this language names it (Asia/Shanghai is 北京时间 in Chinese); others
    /// by their IANA name.
    pub fn zone(&self, tz: &str) -> String {
        self.label_or(&format!("zone_{}", tz.replace('/', "_")), tz)
    }

    /// The labels of `keys`, in order (table headers).
    pub fn labels(&self, keys: &[&str]) -> Vec<String> {
        keys.iter().map(|k| self.label(k)).collect()
    }

    /// The Method paragraphs in reading order, placeholders filled in; a paragraph whose
    /// [`OPTIONAL`] placeholder is not filled is left out.
    pub fn method_paragraphs(
        &self,
        survey: &super::contract::SurveyCfg,
        vars: &[(&str, String)],
    ) -> Vec<String> {
        const ORDER: &[&str] = &[
            "intro",
            "rows",
            "service_level",
            "response_within",
            "abandon",
            "resolution",
            "fcr",
            "resolved_within",
            "csat",
            "percentile",
            "status",
            "uncertainty",
            "evidence",
        ];
        let rest = self
            .method
            .keys()
            .filter(|k| !ORDER.contains(&k.as_str()))
            .map(|k| k.as_str());
        ORDER
            .iter()
            .copied()
            .chain(rest)
            .filter_map(|k| self.method.get(k))
            .map(|v| {
                let mut v = v
                    .replace("{top_box}", &survey.top_box.to_string())
                    .replace("{scale_min}", &survey.scale_min.to_string())
                    .replace("{scale_max}", &survey.scale_max.to_string());
                for (k, x) in vars {
                    v = v.replace(&format!("{{{k}}}"), x);
                }
                v
            })
            // A paragraph about a term this evaluation does not set keeps its placeholder:
            // it is left out.
            .filter(|v| !OPTIONAL.iter().any(|p| v.contains(p)))
            .collect()
    }

    /// An order sub-type's label: the standard ones translated, others (topics) as they are.
    pub fn order_type(&self, key: &str) -> String {
        self.label_or(&format!("order_type_{key}"), key)
    }

    /// A quality criterion's label: the common ones translated, others as named.
    pub fn criterion(&self, key: &str) -> String {
        self.labels
            .get(&format!("criterion_{key}"))
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    /// A findings text, placeholders `{name}` filled in from `vars`.
    pub fn finding(&self, key: &str, vars: &[(&str, String)]) -> String {
        let mut s = self
            .findings
            .text
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string());
        for (k, v) in vars {
            s = s.replace(&format!("{{{k}}}"), v);
        }
        s
    }
}
