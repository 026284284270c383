//! `charts/*.svg`: stand-alone SVG charts drawn with plotters (SVG backend, no system fonts:
//! text is emitted as SVG `<text>` and label areas are sized for CJK width here).
//!
//! Charts: SLA attainment vs target, consultation hotspots, complaint types, contacts per
//! day. Each title carries the contract and period. Drawing only; no figure is computed.

use super::Renderer;
use crate::error::{Error, Result};
use crate::evaluate::is_rate_metric;
use crate::report::Report;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use std::path::PathBuf;

pub struct Svg;

const FONT: &str = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif";
const BLUE: RGBColor = RGBColor(0x1F, 0x4E, 0x79);
const GREEN: RGBColor = RGBColor(0x37, 0x86, 0x4B);
const RED: RGBColor = RGBColor(0xC0, 0x39, 0x2B);
const GREY: RGBColor = RGBColor(0x44, 0x44, 0x44);

/// Display width in pixels of `s` at font size `px`: CJK and other wide characters take a
/// full em, others about 0.6 em.
pub fn text_width(s: &str, px: f64) -> u32 {
    let em: f64 = s
        .chars()
        .map(|c| if (c as u32) >= 0x2E80 { 1.0 } else { 0.6 })
        .sum();
    (em * px).ceil() as u32
}

fn pe<E: std::fmt::Debug>(e: E) -> Error {
    Error::runtime(format!("cannot draw a chart: {e:?}"))
}

struct Bar {
    name: String,
    value: f64,
    target: Option<f64>,
    ok: Option<bool>,
}

/// Horizontal bar chart; values in `0..xmax`.
fn hbars(title: &str, bars: &[Bar], xmax: f64, pct: bool) -> Result<String> {
    let mut s = String::new();
    let n = bars.len().max(1) as i32;
    let h = (90 + 34 * n as u32).max(200);
    let label_w = bars
        .iter()
        .map(|b| text_width(&b.name, 13.0))
        .max()
        .unwrap_or(40)
        + 16;
    {
        let root = SVGBackend::with_string(&mut s, (820, h)).into_drawing_area();
        root.fill(&WHITE).map_err(pe)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18).into_font().color(&GREY))
            .margin(14)
            .x_label_area_size(28)
            .y_label_area_size(label_w)
            .build_cartesian_2d(0f64..xmax, (0..n).into_segmented())
            .map_err(pe)?;
        let names: Vec<String> = bars.iter().map(|b| b.name.clone()).collect();
        let fmt_y = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) => names.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        let fmt_x = |v: &f64| {
            if pct {
                format!("{:.0}%", v * 100.0)
            } else {
                format!("{v:.0}")
            }
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n as usize)
            .y_label_formatter(&fmt_y)
            .x_label_formatter(&fmt_x)
            .label_style((FONT, 13).into_font().color(&GREY))
            .light_line_style(RGBColor(0xEE, 0xEE, 0xEE))
            .draw()
            .map_err(pe)?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                let color = match b.ok {
                    Some(true) => GREEN,
                    Some(false) => RED,
                    None => BLUE,
                };
                let mut r = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(i as i32)),
                        (b.value.min(xmax), SegmentValue::Exact(i as i32 + 1)),
                    ],
                    color.filled(),
                );
                r.set_margin(6, 6, 0, 0);
                r
            }))
            .map_err(pe)?;
        chart
            .draw_series(bars.iter().enumerate().filter_map(|(i, b)| {
                b.target.map(|t| {
                    PathElement::new(
                        vec![
                            (t, SegmentValue::Exact(i as i32)),
                            (t, SegmentValue::Exact(i as i32 + 1)),
                        ],
                        BLACK.stroke_width(2),
                    )
                })
            }))
            .map_err(pe)?;
        root.present().map_err(pe)?;
    }
    Ok(s)
}

