//! Merged cells of a workbook sheet: where they are, and their values filled in as the user
//! sees them. The regions of an XLSX sheet are read straight from its XML part, by a byte
//! search for `<mergeCell ref="…"/>` while the part is inflated: a second tokenizing pass
//! over a large sheet would cost a third of reading it, and a malformed reference must not
//! stop the run. Nothing here reads cell values from the file.

use super::xlsx::Raw;
use std::io::Read;

/// A merged region: (top, bottom, left, right), 0-based, top ≤ bottom and left ≤ right.
pub(super) type Region = (u32, u32, u32, u32);

/// The merged regions of sheet `sheet` of an XLSX workbook's bytes. A part that cannot be
/// found or read gives none (the cells are then read as written); a reference that does not
/// parse is passed over.
pub(super) fn xlsx_regions(bytes: &[u8], sheet: &str) -> Vec<Region> {
    let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        return Vec::new();
    };
    let Some(part) = sheet_part(&mut zip, sheet) else {
        return Vec::new();
    };
    let Ok(entry) = zip.by_name(&part) else {
        return Vec::new();
    };
    scan(entry)
}

/// A zip entry's text, if it is small enough to be a workbook's index part.
fn small_text<R: Read + std::io::Seek>(zip: &mut zip::ZipArchive<R>, name: &str) -> Option<String> {
    let mut entry = zip.by_name(name).ok()?;
    let mut text = String::new();
    entry
        .by_ref()
        .take(16 << 20)
        .read_to_string(&mut text)
        .ok()?;
    Some(text)
}

/// The zip path of the sheet named `sheet`: the workbook part (from the package's
/// relationships), its `<sheet name=… r:id=…>` entry and the relationship that id names.
fn sheet_part<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    sheet: &str,
) -> Option<String> {
    let workbook = small_text(zip, "_rels/.rels")
        .and_then(|rels| {
            elements(&rels, "Relationship")
                .find(|e| attr(e, "Type").is_some_and(|t| t.ends_with("/officeDocument")))
                .and_then(|e| attr(e, "Target"))
        })
        .map(|t| t.trim_start_matches('/').to_string())
        .unwrap_or_else(|| "xl/workbook.xml".into());
    let dir = workbook.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    let file = workbook
        .rsplit_once('/')
        .map_or(workbook.as_str(), |(_, f)| f);
    let rels = small_text(zip, &format!("{dir}/_rels/{file}.rels"))?;
    let index = small_text(zip, &workbook)?;
    let id = elements(&index, "sheet")
        .find(|e| attr(e, "name").as_deref() == Some(sheet))
        .and_then(|e| attr(e, ":id"))?;
    let target = elements(&rels, "Relationship")
        .find(|e| attr(e, "Id").as_deref() == Some(id.as_str()))
        .and_then(|e| attr(e, "Target"))?;
    Some(match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None if dir.is_empty() => target,
        None => format!("{dir}/{target}"),
    })
}

/// The start tags `<name …>` (with or without a namespace prefix) of an XML text.
fn elements<'t>(xml: &'t str, name: &'t str) -> impl Iterator<Item = &'t str> + 't {
    xml.split('<').skip(1).filter_map(move |tag| {
        let tag = tag.split('>').next()?;
        let head = tag.split(|c: char| c.is_whitespace() || c == '/').next()?;
        let local = head.rsplit(':').next()?;
        (local == name).then_some(tag)
    })
}

/// An attribute's value (entities decoded); a `name` starting with `:` matches that local
/// name under any prefix (`r:id`).
fn attr(tag: &str, name: &str) -> Option<String> {
    let mut rest = tag;
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].trim_end();
        let key = key.rsplit(char::is_whitespace).next().unwrap_or(key);
        let value_part = rest[eq + 1..].trim_start();
        let quote = value_part.chars().next()?;
        if quote != '"' && quote != '\'' {
            return None;
        }
        let end = value_part[1..].find(quote)? + 1;
        let value = &value_part[1..end];
        let hit = match name.strip_prefix(':') {
            Some(local) => key.ends_with(&format!(":{local}")),
            None => key == name,
        };
        if hit {
            return Some(unescape(value));
        }
        rest = &value_part[end + 1..];
    }
    None
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The `<mergeCell ref="…">` regions of a sheet part, read in 64 KiB pieces.
fn scan(mut part: impl Read) -> Vec<Region> {
    const NEEDLE: &[u8] = b"mergeCell ";
    let finder = memchr::memmem::Finder::new(NEEDLE);
    let mut buf = vec![0u8; 1 << 16];
    // Bytes kept from the previous piece: a tag that straddles two pieces.
    let mut carry: Vec<u8> = Vec::new();
    let mut out = Vec::new();
    loop {
        let n = match part.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        carry.extend_from_slice(&buf[..n]);
        let mut last = 0;
        for at in finder.find_iter(&carry) {
            let Some(len) = carry[at..].iter().position(|b| *b == b'>') else {
                break;
            };
            let tag = String::from_utf8_lossy(&carry[at..at + len]);
            if let Some(r) = attr(&tag, "ref").and_then(|r| region(&r)) {
                out.push(r);
            }
            last = at + len;
        }
        // Keep what may begin a tag cut by the end of this piece.
        let keep_from = last.max(carry.len().saturating_sub(256));
        carry.drain(..keep_from);
    }
    out
}

