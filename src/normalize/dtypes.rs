//! The in-memory types of the contacts frame's text columns, and the conversions between
//! them and the file form (`cseval convert`'s Parquet partitions).
//!
//! In memory, the closed vocabularies (`channel`, `kind`, `priority`, `complexity`) and the
//! labels (`topic`, `complaint_type`, `agent_id`, `agent_name`, `team`, `site`) are categoricals
//! holding a four-byte id per row (the vocabularies' ids are the values' positions in their
//! `ALL` lists, a channel's its position in the run's table); only `contact_id` stays text. A 16-byte string view per row and column made the text columns
//! most of a 10 M-contact frame, and grouping by an id is faster than hashing text. Files
//! keep plain strings: category ids depend on the order values arrive in, which would make
//! the written files differ between identical runs. This module checks nothing; the values
//! it is given are already canonical.

use crate::error::Result;
use crate::model::{Channels, Complexity, Kind, Priority};
use polars::prelude::*;
use std::collections::HashMap;
use std::sync::LazyLock;
use std::sync::Mutex;

fn label_type(name: &str) -> DataType {
    DataType::from_categories(Categories::new(
        format!("cseval.{name}").into(),
        "cseval".into(),
        CategoricalPhysical::U32,
    ))
}

/// A closed vocabulary: categories whose ids are the values' positions. (Not a Polars
/// `Enum`: one with this few values is held in bytes, which this build of Polars, without
/// its `dtype-u8` feature, cannot group or fill.)
fn enum_type<'v>(name: &str, values: impl IntoIterator<Item = &'v str>) -> DataType {
    let dtype = label_type(name);
    let mapping = dtype.cat_mapping().expect("a categorical type");
    for (i, v) in values.into_iter().enumerate() {
        let id = mapping.insert_cat(v).expect("a handful of categories");
        assert_eq!(id as usize, i, "the categories of `{name}` are made once");
    }
    dtype
}

/// The type of the `channel` column for a run's channels: categories named after the
/// table's names (one set per table, kept for the process), whose ids are the channels'
/// positions.
pub fn channel_type(channels: &Channels) -> DataType {
    static TYPES: LazyLock<Mutex<HashMap<String, DataType>>> = LazyLock::new(Default::default);
    let names: Vec<&str> = channels.names().collect();
    let key = format!("channel/{}", names.join("\u{1f}"));
    let mut types = TYPES.lock().unwrap_or_else(|e| e.into_inner());
    types
        .entry(key)
        .or_insert_with_key(|key| enum_type(key, names.iter().copied()))
        .clone()
}
static KIND: LazyLock<DataType> =
    LazyLock::new(|| enum_type("kind", Kind::ALL.iter().map(|v| v.as_str())));
static PRIORITY: LazyLock<DataType> =
    LazyLock::new(|| enum_type("priority", Priority::ALL.iter().map(|v| v.as_str())));
static COMPLEXITY: LazyLock<DataType> =
    LazyLock::new(|| enum_type("complexity", Complexity::ALL.iter().map(|v| v.as_str())));

/// The label columns, each with categories of its own (shared by every frame of a run, so
/// that the parts of the frame can be stacked and compared).
pub const LABELS: [&str; 6] = [
    "topic",
    "complaint_type",
    "agent_id",
    "agent_name",
    "team",
    "site",
];
static LABEL_TYPES: LazyLock<[DataType; 6]> = LazyLock::new(|| LABELS.map(label_type));

/// The in-memory type of a contacts column held as an enum or categorical, `None` for the
/// others and for `channel` (see [`channel_type`]).
pub fn contact_type(name: &str) -> Option<&'static DataType> {
    Some(match name {
        "kind" => &KIND,
        "priority" => &PRIORITY,
        "complexity" => &COMPLEXITY,
        _ => &LABEL_TYPES[LABELS.iter().position(|l| *l == name)?],
    })
}

/// An enum column from the variants' positions in their `ALL` list.
pub fn enum_column(name: &str, codes: impl IntoIterator<Item = Option<u8>>) -> Column {
    coded_column(
        name,
        contact_type(name).expect("an enum column").clone(),
        codes,
    )
}

/// The `channel` column from the channels' positions in `channels`.
pub fn channel_column(channels: &Channels, codes: impl IntoIterator<Item = Option<u8>>) -> Column {
    coded_column("channel", channel_type(channels), codes)
}

