//! Benchmark helper for issue 7: write a canonical contacts CSV as an XLSX workbook, with
//! timestamps as Excel date-times and durations/ratings as numbers.
//!   cargo run --release --example csv_to_xlsx -- IN.csv OUT.xlsx
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

fn main() {
    let mut args = std::env::args().skip(1);
    let (input, output) = (args.next().expect("IN.csv"), args.next().expect("OUT.xlsx"));
    let text = std::fs::read_to_string(&input).expect("read");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let mut lines = text.lines();
    let headers: Vec<&str> = lines.next().expect("header").split(',').collect();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("write");
    }
    let numeric = ["wait_seconds", "handle_seconds", "satisfaction"];
    for (r, line) in lines.enumerate() {
        let r = r as u32 + 1;
        for (c, v) in line.split(',').enumerate() {
            if v.is_empty() {
                continue;
            }
            let col = c as u16;
            if headers[c].ends_with("_at") {
                let t = ExcelDateTime::parse_from_str(v).expect("timestamp");
                ws.write_datetime_with_format(r, col, &t, &date)
                    .expect("write");
            } else if numeric.contains(&headers[c]) {
                ws.write_number(r, col, v.parse::<f64>().expect("number"))
                    .expect("write");
            } else {
                ws.write_string(r, col, v).expect("write");
            }
        }
    }
    wb.save(&output).expect("save");
}
