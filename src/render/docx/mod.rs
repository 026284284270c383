//! `report.docx`: the written evaluation report (评估报告) both parties sign, with the
//! workbook as its annex. A4, a cover page, a table of contents, the chapters
//! ([`chapters`]), a sign-off block, headers and footers with page numbers; tables are Word
//! tables and the charts are PNG pictures drawn from the same SVG ([`png`]).
//!
//! This module is the document's furniture (page, styles, headings and their bookmarks,
//! tables, pictures, fields); it computes no figure and words nothing itself: every figure is
//! the report's, formatted by `report::format`, every word the text tables'. The file is
//! byte-identical from run to run: its dates are the report's document timestamp, and every
//! id the format needs (bookmarks, pictures, paragraphs) is numbered here or on a thread of
//! its own, never from a counter shared with another document.

use super::{Output, Renderer};
use crate::error::{Error, Result};
use crate::report::Report;
use docx_rs::{
    AlignmentType, BreakType, FieldCharType, Footer, Header, Hyperlink, HyperlinkType,
    InstrPAGEREF, InstrText, LineSpacing, NumPages, PageMargin, PageNum, Paragraph, Pic, Run,
    RunFonts, Shading, Style, StyleType, Tab, TabLeaderType, TabValueType, Table, TableCell,
    TableLayoutType, TableRow, WidthType,
};

mod chapters;
pub mod png;

/// The Word document renderer.
pub struct Word;

/// A4 in twentieths of a point, its margins (2.5 cm) and the width of the text between.
const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
const MARGIN: i32 = 1418;
const TEXT_W: usize = PAGE_W as usize - 2 * MARGIN as usize;
/// English Metric Units in a twentieth of a point.
const EMU_PER_TWIP: u32 = 635;
/// Table headers' fill.
const HEAD_FILL: &str = "1F4E79";

/// A scorecard status's fill, as the workbook and the HTML colour it.
pub(super) fn status_fill(status: crate::evaluate::Status) -> &'static str {
    use crate::evaluate::Status;
    match status {
        Status::Met => "C6EFCE",
        Status::Missed => "FFC7CE",
        Status::NotMeasurable => "EEEEEE",
        Status::Inconclusive => "FFEB9C",
    }
}

impl Renderer for Word {
    fn name(&self) -> &'static str {
        "report.docx"
    }

    fn render(&self, r: &Report, out: &mut dyn Output) -> Result<()> {
        let bytes = document(r)?;
        out.bytes("report.docx", &bytes)
    }
}

/// The document's bytes. Built on a thread of its own: the format library numbers
/// paragraphs from a counter per thread, which a fresh thread starts at one.
pub fn document(r: &Report) -> Result<Vec<u8>> {
    std::thread::scope(|s| {
        s.spawn(|| build(r)).join().unwrap_or_else(|_| {
            Err(Error::runtime(
                "cannot write report.docx: the writer failed",
            ))
        })
    })
}

fn build(r: &Report) -> Result<Vec<u8>> {
    let mut d = Doc::new(r)?;
    chapters::write(&mut d)?;
    d.finish()
}

/// A paragraph or a table of the body (a few hundred of them, each moved once: their
/// sizes do not matter).
#[allow(clippy::large_enum_variant)]
enum Block {
    P(Paragraph),
    T(Table),
}

/// The document being written: its body, the headings for the table of contents, the
/// chapter and section numbers, the charts.
pub(super) struct Doc<'a> {
    pub r: &'a Report,
    body: Vec<Block>,
    /// Level (1 or 2) and text of each heading, in order; heading `i` is bookmarked
    /// `_Toc` + `i`.
    toc: Vec<(usize, String)>,
    chapter: usize,
    section: usize,
    /// The charts as SVG, by file stem (`sla`, `hotspots`, …).
    charts: std::collections::BTreeMap<String, Vec<u8>>,
    raster: Option<png::Rasterizer>,
    pictures: usize,
    zh: bool,
}

