//! Fuzz the profile-mapped path: a file read as CSV or XLSX through a shipped mapping
//! profile (value maps, sentinels, joined ids, row filters, date plus time, Chinese clocks
//! and durations) into the canonical normalizer. The first byte picks the profile and the
//! reader; any other bytes must give rows or a clean error, never a panic.
#![no_main]
use cseval::config::profile::Profile;
use cseval::ingest::mapped::MappedSink;
use cseval::ingest::read_bytes;
use cseval::normalize::ContactSink;
use libfuzzer_sys::fuzz_target;

#[path = "guard.rs"]
mod guard;
use std::path::Path;

const PROFILES: [&str; 2] = [
    include_str!("../../report-templates/mappings/cn-call-center.toml"),
    include_str!("../../report-templates/mappings/anonymous-bank.toml"),
];

fuzz_target!(|data: &[u8]| {
    guard::install();
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let profile = Profile::parse(PROFILES[(pick & 1) as usize], Path::new("p.toml")).unwrap();
    let name = if pick & 2 != 0 { "input.xlsx" } else { "input.csv" };
    let mut sink = ContactSink::new(chrono_tz::Asia::Shanghai, guard::checks());
    let mut mapped = MappedSink::new(&profile, &mut sink);
    let _ = read_bytes(Path::new(name), rest.to_vec(), &profile.read, &mut mapped);
    drop(mapped);
    let _ = sink.into_frame();
});
