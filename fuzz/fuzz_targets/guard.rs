//! What the targets share: the panic hook the binary has, and the checks a contact sink
//! applies. The hook: a panic inside a guarded parser call (calamine on a damaged file) is
//! the file's error, so it unwinds to the guard; any other panic is a crash the fuzzer
//! reports (libFuzzer's own hook aborts on every panic).
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

/// The contact checks of a run whose contract declares a real-time `app` (spelled `APP`
/// too) and whose profile an asynchronous `小程序` taking over `微信` from `social`: the
/// declared spellings are read alongside the built-in ones.
pub fn checks() -> cseval::normalize::Checks {
    use cseval::channel::ChannelDecl;
    let decl = |name: &str, realtime: bool, aliases: &[&str]| ChannelDecl {
        name: name.into(),
        realtime: Some(realtime),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
    };
    let mut checks = cseval::normalize::Checks::default();
    checks
        .channels
        .declare(&[decl("app", true, &["APP"]), decl("小程序", false, &["微信"])], "fuzz")
        .expect("valid declarations");
    checks
}