impl<'a> Doc<'a> {
    fn new(r: &'a Report) -> Result<Self> {
        let charts = super::svg::Svg
            .charts(r)?
            .into_iter()
            .map(|(p, b)| {
                let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned());
                (stem.unwrap_or_default(), b)
            })
            .collect();
        Ok(Doc {
            r,
            body: Vec::new(),
            toc: Vec::new(),
            chapter: 0,
            section: 0,
            charts,
            raster: None,
            pictures: 0,
            zh: r.lang == crate::config::Lang::Zh,
        })
    }

    /// Label `key` of the text tables.
    pub fn l(&self, key: &str) -> String {
        self.r.text.label(key)
    }

    /// The `n`th numeral of the text tables' `doc_numerals` (一, 二, … or 1, 2, …).
    fn numeral(&self, n: usize) -> String {
        let all = self.l("doc_numerals");
        all.split(',')
            .nth(n.saturating_sub(1))
            .map_or_else(|| n.to_string(), |s| s.trim().to_string())
    }

    fn heading(&mut self, level: usize, text: String) {
        let i = self.toc.len();
        let key = format!("_Toc{i:04}");
        let style = if level == 1 { "Heading1" } else { "Heading2" };
        let p = Paragraph::new()
            .style(style)
            .page_break_before(level == 1)
            .add_bookmark_start(i + 1, &key)
            .add_run(Run::new().add_text(&text))
            .add_bookmark_end(i + 1);
        self.body.push(Block::P(p));
        self.toc.push((level, text));
    }

    /// A chapter (一、评估概况), on a new page.
    pub fn chapter(&mut self, key: &str) {
        self.chapter += 1;
        self.section = 0;
        let text = self
            .l("doc_chapter")
            .replace("{n}", &self.numeral(self.chapter))
            .replace("{title}", &self.l(key));
        self.heading(1, text);
    }

    /// A section of the chapter ((一) 考核结果), titled by label `key`.
    pub fn section(&mut self, key: &str) {
        self.section += 1;
        let text = self
            .l("doc_section")
            .replace("{n}", &self.numeral(self.section))
            .replace("{c}", &self.chapter.to_string())
            .replace("{i}", &self.section.to_string())
            .replace("{title}", &self.l(key));
        self.heading(2, text);
    }

    /// Item `n` of a numbered list titled `title` (`1．…`).
    pub fn numbered(&self, n: usize, title: &str) -> String {
        self.l("doc_numbered")
            .replace("{n}", &n.to_string())
            .replace("{title}", title)
    }

    /// A body paragraph.
    pub fn para(&mut self, text: &str) {
        let p = Paragraph::new()
            .style("Body")
            .add_run(Run::new().add_text(text));
        self.body.push(Block::P(p));
    }

    /// A paragraph led by a bold label: `label：text`.
    pub fn labelled(&mut self, label: &str, text: &str) {
        self.item(None, &[(label.to_string(), text.to_string())]);
    }

    /// An item kept on one page: a bold heading line (when given), then its labelled
    /// lines (`label：text`).
    pub fn item(&mut self, heading: Option<&str>, lines: &[(String, String)]) {
        let sep = self.l("label_separator");
        let mut ps: Vec<Paragraph> = Vec::new();
        if let Some(h) = heading {
            ps.push(
                Paragraph::new()
                    .style("Body")
                    .add_run(Run::new().add_text(h).bold()),
            );
        }
        for (label, text) in lines {
            ps.push(
                Paragraph::new()
                    .style("Body")
                    .add_run(Run::new().add_text(format!("{label}{sep}")).bold())
                    .add_run(Run::new().add_text(text)),
            );
        }
        let last = ps.len().saturating_sub(1);
        for (i, p) in ps.into_iter().enumerate() {
            self.body.push(Block::P(p.keep_next(i < last)));
        }
    }

    /// A small note under a table or chart.
    pub fn note(&mut self, text: &str) {
        let p = Paragraph::new()
            .style("Note")
            .add_run(Run::new().add_text(text));
        self.body.push(Block::P(p));
    }

    /// A table: a header row on the house colour, then the rows; numeric cells (`true`)
    /// aligned right. Columns are as wide as their longest text asks, within the page.
    pub fn table(&mut self, headers: &[String], rows: &[Vec<(String, bool)>]) {
        self.table_with(headers, rows, None, &[]);
    }

    /// [`Doc::table`] with rows at least `height` twentieths of a point high (room to sign),
    /// and the last cell of row `i` filled with `fills[i]` (a status's colour).
    pub fn table_with(
        &mut self,
        headers: &[String],
        rows: &[Vec<(String, bool)>],
        height: Option<f32>,
        fills: &[Option<&str>],
    ) {
        let widths = column_widths(headers, rows);
        let cell = |text: &str, w: usize, right: bool, head: bool| {
            let mut run = Run::new().add_text(text);
            if head {
                run = run.bold().color("FFFFFF");
            }
            let mut p = Paragraph::new().style("TableText").add_run(run);
            if right {
                p = p.align(AlignmentType::Right);
            }
            let c = TableCell::new().width(w, WidthType::Dxa).add_paragraph(p);
            if head {
                c.shading(Shading::new().fill(HEAD_FILL))
            } else {
                c
            }
        };
        let mut all = vec![TableRow::new(
            headers
                .iter()
                .zip(&widths)
                .map(|(h, w)| cell(h, *w, false, true))
                .collect(),
        )
        .cant_split()];
        for (i, row) in rows.iter().enumerate() {
            let fill = fills.get(i).copied().flatten();
            let last = row.len().saturating_sub(1);
            let cells = row.iter().zip(&widths).enumerate().map(|(j, ((v, n), w))| {
                let c = cell(v, *w, *n, false);
                match fill {
                    Some(f) if j == last => c.shading(Shading::new().fill(f)),
                    _ => c,
                }
            });
            let mut tr = TableRow::new(cells.collect()).cant_split();
            if let Some(h) = height {
                tr = tr.row_height(h).height_rule(docx_rs::HeightRule::AtLeast);
            }
            all.push(tr);
        }
        let t = Table::new(all)
            .set_grid(widths)
            .layout(TableLayoutType::Fixed)
            .width(TEXT_W, WidthType::Dxa);
        self.body.push(Block::T(t));
        // Word runs two tables together without a paragraph between them.
        self.body.push(Block::P(Paragraph::new().style("Note")));
    }

    /// Chart `name` as a picture the width of the text, if the report has it.
    pub fn chart(&mut self, name: &str) -> Result<()> {
        let Some(svg) = self.charts.get(name) else {
            return Ok(());
        };
        let raster = self.raster.get_or_insert_with(png::Rasterizer::new);
        let (bytes, w, h) = raster.png(name, svg)?;
        self.pictures += 1;
        let width = TEXT_W as u32 * EMU_PER_TWIP;
        let height = (u64::from(width) * u64::from(h) / u64::from(w.max(1))) as u32;
        let pic = Pic::new_with_dimensions(bytes, w, h)
            .size(width, height)
            .id(format!("rIdImage{}", self.pictures));
        let p = Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(Run::new().add_image(pic));
        self.body.push(Block::P(p));
        Ok(())
    }

    /// Cover, table of contents, body, sign-off; page, styles, header and footer.
    fn finish(self) -> Result<Vec<u8>> {
        let stamp = chrono::DateTime::from_timestamp(self.r.doc_epoch, 0)
            .unwrap_or_default()
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let mut doc = docx_rs::Docx::new()
            .page_size(PAGE_W, PAGE_H)
            .page_margin(
                PageMargin::new()
                    .top(MARGIN)
                    .bottom(MARGIN)
                    .left(MARGIN)
                    .right(MARGIN)
                    .header(850)
                    .footer(850),
            )
            .default_fonts(self.fonts(false))
            .default_size(24)
            .title_pg()
            .header(self.header())
            .first_header(Header::new())
            .footer(self.footer())
            .first_footer(Footer::new())
            .created_at(&stamp)
            .updated_at(&stamp);
        for s in self.styles() {
            doc = doc.add_style(s);
        }
        for p in chapters::cover(&self) {
            doc = doc.add_paragraph(p);
        }
        for p in self.contents() {
            doc = doc.add_paragraph(p);
        }
        for b in self.body {
            doc = match b {
                Block::P(p) => doc.add_paragraph(p),
                Block::T(t) => doc.add_table(t),
            };
        }
        let mut out = std::io::Cursor::new(Vec::new());
        doc.build()
            .pack(&mut out)
            .map_err(|e| Error::runtime(format!("cannot write report.docx: {e}")))?;
        Ok(out.into_inner())
    }

    /// The body's fonts, or the headings' (`heading`): 宋体 and 黑体 in Chinese.
    fn fonts(&self, heading: bool) -> RunFonts {
        let (latin, east) = match (self.zh, heading) {
            (true, false) => ("Times New Roman", "宋体"),
            (true, true) => ("Times New Roman", "黑体"),
            (false, false) => ("Times New Roman", "宋体"),
            (false, true) => ("Arial", "黑体"),
        };
        RunFonts::new()
            .ascii(latin)
            .hi_ansi(latin)
            .cs(latin)
            .east_asia(east)
    }

    fn styles(&self) -> Vec<Style> {
        let spacing = |before: u32, after: u32, line: i32| {
            LineSpacing::new().before(before).after(after).line(line)
        };
        let heading = |id: &str, name: &str, size: usize, level: usize| {
            Style::new(id, StyleType::Paragraph)
                .name(name)
                .size(size)
                .bold()
                .fonts(self.fonts(true))
                .outline_lvl(level)
                .line_spacing(spacing(240, 120, 240))
        };
        let mut body = Style::new("Body", StyleType::Paragraph)
            .name("Body Text")
            .line_spacing(spacing(0, 60, 360))
            .align(AlignmentType::Both);
        if self.zh {
            body = body.first_line_chars(200);
        }
        vec![
            heading("Heading1", "heading 1", 32, 0),
            heading("Heading2", "heading 2", 28, 1),
            body,
            Style::new("TableText", StyleType::Paragraph)
                .name("Table Text")
                .size(20)
                .line_spacing(spacing(20, 20, 240)),
            Style::new("Note", StyleType::Paragraph)
                .name("Note")
                .size(20)
                .color("555555")
                .line_spacing(spacing(40, 120, 240)),
            Style::new("Toc1", StyleType::Paragraph)
                .name("toc 1")
                .bold()
                .line_spacing(spacing(120, 0, 300)),
            Style::new("Toc2", StyleType::Paragraph)
                .name("toc 2")
                .line_spacing(spacing(0, 0, 300)),
        ]
    }

    /// The table of contents on its own page: each heading, linked to its bookmark, with
    /// its page number as a PAGEREF field (LibreOffice fills it in on opening; Word
    /// when fields are updated, which it offers when the document is opened).
    fn contents(&self) -> Vec<Paragraph> {
        let mut out = vec![Paragraph::new()
            .align(AlignmentType::Center)
            .line_spacing(LineSpacing::new().after(240))
            .add_run(
                Run::new()
                    .add_text(self.l("doc_contents"))
                    .bold()
                    .size(32)
                    .fonts(self.fonts(true)),
            )];
        for (i, (level, text)) in self.toc.iter().enumerate() {
            let key = format!("_Toc{i:04}");
            let page = Run::new()
                .add_field_char(FieldCharType::Begin, true)
                .add_instr_text(InstrText::PAGEREF(InstrPAGEREF::new(&key).hyperlink()))
                .add_field_char(FieldCharType::Separate, false)
                .add_text("")
                .add_field_char(FieldCharType::End, false);
            let mut p = Paragraph::new()
                .style(if *level == 1 { "Toc1" } else { "Toc2" })
                .add_tab(
                    Tab::new()
                        .val(TabValueType::Right)
                        .leader(TabLeaderType::Dot)
                        .pos(TEXT_W),
                )
                .add_hyperlink(
                    Hyperlink::new(&key, HyperlinkType::Anchor)
                        .add_run(Run::new().add_text(text))
                        .add_run(Run::new().add_tab())
                        .add_run(page),
                );
            if *level == 2 {
                p = p.indent(Some(420), None, None, None);
            }
            out.push(p);
        }
        out
    }

    fn header(&self) -> Header {
        Header::new().add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Right)
                .add_run(Run::new().add_text(self.r.title()).size(18).color("555555")),
        )
    }

    /// 第 X 页 共 Y 页 / Page X of Y, the numbers as fields.
    fn footer(&self) -> Footer {
        let words = self.l("doc_page");
        let (before, rest) = words.split_once("{page}").unwrap_or((&words, ""));
        let (middle, after) = rest.split_once("{pages}").unwrap_or((rest, ""));
        let p = Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(Run::new().add_text(before).size(18))
            .add_page_num(PageNum::new())
            .add_run(Run::new().add_text(middle).size(18))
            .add_num_pages(NumPages::new())
            .add_run(Run::new().add_text(after).size(18));
        Footer::new().add_paragraph(p)
    }
}

