//! Gap penalties, stored exactly as water stores them.

use super::error::{GapKind, GapWarning, ScoringError};

/// The largest gap-open penalty water accepts (`-gapopen` is clamped to 0..=100).
pub const MAX_OPEN: f32 = 100.0;
/// The largest gap-extend penalty water accepts (`-gapextend` is clamped to 0..=10).
pub const MAX_EXTEND: f32 = 10.0;

/// Affine gap penalties: a gap of length k costs `open + (k - 1) * extend`.
///
/// Both values are rounded to 16 significant bits on construction, as water does, so
/// `0.1` is held as `0.10000038` and `10.3` as `10.300049`; whole numbers and halves are unchanged.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::scoring::GapPenalties;
///
/// let gaps = GapPenalties::new(10.3, 0.1).unwrap();
/// assert_eq!(gaps.open(), 10.300048828125);
/// assert_eq!(GapPenalties::default().extend(), 0.5);
/// assert!(GapPenalties::new(-1.0, 0.5).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GapPenalties {
    open: f32,
    extend: f32,
}

impl Default for GapPenalties {
    /// water's defaults: open 10, extend 0.5.
    fn default() -> Self {
        Self {
            open: 10.0,
            extend: 0.5,
        }
    }
}

impl GapPenalties {
    /// Penalties within water's ranges (open 0..=100, extend 0..=10), rounded to 16 bits.
    ///
    /// # Errors
    ///
    /// [`ScoringError::GapOutOfRange`] for a value outside its range, or not a number.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::scoring::{GapKind, GapPenalties, ScoringError};
    ///
    /// let gaps = GapPenalties::new(10.0, 0.5).unwrap();
    /// assert_eq!((gaps.open(), gaps.extend()), (10.0, 0.5));
    /// assert_eq!(GapPenalties::new(10.0, 0.1).unwrap().extend(), 0.10000038);
    /// let err = GapPenalties::new(10.0, 11.0).unwrap_err();
    /// assert!(matches!(err, ScoringError::GapOutOfRange { gap: GapKind::Extend, .. }));
    /// ```
    pub fn new(open: f32, extend: f32) -> Result<Self, ScoringError> {
        check_range(GapKind::Open, open, MAX_OPEN)?;
        check_range(GapKind::Extend, extend, MAX_EXTEND)?;
        Ok(Self {
            open: round_to_16_bits(open),
            extend: round_to_16_bits(extend),
        })
    }

    /// Penalties clamped into water's ranges, with the warnings water prints for each clamped
    /// value (`floating point value out of range 11.000 more than (reset to) 10.000`).
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::scoring::GapPenalties;
    ///
    /// let (gaps, warnings) = GapPenalties::clamped(10.0, 11.0);
    /// assert_eq!(gaps.extend(), 10.0);
    /// assert_eq!(warnings.len(), 1);
    /// assert_eq!(warnings[0].to_string(), "floating point value out of range 11.000 more than (reset to) 10.000");
    /// ```
    pub fn clamped(open: f32, extend: f32) -> (Self, Vec<GapWarning>) {
        let mut warnings = Vec::new();
        let open = clamp_with_warning(GapKind::Open, open, MAX_OPEN, &mut warnings);
        let extend = clamp_with_warning(GapKind::Extend, extend, MAX_EXTEND, &mut warnings);
        let gaps = Self {
            open: round_to_16_bits(open),
            extend: round_to_16_bits(extend),
        };
        (gaps, warnings)
    }

    /// The gap-open penalty, as rounded.
    pub fn open(&self) -> f32 {
        self.open
    }

    /// The gap-extend penalty, as rounded.
    pub fn extend(&self) -> f32 {
        self.extend
    }
}

fn check_range(gap: GapKind, value: f32, max: f32) -> Result<(), ScoringError> {
    if value.is_finite() && (0.0..=max).contains(&value) {
        Ok(())
    } else {
        Err(ScoringError::GapOutOfRange { gap, value, max })
    }
}

fn clamp_with_warning(gap: GapKind, given: f32, max: f32, warnings: &mut Vec<GapWarning>) -> f32 {
    // Compared as water compares (a NaN passes through unwarned, as there).
    let used = if given > max {
        max
    } else if given < 0.0 {
        0.0
    } else {
        return given;
    };
    warnings.push(GapWarning { gap, given, used });
    used
}

/// Rounds to 16 significant bits as EMBOSS's `ajRoundFloat` does: the mantissa in [0.5, 1)
/// is scaled by 2^16, truncated, and incremented only when the dropped fraction exceeds one half
/// (an exact half is not rounded up).
///
/// # Examples
///
/// ```
/// use wildtype_aligner::scoring::round_to_16_bits;
///
/// assert_eq!(f64::from(round_to_16_bits(0.1)), 0.10000038146972656);
/// assert_eq!(round_to_16_bits(10.5), 10.5);
/// ```
pub fn round_to_16_bits(value: f32) -> f32 {
    let value = f64::from(value);
    if value == 0.0 || !value.is_finite() {
        return value as f32;
    }
    let (mantissa, exponent) = frexp(value);
    let scaled = mantissa * 65536.0;
    let mut whole = scaled.trunc();
    if scaled - whole > 0.5 {
        whole += 1.0;
    }
    (whole * 2f64.powi(exponent - 16)) as f32
}

/// C's `frexp`: `value = mantissa * 2^exponent` with |mantissa| in [0.5, 1). `value` is finite
/// and non-zero.
fn frexp(value: f64) -> (f64, i32) {
    let bits = value.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 {
        // Subnormal: scale into the normal range first.
        let (mantissa, exponent) = frexp(value * 2f64.powi(64));
        return (mantissa, exponent - 64);
    }
    let exponent = biased - 1022;
    let mantissa = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (mantissa, exponent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frexp_matches_definition() {
        for value in [1.0, 0.5, 0.1, 10.3, 100.0, 3.0e-5, -2.5] {
            let (m, e) = frexp(value);
            assert!((0.5..1.0).contains(&m.abs()), "{value}: {m}");
            assert_eq!(m * 2f64.powi(e), value);
        }
    }

    #[test]
    fn rounding_matches_water_examples() {
        assert_eq!(f64::from(round_to_16_bits(10.3)), 10.300048828125);
        assert_eq!(f64::from(round_to_16_bits(0.1)), 0.10000038146972656);
        for exact in [0.0, 0.5, 1.0, 10.0, 12.25, 100.0] {
            assert_eq!(round_to_16_bits(exact), exact);
        }
    }

    #[test]
    fn exact_half_is_not_rounded_up() {
        // 1 + 2^-16 needs 17 bits; its dropped fraction is exactly one half.
        let value = 1.0f32 + 2f32.powi(-16);
        assert_eq!(round_to_16_bits(value), 1.0);
        let above = 1.0f32 + 2f32.powi(-16) + 2f32.powi(-20);
        assert_eq!(round_to_16_bits(above), 1.0 + 2f32.powi(-15));
    }

    #[test]
    fn clamping_warns_like_water() {
        let (gaps, warnings) = GapPenalties::clamped(200.0, -1.0);
        assert_eq!((gaps.open(), gaps.extend()), (100.0, 0.0));
        let text: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "floating point value out of range 200.000 more than (reset to) 100.000",
                "floating point value out of range -1.000 less than (reset to) 0.000"
            ]
        );
        assert_eq!(
            (warnings[0].gap(), warnings[0].given(), warnings[0].used()),
            (GapKind::Open, 200.0, 100.0)
        );
        assert_eq!(warnings[1].gap(), GapKind::Extend);
    }
}
