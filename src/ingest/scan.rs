//! The byte scans of the CSV block reader on the widest instructions the processor has:
//! 64 bytes compared at a time into a bit mask, with AVX-512BW or AVX2 where the processor
//! has them (found when the program runs, so one build runs everywhere), else SSE2 (every
//! x86-64 processor), else byte by byte (other targets). A scan is written once, generic
//! over [`Scan`] ([`ScanJob`]), compiled for each instruction set and run on the best
//! ([`scan`]); the tests hold every set the machine has to the byte-by-byte one. What the
//! bits mean (line breaks, delimiters, quotes) is `ingest::block`'s business, not this
//! module's.

/// Bit `i` of [`Scan::bytes_of`] is set where byte `i` of a 64-byte window is one of a
/// few bytes.
pub(super) trait Scan {
    fn bytes_of<const N: usize>(bytes: &[u8; 64], of: [u8; N]) -> u64;
}

/// Byte by byte: the reference the others are tested against, and other targets' scan.
pub(super) struct Scalar;

impl Scan for Scalar {
    #[inline(always)]
    fn bytes_of<const N: usize>(bytes: &[u8; 64], of: [u8; N]) -> u64 {
        bytes_of_scalar(bytes, &of)
    }
}

/// [`Scan::bytes_of`] byte by byte.
fn bytes_of_scalar(bytes: &[u8; 64], of: &[u8]) -> u64 {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, c)| of.contains(c))
        .fold(0, |bits, (i, _)| bits | 1 << i)
}

/// SSE2: 16 bytes a compare (part of every x86-64 processor).
#[cfg(target_arch = "x86_64")]
pub(super) struct Sse2;

#[cfg(target_arch = "x86_64")]
impl Scan for Sse2 {
    #[inline(always)]
    fn bytes_of<const N: usize>(bytes: &[u8; 64], of: [u8; N]) -> u64 {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is the x86-64 baseline; each unaligned load reads bytes
        // 16k..16k+16 of the 64-byte array.
        unsafe {
            let mut bits = 0u64;
            for k in 0..4 {
                let v = _mm_loadu_si128(bytes.as_ptr().add(16 * k) as *const __m128i);
                let mut hit = _mm_setzero_si128();
                for c in of {
                    hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8)));
                }
                bits |= u64::from(_mm_movemask_epi8(hit) as u16) << (16 * k);
            }
            bits
        }
    }
}

/// AVX2: 32 bytes a compare. Only inside [`run_on`]'s AVX2 instance.
#[cfg(target_arch = "x86_64")]
pub(super) struct Avx2;

#[cfg(target_arch = "x86_64")]
impl Scan for Avx2 {
    #[inline(always)]
    fn bytes_of<const N: usize>(bytes: &[u8; 64], of: [u8; N]) -> u64 {
        use std::arch::x86_64::*;
        // SAFETY: reached only from code compiled for AVX2 and run once the processor was
        // found to have it ([`run_on`]); the two unaligned loads read bytes 0..32 and
        // 32..64 of the array.
        unsafe {
            let mut bits = 0u64;
            for k in 0..2 {
                let v = _mm256_loadu_si256(bytes.as_ptr().add(32 * k) as *const __m256i);
                let mut hit = _mm256_setzero_si256();
                for c in of {
                    hit = _mm256_or_si256(hit, _mm256_cmpeq_epi8(v, _mm256_set1_epi8(c as i8)));
                }
                bits |= u64::from(_mm256_movemask_epi8(hit) as u32) << (32 * k);
            }
            bits
        }
    }
}

/// AVX-512BW: the 64 bytes in one compare, straight into a mask. Only inside
/// [`run_on`]'s AVX-512 instance.
#[cfg(target_arch = "x86_64")]
pub(super) struct Avx512;

#[cfg(target_arch = "x86_64")]
impl Scan for Avx512 {
    #[inline(always)]
    fn bytes_of<const N: usize>(bytes: &[u8; 64], of: [u8; N]) -> u64 {
        use std::arch::x86_64::*;
        // SAFETY: reached only from code compiled for AVX-512BW and run once the processor
        // was found to have it ([`run_on`]); the unaligned load reads the 64-byte array.
        unsafe {
            let v = _mm512_loadu_si512(bytes.as_ptr() as *const __m512i);
            let mut bits = 0u64;
            for c in of {
                bits |= _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(c as i8));
            }
            bits
        }
    }
}