/// Each column's width in twentieths of a point. A column asks for its longest text on one
/// line (a CJK character is twice as wide as a digit, and one more where CJK meets Latin);
/// when all fit, the spare width is shared
/// out in proportion. When they do not, numeric and short columns (up to [`SHORT`] digits)
/// keep their width, so a figure or a date never breaks, and the other columns share the
/// rest in proportion, none narrower than 4 digits.
fn column_widths(headers: &[String], rows: &[Vec<(String, bool)>]) -> Vec<usize> {
    /// A digit's width in table text (10 pt), and a cell's margins.
    const DIGIT: usize = 110;
    const PAD: usize = 240;
    /// A column this wide or narrower (in digits) keeps its width.
    const SHORT: usize = 12;
    // A CJK character is two digits wide; where CJK text meets a digit or a Latin letter
    // (`2026年8月`) word processors add a quarter of a character's space, counted as one.
    let wide = |s: &str| -> usize {
        let cjk = |c: char| (c as u32) >= 0x2E80;
        let chars: Vec<char> = s.chars().collect();
        let meets = chars
            .windows(2)
            .filter(|w| cjk(w[0]) != cjk(w[1]) && !w[0].is_whitespace() && !w[1].is_whitespace())
            .count();
        chars
            .iter()
            .map(|&c| if cjk(c) { 2 } else { 1 })
            .sum::<usize>()
            + meets
    };
    let numeric: Vec<bool> = (0..headers.len())
        .map(|i| !rows.is_empty() && rows.iter().all(|r| r.get(i).is_none_or(|c| c.1)))
        .collect();
    let want: Vec<usize> = (0..headers.len())
        .map(|i| {
            let body = rows.iter().filter_map(|r| r.get(i)).map(|(v, _)| wide(v));
            let head = if numeric[i] { 4 } else { wide(&headers[i]) };
            body.chain(std::iter::once(head)).max().unwrap_or(4).max(4) * DIGIT + PAD
        })
        .collect();
    let total: usize = want.iter().sum::<usize>().max(1);
    if total <= TEXT_W {
        return want.iter().map(|w| TEXT_W * w / total).collect();
    }
    let keep: Vec<bool> = (0..want.len())
        .map(|i| numeric[i] || want[i] <= SHORT * DIGIT + PAD)
        .collect();
    let fixed: usize = (0..want.len()).filter(|&i| keep[i]).map(|i| want[i]).sum();
    let text: usize = (0..want.len()).filter(|&i| !keep[i]).map(|i| want[i]).sum();
    let room = TEXT_W.saturating_sub(fixed);
    (0..want.len())
        .map(|i| match keep[i] {
            true if room > 0 => want[i],
            true => TEXT_W * want[i] / total,
            false => (room * want[i] / text.max(1)).max(4 * DIGIT + PAD),
        })
        .collect()
}

