//! `cseval sample`: deterministic synthetic exports of an express-courier customer-service
//! centre (phone hotline, online chat, e-mail), in the canonical record format.
//!
//! A seeded ChaCha generator draws arrivals over the month (weekday and hour profiles,
//! holiday peaks), queue behaviour (waits that grow with load, impatient callers who
//! abandon), e-mail replies that wait for the next working window on the mainland-China
//! calendar, Chinese topics and complaint types, agents of uneven quality, surveys, and
//! customers who come back (repeat contacts), call-backs of abandoned calls (outbound
//! contacts, `direction`), and one agent (A012) who ends many calls within seconds of
//! answering: the problem the integrity checks are there to find.
//! The same seed and sizes always give byte-identical files. Nothing here reads real data.

use crate::config::Calendar;
use crate::error::{io_err, Result};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;
use std::path::Path;

const CALENDARS: [&str; 2] = [
    include_str!("../../report-templates/calendars/cn-2025.toml"),
    include_str!("../../report-templates/calendars/cn-2026.toml"),
];

const TOPICS: &[(&str, f64)] = &[
    ("运单查询", 30.0),
    ("催件", 17.0),
    ("运费咨询", 12.0),
    ("网点查询", 10.0),
    ("寄件预约", 10.0),
    ("理赔咨询", 8.0),
    ("包装要求", 5.0),
    ("国际件", 4.0),
    ("发票开具", 4.0),
];
const ORDER_TOPICS: &[(&str, f64)] = &[
    ("修改地址", 50.0),
    ("取消寄件", 30.0),
    ("备注特殊要求", 20.0),
];
const COMPLAINTS: &[(&str, f64)] = &[
    ("延误", 36.0),
    ("破损", 19.0),
    ("服务态度", 15.0),
    ("丢件", 12.0),
    ("虚假签收", 10.0),
    ("乱收费", 8.0),
];
const NAMES: &[&str] = &[
    "王芳", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周婷", "吴强", "徐丽", "孙浩",
    "马超", "朱琳", "胡军", "郭霞", "何平", "高翔", "林雪", "罗刚", "梁燕", "宋佳", "郑凯", "谢娟",
];
const TEAMS: &[&str] = &["热线一组", "热线二组", "在线组"];
const COMMENTS: &[&str] = &[
    "客服很耐心",
    "问题解决得很快",
    "等了很久才接通",
    "快递还是没到",
    "态度一般",
    "请尽快回电,我的电话是{phone}",
    "",
    "",
    "",
];

