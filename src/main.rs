#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How long memory freed stays with the allocator before it goes back to the system, in
/// milliseconds. Long enough that a step reuses what it frees (the reading's buffers, a
/// kernel's scratch) instead of faulting in and zeroing fresh pages; short enough that what
/// a stage leaves behind is returned, which keeps the 10 M-contact run under 2 GB
/// (BENCHMARKS.md). Never returning it (−1) cost about 300 MB there; returning it at once
/// (0) cost seconds of page faults; 1,000 ms faulted in a fifth fewer pages than 500 ms
/// (1.16 M → 0.94 M) for 15 MB more, 10,000 ms only 0.1 M fewer again for 49 MB more.
const PURGE_DELAY_MS: std::ffi::c_long = 1000;

fn main() {
    // SAFETY: sets a process-wide allocator option; no memory is touched.
    unsafe { libmimalloc_sys::mi_option_set(cseval::util::MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    let code = cseval::cli::main();
    exit(code)
}

/// End the process with `code` once standard output is flushed, without the C library's
/// exit handlers (Unix): the allocator's would hand every page it holds back to the system
/// one call at a time (a tenth of a second at 10 M contacts), which the process's end does
/// at once. Every file the run wrote is closed by then; standard error is unbuffered.
fn exit(code: i32) -> ! {
    #[cfg(unix)]
    {
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        // SAFETY: ends the process; nothing of Rust's runs after it that needs to.
        unsafe { libc::_exit(code) }
    }
    #[cfg(not(unix))]
    std::process::exit(code)
}
