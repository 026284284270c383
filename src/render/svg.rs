//! `charts/*.svg`: stand-alone SVG charts drawn with plotters (SVG backend, no system fonts:
//! text is emitted as SVG `<text>` and label areas are sized for CJK width here).
//!
//! Charts: SLA attainment vs target, consultation hotspots, complaint types, contacts per
//! day. Each title carries the contract and period. Drawing only; no figure is computed.

use super::{Output, Renderer};
use crate::error::{Error, Result};
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

fn plot_err<E: std::fmt::Debug>(e: E) -> Error {
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
        root.fill(&WHITE).map_err(plot_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18).into_font().color(&GREY))
            .margin(14)
            .x_label_area_size(28)
            .y_label_area_size(label_w)
            .build_cartesian_2d(0f64..xmax, (0..(n - 1).max(1)).into_segmented())
            .map_err(plot_err)?;
        // The first item on top: item i is drawn in row n - 1 - i.
        let names: Vec<String> = bars.iter().rev().map(|b| b.name.clone()).collect();
        let fmt_y = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) => usize::try_from(*i)
                .ok()
                .and_then(|i| names.get(i))
                .cloned()
                .unwrap_or_default(),
            _ => String::new(),
        };
        let row = |i: usize| n - 1 - i as i32;
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
            // Whole numbers on a short scale (a 1–5 score), not 0, 0, 1, 2, 2 …
            .x_labels(if pct || xmax > 10.0 {
                11
            } else {
                xmax as usize + 1
            })
            .x_label_formatter(&fmt_x)
            .label_style((FONT, 13).into_font().color(&GREY))
            .light_line_style(RGBColor(0xEE, 0xEE, 0xEE))
            .draw()
            .map_err(plot_err)?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                let color = match b.ok {
                    Some(true) => GREEN,
                    Some(false) => RED,
                    None => BLUE,
                };
                let mut r = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(row(i))),
                        (b.value.min(xmax), SegmentValue::Exact(row(i) + 1)),
                    ],
                    color.filled(),
                );
                r.set_margin(6, 6, 0, 0);
                r
            }))
            .map_err(plot_err)?;
        chart
            .draw_series(bars.iter().enumerate().filter_map(|(i, b)| {
                b.target.map(|t| {
                    PathElement::new(
                        vec![
                            (t, SegmentValue::Exact(row(i))),
                            (t, SegmentValue::Exact(row(i) + 1)),
                        ],
                        BLACK.stroke_width(2),
                    )
                })
            }))
            .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
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
        root.fill(&WHITE).map_err(plot_err)?;
        let n = labels.len().max(1);
        let ymax = series
            .iter()
            .flat_map(|(_, v, _)| v.iter().copied())
            .fold(1.0f64, f64::max)
            * 1.1;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18).into_font().color(&GREY))
            .margin(14)
            // The last period's label is centred on the right edge: room for its half.
            .margin_right(40)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0..(n as i32 - 1).max(1), 0f64..ymax)
            .map_err(plot_err)?;
        let fmt_x = |i: &i32| labels.get(*i as usize).cloned().unwrap_or_default();
        chart
            .configure_mesh()
            .x_labels(n.min(16))
            .x_label_formatter(&fmt_x)
            .y_label_formatter(&|v: &f64| format!("{v:.0}%"))
            .label_style((FONT, 12).into_font().color(&GREY))
            .light_line_style(RGBColor(0xEE, 0xEE, 0xEE))
            .draw()
            .map_err(plot_err)?;
        for (name, values, color) in series {
            let c = *color;
            chart
                .draw_series(LineSeries::new(
                    values.iter().enumerate().map(|(i, v)| (i as i32, *v)),
                    c.stroke_width(2),
                ))
                .map_err(plot_err)?
                .label(*name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .label_font((FONT, 12).into_font())
            .border_style(GREY)
            .background_style(WHITE)
            .draw()
            .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    Ok(s)
}

/// Vertical bars (left axis, counts) with a percentage line (right axis, 0–100 %): a Pareto
/// chart with the cumulative share, or daily volume with the service level.
fn bars_and_line(
    title: &str,
    labels: &[String],
    bars: &[f64],
    bar_name: &str,
    line: &[Option<f64>],
    line_name: &str,
) -> Result<String> {
    let mut s = String::new();
    {
        let n = labels.len().max(1);
        let root = SVGBackend::with_string(&mut s, (820, 380)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let ymax = bars.iter().copied().fold(1.0f64, f64::max) * 1.15;
        // At most 16 dates under the axis, so that none overprints the next.
        let shown = n.min(16);
        let rotate = labels
            .iter()
            .map(|l| text_width(l, 12.0))
            .max()
            .unwrap_or(0)
            > 700 / shown as u32;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18).into_font().color(&GREY))
            .margin(14)
            // A band above the plot for the legend, which hides no bar there.
            .margin_top(34)
            .x_label_area_size(if rotate { 70 } else { 34 })
            .y_label_area_size(50)
            .right_y_label_area_size(50)
            .build_cartesian_2d((0..n as i32 - 1).into_segmented(), 0f64..ymax)
            .map_err(plot_err)?
            .set_secondary_coord((0..n as i32 - 1).into_segmented(), 0f64..1.05f64);
        let fmt_x = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        let style = if rotate {
            (FONT, 11)
                .into_font()
                .transform(FontTransform::Rotate90)
                .color(&GREY)
        } else {
            (FONT, 12).into_font().color(&GREY)
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(shown)
            .x_label_formatter(&fmt_x)
            .x_label_style(style)
            .y_label_style((FONT, 12).into_font().color(&GREY))
            .y_label_formatter(&|v: &f64| format!("{v:.0}"))
            .light_line_style(RGBColor(0xEE, 0xEE, 0xEE))
            .draw()
            .map_err(plot_err)?;
        chart
            .configure_secondary_axes()
            .y_label_formatter(&|v: &f64| format!("{:.0}%", v * 100.0))
            .label_style((FONT, 12).into_font().color(&GREY))
            .draw()
            .map_err(plot_err)?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, v)| {
                let mut r = Rectangle::new(
                    [
                        (SegmentValue::Exact(i as i32), 0.0),
                        (SegmentValue::Exact(i as i32 + 1), *v),
                    ],
                    BLUE.filled(),
                );
                r.set_margin(0, 0, 2, 2);
                r
            }))
            .map_err(plot_err)?;
        let pts: Vec<(SegmentValue<i32>, f64)> = line
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (SegmentValue::CenterOf(i as i32), v)))
            .collect();
        chart
            .draw_secondary_series(LineSeries::new(pts.clone(), RED.stroke_width(2)))
            .map_err(plot_err)?;
        chart
            .draw_secondary_series(pts.iter().map(|p| Circle::new(p.clone(), 3, RED.filled())))
            .map_err(plot_err)?;
        // The legend in the band above the plot, right-aligned with it.
        let (xs, ys) = chart.plotting_area().get_pixel_range();
        let font = (FONT, 12).into_font().color(&GREY);
        let line_w = text_width(line_name, 12.0) as i32;
        let bar_w = text_width(bar_name, 12.0) as i32;
        let y = ys.start - 14;
        let x_line = xs.end - line_w - 22;
        let x_bar = x_line - bar_w - 34;
        root.draw(&Rectangle::new(
            [(x_bar, y - 5), (x_bar + 12, y + 5)],
            BLUE.filled(),
        ))
        .map_err(plot_err)?;
        root.draw(&Text::new(
            bar_name.to_string(),
            (x_bar + 16, y - 7),
            font.clone(),
        ))
        .map_err(plot_err)?;
        root.draw(&PathElement::new(
            vec![(x_line, y), (x_line + 16, y)],
            RED.stroke_width(2),
        ))
        .map_err(plot_err)?;
        root.draw(&Text::new(
            line_name.to_string(),
            (x_line + 20, y - 7),
            font,
        ))
        .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    Ok(s)
}