/// A category column of type `dtype` from its codes.
fn coded_column(
    name: &str,
    dtype: DataType,
    codes: impl IntoIterator<Item = Option<u8>>,
) -> Column {
    let codes: super::OptVec<u32> = codes.into_iter().map(|c| c.map(u32::from)).collect();
    let phys = codes.into_column::<UInt32Type>(name);
    let phys = phys.u32().expect("u32 codes").clone();
    // SAFETY: every code is a position in the variants' list, which the categories are made
    // from in the same order.
    unsafe { Categorical32Chunked::from_cats_and_dtype_unchecked(phys, dtype) }
        .into_series()
        .into_column()
}

/// A label column (named as its [`LABELS`] entry) from text values.
pub fn label_column<S: AsRef<str>>(
    name: &str,
    values: impl IntoIterator<Item = Option<S>>,
) -> Result<Column> {
    let values = values.into_iter();
    let mut ids = LabelIds::new(name, values.size_hint().0);
    for v in values {
        ids.push(v.as_ref().map(AsRef::as_ref))?;
    }
    ids.finish()
}

/// A label column (named as its [`LABELS`] entry) built a value at a time. Each distinct
/// value is looked up once in the shared categories; the rest hit a local table, whose
/// values are kept in one buffer and compared without a call for the short ones labels are.
pub struct LabelIds {
    name: &'static str,
    dtype: DataType,
    mapping: Arc<CategoricalMapping>,
    /// The distinct values seen: positions in `seen`.
    table: hashbrown::HashTable<u32>,
    /// Each distinct value's category id and its bytes' range in `text`.
    seen: Vec<(u32, u32, u32)>,
    text: Vec<u8>,
    /// For [`LabelIds::push_keyed`]: by `key % KEYED`, the key and the position in `seen` of
    /// the value last pushed with it (`u32::MAX`: none).
    keyed: Box<[(u32, u32); KEYED]>,
    /// The values of up to 16 bytes last looked up, each in the slot of its [`short_key`]:
    /// the key and length (plus one; 0: empty) and the position in `seen`.
    short: Box<[(u64, u64, u32, u32); SHORT]>,
    ids: super::OptVec<u32>,
}

/// Slots of [`LabelIds`]' cache of short values.
const SHORT: usize = 256;

/// The bytes of a value of up to 16 bytes as two words which, with its length, tell it from
/// every other value (the first and last 8 or 4 bytes, as [`same`] compares them); `None`
/// for a longer one.
#[inline]
fn short_key(b: &[u8]) -> Option<(u64, u64)> {
    let n = b.len();
    let word = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
    let half = |i: usize| u64::from(u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes")));
    Some(match n {
        8..=16 => (word(0), word(n - 8)),
        4..=7 => (half(0) | half(n - 4) << 32, 0),
        0..=3 => (
            b.iter()
                .enumerate()
                .fold(0, |x, (i, &c)| x | u64::from(c) << (8 * i)),
            0,
        ),
        _ => return None,
    })
}

/// The bytes of distinct value `at` of a [`LabelIds`] (its `seen` and `text`).
fn bytes<'t>(seen: &[(u32, u32, u32)], text: &'t [u8], at: u32) -> &'t [u8] {
    let (_, start, len) = seen[at as usize];
    &text[start as usize..(start + len) as usize]
}

/// Slots of [`LabelIds`]' cache by key.
const KEYED: usize = 256;

/// `a == b`, without a call for strings of up to 16 bytes.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], i: usize| u64::from_le_bytes(s[i..i + 8].try_into().expect("8 bytes"));
    let half = |s: &[u8], i: usize| u32::from_le_bytes(s[i..i + 4].try_into().expect("4 bytes"));
    match n {
        // The first and last 8 (4) bytes cover every byte, overlapping in the middle.
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        4..=7 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        _ => a == b,
    }
}

impl LabelIds {
    /// Room for `n` values.
    pub fn new(name: &str, n: usize) -> Self {
        let k = LABELS
            .iter()
            .position(|l| *l == name)
            .expect("a label column");
        let dtype = LABEL_TYPES[k].clone();
        let mapping = dtype.cat_mapping().expect("a categorical type").clone();
        LabelIds {
            name: LABELS[k],
            dtype,
            mapping,
            table: hashbrown::HashTable::new(),
            seen: Vec::new(),
            text: Vec::new(),
            keyed: Box::new([(0, u32::MAX); KEYED]),
            short: Box::new([(0, 0, 0, 0); SHORT]),
            ids: super::OptVec::with_capacity(n),
        }
    }

