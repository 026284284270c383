//! The panic hook the binary has: a panic inside a guarded parser call (calamine on a
//! damaged file) is the file's error, so it unwinds to the guard; any other panic is a crash
//! the fuzzer reports (libFuzzer's own hook aborts on every panic).
pub fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !cseval::ingest::panic_is_guarded() {
                previous(info);
            }
        }));
    });
}
