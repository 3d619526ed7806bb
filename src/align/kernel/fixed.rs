//! The one place that decides whether integer arithmetic is exactly water's arithmetic.
//!
//! water computes H in `f32` and gap values in `f64`. When every matrix value and both rounded
//! penalties are whole multiples of a unit `2^-shift`, every value the DP and the walk produce is
//! a whole multiple of that unit too (sums and differences of such values), and as long as its
//! magnitude stays below 2^24 units it is represented exactly in `f32`: the float arithmetic
//! never rounds and is the same as integer arithmetic on the counts of units. The walk's
//! tolerances then become equalities: two different multiples of a unit `>= 2^-6 > 0.01` differ
//! by more than water's 0.01 (gap search) and 1.192e-6 (start cell) tolerances.

use crate::scoring::{GapPenalties, Matrix};

/// The largest `shift` tried: a unit of 2^-6 = 0.015625 still exceeds the walk's 0.01 tolerance.
const MAX_SHIFT: i32 = 6;
/// Values stay below this many units so that `f32` holds every one exactly (2^24), with room.
const EXACT_LIMIT: i64 = 1 << 23;
/// The 16-bit kernels need the penalties and scores small enough that no negative intermediate
/// (E and F are never below `-(open + extend)`, d never below the lowest score) can saturate.
const NARROW_LIMIT: i32 = 8000;

/// Integer scoring equivalent to water's float scoring (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FixedPoint {
    shift: i32,
    size: usize,
    /// `size * size` scores in units, row-major by a's code.
    table: Vec<i32>,
    open: i32,
    extend: i32,
    max_score: i32,
    min_score: i32,
}

/// Converts a value to whole units of `2^-shift`, if it is one.
fn to_units(value: f32, shift: i32) -> Option<i32> {
    let scaled = f64::from(value) * f64::from(2f32.powi(shift));
    (scaled.is_finite() && scaled.fract() == 0.0 && scaled.abs() < EXACT_LIMIT as f64)
        .then_some(scaled as i32)
}

impl FixedPoint {
    /// The fixed-point form of `matrix` with `gaps`, or `None` when some value is not a whole
    /// multiple of a unit `2^-shift` with `shift <= 6` (the scalar engine must be used).
    pub(crate) fn new(matrix: &Matrix, gaps: GapPenalties) -> Option<Self> {
        let size = matrix.size();
        (0..=MAX_SHIFT).find_map(|shift| {
            let open = to_units(gaps.open(), shift)?;
            let extend = to_units(gaps.extend(), shift)?;
            let mut table = Vec::with_capacity(size * size);
            for code_a in 0..size {
                for code_b in 0..size {
                    table.push(to_units(
                        matrix.score_codes(code_a as u8, code_b as u8),
                        shift,
                    )?);
                }
            }
            let max_score = table.iter().copied().max().unwrap_or(0);
            let min_score = table.iter().copied().min().unwrap_or(0);
            Some(Self {
                shift,
                size,
                table,
                open,
                extend,
                max_score,
                min_score,
            })
        })
    }

    /// The value of one unit (a power of two, so the conversion back to `f32` is exact).
    pub(crate) fn unit(&self) -> f32 {
        2f32.powi(-self.shift)
    }

    /// Units back to water's `f32`.
    pub(crate) fn to_f32(&self, units: i32) -> f32 {
        units as f32 * self.unit()
    }

    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// Score of two codes, in units.
    #[inline]
    pub(crate) fn score(&self, code_a: u8, code_b: u8) -> i32 {
        self.table[usize::from(code_a) * self.size + usize::from(code_b)]
    }

    /// One row of the table (the scores of `code_a` against every code).
    #[inline]
    pub(crate) fn row(&self, code_a: u8) -> &[i32] {
        let start = usize::from(code_a) * self.size;
        &self.table[start..start + self.size]
    }

    pub(crate) fn open(&self) -> i32 {
        self.open
    }