/// Weekday × hour heatmap of contacts (darker = more), with the count in each busy cell.
fn heatmap(
    title: &str,
    weekdays: &[String],
    cells: &[(u32, u32, u64)],
    scale_name: &str,
) -> Result<String> {
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (820, 300)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let max = cells.iter().map(|c| c.2).max().unwrap_or(1).max(1) as f64;
        // From the palest (no contact) to the darkest (the busiest hour) blue.
        let shade = |t: f64| {
            let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * t).round() as u8;
            RGBColor(mix(0xF4, 0x1F), mix(0xF7, 0x4E), mix(0xFB, 0x79))
        };
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18).into_font().color(&GREY))
            .margin(14)
            // Room on the right for the colour scale.
            .margin_right(90)
            .x_label_area_size(28)
            .y_label_area_size(
                weekdays
                    .iter()
                    .map(|w| text_width(w, 12.0))
                    .max()
                    .unwrap_or(30)
                    + 14,
            )
            .build_cartesian_2d((0..23i32).into_segmented(), (0..6i32).into_segmented())
            .map_err(plot_err)?;
        let fmt_y = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) => usize::try_from(6 - *i)
                .ok()
                .and_then(|k| weekdays.get(k))
                .cloned()
                .unwrap_or_default(),
            _ => String::new(),
        };
        let fmt_x = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(h) => format!("{h:02}"),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(24)
            .y_labels(7)
            .x_label_formatter(&fmt_x)
            .y_label_formatter(&fmt_y)
            .label_style((FONT, 12).into_font().color(&GREY))
            .draw()
            .map_err(plot_err)?;
        chart
            .draw_series(cells.iter().map(|&(w, h, n)| {
                let color = shade(n as f64 / max);
                let y = 6 - w as i32;
                Rectangle::new(
                    [
                        (SegmentValue::Exact(h as i32), SegmentValue::Exact(y)),
                        (
                            SegmentValue::Exact(h as i32 + 1),
                            SegmentValue::Exact(y + 1),
                        ),
                    ],
                    color.filled(),
                )
            }))
            .map_err(plot_err)?;
        // The colour scale: 0 at the foot, the busiest hour's count at the top.
        let (xs, ys) = chart.plotting_area().get_pixel_range();
        let (x0, steps) = (xs.end + 24, 20);
        let h = (ys.end - ys.start) as f64;
        for k in 0..steps {
            let top = ys.start + (h * k as f64 / steps as f64) as i32;
            let bottom = ys.start + (h * (k + 1) as f64 / steps as f64) as i32;
            let t = 1.0 - (k as f64 + 0.5) / steps as f64;
            root.draw(&Rectangle::new(
                [(x0, top), (x0 + 14, bottom)],
                shade(t).filled(),
            ))
            .map_err(plot_err)?;
        }
        let font = (FONT, 12).into_font().color(&GREY);
        for (text, y) in [
            (format!("{max:.0}"), ys.start),
            ("0".to_string(), ys.end - 12),
        ] {
            root.draw(&Text::new(text, (x0 + 20, y), font.clone()))
                .map_err(plot_err)?;
        }
        root.draw(&Text::new(
            scale_name.to_string(),
            (x0 - 6, ys.start - 18),
            font,
        ))
        .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    Ok(s)
}