/// `A2:C4` as a region; `None` for anything else.
fn region(r: &str) -> Option<Region> {
    let (a, b) = r.split_once(':')?;
    let (r1, c1) = cell(a)?;
    let (r2, c2) = cell(b)?;
    Some((r1.min(r2), r1.max(r2), c1.min(c2), c1.max(c2)))
}

/// `AB12` as (row, column), 0-based.
fn cell(s: &str) -> Option<(u32, u32)> {
    let s = s.trim().replace('$', "");
    let split = s.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = s.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let col = letters
        .bytes()
        .fold(0u32, |acc, b| acc * 26 + (b - b'A') as u32 + 1)
        - 1;
    let row: u32 = digits
        .parse()
        .ok()
        .filter(|r| (1..=crate::util::SHEET_ROWS).contains(r))?;
    Some((row - 1, col))
}
/// Merged regions of a sheet, filled as the user sees them: every cell below a region's top
/// row shows the top-left cell's value (a complaint merged over three calls is a complaint
/// for each of them). The top row itself is left as written, so a heading merged across
/// columns does not repeat.
pub(super) struct Merges<'a> {
    /// Regions as (top, bottom, left, right), sorted by top row.
    regions: Vec<Region>,
    next: usize,
    /// Regions reached so far with their top-left value.
    active: Vec<(Region, Raw<'a>)>,
}

impl<'a> Merges<'a> {
    pub(super) fn new(regions: &[Region]) -> Self {
        let mut regions: Vec<Region> = regions
            .iter()
            .copied()
            .filter(|r| r.1 > r.0 || r.3 > r.2)
            .collect();
        regions.sort_unstable();
        Merges {
            regions,
            next: 0,
            active: Vec::new(),
        }
    }

    /// Fill the cells of row `row` (its values by column, in column order) that merged
    /// regions cover; `across`: also across a region's top row (a group heading above
    /// sub-headings, in a header of several rows).
    pub(super) fn fill(&mut self, row: u32, vals: &mut Vec<(u32, Raw<'a>)>, across: bool) {
        if self.regions.is_empty() {
            return;
        }
        self.active.retain(|(r, _)| r.1 >= row);
        while self.next < self.regions.len() && self.regions[self.next].0 <= row {
            let r = self.regions[self.next];
            self.next += 1;
            if r.0 == row {
                let top_left = vals.iter().find(|(c, _)| *c == r.2).map(|(_, v)| v.clone());
                self.active
                    .push((r, top_left.unwrap_or(Raw::Value(calamine::DataRef::Empty))));
            }
        }
        let mut added = false;
        for (r, v) in &self.active {
            if r.0 == row && !across {
                continue;
            }
            for c in r.2..=r.3 {
                match vals.iter_mut().find(|(vc, _)| *vc == c) {
                    Some(slot) => slot.1 = v.clone(),
                    None => {
                        vals.push((c, v.clone()));
                        added = true;
                    }
                }
            }
        }
        if added {
            vals.sort_by_key(|(c, _)| *c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse_in_either_order_and_nonsense_is_passed_over() {
        assert_eq!(region("A2:A4"), Some((1, 3, 0, 0)));
        assert_eq!(region("C4:A2"), Some((1, 3, 0, 2)));
        assert_eq!(region("$AB$10:AC11"), Some((9, 10, 27, 28)));
        assert_eq!(region("A0:B2"), None);
        assert_eq!(region("A1"), None);
        assert_eq!(region("1A:B2"), None);
        assert_eq!(region("AAAA1:B2"), None);
    }

    #[test]
    fn merge_tags_are_found_across_pieces() {
        let mut xml = String::from("<worksheet><sheetData>");
        xml.push_str(&"<row><c r=\"A1\"><v>1</v></c></row>".repeat(5000));
        xml.push_str("</sheetData><mergeCells count=\"2\"><mergeCell ref=\"A2:A4\"/><x:mergeCell ref='B1:C1'/></mergeCells></worksheet>");
        assert_eq!(scan(xml.as_bytes()), vec![(1, 3, 0, 0), (0, 0, 1, 2)]);
    }

    #[test]
    fn attributes_and_elements() {
        let xml = r#"<sheets><sheet name="A &amp; B" sheetId="1" r:id="rId7"/><x:sheet name='C' r:id='rId2'/></sheets>"#;
        let tags: Vec<&str> = elements(xml, "sheet").collect();
        assert_eq!(tags.len(), 2);
        assert_eq!(attr(tags[0], "name").as_deref(), Some("A & B"));
        assert_eq!(attr(tags[0], ":id").as_deref(), Some("rId7"));
        assert_eq!(attr(tags[1], ":id").as_deref(), Some("rId2"));
        assert_eq!(attr(tags[0], "Id"), None);
    }
}