fn pick<'a>(rng: &mut ChaCha8Rng, items: &'a [(&'a str, f64)]) -> &'a str {
    let total: f64 = items.iter().map(|x| x.1).sum();
    let mut u = rng.random::<f64>() * total;
    for (name, w) in items {
        if u < *w {
            return name;
        }
        u -= w;
    }
    items[items.len() - 1].0
}

fn exp(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    -mean * (1.0 - rng.random::<f64>()).ln()
}

fn phone(rng: &mut ChaCha8Rng) -> String {
    format!(
        "1{}{:09}",
        rng.random_range(3..10),
        rng.random_range(0..1_000_000_000u32)
    )
}

/// Arrival weight per hour of day (08:00–22:00 service hours).
fn hour_weight(h: u32) -> f64 {
    match h {
        8 => 3.0,
        9 => 8.0,
        10 => 10.0,
        11 => 9.0,
        12 => 6.0,
        13 => 7.0,
        14 => 9.0,
        15 => 9.0,
        16 => 8.0,
        17 => 6.0,
        18 => 4.0,
        19 => 4.0,
        20 => 3.0,
        21 => 2.0,
        _ => 0.0,
    }
}

fn fmt(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Next instant inside working hours at or after `t` (for e-mail replies).
fn next_working(cal: &Calendar, t: NaiveDateTime) -> NaiveDateTime {
    let mut day = t.date();
    for _ in 0..40 {
        for &(a, b) in cal.windows_of(day) {
            let start = day.and_hms_opt(0, 0, 0).expect("midnight") + Duration::seconds(a as i64);
            let end = day.and_hms_opt(0, 0, 0).expect("midnight") + Duration::seconds(b as i64);
            if t < end {
                return t.max(start);
            }
        }
        day = day.succ_opt().expect("date in range");
    }
    t
}

struct Agent {
    id: String,
    name: &'static str,
    team: &'static str,
    resolve_p: f64,
    speed: f64,
}

/// Quality criteria of the sample, with the chance that an ordinary agent fails each.
const CRITERIA: &[(&str, f64)] = &[
    ("greeting", 0.03),
    ("verification", 0.04),
    ("accuracy", 0.06),
    ("compliance", 0.04),
    ("closing", 0.12),
];

/// One month's quality inspections: about 3 % of answered phone and chat contacts sampled
/// from their recordings, plus 12 mystery-shopper calls. Agent 17 (the weak resolver) fails
/// accuracy often, agent 6 compliance. Scores: 100 minus 15 per failed criterion minus up to
/// 5; the verdict is left to the contract's pass score.
fn sample_inspections(
    rng: &mut ChaCha8Rng,
    calls: &[(String, usize, NaiveDateTime)],
    agents: &[Agent],
    days: &[NaiveDate],
    period: crate::config::Period,
) -> String {
    let mut s = String::from(
        "inspection_id,contact_id,agent_id,inspector,inspected_at,source,score,passed",
    );
    for (c, _) in CRITERIA {
        let _ = write!(s, ",criterion_{c}");
    }
    s.push_str(",comment\n");
    let end = period.end.and_hms_opt(0, 0, 0).expect("midnight");
    let mut n = 0;
    let mut row = |rng: &mut ChaCha8Rng,
                   s: &mut String,
                   contact: &str,
                   agent: usize,
                   at: NaiveDateTime,
                   source: &str| {
        n += 1;
        let fails: Vec<bool> = CRITERIA
            .iter()
            .map(|(c, p)| {
                let p = match (agent, *c) {
                    (16, "accuracy") => 0.35,
                    (5, "compliance") => 0.30,
                    _ => *p,
                };
                rng.random::<f64>() < p
            })
            .collect();
        let failed = fails.iter().filter(|f| **f).count() as f64;
        let score = (100.0 - 15.0 * failed - rng.random_range(0..=5) as f64).max(0.0);
        let _ = write!(
            s,
            "QA{}{n:04},{contact},{},QA0{},{},{source},{score},",
            period.start.format("%y%m"),
            agents[agent].id,
            1 + n % 3,
            fmt(at)
        );
        for f in &fails {
            s.push_str(if *f { ",fail" } else { ",pass" });
        }
        s.push_str(",\n");
    };
    for (id, agent, t) in calls {
        if rng.random::<f64>() < 0.03 {
            let mut at = *t + Duration::hours(rng.random_range(2..30));
            if at >= end {
                at = *t + Duration::minutes(30);
            }
            row(rng, &mut s, id, *agent, at, "recording");
        }
    }
    for _ in 0..12 {
        let day = days[rng.random_range(0..days.len())];
        let at = day
            .and_hms_opt(rng.random_range(9..18), rng.random_range(0..60), 0)
            .expect("valid time");
        let agent = rng.random_range(0..agents.len());
        row(rng, &mut s, "", agent, at, "mystery_shopper");
    }
    s
}

/// Write `months` months of contacts, surveys and quality inspections under `out/contacts`,
/// `out/surveys` and `out/inspections`.
pub fn write(out: &Path, start: NaiveDate, months: u32, per_month: u32, seed: u64) -> Result<()> {
    let cal = shipped_calendar()?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let agents = agents();
    // Quality inspections draw from their own stream, so adding them left the contacts and
    // surveys of every seed unchanged.
    let mut qa_rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5141_5141);
    for d in ["contacts", "surveys", "inspections"] {
        let p = out.join(d);
        std::fs::create_dir_all(&p).map_err(|e| io_err(&p, "create", e))?;
    }
    let mut callers = Callers::new(seed);
    let mut extras = Extras::new(seed);
    let mut month_start = start;
    let mut serial = 0u64;
    for _ in 0..months {
        let period = crate::config::Period::month_of(month_start);
        let days: Vec<NaiveDate> = period
            .start
            .iter_days()
            .take_while(|d| *d < period.end)
            .collect();
        let mut files = MonthFiles::default();
        for (t, day_load) in arrivals(&mut rng, &days, &cal, per_month) {
            serial += 1;
            write_contact(
                &mut rng,
                &cal,
                &agents,
                (t, day_load, serial),
                &mut files,
                (&mut callers, &mut extras),
            );
        }
        let label = period.label();
        let inspections =
            sample_inspections(&mut qa_rng, &files.answered_calls, &agents, &days, period);
        for (dir, text) in [
            ("inspections", inspections),
            ("contacts", files.contacts),
            ("surveys", files.surveys),
        ] {
            let p = out.join(dir).join(format!("{dir}-{label}.csv"));
            crate::util::write_file(&p, text.as_bytes()).map_err(|e| io_err(&p, "write", e))?;
        }
        month_start = period.end;
    }
    Ok(())
}

/// The shipped mainland-China calendars of 2025 and 2026.
fn shipped_calendar() -> Result<Calendar> {
    let dir = std::env::temp_dir().join(format!("cseval-cal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| io_err(&dir, "create", e))?;
    let mut paths = Vec::new();
    for (i, c) in CALENDARS.iter().enumerate() {
        let p = dir.join(format!("cal{i}.toml"));
        std::fs::write(&p, c).map_err(|e| io_err(&p, "write", e))?;
        paths.push(p);
    }
    let cal = Calendar::load(&paths);
    let _ = std::fs::remove_dir_all(&dir);
    cal
}

/// The agents, of uneven quality and speed.
fn agents() -> Vec<Agent> {
    NAMES
        .iter()
        .enumerate()
        .map(|(i, n)| Agent {
            id: format!("A{:03}", i + 1),
            name: n,
            team: TEAMS[i % TEAMS.len()],
            // One agent resolves far less than the rest.
            resolve_p: if i == 16 {
                0.66
            } else {
                0.86 + 0.08 * ((i * 7 % 10) as f64 / 10.0)
            },
            speed: 0.8 + 0.4 * ((i * 3 % 10) as f64 / 10.0),
        })
        .collect()
}

/// A day's weight: weekends quieter, the first working days after a holiday busier,
/// Mondays busier.
fn day_weight(cal: &Calendar, d: NaiveDate) -> f64 {
    let mut w = if d.weekday().num_days_from_monday() >= 5 {
        0.75
    } else {
        1.0
    };
    if cal.holidays.contains(&d) {
        w = 0.9;
    }
    if let Some(prev) = d.pred_opt() {
        if cal.holidays.contains(&prev) && !cal.holidays.contains(&d) {
            w = 1.8;
        }
    }
    if d.weekday().num_days_from_monday() == 0 {
        w *= 1.25;
    }
    w
}

/// `per_month` arrival times over `days`, in order, each with its day's weight (its load).
fn arrivals(
    rng: &mut ChaCha8Rng,
    days: &[NaiveDate],
    cal: &Calendar,
    per_month: u32,
) -> Vec<(NaiveDateTime, f64)> {
    let day_w: Vec<f64> = days.iter().map(|&d| day_weight(cal, d)).collect();
    let day_total: f64 = day_w.iter().sum();
    let hours: Vec<(String, f64)> = (0..24).map(|h| (h.to_string(), hour_weight(h))).collect();
    let hours_ref: Vec<(&str, f64)> = hours.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    let mut rows = Vec::with_capacity(per_month as usize);
    for _ in 0..per_month {
        let mut u = rng.random::<f64>() * day_total;
        let mut di = 0;
        while di + 1 < days.len() && u >= day_w[di] {
            u -= day_w[di];
            di += 1;
        }
        let h: u32 = pick(rng, &hours_ref).parse().unwrap_or(9);
        let t = days[di]
            .and_hms_opt(h, rng.random_range(0..60), rng.random_range(0..60))
            .expect("valid time");
        rows.push((t, day_w[di]));
    }
    rows.sort_by_key(|r| r.0);
    rows
}

/// One month's files as they are written, and the answered phone and chat contacts the
/// inspections draw from: (id, agent index, arrival).
/// Who calls: most contacts from a new customer, some from one who called in the last day
/// or so (a repeat contact), drawn from a stream of their own so that every other column of
/// every seed is as it was before repeat callers were generated.
struct Callers {
    rng: ChaCha8Rng,
    /// The latest customers, newest last: (customer id, phone).
    recent: std::collections::VecDeque<(String, String)>,
}

impl Callers {
    /// Share of contacts from a recent caller, and how many recent callers are kept.
    const REPEAT: f64 = 0.08;
    const KEPT: usize = 120;

    fn new(seed: u64) -> Self {
        Callers {
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x0052_4550),
            recent: Default::default(),
        }
    }

    /// The customer of a contact: `fresh` (drawn from the main stream), or a recent one.
    fn pick(&mut self, fresh: (String, String)) -> (String, String) {
        let again = !self.recent.is_empty() && self.rng.random::<f64>() < Self::REPEAT;
        let who = if again {
            let k = self.rng.random_range(0..self.recent.len());
            self.recent[k].clone()
        } else {
            fresh
        };
        self.recent.push_back(who.clone());
        if self.recent.len() > Self::KEPT {
            self.recent.pop_front();
        }
        who
    }
}

/// What was added to the sample after it was first written, each drawn from a stream of its
/// own so that every column it does not touch is as it was: call-backs of abandoned calls
/// (outbound contacts) and one agent who ends many calls within seconds of answering (the
/// planted problem the integrity checks find).
struct Extras {
    rng: ChaCha8Rng,
}

impl Extras {
    /// The agent (by index: A012) whose answered calls often end within seconds, and how
    /// often.
    const PLANTED: usize = 11;
    const PLANTED_SHARE: f64 = 0.35;
    /// Share of abandoned phone calls called back, and of call-backs that get through.
    const CALLED_BACK: f64 = 0.7;
    const GOT_THROUGH: f64 = 0.75;

    fn new(seed: u64) -> Self {
        Extras {
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x0043_4241),
        }
    }

    /// The talk time written for an answered real-time contact of agent `agent_ix`.
    fn talk(&mut self, agent_ix: usize, handle: f64) -> f64 {
        if agent_ix == Self::PLANTED && self.rng.random::<f64>() < Self::PLANTED_SHARE {
            self.rng.random_range(1..5) as f64
        } else {
            handle
        }
    }

    /// Maybe a call-back of the phone call `id` abandoned at `gone`, as a contacts line.
    fn call_back(
        &mut self,
        id: &str,
        gone: NaiveDateTime,
        agents: &[Agent],
        customer: (&str, &str),
    ) -> Option<String> {
        if self.rng.random::<f64>() >= Self::CALLED_BACK {
            return None;
        }
        let at = gone + Duration::seconds(300 + exp(&mut self.rng, 2_700.0) as i64);
        let through = self.rng.random::<f64>() < Self::GOT_THROUGH;
        let agent = &agents[self.rng.random_range(0..agents.len())];
        let talk = 30.0 + exp(&mut self.rng, 90.0);
        let (answered, handle) = if through {
            (fmt(at + Duration::seconds(15)), format!("{talk:.0}"))
        } else {
            (String::new(), String::new())
        };
        let (cust, ph) = customer;
        Some(format!(
            "B{},phone,consultation,回拨,,normal,standard,{},{answered},,,{handle},,,{},{},{},{cust},{ph},,outbound\n",
            &id[1..],
            fmt(at),
            agent.id,
            agent.name,
            agent.team
        ))
    }
}

struct MonthFiles {
    contacts: String,
    surveys: String,
    answered_calls: Vec<(String, usize, NaiveDateTime)>,
}

impl Default for MonthFiles {
    fn default() -> Self {
        MonthFiles {
            contacts: String::from(
                "contact_id,channel,kind,topic,complaint_type,priority,complexity,arrived_at,answered_at,resolved_at,wait_seconds,handle_seconds,resolved,first_contact_resolved,agent_id,agent_name,team,customer_id,customer_phone,satisfaction,direction\n",
            ),
            surveys: String::from("response_id,contact_id,responded_at,score,nps,comment\n"),
            answered_calls: Vec::new(),
        }
    }
}

/// How a contact was answered: whether, after how long a wait, and when.
struct Answer {
    answered: bool,
    wait: f64,
    at: Option<NaiveDateTime>,
}

/// Queue behaviour for phone and chat (waits grow with load, impatient callers abandon);
/// e-mail replies wait for the next working window.
fn answer(
    rng: &mut ChaCha8Rng,
    cal: &Calendar,
    ch: &str,
    t: NaiveDateTime,
    day_load: f64,
    speed: f64,
) -> Answer {
    // Load: busier hours and days make longer queues.
    let load = day_load * hour_weight(t.hour()) / 8.0;
    let monday_morning = t.weekday().num_days_from_monday() == 0 && (9..11).contains(&t.hour());
    let mut a = Answer {
        answered: true,
        wait: 0.0,
        at: None,
    };
    match ch {
        "phone" | "chat" => {
            let mean = if ch == "phone" { 9.0 } else { 14.0 }
                * load.powf(1.6)
                * if monday_morning { 2.5 } else { 1.0 };
            a.wait = exp(rng, mean);
            let patience = exp(rng, if ch == "phone" { 110.0 } else { 240.0 });
            if a.wait > patience {
                a.answered = false;
                a.wait = patience;
            } else {
                a.at = Some(t + Duration::milliseconds((a.wait * 1000.0).round() as i64));
            }
        }
        _ => {
            let first = next_working(cal, t);
            let delay = exp(rng, 5400.0 * speed * day_load);
            let reply = next_working(cal, first + Duration::seconds(delay as i64));
            if rng.random::<f64>() < 0.01 {
                a.answered = false;
            } else {
                a.at = Some(reply);
            }
        }
    }
    a
}

/// A satisfaction score: mostly high when resolved, spread when not.
fn score(rng: &mut ChaCha8Rng, resolved: bool, good: [f64; 5], bad: [f64; 5]) -> u32 {
    let w = if resolved { good } else { bad };
    pick(
        rng,
        &[
            ("5", w[0]),
            ("4", w[1]),
            ("3", w[2]),
            ("2", w[3]),
            ("1", w[4]),
        ],
    )
    .parse()
    .unwrap_or(3)
}

/// Draw one contact arriving at `t` (`day_load`: its day's weight; `serial`: its number)
/// and write it, with its survey response if it gets one.
fn write_contact(
    rng: &mut ChaCha8Rng,
    cal: &Calendar,
    agents: &[Agent],
    (t, day_load, serial): (NaiveDateTime, f64, u64),
    files: &mut MonthFiles,
    (callers, extras): (&mut Callers, &mut Extras),
) {
    let id = format!("C{}{:06}", t.format("%y%m"), serial);
    let ch = pick(rng, &[("phone", 60.0), ("chat", 25.0), ("email", 15.0)]);
    let kind = pick(
        rng,
        &[
            ("consultation", 70.0),
            ("order", 12.0),
            ("complaint", 15.0),
            ("suggestion", 3.0),
        ],
    );
    let (topic, ctype) = match kind {
        "consultation" => (pick(rng, TOPICS), ""),
        "order" => (pick(rng, ORDER_TOPICS), ""),
        "complaint" => ("投诉", pick(rng, COMPLAINTS)),
        _ => ("服务建议", ""),
    };
    let urgent = rng.random::<f64>() < if kind == "complaint" { 0.25 } else { 0.05 };
    let complex = kind == "complaint" && rng.random::<f64>() < 0.4 || topic == "理赔咨询";
    let agent_ix = rng.random_range(0..agents.len());
    let agent = &agents[agent_ix];
    let Answer {
        answered,
        wait,
        at: answered_at,
    } = answer(rng, cal, ch, t, day_load, agent.speed);
    let handle = if answered {
        60.0 + exp(rng, 180.0) * agent.speed
    } else {
        0.0
    };
    let resolved = answered
        && rng.random::<f64>() < agent.resolve_p - if kind == "complaint" { 0.06 } else { 0.0 };
    let resolved_at = if resolved {
        let base = answered_at.expect("answered");
        Some(if complex {
            base + Duration::seconds(3600 + exp(rng, 2.0 * 86_400.0) as i64)
        } else if kind == "complaint" {
            base + Duration::seconds(600 + exp(rng, 0.6 * 86_400.0) as i64)
        } else {
            base + Duration::seconds(handle as i64)
        })
    } else {
        None
    };
    let fcr = resolved && !complex && rng.random::<f64>() < 0.86;
    let sat_inline = if ch == "chat" && answered && rng.random::<f64>() < 0.35 {
        score(
            rng,
            resolved,
            [62.0, 28.0, 7.0, 2.0, 1.0],
            [15.0, 25.0, 30.0, 18.0, 12.0],
        )
        .to_string()
    } else {
        String::new()
    };
    if answered && ch != "email" {
        files.answered_calls.push((id.clone(), agent_ix, t));
    }
    let cust = format!("U{:08}", rng.random_range(0..100_000_000u32));
    let ph = phone(rng);
    let (cust, ph) = callers.pick((cust, ph));
    let talk = if answered && ch != "email" {
        extras.talk(agent_ix, handle)
    } else {
        handle
    };
    let o = |x: Option<NaiveDateTime>| x.map(fmt).unwrap_or_default();
    let _ = writeln!(
        files.contacts,
        "{id},{ch},{kind},{topic},{ctype},{},{},{},{},{},{},{},{},{},{},{},{},{cust},{ph},{sat_inline},inbound",
        if urgent { "urgent" } else { "normal" },
        if complex { "complex" } else { "standard" },
        fmt(t),
        o(answered_at),
        o(resolved_at),
        if ch == "email" { String::new() } else { format!("{wait:.0}") },
        if answered { format!("{talk:.0}") } else { String::new() },
        resolved,
        if answered { fcr.to_string() } else { String::new() },
        if answered { agent.id.as_str() } else { "" },
        if answered { agent.name } else { "" },
        if answered { agent.team } else { "" },
    );
    if !answered && ch == "phone" {
        let gone = t + Duration::seconds(wait as i64);
        if let Some(line) = extras.call_back(&id, gone, agents, (&cust, &ph)) {
            files.contacts.push_str(&line);
        }
    }
    // Post-contact survey (phone and e-mail): about 30 % of answered contacts.
    if answered && ch != "chat" && rng.random::<f64>() < 0.30 {
        let score = score(
            rng,
            resolved,
            [58.0, 29.0, 8.0, 3.0, 2.0],
            [10.0, 22.0, 33.0, 20.0, 15.0],
        );
        let nps = (score * 2).saturating_sub(rng.random_range(0..2)).min(10);
        let when = resolved_at.or(answered_at).expect("answered")
            + Duration::minutes(rng.random_range(5..240));
        let comment = COMMENTS[rng.random_range(0..COMMENTS.len())].replace("{phone}", &phone(rng));
        let _ = writeln!(
            files.surveys,
            "S{},{id},{},{score},{nps},{comment}",
            &id[1..],
            fmt(when)
        );
    }
}
