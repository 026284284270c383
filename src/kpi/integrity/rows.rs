//! The integrity checks' row counts in one pass over the period's contacts, chunk by chunk
//! on the thread pool: answered real-time calls with next to no talk time, abandons just
//! under and just over each short-abandon threshold, answers after exactly each
//! service-level threshold (and a second either side), and by agent the answered calls
//! with next to no talk and the answered contacts surveyed. It counts; what stands out is
//! judged by the checks (`super`). A row counts only when every value its condition reads
//! is given, as Polars sums a condition: the property test holds the pass to the same
//! counts asked of Polars.

use super::SHORT_TALK_SECONDS;
use crate::config::Contract;
use crate::error::Result;
use crate::model::Channel;
use polars::prelude::*;
use rayon::prelude::*;

/// What the pass counts for a contract.
pub(super) struct Asked {
    /// By channel code: whether the channel is real-time.
    realtime: Vec<bool>,
    /// Real-time channels with a short-abandon threshold above zero: (channel, threshold).
    pub under: Vec<(Channel, f64)>,
    /// Channels with a service-level threshold: (channel, threshold).
    pub at: Vec<(Channel, f64)>,
}

impl Asked {
    pub fn of(contract: &Contract) -> Asked {
        let chs = &contract.channels;
        Asked {
            realtime: chs.all().map(|c| chs.is_realtime(c)).collect(),
            under: chs
                .all()
                .map(|c| (c, contract.short_abandon_seconds(c)))
                .filter(|&(c, t)| chs.is_realtime(c) && t > 0.0)
                .collect(),
            at: chs
                .all()
                .filter_map(|c| Some((c, contract.service_level_threshold(c)?)))
                .collect(),
        }
    }
}

/// The counts of [`count`].
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Counted {
    /// Answered real-time calls with a handling time under [`SHORT_TALK_SECONDS`].
    pub short: u64,
    /// Answered real-time calls with a handling time.
    pub talked: u64,
    /// By [`Asked::under`] (threshold T): unanswered contacts of the channel that waited
    /// from T−2 to under T seconds, and from T to under T+2.
    pub under: Vec<[u64; 2]>,
    /// By [`Asked::at`] (threshold T): contacts of the channel answered after exactly T,
    /// T−1 and T+1 seconds.
    pub at: Vec<[u64; 3]>,
    /// By agent: answered real-time calls with next to no talk, and answered contacts
    /// surveyed.
    pub agents: std::collections::BTreeMap<String, [u64; 2]>,
}

/// One chunk's counts, agents by category id.
#[derive(Default)]
struct Part {
    short: u64,
    talked: u64,
    under: Vec<[u64; 2]>,
    at: Vec<[u64; 3]>,
    /// By agent category id (dense from 0): grown to the largest id met.
    agents: Vec<[u64; 2]>,
}

impl Part {
    fn new(asked: &Asked) -> Part {
        Part {
            under: vec![[0; 2]; asked.under.len()],
            at: vec![[0; 3]; asked.at.len()],
            ..Default::default()
        }
    }

    /// The counts of agent `id`.
    fn agent(&mut self, id: u32) -> &mut [u64; 2] {
        let i = id as usize;
        if i >= self.agents.len() {
            self.agents.resize(i + 1, [0; 2]);
        }
        &mut self.agents[i]
    }

    fn add(mut self, other: Part) -> Part {
        self.short += other.short;
        self.talked += other.talked;
        for (a, b) in self.under.iter_mut().zip(&other.under) {
            a[0] += b[0];
            a[1] += b[1];
        }
        for (a, b) in self.at.iter_mut().zip(&other.at) {
            for k in 0..3 {
                a[k] += b[k];
            }
        }
        for (id, n) in other.agents.into_iter().enumerate() {
            let e = self.agent(id as u32);
            e[0] += n[0];
            e[1] += n[1];
        }
        self
    }
}