fn line_chart(
    title: &str,
    labels: &[String],
    series: &[(&str, Vec<f64>, RGBColor)],
) -> Result<String> {
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (820, 360)).into_drawing_area();
        root.fill(&WHITE).map_err(pe)?;
        let n = labels.len().max(1);
        let ymax = series
            .iter()
            .flat_map(|(_, v, _)| v.iter().copied())
            .fold(1.0f64, f64::max)
            * 1.1;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18).into_font().color(&GREY))
            .margin(14)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0..(n as i32 - 1).max(1), 0f64..ymax)
            .map_err(pe)?;
        let fmt_x = |i: &i32| {
            labels
                .get(*i as usize)
                .map(|d| d.get(5..).unwrap_or(d).to_string())
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .x_labels(n.min(16))
            .x_label_formatter(&fmt_x)
            .label_style((FONT, 12).into_font().color(&GREY))
            .light_line_style(RGBColor(0xEE, 0xEE, 0xEE))
            .draw()
            .map_err(pe)?;
        for (name, values, color) in series {
            let c = *color;
            chart
                .draw_series(LineSeries::new(
                    values.iter().enumerate().map(|(i, v)| (i as i32, *v)),
                    c.stroke_width(2),
                ))
                .map_err(pe)?
                .label(*name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .label_font((FONT, 12).into_font())
            .border_style(GREY)
            .background_style(WHITE)
            .draw()
            .map_err(pe)?;
        root.present().map_err(pe)?;
    }
    Ok(s)
}

impl Renderer for Svg {
    fn name(&self) -> &'static str {
        "charts/*.svg"
    }

    fn render(&self, r: &Report) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        let t = &r.text;
        let title = |k: &str| {
            format!(
                "{} — {} {}",
                t.l(k),
                r.contract_name,
                r.period.start.get(..7).unwrap_or("")
            )
        };
        let mut out = Vec::new();

        let bars: Vec<Bar> = r
            .scorecard
            .iter()
            .filter(|l| is_rate_metric(&l.metric))
            .map(|l| Bar {
                name: l.id.clone(),
                value: l.actual.unwrap_or(0.0),
                target: Some(l.target),
                ok: l.actual.map(|a| a >= l.target - 1e-9),
            })
            .collect();
        out.push((
            PathBuf::from("charts/sla.svg"),
            hbars(&title("chart_sla"), &bars, 1.0, true)?,
        ));

        let top: Vec<Bar> = r
            .topics
            .iter()
            .take(12)
            .map(|x| Bar {
                name: x.topic.clone().unwrap_or_else(|| t.l("none")),
                value: x.contacts as f64,
                target: None,
                ok: None,
            })
            .collect();
        let xmax = top.iter().map(|b| b.value).fold(1.0, f64::max) * 1.1;
        out.push((
            PathBuf::from("charts/hotspots.svg"),
            hbars(&title("chart_hotspots"), &top, xmax, false)?,
        ));

        let comp: Vec<Bar> = r
            .complaint_types
            .iter()
            .take(12)
            .map(|x| Bar {
                name: x.complaint_type.clone().unwrap_or_else(|| t.l("none")),
                value: x.complaints as f64,
                target: None,
                ok: None,
            })
            .collect();
        let xmax = comp.iter().map(|b| b.value).fold(1.0, f64::max) * 1.1;
        out.push((
            PathBuf::from("charts/complaints.svg"),
            hbars(&title("chart_complaints"), &comp, xmax, false)?,
        ));

        let labels: Vec<String> = r.daily.iter().map(|d| d.date.clone()).collect();
        let contacts_label = t.l("contacts");
        let answered_label = t.l("answered");
        let daily = line_chart(
            &title("chart_daily"),
            &labels,
            &[
                (
                    contacts_label.as_str(),
                    r.daily.iter().map(|d| d.contacts as f64).collect(),
                    BLUE,
                ),
                (
                    answered_label.as_str(),
                    r.daily.iter().map(|d| d.answered as f64).collect(),
                    GREEN,
                ),
            ],
        )?;
        out.push((PathBuf::from("charts/daily.svg"), daily));
        Ok(out.into_iter().map(|(p, s)| (p, s.into_bytes())).collect())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cjk_is_wider_than_latin() {
        assert_eq!(super::text_width("运单查询", 10.0), 40);
        assert_eq!(super::text_width("abcd", 10.0), 24);
    }
}
