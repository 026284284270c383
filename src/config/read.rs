//! How to read one input file: sheet, header row, delimiter, quote, encoding and the size
//! limits that keep a bad file from exhausting memory. Resolved from the command line and a
//! mapping profile; the ingest stage reads files with them. Nothing here reads a file.

/// Text encoding of a delimited file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// UTF-8 (with or without BOM) when the bytes are valid UTF-8, else GB18030.
    #[default]
    Auto,
    #[serde(rename = "utf-8", alias = "utf8")]
    Utf8,
    /// GB18030, a superset of GBK and GB2312.
    #[serde(alias = "gbk", alias = "gb2312")]
    Gb18030,
}

/// Resource limits, so that a bad file cannot exhaust memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest input file read, in bytes.
    pub max_file_bytes: u64,
    /// Largest total uncompressed size a workbook (a zip archive) may declare.
    pub max_uncompressed_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 4 << 30,
            max_uncompressed_bytes: 8 << 30,
        }
    }
}

/// How to read one file: which sheet, which row holds the header, delimiter and encoding.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub sheet: Option<String>,
    /// 1-based row (spreadsheet row or file line) holding the header; default: the first.
    pub header_row: Option<u64>,
    /// Rows the header spans (default 1); with 2, a grouped heading above the sub-headings
    /// makes names such as `呼入/开始时间`.
    pub header_rows: u64,
    pub delimiter: Option<u8>,
    /// Quote character of a delimited file (default `"`).
    pub quote: Option<u8>,
    pub encoding: Encoding,
    pub limits: Limits,
    /// Read CSV record by record even where the block reader applies (tests compare the
    /// two readers).
    pub record_reader: bool,
}