/// Work written over [`Scan`], run by [`scan`] on the best instruction set at hand. Its
/// `run` and everything it calls are `#[inline(always)]`, so that each instance is
/// compiled whole for its instruction set.
pub(super) trait ScanJob {
    type Out;
    fn run<S: Scan>(self) -> Self::Out;
}

/// The instruction sets a scan can run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Isa {
    Scalar,
    Sse2,
    Avx2,
    Avx512,
}

impl Isa {
    /// Whether this processor can run it.
    pub(super) fn runs_here(self) -> bool {
        match self {
            Isa::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Sse2 => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => std::is_x86_feature_detected!("avx2"),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => std::is_x86_feature_detected!("avx512bw"),
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// The widest set this processor can run, found once.
    pub(super) fn best() -> Isa {
        static BEST: std::sync::OnceLock<Isa> = std::sync::OnceLock::new();
        *BEST.get_or_init(|| {
            [Isa::Avx512, Isa::Avx2, Isa::Sse2]
                .into_iter()
                .find(|i| i.runs_here())
                .unwrap_or(Isa::Scalar)
        })
    }

    /// Every set this processor can run, the widest last.
    #[cfg(test)]
    pub(super) fn here() -> Vec<Isa> {
        [Isa::Scalar, Isa::Sse2, Isa::Avx2, Isa::Avx512]
            .into_iter()
            .filter(|i| i.runs_here())
            .collect()
    }
}

/// Run `job` on the widest instruction set the processor has.
#[inline]
pub(super) fn scan<J: ScanJob>(job: J) -> J::Out {
    // SAFETY: `best` is a set the processor runs.
    unsafe { run_on(Isa::best(), job) }
}

/// Run `job` on `isa`, or byte by byte if the processor cannot run `isa` (the tests run
/// every set the machine has).
#[cfg(test)]
pub(super) fn scan_on<J: ScanJob>(isa: Isa, job: J) -> J::Out {
    if !isa.runs_here() {
        return job.run::<Scalar>();
    }
    // SAFETY: checked just above.
    unsafe { run_on(isa, job) }
}

/// Run `job` on `isa`.
///
/// # Safety
/// The processor must run `isa` ([`Isa::runs_here`]).
#[inline]
unsafe fn run_on<J: ScanJob>(isa: Isa, job: J) -> J::Out {
    match isa {
        // SAFETY: the caller vouches for the instruction set each instance is compiled for.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { on_avx512(job) },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { on_avx2(job) },
        #[cfg(target_arch = "x86_64")]
        Isa::Sse2 => job.run::<Sse2>(),
        _ => job.run::<Scalar>(),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512bw")]
unsafe fn on_avx512<J: ScanJob>(job: J) -> J::Out {
    job.run::<Avx512>()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn on_avx2<J: ScanJob>(job: J) -> J::Out {
    job.run::<Avx2>()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bits of one window, as a job.
    struct Bits([u8; 64], [u8; 2]);

    impl ScanJob for Bits {
        type Out = u64;
        #[inline(always)]
        fn run<S: Scan>(self) -> u64 {
            S::bytes_of(&self.0, self.1)
        }
    }

    proptest::proptest! {
        /// Every instruction set the machine has finds the bytes the byte-by-byte scan
        /// finds.
        #[test]
        fn every_instruction_set_finds_the_same_bytes(bytes in proptest::collection::vec(proptest::sample::select(b",;\t\n\ra\xe4\x80\0"), 64), delim in proptest::sample::select(b",;\t\x80")) {
            let bytes: [u8; 64] = bytes.try_into().unwrap();
            let want = bytes_of_scalar(&bytes, &[delim, b'\n']);
            for isa in Isa::here() {
                proptest::prop_assert_eq!(scan_on(isa, Bits(bytes, [delim, b'\n'])), want, "{:?}", isa);
            }
        }
    }

    #[test]
    fn the_baseline_runs_everywhere() {
        assert!(Isa::Scalar.runs_here());
        #[cfg(target_arch = "x86_64")]
        assert!(Isa::here().contains(&Isa::Sse2));
    }
}
