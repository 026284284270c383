//! Fuzz the csv reader and the canonical normalizer behind it: any bytes must give rows or
//! a clean error, never a panic.
#![no_main]
use cseval::config::read::ReadOptions;
use cseval::ingest::read_bytes;
use cseval::normalize::ContactSink;
use libfuzzer_sys::fuzz_target;

#[path = "guard.rs"]
mod guard;

fuzz_target!(|data: &[u8]| {
    guard::install();
    let mut sink = ContactSink::new(chrono_tz::Asia::Shanghai, guard::checks());
    let _ = read_bytes(std::path::Path::new("input.csv"), data.to_vec(), &ReadOptions::default(), &mut sink);
    let _ = sink.into_frame();
});