impl Renderer for Svg {
    fn name(&self) -> &'static str {
        "charts/*.svg"
    }

    fn render(&self, r: &Report, out: &mut dyn Output) -> Result<()> {
        for (rel, bytes) in self.charts(r)? {
            out.bytes(&rel.display().to_string(), &bytes)?;
        }
        Ok(())
    }
}

impl Svg {
    /// The charts, as (path relative to the output folder, bytes): `report.html` inlines them.
    pub fn charts(&self, r: &Report) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        let t = &r.text;
        let title = |k: &str| {
            format!(
                "{} — {} {}",
                t.label(k),
                r.metrics.contract_name,
                r.period_name()
            )
        };
        let mut out = Vec::new();

        // The SLAs on a rate on a percentage axis; those on a mean score on the survey
        // scale's, in a chart of their own.
        for (rate, file, key) in [
            (true, "charts/sla.svg", "chart_sla"),
            (false, "charts/sla_mean.svg", "chart_sla_mean"),
        ] {
            let bars: Vec<Bar> = r
                .metrics
                .scorecard
                .iter()
                .filter(|l| l.metric.is_rate() == rate)
                .map(|l| Bar {
                    name: l.name.clone(),
                    value: l.actual.unwrap_or(0.0),
                    target: Some(l.target),
                    ok: match l.status {
                        crate::evaluate::Status::Met => Some(true),
                        crate::evaluate::Status::Missed => Some(false),
                        crate::evaluate::Status::NotMeasurable
                        | crate::evaluate::Status::Inconclusive => None,
                    },
                })
                .collect();
            if rate || !bars.is_empty() {
                let xmax = if rate { 1.0 } else { r.scale().1 };
                out.push((PathBuf::from(file), hbars(&title(key), &bars, xmax, rate)?));
            }
        }

        let top: Vec<Bar> = r
            .metrics
            .topics
            .iter()
            .take(12)
            .map(|x| Bar {
                name: x.row.topic.clone().unwrap_or_else(|| t.label("none")),
                value: x.row.contacts as f64,
                target: None,
                ok: None,
            })
            .collect();
        out.push((
            PathBuf::from("charts/hotspots.svg"),
            count_bars(&title("chart_hotspots"), &top)?,
        ));

        let orders: Vec<Bar> = r
            .metrics
            .orders
            .types
            .iter()
            .take(12)
            .map(|o| Bar {
                name: t.order_type(&o.order_type),
                value: o.contacts as f64,
                target: None,
                ok: None,
            })
            .collect();
        out.push((
            PathBuf::from("charts/orders.svg"),
            count_bars(&title("chart_orders"), &orders)?,
        ));

        if let Some(q) = &r.metrics.quality {
            // Fail rate per criterion (a rate, so the axis runs to 100 %).
            let bars: Vec<Bar> = q
                .criteria
                .iter()
                .take(12)
                .map(|c| Bar {
                    name: t.criterion(&c.criterion),
                    value: c.fail_rate.unwrap_or(0.0),
                    target: None,
                    ok: None,
                })
                .collect();
            out.push((
                PathBuf::from("charts/quality.svg"),
                hbars(&title("chart_qa"), &bars, 1.0, true)?,
            ));
        }