/// A page break, as a paragraph.
pub(super) fn page_break() -> Paragraph {
    Paragraph::new().add_run(Run::new().add_break(BreakType::Page))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Columns that fit share the spare width in proportion to what they ask: 4 and 12
    /// digits ask 4 × 110 + 240 = 680 and 12 × 110 + 240 = 1,560 twips of the 9,070.
    /// Columns that do not fit: the numeric column keeps its 5 × 110 + 240 = 790 (its long
    /// header does not count), the text column gets the remaining 8,280.
    #[test]
    fn columns_share_the_text_width_and_figures_never_break() {
        let headers = vec!["a".to_string(), "bb".to_string()];
        let rows = vec![vec![
            ("x".to_string(), false),
            ("123456789012".to_string(), true),
        ]];
        assert_eq!(
            column_widths(&headers, &rows),
            vec![9070 * 680 / 2240, 9070 * 1560 / 2240]
        );
        let long = "一次解决率".repeat(20);
        let headers = vec!["考核项".to_string(), "一个很长很长的表头".to_string()];
        let rows = vec![vec![(long, false), ("1.00%".to_string(), true)]];
        assert_eq!(
            column_widths(&headers, &rows),
            vec![9070 - 790, 5 * 110 + 240]
        );
        // A short text column (a date: 10 digits, 1,340 twips) keeps its width too.
        let headers = vec!["问题".to_string(), "期限".to_string()];
        let rows = vec![vec![
            ("问题".repeat(40), false),
            ("2026-11-15".to_string(), false),
        ]];
        assert_eq!(column_widths(&headers, &rows), vec![9070 - 1340, 1340]);
        // `2026年8月`: 4 + 2 + 1 + 2 digits and three meetings of CJK and digits = 12 digits,
        // 12 × 110 + 240 = 1,560 twips.
        let rows = vec![vec![
            ("问题".repeat(40), false),
            ("2026年8月".to_string(), false),
        ]];
        assert_eq!(column_widths(&headers, &rows), vec![9070 - 1560, 1560]);
    }
}