    /// The position in `seen` of `s`, added (and given its category id) when new. A short
    /// value found in its slot of the cache (labels mostly are a few words or an id) is
    /// taken without hashing it or comparing its bytes.
    fn position(&mut self, s: &str) -> Result<u32> {
        let b = s.as_bytes();
        let Some((x, y)) = short_key(b) else {
            return self.position_hashed(s);
        };
        let n = b.len() as u32 + 1;
        let mixed =
            (x ^ y.rotate_left(29) ^ u64::from(n) << 56).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let slot = (mixed >> (64 - SHORT.trailing_zeros())) as usize;
        let (sx, sy, sn, at) = self.short[slot];
        if (sx, sy, sn) == (x, y, n) {
            return Ok(at);
        }
        let at = self.position_hashed(s)?;
        self.short[slot] = (x, y, n, at);
        Ok(at)
    }

    /// [`LabelIds::position`] by the table of every value seen.
    fn position_hashed(&mut self, s: &str) -> Result<u32> {
        use std::hash::BuildHasher;
        let state = foldhash::fast::FixedState::default();
        let b = s.as_bytes();
        let hash = state.hash_one(b);
        let (seen, text) = (&self.seen, &self.text);
        if let Some(&at) = self.table.find(hash, |&at| same(bytes(seen, text, at), b)) {
            return Ok(at);
        }
        let id = self.mapping.insert_cat(s)?;
        let at = self.seen.len() as u32;
        self.seen.push((id, self.text.len() as u32, b.len() as u32));
        self.text.extend_from_slice(b);
        let (seen, text) = (&self.seen, &self.text);
        self.table
            .insert_unique(hash, at, |&at| state.hash_one(bytes(seen, text, at)));
        Ok(at)
    }

    pub fn push(&mut self, v: Option<&str>) -> Result<()> {
        let id = match v {
            None => None,
            Some(s) => {
                let at = self.position(s)?;
                Some(self.seen[at as usize].0)
            }
        };
        self.ids.push(id);
        Ok(())
    }

    /// [`LabelIds::push`], for a value that mostly comes with the same `key` (an agent's
    /// name, with the agent's id): one that is the value last pushed with its key is taken
    /// without a lookup.
    pub fn push_keyed(&mut self, key: Option<u32>, v: Option<&str>) -> Result<()> {
        let (Some(key), Some(s)) = (key, v) else {
            return self.push(v);
        };
        let slot = key as usize % KEYED;
        let (k, at) = self.keyed[slot];
        let at = if k == key
            && at != u32::MAX
            && same(bytes(&self.seen, &self.text, at), s.as_bytes())
        {
            at
        } else {
            let at = self.position(s)?;
            self.keyed[slot] = (key, at);
            at
        };
        self.ids.push(Some(self.seen[at as usize].0));
        Ok(())
    }

    /// The ids pushed so far.
    pub(crate) fn ids(&self) -> &super::OptVec<u32> {
        &self.ids
    }

    pub fn finish(self) -> Result<Column> {
        let phys = self.ids.into_column::<UInt32Type>(self.name);
        let phys = phys.u32()?.clone();
        // SAFETY: every id was just given out by the categories' own mapping.
        Ok(
            unsafe { Categorical32Chunked::from_cats_and_dtype_unchecked(phys, self.dtype) }
                .into_series()
                .into_column(),
        )
    }
}

/// `df` with its text columns that are held as enums or categoricals in memory converted to
/// those types (a frame read from a file, whose channels are names in `channels`: checked
/// before); other columns are left as they are.
pub fn to_memory(df: DataFrame, channels: &Channels) -> Result<DataFrame> {
    let casts: Vec<Expr> = df
        .columns()
        .iter()
        .filter(|c| c.dtype() == &DataType::String)
        .filter_map(|c| {
            let t = match c.name().as_str() {
                "channel" => channel_type(channels),
                name => contact_type(name)?.clone(),
            };
            Some(col(c.name().clone()).strict_cast(t))
        })
        .collect();
    if casts.is_empty() {
        return Ok(df);
    }
    Ok(df.lazy().with_columns(casts).collect()?)
}

