//! Sampling statistics, written once for every stage: the Wilson interval of a rate, the
//! t-interval of a mean, how many more observations would decide a comparison with a
//! target, and the sample size for a stated confidence and margin with the finite-population
//! correction. The distributions' quantiles come from `statrs`; nothing here reads data.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// A two-sided confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// The normal quantile of a two-sided interval at `confidence` (1.96 at 0.95).
pub fn z(confidence: f64) -> f64 {
    let n = Normal::new(0.0, 1.0).expect("the standard normal");
    n.inverse_cdf(0.5 + confidence / 2.0)
}

/// The Wilson score interval of `x` successes in `n` trials; `None` for no trial.
pub fn wilson(x: f64, n: f64, confidence: f64) -> Option<Interval> {
    if n <= 0.0 {
        return None;
    }
    let z = z(confidence);
    let p = x / n;
    let z2n = z * z / n;
    let centre = (p + z2n / 2.0) / (1.0 + z2n);
    let half = z / (1.0 + z2n) * (p * (1.0 - p) / n + z2n / (4.0 * n)).sqrt();
    Some(Interval {
        low: (centre - half).max(0.0),
        high: (centre + half).min(1.0),
    })
}

/// The t-interval of a mean of `n` observations with sample standard deviation `sd`;
/// `None` below two observations.
pub fn t_interval(mean: f64, sd: f64, n: f64, confidence: f64) -> Option<Interval> {
    if n < 2.0 || !sd.is_finite() {
        return None;
    }
    let t = StudentsT::new(0.0, 1.0, n - 1.0)
        .ok()?
        .inverse_cdf(0.5 + confidence / 2.0);
    let half = t * sd / n.sqrt();
    Some(Interval {
        low: mean - half,
        high: mean + half,
    })
}

/// Observations in all that would make an interval's half-width `gap` (the distance between
/// the estimate and the target), the estimate staying where it is: z²·p(1−p)/gap² for a
/// rate `p`, (z·sd/gap)² for a mean. `None` when the estimate is on the target (no sample
/// decides it).
pub fn needed_for(gap: f64, spread: f64, confidence: f64) -> Option<u64> {
    if gap.abs() < 1e-12 {
        return None;
    }
    let z = z(confidence);
    Some((z * z * spread / (gap * gap)).ceil() as u64)
}

/// The variance term of a rate `p` for [`needed_for`]: p(1−p).
pub fn rate_spread(p: f64) -> f64 {
    p * (1.0 - p)
}

/// The sample size for margin `margin` at `confidence` on a rate expected near `p` (0.5
/// when unknown): n₀ = z²·p(1−p)/E², then with a population of `population`, the
/// finite-population correction n₀ / (1 + (n₀ − 1) / N). Rounded up.
pub fn sample_size(confidence: f64, margin: f64, p: f64, population: Option<u64>) -> u64 {
    let z = z(confidence);
    let n0 = z * z * p * (1.0 - p) / (margin * margin);
    let n = match population {
        Some(big_n) if big_n > 0 => n0 / (1.0 + (n0 - 1.0) / big_n as f64),
        _ => n0,
    };
    // A hair under a whole number is that number (384.0000000001 from rounding is 385).
    (n - 1e-9).ceil().max(1.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_normal_quantile_of_a_95_percent_interval_is_1_96() {
        assert!((z(0.95) - 1.959_963_985).abs() < 1e-6);
        assert!((z(0.90) - 1.644_853_627).abs() < 1e-6);
    }

    #[test]
    fn wilson_intervals_worked_by_hand() {
        // 960 of 1,200 (p = 0.8, z = 1.959964, z²/n = 0.0032012):
        // centre = (0.8 + 0.0016006) / 1.0032012 = 0.7990402;
        // half = 1.959964 / 1.0032012 × √(0.8 × 0.2 / 1200 + 0.0032012 / 4800)
        //      = 1.9537097 × √(0.000133333 + 0.000000667) = 1.9537097 × 0.0115758 = 0.0226158;
        // 77.64 % to 82.17 % (the normal approximation 0.8 ± 1.96 × 0.011547 gives 77.74 % to
        // 82.26 %).
        let i = wilson(960.0, 1200.0, 0.95).unwrap();
        assert!((i.low - 0.776427).abs() < 1e-5, "{i:?}");
        assert!((i.high - 0.821659).abs() < 1e-5, "{i:?}");
        // 704 of 864 (81.48 %): 78.75 % to 83.93 %: the 80 % target is inside.
        let i = wilson(704.0, 864.0, 0.95).unwrap();
        assert!(
            (i.low - 0.787540).abs() < 1e-5 && (i.high - 0.839303).abs() < 1e-5,
            "{i:?}"
        );
        // 0 of 10 still has an upper bound: z²/(n + z²) = 3.8415 / 13.8415 = 27.75 %.
        let i = wilson(0.0, 10.0, 0.95).unwrap();
        assert_eq!(i.low, 0.0);
        assert!((i.high - 0.277533).abs() < 1e-5, "{i:?}");
        assert!(wilson(0.0, 0.0, 0.95).is_none());
    }

    #[test]
    fn t_intervals_worked_by_hand() {
        // Mean 4.2, sd 0.9 on 25 answers: t(24, 0.975) = 2.063899; half = 2.063899 × 0.9 / 5
        // = 0.371502: 3.8285 to 4.5715.
        let i = t_interval(4.2, 0.9, 25.0, 0.95).unwrap();
        assert!(
            (i.low - 3.828498).abs() < 1e-5 && (i.high - 4.571502).abs() < 1e-5,
            "{i:?}"
        );
        assert!(t_interval(4.0, 1.0, 1.0, 0.95).is_none());
    }

    #[test]
    fn sample_sizes_worked_by_hand() {
        // ±5 % at 95 % on p = 0.5: 1.959964² × 0.25 / 0.0025 = 384.146 → 385 (384 in the
        // tables, which take z = 1.96 and round down).
        assert_eq!(sample_size(0.95, 0.05, 0.5, None), 385);
        // The same out of 1,000 calls a month: 384.146 / (1 + 383.146 / 1000) = 277.7 → 278.
        assert_eq!(sample_size(0.95, 0.05, 0.5, Some(1000)), 278);
        // ±3 %: 3.841459 × 0.25 / 0.0009 = 1067.07 → 1,068.
        assert_eq!(sample_size(0.95, 0.03, 0.5, None), 1068);
    }

    #[test]
    fn more_observations_to_decide() {
        // 704 of 864 (81.48 %) against 80 %: gap 1.4815 points; 1.959964² × 0.814815 ×
        // 0.185185 / 0.014815² = 2641.003 → 2,642 responses in all.
        let p = 704.0 / 864.0;
        assert_eq!(needed_for(p - 0.8, rate_spread(p), 0.95), Some(2642));
        assert_eq!(needed_for(0.0, 0.25, 0.95), None);
    }
}