    pub(crate) fn extend(&self) -> i32 {
        self.extend
    }

    pub(crate) fn max_score(&self) -> i32 {
        self.max_score
    }

    pub(crate) fn min_score(&self) -> i32 {
        self.min_score
    }

    /// Whether every value of a `la` x `lb` alignment stays exact (below 2^23 units): H never
    /// exceeds `min(la, lb) * max_score`, and the walk's gap costs never go below
    /// `-(open + max(la, lb) * extend)`.
    pub(crate) fn fits(&self, la: usize, lb: usize) -> bool {
        let shortest = la.min(lb) as i64;
        let longest = la.max(lb) as i64;
        let high = shortest * i64::from(self.max_score.max(0));
        let low =
            i64::from(self.open) + longest * i64::from(self.extend) - i64::from(self.min_score);
        high < EXACT_LIMIT && low < EXACT_LIMIT
    }

    /// Whether the 16-bit kernels can run at all (their overflow check covers the rest) on
    /// sequences up to `longest` residues (16-bit lanes also number the rows and columns).
    pub(crate) fn narrow_ok(&self, longest: usize) -> bool {
        let spread = self.open + self.extend + self.max_score - self.min_score.min(0);
        spread < NARROW_LIMIT && longest < i16::MAX as usize - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_use_half_units() {
        let fixed = FixedPoint::new(&Matrix::blosum62(), GapPenalties::default()).unwrap();
        assert_eq!(fixed.unit(), 0.5);
        assert_eq!((fixed.open(), fixed.extend()), (20, 1));
        let w = Matrix::blosum62().code(b'W');
        assert_eq!(fixed.score(w, w), 22);
        assert_eq!(fixed.to_f32(587), 293.5);
    }

    #[test]
    fn whole_numbers_use_unit_one() {
        let fixed = FixedPoint::new(&Matrix::dnafull(), GapPenalties::new(16.0, 4.0).unwrap());
        assert_eq!(fixed.unwrap().unit(), 1.0);
    }

    #[test]
    fn quarter_and_sixty_fourth_units() {
        let gaps = GapPenalties::new(10.25, 0.015625).unwrap();
        let fixed = FixedPoint::new(&Matrix::blosum62(), gaps).unwrap();
        assert_eq!(fixed.unit(), 0.015625);
        assert_eq!(fixed.extend(), 1);
    }

    #[test]
    fn non_dyadic_penalties_fall_back() {
        // 0.1 rounds to 0.10000038146972656, not a multiple of any unit >= 2^-6.
        let gaps = GapPenalties::new(10.3, 0.1).unwrap();
        assert!(FixedPoint::new(&Matrix::blosum62(), gaps).is_none());
        // 2^-7 would need a unit below the walk's 0.01 tolerance.
        let gaps = GapPenalties::new(10.0, 0.0078125).unwrap();
        assert!(FixedPoint::new(&Matrix::blosum62(), gaps).is_none());
    }

    #[test]
    fn fractional_matrix_falls_back_unless_dyadic() {
        let text = "   A   C\nA 1.5 -0.3\nC -0.3 2\n";
        let matrix = Matrix::parse("frac", text).unwrap();
        assert!(FixedPoint::new(&matrix, GapPenalties::default()).is_none());
        let text = "   A   C\nA 1.5 -0.25\nC -0.25 2\n";
        let matrix = Matrix::parse("quarter", text).unwrap();
        let fixed = FixedPoint::new(&matrix, GapPenalties::default()).unwrap();
        assert_eq!(fixed.unit(), 0.25);
    }

    #[test]
    fn huge_inputs_do_not_fit() {
        let fixed = FixedPoint::new(&Matrix::blosum62(), GapPenalties::default()).unwrap();
        assert!(fixed.fits(5000, 5000));
        assert!(!fixed.fits(400_000, 400_000));
        assert!(!fixed.fits(10, 100_000_000));
    }
}
