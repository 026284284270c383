//! Benchmark reference for issue 7: the time calamine alone takes to read every cell of the
//! first sheet of an XLSX with its streaming cell reader (what cseval's XLSX ingest builds
//! on). Prints the cell count so the work cannot be skipped.
//!   cargo run --release --example calamine_read -- FILE.xlsx
use calamine::{Reader, Xlsx};

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: calamine_read FILE.xlsx");
    let mut wb: Xlsx<_> = calamine::open_workbook(&path).expect("open");
    let sheet = wb.sheet_names()[0].clone();
    let mut reader = wb.worksheet_cells_reader(&sheet).expect("sheet");
    let mut cells = 0u64;
    while let Some(c) = reader.next_cell().expect("cell") {
        if !matches!(c.get_value(), calamine::DataRef::Empty) {
            cells += 1;
        }
    }
    println!("{cells} cells");
}