/// `df` with its categorical columns as plain text, as files hold them.
pub fn to_file(df: DataFrame) -> Result<DataFrame> {
    // Who called (a keyed hash of the customer's number or id) never leaves the run.
    let df = match df.drop("caller") {
        Ok(without) => without,
        Err(_) => df,
    };
    let casts: Vec<Expr> = df
        .columns()
        .iter()
        .filter(|c| matches!(c.dtype(), DataType::Enum(..) | DataType::Categorical(..)))
        .map(|c| col(c.name().clone()).cast(DataType::String))
        .collect();
    if casts.is_empty() {
        return Ok(df);
    }
    Ok(df.lazy().with_columns(casts).collect()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_codes_are_the_variants_positions() {
        let c = enum_column("kind", vec![Some(Kind::Complaint as u8), None]);
        let s = to_file(DataFrame::new(2, vec![c]).unwrap()).unwrap();
        let v: Vec<Option<&str>> = s.column("kind").unwrap().str().unwrap().iter().collect();
        assert_eq!(v, [Some("complaint"), None]);
    }

    #[test]
    fn channel_codes_are_positions_in_the_runs_table() {
        use crate::model::Channel;
        let mut t = Channels::default();
        let app = crate::channel::ChannelDecl {
            name: "app".into(),
            realtime: Some(true),
            aliases: vec![],
        };
        t.declare(&[app], "c.toml").unwrap();
        let codes = vec![Some(Channel::CHAT.index() as u8), Some(6), None];
        let df = DataFrame::new(3, vec![channel_column(&t, codes)]).unwrap();
        let file = to_file(df).unwrap();
        let v: Vec<Option<&str>> = file
            .column("channel")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(v, [Some("chat"), Some("app"), None]);
        // Back in memory, the built-in table's frames and this one's have their own types.
        let back = to_memory(file, &t).unwrap();
        let ids: Vec<Option<u32>> = back
            .column("channel")
            .unwrap()
            .cat32()
            .unwrap()
            .physical()
            .iter()
            .collect();
        assert_eq!(ids, [Some(2), Some(6), None]);
        assert_ne!(channel_type(&t), channel_type(&Channels::default()));
    }

    proptest::proptest! {
        /// The short-string comparison is `==`, at every length around its word sizes.
        #[test]
        fn same_is_eq(a in proptest::collection::vec(0u8..3, 0..20), b in proptest::collection::vec(0u8..3, 0..20), flip in 0usize..20) {
            proptest::prop_assert_eq!(same(&a, &b), a == b);
            // `a` with at most one byte changed: equal lengths, mostly equal bytes.
            let mut c = a.clone();
            if let Some(x) = c.get_mut(flip) {
                *x ^= 1;
            }
            proptest::prop_assert_eq!(same(&a, &c), a == c);
        }

        /// Every value gets one id, and no two values the same one, whether it is found in
        /// the cache of short values (values of 0 to 20 bytes, many more than its slots)
        /// or in the table of every value.
        #[test]
        fn each_value_has_its_own_id(values in proptest::collection::vec("[ab张\\-]{0,7}", 0..600)) {
            let mut ids = LabelIds::new("topic", 0);
            for v in &values {
                ids.push(Some(v)).unwrap();
            }
            let mut by_value = std::collections::HashMap::new();
            let mut by_id = std::collections::HashMap::new();
            for (j, v) in values.iter().enumerate() {
                let id = ids.ids().get(j).expect("a value has an id");
                proptest::prop_assert_eq!(*by_value.entry(v.as_str()).or_insert(id), id);
                proptest::prop_assert_eq!(*by_id.entry(id).or_insert(v.as_str()), v.as_str());
            }
        }

        /// Keyed pushes give every value the id a plain push gives it, whatever the keys
        /// (including keys that collide in the cache and values that change under a key).
        #[test]
        fn keyed_pushes_give_plain_ids(rows in proptest::collection::vec((proptest::option::of(0u32..600), proptest::option::of(0usize..6)), 0..200)) {
            let values = ["张三", "李四", "", "x", "热线一组", "a-very-long-team-name"];
            let mut plain = LabelIds::new("team", 0);
            let mut keyed = LabelIds::new("team", 0);
            for (key, v) in rows {
                let v = v.map(|i| values[i]);
                plain.push(v).unwrap();
                keyed.push_keyed(key, v).unwrap();
            }
            proptest::prop_assert_eq!(plain.ids(), keyed.ids());
        }
    }

    #[test]
    fn labels_round_trip_through_the_file_form() {
        let text = StringChunked::new(
            "topic".into(),
            [Some("查件"), None, Some("查件"), Some("x")],
        );
        let c = label_column("topic", text.iter()).unwrap();
        assert!(matches!(c.dtype(), DataType::Categorical(..)));
        let back = to_file(DataFrame::new(4, vec![c]).unwrap()).unwrap();
        let got: Vec<Option<&str>> = back
            .column("topic")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(got, [Some("查件"), None, Some("查件"), Some("x")]);
        let again = to_memory(back, &Channels::default()).unwrap();
        assert_eq!(
            again.column("topic").unwrap().dtype(),
            contact_type("topic").unwrap()
        );
    }
}