/// The counts of `asked` over the period's enriched contacts `df`.
pub(super) fn count(df: &DataFrame, asked: &Asked) -> Result<Counted> {
    let channel = df.column("channel")?.cat32()?.physical().clone();
    let agent = df.column("agent_id")?;
    let agents = agent.dtype().cat_mapping()?.clone();
    let agent = agent.cat32()?.physical().clone();
    let flags = |name: &str| -> Result<BooleanChunked> { Ok(df.column(name)?.bool()?.clone()) };
    let floats = |name: &str| -> Result<Float64Chunked> { Ok(df.column(name)?.f64()?.clone()) };
    let (answered, surveyed) = (flags("answered")?, flags("has_survey")?);
    let (handle, wait, resp) = (floats("handle_s")?, floats("wait_s")?, floats("resp_s")?);
    use super::super::enrich::one_array;
    let parts = crate::util::chunk_ranges(&channel)
        .into_par_iter()
        .map(|(s, len)| {
            let s = s as i64;
            let (ch, ag) = (one_array(&channel, s, len), one_array(&agent, s, len));
            let (ans, sur) = (one_array(&answered, s, len), one_array(&surveyed, s, len));
            let (hd, wt) = (one_array(&handle, s, len), one_array(&wait, s, len));
            let rs = one_array(&resp, s, len);
            let mut p = Part::new(asked);
            for i in 0..len {
                let c = ch.get(i);
                let realtime = c.is_some_and(|c| asked.realtime.get(c as usize) == Some(&true));
                let (answered, h) = (ans.get(i), hd.get(i));
                let short = realtime && h.is_some_and(|h| h < SHORT_TALK_SECONDS);
                if answered == Some(true) {
                    p.talked += u64::from(realtime && h.is_some());
                    p.short += u64::from(short);
                    let surveyed = sur.get(i) == Some(true);
                    if let (Some(a), true) = (ag.get(i), short || surveyed) {
                        let e = p.agent(a);
                        e[0] += u64::from(short);
                        e[1] += u64::from(surveyed);
                    }
                    if let (Some(c), Some(r)) = (c, rs.get(i)) {
                        for ((w, t), n) in asked.at.iter().zip(&mut p.at) {
                            if w.index() as u32 == c {
                                for (k, s) in [*t, t - 1.0, t + 1.0].into_iter().enumerate() {
                                    n[k] += u64::from(r == s);
                                }
                            }
                        }
                    }
                } else if let (Some(false), Some(c), Some(w)) = (answered, c, wt.get(i)) {
                    for ((u, t), n) in asked.under.iter().zip(&mut p.under) {
                        if u.index() as u32 == c {
                            n[0] += u64::from(w >= t - 2.0 && w < *t);
                            n[1] += u64::from(w >= *t && w < t + 2.0);
                        }
                    }
                }
            }
            p
        })
        .reduce(|| Part::new(asked), Part::add);
    let mut by_agent = std::collections::BTreeMap::new();
    for (id, n) in parts.agents.into_iter().enumerate() {
        if n == [0; 2] {
            continue;
        }
        if let Some(name) = agents.cat_to_str(id as u32) {
            by_agent.insert(name.to_string(), n);
        }
    }
    Ok(Counted {
        short: parts.short,
        talked: parts.talked,
        under: parts.under,
        at: parts.at,
        agents: by_agent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Channels;
    use proptest::prelude::*;

    /// A contract whose phone (real-time) has a short-abandon threshold of 5 s and a
    /// service-level threshold of 20 s, and whose email (not real-time) one of 3,600 s.
    fn contract() -> Contract {
        let t = "[contract]\nid = \"T\"\nname = \"t\"\n\
            [[sla]]\nid = \"sl\"\nclause = \"1\"\nchannel = \"phone\"\nmetric = \"service_level\"\nthreshold_seconds = 20\nshort_abandon_seconds = 5\ntarget = 0.8\n\
            [[sla]]\nid = \"em\"\nclause = \"2\"\nchannel = \"email\"\nmetric = \"service_level\"\nthreshold_seconds = 3600\ntarget = 0.8\n";
        Contract::parse(t, std::path::Path::new("c.toml")).unwrap()
    }

    /// (channel code, agent, answered, handle s, wait s, response s, surveyed).
    type Contact = (
        Option<u8>,
        Option<&'static str>,
        Option<bool>,
        Option<f64>,
        Option<f64>,
        Option<f64>,
        Option<bool>,
    );

    fn frame(rows: &[Contact]) -> DataFrame {
        df!(
            "answered" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            "handle_s" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
            "wait_s" => rows.iter().map(|r| r.4).collect::<Vec<_>>(),
            "resp_s" => rows.iter().map(|r| r.5).collect::<Vec<_>>(),
            "has_survey" => rows.iter().map(|r| r.6).collect::<Vec<_>>(),
        )
        .unwrap()
        .hstack(&[
            crate::normalize::dtypes::channel_column(
                &Channels::default(),
                rows.iter().map(|r| r.0),
            ),
            crate::normalize::dtypes::label_column("agent_id", rows.iter().map(|r| r.1)).unwrap(),
        ])
        .unwrap()
    }

    /// The counts as sums of conditions in Polars (a null in a condition is no row).
    fn by_expressions(df: &DataFrame, contract: &Contract) -> Counted {
        let chs = &contract.channels;
        let on = |c: Channel| {
            col("channel")
                .to_physical()
                .cast(DataType::UInt32)
                .eq(lit(c.index() as u32))
        };
        let is_rt = chs
            .all()
            .filter(|c| chs.is_realtime(*c))
            .fold(lit(false), |e, c| e.or(on(c)));
        let short = is_rt
            .clone()
            .and(col("handle_s").lt(lit(SHORT_TALK_SECONDS)));
        let answered = || col("answered");
        let mut exprs = vec![
            answered().and(short.clone()),
            answered().and(is_rt).and(col("handle_s").is_not_null()),
        ];
        let asked = Asked::of(contract);
        let range = |lo: f64, hi: f64| col("wait_s").gt_eq(lit(lo)).and(col("wait_s").lt(lit(hi)));
        for &(c, t) in &asked.under {
            let gone = || answered().not().and(on(c));
            exprs.push(gone().and(range(t - 2.0, t)));
            exprs.push(gone().and(range(t, t + 2.0)));
        }
        for &(c, t) in &asked.at {
            for s in [t, t - 1.0, t + 1.0] {
                exprs.push(answered().and(on(c)).and(col("resp_s").eq(lit(s))));
            }
        }
        let sums: Vec<Expr> = (exprs.into_iter().enumerate())
            .map(|(i, e)| e.sum().cast(DataType::UInt64).alias(format!("c{i}")))
            .collect();
        let g = df.clone().lazy().select(sums).collect().unwrap();
        let v: Vec<u64> = (0..g.width())
            .map(|i| {
                g.column(&format!("c{i}"))
                    .unwrap()
                    .u64()
                    .unwrap()
                    .get(0)
                    .unwrap()
            })
            .collect();
        let by = |e: Expr| -> Vec<(String, u64)> {
            let g = df
                .clone()
                .lazy()
                .filter(
                    answered()
                        .fill_null(lit(false))
                        .and(e.fill_null(lit(false))),
                )
                .group_by([col("agent_id").cast(DataType::String)])
                .agg([len().cast(DataType::UInt64).alias("k")])
                .collect()
                .unwrap();
            let (a, k) = (g.column("agent_id").unwrap(), g.column("k").unwrap());
            let (a, k) = (a.str().unwrap(), k.u64().unwrap());
            a.iter()
                .zip(k.iter())
                .filter_map(|(a, k)| Some((a?.to_string(), k?)))
                .collect()
        };
        let mut agents = std::collections::BTreeMap::<String, [u64; 2]>::new();
        for (j, e) in [short, col("has_survey")].into_iter().enumerate() {
            for (a, k) in by(e) {
                agents.entry(a).or_default()[j] = k;
            }
        }
        let (u, rest) = v[2..].split_at(2 * asked.under.len());
        Counted {
            short: v[0],
            talked: v[1],
            under: u.chunks(2).map(|c| [c[0], c[1]]).collect(),
            at: rest.chunks(3).map(|c| [c[0], c[1], c[2]]).collect(),
            agents,
        }
    }

    #[test]
    fn a_worked_example() {
        // Phone (real-time, short abandon 5 s, service level 20 s), email (3,600 s).
        // 1. A answered the phone, 3 s of talk, surveyed: short talk, A (1, 1).
        // 2. A answered the phone, 5 s of talk: talked, not short (5 is not under 5).
        // 3. B answered the phone after exactly 20 s, no handle time: at T; not talked.
        // 4. unanswered phone call after 4.5 s: under T (3 ≤ 4.5 < 5).
        // 5. unanswered phone call after 5 s: over T (5 ≤ 5 < 7).
        // 6. answer unknown, 4 s waited: no row anywhere.
        // 7. email answered after 3,599 s, surveyed by B, 1 s of talk (not real-time):
        //    at T−1 of email; B surveyed.
        let rows: [Contact; 7] = [
            (
                Some(0),
                Some("A"),
                Some(true),
                Some(3.0),
                Some(1.0),
                Some(1.0),
                Some(true),
            ),
            (
                Some(0),
                Some("A"),
                Some(true),
                Some(5.0),
                None,
                Some(2.0),
                None,
            ),
            (
                Some(0),
                Some("B"),
                Some(true),
                None,
                Some(20.0),
                Some(20.0),
                Some(false),
            ),
            (Some(0), None, Some(false), None, Some(4.5), None, None),
            (Some(0), None, Some(false), None, Some(5.0), None, None),
            (Some(0), None, None, None, Some(4.0), None, None),
            (
                Some(1),
                Some("B"),
                Some(true),
                Some(1.0),
                None,
                Some(3599.0),
                Some(true),
            ),
        ];
        let contract = contract();
        let asked = Asked::of(&contract);
        let c = count(&frame(&rows), &asked).unwrap();
        assert_eq!((c.short, c.talked), (1, 2));
        let phone = |v: &[(Channel, f64)]| v.iter().position(|(c, _)| c.index() == 0).unwrap();
        let email = asked.at.iter().position(|(c, _)| c.index() == 1).unwrap();
        assert_eq!(c.under[phone(&asked.under)], [1, 1]);
        assert_eq!(c.at[phone(&asked.at)], [1, 0, 0]);
        assert_eq!(c.at[email], [0, 1, 0]);
        assert_eq!(c.agents["A"], [1, 1]);
        assert_eq!(c.agents["B"], [0, 1]);
        assert_eq!(c, by_expressions(&frame(&rows), &contract));
    }

    proptest! {
        /// Over frames of two chunks, the pass counts what Polars counts.
        #[test]
        fn the_pass_counts_what_the_expressions_count(
            rows in prop::collection::vec((
                prop::option::of(prop::sample::select(vec![0u8, 1, 2])),
                prop::option::of(prop::sample::select(vec!["A", "B", "C"])),
                prop::option::of(any::<bool>()),
                prop::option::of(prop::sample::select(vec![0.0, 3.0, 4.9, 5.0, 100.0])),
                prop::option::of(prop::sample::select(vec![2.9, 3.0, 4.5, 5.0, 6.9, 7.0, 30.0])),
                prop::option::of(prop::sample::select(vec![19.0, 20.0, 21.0, 3599.0, 3600.0, 3601.0])),
                prop::option::of(any::<bool>()),
            ), 0..80),
            cut in 0usize..80,
        ) {
            let cut = cut.min(rows.len());
            let mut df = frame(&rows[..cut]);
            df.vstack_mut_owned(frame(&rows[cut..])).unwrap();
            let contract = contract();
            let got = count(&df, &Asked::of(&contract)).unwrap();
            prop_assert_eq!(got, by_expressions(&df, &contract));
        }
    }
}
