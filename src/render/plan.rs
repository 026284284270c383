//! A sampling plan's files: `plan.csv` (UTF-8 with a byte-order mark: stratum, contact id,
//! channel, agent, arrival, handling time, weight; no customer column) and `plan.xlsx` (the
//! plan's terms and its strata on one sheet, the list on another). The words are the plan's
//! ([`PlanReport`]); nothing is computed here.

use super::{write_err, Output};
use crate::error::{Error, Result};
use crate::report::plan::{PlanReport, PLAN_COLUMNS, PLAN_STRATA_COLUMNS};
use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, FormatAlign, Workbook};

fn err(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::runtime(format!("cannot write plan.xlsx: {e}"))
}

/// Hand the plan's two files to `out`.
pub fn render_plan(p: &PlanReport, out: &mut dyn Output) -> Result<()> {
    let lines = p.lines();
    let mut csv = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let fail = |e: csv::Error| write_err("plan.csv", e);
    csv.write_record(p.text.labels(PLAN_COLUMNS))
        .map_err(fail)?;
    for l in &lines {
        csv.write_record(l).map_err(fail)?;
    }
    let bytes = csv.into_inner().map_err(|e| write_err("plan.csv", e))?;
    out.bytes("plan.csv", &bytes)?;
    out.bytes("plan.xlsx", &workbook(p, &lines)?)
}

fn workbook(p: &PlanReport, lines: &[[String; 7]]) -> Result<Vec<u8>> {
    let t = &p.text;
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_timestamp(p.doc_epoch).map_err(err)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(t.label("plan_title"))
            .set_author("cseval")
            .set_creation_datetime(&created),
    );
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0x1F4E79))
        .set_font_color(Color::White);
    let top = Format::new().set_align(FormatAlign::Top).set_text_wrap();
    let bold = Format::new().set_bold().set_align(FormatAlign::Top);
    let count = Format::new().set_num_format("#,##0");
    let ws = wb.add_worksheet();
    ws.set_name(t.label("plan_sheet")).map_err(err)?;
    for (c, w) in [22.0, 14.0, 12.0, 14.0, 14.0, 14.0].into_iter().enumerate() {
        ws.set_column_width(c as u16, w).map_err(err)?;
    }
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    let mut row = 0u32;
    for (item, value) in p.summary() {
        ws.write_string_with_format(row, 0, item, &bold)
            .map_err(err)?;
        // The value across columns B to F (about 68 characters, a CJK one counting two).
        ws.merge_range(row, 1, row, 5, &value, &top).map_err(err)?;
        let units: usize = value
            .chars()
            .map(|c| if c.is_ascii() { 1 } else { 2 })
            .sum();
        ws.set_row_height(row, 15.0 * units.div_ceil(68).max(1) as f64)
            .map_err(err)?;
        row += 1;
    }
    row += 1;
    for (c, h) in t.labels(PLAN_STRATA_COLUMNS).iter().enumerate() {
        ws.write_string_with_format(row, c as u16, h, &header)
            .map_err(err)?;
    }
    for (k, s) in p.drawn.strata.iter().enumerate() {
        row += 1;
        ws.write_string_with_format(row, 0, p.stratum_label(k), &top)
            .map_err(err)?;
        ws.write_number_with_format(row, 1, s.population as f64, &count)
            .map_err(err)?;
        ws.write_number_with_format(row, 2, s.sample as f64, &count)
            .map_err(err)?;
    }
    let ws = wb.add_worksheet();
    ws.set_name(t.label("plan_list_sheet")).map_err(err)?;
    for (c, (h, w)) in t
        .labels(PLAN_COLUMNS)
        .iter()
        .zip([24.0, 18.0, 10.0, 12.0, 20.0, 12.0, 8.0])
        .enumerate()
    {
        ws.write_string_with_format(0, c as u16, h, &header)
            .map_err(err)?;
        ws.set_column_width(c as u16, w).map_err(err)?;
    }
    for (i, l) in lines.iter().enumerate() {
        for (c, v) in l.iter().enumerate() {
            ws.write_string(i as u32 + 1, c as u16, v).map_err(err)?;
        }
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0).map_err(err)?;
    ws.autofilter(0, 0, lines.len() as u32, PLAN_COLUMNS.len() as u16 - 1)
        .map_err(err)?;
    wb.save_to_buffer().map_err(err)
}
