//! The payment statement (费用结算) as the renderers lay it out, one line per item (base
//! fee, bonus, each deduction, cap, net) and one per tier condition checked, and amounts as
//! the report writes them: thousands separators, two decimals and the contract's currency
//! in the language's form (`180,000.00 元`, `CNY 180,000.00`), in text and as an Excel number
//! format. The amounts are [`crate::evaluate::payment`]'s; nothing here computes one.

use super::{fmt_value_of, pct, Report};

/// One line of the statement: the item, how it is reckoned, its rate of the base fee, the
/// amount (negative for a deduction; the cap's is what it gives back) and the clause. The
/// amounts of the lines that are no totals add up to the net amount payable.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentLine {
    pub item: String,
    pub basis: String,
    pub rate: Option<f64>,
    pub amount: Option<f64>,
    pub clause: String,
    /// A total (shown in bold).
    pub total: bool,
}

impl PaymentLine {
    /// A line that is no total.
    pub fn new(
        item: String,
        basis: String,
        rate: Option<f64>,
        amount: Option<f64>,
        clause: String,
    ) -> Self {
        PaymentLine {
            item,
            basis,
            rate,
            amount,
            clause,
            total: false,
        }
    }
}

impl Report {
    /// The currency as this language writes it (元 for CNY in Chinese), if the contract
    /// names one.
    pub fn currency_unit(&self) -> Option<String> {
        let code = self.metrics.currency.as_deref()?;
        Some(self.text.label_or(&format!("currency_{code}"), code))
    }

    /// An amount with thousands separators and the currency; "—" for none.
    pub fn money(&self, x: Option<f64>) -> String {
        let Some(x) = x else {
            return "—".into();
        };
        let amount = crate::util::grouped(x, 2);
        match self.currency_unit() {
            Some(unit) => self
                .text
                .label("money_format")
                .replace("{amount}", &amount)
                .replace("{unit}", &unit),
            None => amount,
        }
    }

    /// The Excel number format of amounts: the same form, the currency as literal text.
    pub fn money_number_format(&self) -> String {
        match self.currency_unit() {
            Some(unit) => self
                .text
                .label("money_format")
                .replace("{amount}", "#,##0.00")
                .replace("{unit}", &format!("\"{unit}\"")),
            None => "#,##0.00".into(),
        }
    }
}

impl Report {
    /// The statement's lines as table cells ([`super::PAYMENT_COLUMNS`]), each with whether
    /// it is a figure: item, basis, rate, amount, clause.
    pub fn payment_cells(&self) -> Vec<Vec<(String, bool)>> {
        self.payment_lines()
            .into_iter()
            .map(|x| {
                vec![
                    (x.item, false),
                    (x.basis, false),
                    (x.rate.map_or(String::new(), |v| super::pct(Some(v))), true),
                    (self.money(x.amount), true),
                    (x.clause, false),
                ]
            })
            .collect()
    }

    /// The statement's lines: base fee, tier and bonus, each deduction, the deductions
    /// before the cap, the cap, the deduction, the net amount payable.
    pub fn payment_lines(&self) -> Vec<PaymentLine> {
        let Some(p) = &self.metrics.payment else {
            return Vec::new();
        };
        let t = &self.text;
        let l = |k: &str| t.label(k);
        let clause = |c: &Option<String>| c.clone().unwrap_or_default();
        let pct = |x: f64| pct(Some(x));
        let line = PaymentLine::new;
        let mut out = vec![line(
            l("payment_base_fee"),
            l("payment_base_fee_basis"),
            None,
            p.base_fee,
            String::new(),
        )];
        let tier = p.tier.clone().unwrap_or_else(|| l("payment_no_tier"));
        if p.tiers {
            out.push(line(
                t.label("payment_bonus").replace("{tier}", &tier),
                t.label("payment_bonus_basis")
                    .replace("{rate}", &pct(p.bonus_rate)),
                Some(p.bonus_rate),
                p.bonus.or(p.base_fee.map(|_| 0.0)),
                clause(&p.tier_clause),
            ));
        }
        for d in &p.deductions {
            out.push(line(
                t.label("payment_deduction_line").replace("{name}", &d.name),
                t.label("payment_deduction_line_basis")
                    .replace("{clause}", &d.clause)
                    .replace("{rate}", &pct(d.rate)),
                Some(d.rate),
                d.amount.map(|a| -a),
                clause(&p.penalty_clause),
            ));
        }
        if let Some(cap) = p.cap_rate {
            out.push(line(
                l("payment_cap"),
                t.label(if p.cap_applied {
                    "payment_cap_applied"
                } else {
                    "payment_cap_not_reached"
                })
                .replace("{before}", &pct(p.deduction_rate_before_cap))
                .replace("{cap}", &pct(cap)),
                Some(cap),
                // What the cap gives back: the lines above minus the deduction, so that
                // the lines that are no totals add up to the net amount.
                p.cap_applied
                    .then(|| {
                        let lines: f64 = p.deductions.iter().filter_map(|d| d.amount).sum();
                        p.deduction.map(|d| lines - d)
                    })
                    .flatten(),
                clause(&p.penalty_clause),
            ));
        }
        let breaches = PaymentLine {
            total: true,
            ..line(
                l("payment_deduction"),
                t.label("payment_deduction_basis")
                    .replace("{n}", &p.deductions.len().to_string()),
                Some(p.deduction_rate),
                p.deduction.map(|d| -d),
                clause(&p.penalty_clause),
            )
        };
        if p.penalty_terms || !p.deductions.is_empty() {
            out.push(breaches);
        }
        out.extend(self.score_payment_lines());
        out.push(PaymentLine {
            total: true,
            ..line(
                l("payment_net"),
                l("payment_net_basis"),
                None,
                p.net_payable,
                String::new(),
            )
        });
        out
    }

    /// The tier conditions checked: tier, condition in words, figure, requirement, result.
    pub fn condition_lines(&self) -> Vec<[String; 5]> {
        let Some(p) = &self.metrics.payment else {
            return Vec::new();
        };
        let t = &self.text;
        p.conditions
            .iter()
            .map(|c| {
                let name = c
                    .subject_name
                    .clone()
                    .unwrap_or_else(|| t.label(&c.subject));
                let shown = |v: Option<f64>| fmt_value_of(v, c.percent);
                let result = match c.holds {
                    Some(true) => t.label("condition_holds"),
                    Some(false) => t.label("condition_fails"),
                    None => t.label("condition_undecided"),
                };
                let group = if c.group == "any" {
                    t.label("condition_any")
                } else {
                    String::new()
                };
                [
                    c.tier.clone(),
                    format!("{name}{group}"),
                    shown(c.actual),
                    format!("{} {}", c.op, shown(Some(c.value))),
                    result,
                ]
            })
            .collect()
    }
}