        out.push((
            PathBuf::from("charts/complaints.svg"),
            complaint_pareto(r, &title("chart_complaints"))?,
        ));

        // Weekday × hour heatmap.
        let cells: Vec<(u32, u32, u64)> = r
            .metrics
            .hourly
            .iter()
            .map(|h| (h.weekday, h.hour, h.contacts))
            .collect();
        out.push((
            PathBuf::from("charts/heatmap.svg"),
            heatmap(
                &title("weekday_hour"),
                &t.findings.weekdays,
                &cells,
                &t.label("contacts"),
            )?,
        ));

        // Satisfaction distribution.
        let dist: Vec<Bar> = r
            .metrics
            .satisfaction_distribution
            .iter()
            .map(|d| Bar {
                name: crate::report::score_label(d.score),
                value: d.responses as f64,
                target: None,
                ok: None,
            })
            .collect();
        out.push((
            PathBuf::from("charts/satisfaction.svg"),
            count_bars(&title("chart_satisfaction"), &dist)?,
        ));

        if r.metrics.trend.len() > 1 {
            out.push((
                PathBuf::from("charts/trend.svg"),
                trend_chart(r, &title("sheet_trend"))?,
            ));
        }
        out.push((
            PathBuf::from("charts/daily.svg"),
            daily_chart(r, &title("chart_daily"))?,
        ));
        Ok(out.into_iter().map(|(p, s)| (p, s.into_bytes())).collect())
    }
}

/// The complaint Pareto chart: complaints by type with the cumulative share.
fn complaint_pareto(r: &Report, title: &str) -> Result<String> {
    let t = &r.text;
    let names: Vec<String> = r
        .metrics
        .complaint_types
        .iter()
        .map(|x| {
            x.row
                .complaint_type
                .clone()
                .unwrap_or_else(|| t.label("none"))
        })
        .collect();
    let counts: Vec<f64> = r
        .metrics
        .complaint_types
        .iter()
        .map(|x| x.row.complaints as f64)
        .collect();
    let mut acc = 0.0;
    let cumulative: Vec<Option<f64>> = r
        .metrics
        .complaint_types
        .iter()
        .map(|x| {
            acc += x.row.share;
            Some(acc.min(1.0))
        })
        .collect();
    bars_and_line(
        title,
        &names,
        &counts,
        &t.label("complaints"),
        &cumulative,
        &t.label("cumulative_share"),
    )
}

/// The trend of the rates across the history's periods and this one.
fn trend_chart(r: &Report, title: &str) -> Result<String> {
    let t = &r.text;
    let labels: Vec<String> = r
        .metrics
        .trend
        .iter()
        .map(|x| r.month_label(&x.period))
        .collect();
    let pct = |f: fn(&crate::report::TrendRow) -> Option<f64>| {
        r.metrics
            .trend
            .iter()
            .map(|x| f(x).unwrap_or(0.0) * 100.0)
            .collect::<Vec<_>>()
    };
    let res = t.label("resolution_rate");
    let top = t.label("csat_top_box_rate");
    let fcr = t.label("fcr_rate");
    line_chart(
        title,
        &labels,
        &[
            (res.as_str(), pct(|x| x.resolution_rate), BLUE),
            (top.as_str(), pct(|x| x.csat_top_box_rate), GREEN),
            (fcr.as_str(), pct(|x| x.fcr_rate), RED),
        ],
    )
}

/// Contacts per day with the service level of that day.
fn daily_chart(r: &Report, title: &str) -> Result<String> {
    let t = &r.text;
    let labels: Vec<String> = r
        .metrics
        .daily
        .iter()
        .map(|d| d.date.get(5..).unwrap_or(&d.date).to_string())
        .collect();
    let volume: Vec<f64> = r.metrics.daily.iter().map(|d| d.contacts as f64).collect();
    let sl: Vec<Option<f64>> = r.metrics.daily.iter().map(|d| d.service_level).collect();
    bars_and_line(
        title,
        &labels,
        &volume,
        &t.label("contacts"),
        &sl,
        &t.label("service_level"),
    )
}

/// Horizontal bars of counts, the axis running a tenth past the largest.
fn count_bars(title: &str, bars: &[Bar]) -> Result<String> {
    let xmax = bars.iter().map(|b| b.value).fold(1.0, f64::max) * 1.1;
    hbars(title, bars, xmax, false)
}

#[cfg(test)]
mod tests {
    #[test]
    fn cjk_is_wider_than_latin() {
        assert_eq!(super::text_width("运单查询", 10.0), 40);
        assert_eq!(super::text_width("abcd", 10.0), 24);
    }
}
