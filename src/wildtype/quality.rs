//! Alignment quality: identity, coverage, score ratio and a confidence tier.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::align::Alignment;
use crate::{Error, PipelineOption, Result};

/// How much to trust an alignment (and so its mutation calls).
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::Tier;
///
/// assert_eq!(Tier::High.to_string(), "HIGH");
/// assert!(Tier::High > Tier::Low);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Tier {
    /// Below every threshold, or not aligned at all.
    Failed,
    /// Meets the LOW thresholds.
    Low,
    /// Meets the MEDIUM thresholds.
    Medium,
    /// Meets the HIGH thresholds.
    High,
}

impl Tier {
    /// Every tier, best first.
    pub const ALL: [Tier; 4] = [Tier::High, Tier::Medium, Tier::Low, Tier::Failed];

    /// The upper-case name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::High => "HIGH",
            Tier::Medium => "MEDIUM",
            Tier::Low => "LOW",
            Tier::Failed => "FAILED",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The minimums one tier needs; all three must be met.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::TierRule;
///
/// let rule: TierRule = "95/90/0.8".parse().unwrap();
/// assert_eq!(rule, TierRule::new(95.0, 90.0, 0.8));
/// assert!("95/90".parse::<TierRule>().is_err());
/// assert!("NaN/NaN/NaN".parse::<TierRule>().is_err());
/// assert!("95/190/0.8".parse::<TierRule>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TierRule {
    /// Minimum identity, percent of alignment columns (water's `Identity`).
    pub identity: f64,
    /// Minimum reference coverage, percent.
    pub coverage: f64,
    /// Minimum score ratio (score / the reference's score against itself).
    pub score_ratio: f64,
}

impl TierRule {
    /// A rule with the given minimums.
    pub fn new(identity: f64, coverage: f64, score_ratio: f64) -> Self {
        Self {
            identity,
            coverage,
            score_ratio,
        }
    }

    fn admits(&self, quality: &Quality) -> bool {
        quality.identity >= self.identity
            && quality.reference_coverage >= self.coverage
            && quality.score_ratio >= self.score_ratio
    }

    /// The minimums `quality` misses, e.g. `identity 45.02 < 70, score ratio 0.2010 < 0.3`.
    pub(crate) fn shortfall(&self, quality: &Quality) -> String {
        [
            ("identity", quality.identity, self.identity, 2),
            (
                "reference coverage",
                quality.reference_coverage,
                self.coverage,
                2,
            ),
            ("score ratio", quality.score_ratio, self.score_ratio, 4),
        ]
        .into_iter()
        .filter(|(_, value, minimum, _)| value < minimum || value.is_nan())
        .map(|(name, value, minimum, digits)| format!("{name} {value:.digits$} < {minimum}"))
        .collect::<Vec<_>>()
        .join(", ")
    }
}

impl FromStr for TierRule {
    type Err = Error;

    /// `identity/coverage/score_ratio`, e.g. `95/90/0.8`.
    fn from_str(text: &str) -> Result<Self> {
        let bad = || Error::BadOption {
            option: PipelineOption::TierRule,
            given: text.to_owned(),
        };
        let values: Vec<f64> = text
            .split('/')
            .map(|part| part.trim().parse::<f64>())
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| bad())?;
        // NaN would admit nothing (every comparison false), putting every target below the
        // tier; infinities and out-of-range percentages are no more meaningful.
        let percent = |value: f64| (0.0..=100.0).contains(&value);
        match values[..] {
            [identity, coverage, score_ratio]
                if percent(identity)
                    && percent(coverage)
                    && score_ratio.is_finite()
                    && score_ratio >= 0.0 =>
            {
                Ok(Self::new(identity, coverage, score_ratio))
            }
            _ => Err(bad()),
        }
    }
}

/// The thresholds of the HIGH, MEDIUM and LOW tiers; anything below LOW is FAILED, and the
/// pipeline reports an aligned target below LOW as `not_homologous`, without mutation calls.
///
/// Defaults: HIGH 95/90/0.8, MEDIUM 80/70/0.5, LOW 70/50/0.3 (identity %, reference
/// coverage %, score ratio). LOW's 70 % identity keeps the groups of one named family
/// together (CTX-M-9 or CTX-M-2 against CTX-M-15: 79-81 %, LOW or MEDIUM) and leaves another
/// family out (SHV-1 against TEM-1: 65 %; KPC-2 against TEM-1: 45 %).
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::{TierRule, TierThresholds};
///
/// let strict = TierThresholds::default().with_high(TierRule::new(99.0, 99.0, 0.95));
/// assert_eq!(strict.high().identity, 99.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TierThresholds {
    high: TierRule,
    medium: TierRule,
    low: TierRule,
}

impl Default for TierThresholds {
    fn default() -> Self {
        Self {
            high: TierRule::new(95.0, 90.0, 0.8),
            medium: TierRule::new(80.0, 70.0, 0.5),
            low: TierRule::new(70.0, 50.0, 0.3),
        }
    }
}

impl TierThresholds {
    /// Replaces the HIGH rule.
    pub fn with_high(mut self, rule: TierRule) -> Self {
        self.high = rule;
        self
    }

    /// Replaces the MEDIUM rule.
    pub fn with_medium(mut self, rule: TierRule) -> Self {
        self.medium = rule;
        self
    }

    /// Replaces the LOW rule.
    pub fn with_low(mut self, rule: TierRule) -> Self {
        self.low = rule;
        self
    }

    /// The HIGH rule.
    pub fn high(&self) -> TierRule {
        self.high
    }

    /// The MEDIUM rule.
    pub fn medium(&self) -> TierRule {
        self.medium
    }

    /// The LOW rule.
    pub fn low(&self) -> TierRule {
        self.low
    }

    /// Why `quality` is below the LOW tier (empty when it is not).
    pub(crate) fn below_low(&self, quality: &Quality) -> String {
        self.low.shortfall(quality)
    }

    /// The best tier whose rule `quality` meets.
    pub fn classify(&self, quality: &Quality) -> Tier {
        [
            (self.high, Tier::High),
            (self.medium, Tier::Medium),
            (self.low, Tier::Low),
        ]
        .into_iter()
        .find(|(rule, _)| rule.admits(quality))
        .map_or(Tier::Failed, |(_, tier)| tier)
    }
}

/// Quality measures of one target-against-reference alignment.
///
/// - `identity`, `similarity`, `gaps`: water's percentages of alignment columns.
/// - `query_coverage`: percent of the target's residues inside the alignment (`a_range`).
/// - `reference_coverage`: percent of the reference's residues inside the alignment
///   (`b_range`, internal deletions included), the coverage the tiers use: it says how much of
///   the wild-type protein the calls speak for. A final `*` of either sequence is not counted
///   in its length.
/// - `normalized_score`: water's score divided by the longer sequence's length.
/// - `score_ratio`: water's score divided by the reference's score against itself (1.0 for a
///   full-length identical target), the score measure the tiers use.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::align::Aligner;
/// use wildtype_aligner::wildtype::{Quality, Tier, TierThresholds};
///
/// let aligner = Aligner::builder().build().unwrap();
/// let reference = b"MSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQLGARVGYIELDLNSGKIL";
/// let self_score = aligner.align(reference, reference).unwrap().score();
/// let alignment = aligner.align(&reference[..40], reference).unwrap();
/// let quality = Quality::assess(&reference[..40], reference, self_score, &alignment);
/// assert_eq!(quality.identity, 100.0);
/// assert_eq!(quality.reference_coverage, 72.73);
/// assert_eq!(TierThresholds::default().classify(&quality), Tier::Medium);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Quality {
    /// Identity, percent (water's).
    pub identity: f64,
    /// Similarity, percent (water's).
    pub similarity: f64,
    /// Gaps, percent (water's).
    pub gaps: f64,
    /// Alignment columns.
    pub alignment_length: usize,
    /// Percent of the target inside the alignment.
    pub query_coverage: f64,
    /// Percent of the reference inside the alignment.
    pub reference_coverage: f64,
    /// water's score.
    pub score: f64,
    /// Score / longer sequence length.
    pub normalized_score: f64,
    /// Score / the reference's self-score.
    pub score_ratio: f64,
}

impl Quality {
    /// Measures an alignment of `target` against `reference`, whose score against itself is
    /// `reference_self_score`. Percentages are rounded to 2 decimals and ratios to 4, as the
    /// outputs show them; the tiers compare these rounded values.
    ///
    /// # Examples
    ///
    /// ```
    /// use wildtype_aligner::align::Aligner;
    /// use wildtype_aligner::wildtype::{Quality, Tier, TierThresholds};
    ///
    /// let aligner = Aligner::builder().build().unwrap();
    /// let reference = b"MSDLAREITPVNIEEELKSSYLDYAMSVIV";
    /// let target = b"MSDLAREITPVNIEEELKSSYLDYAMSVIV";
    /// let self_score = aligner.align(reference, reference).unwrap().score();
    /// let alignment = aligner.align(target, reference).unwrap();
    /// let quality = Quality::assess(target, reference, self_score, &alignment);
    /// assert_eq!((quality.identity, quality.reference_coverage, quality.score_ratio), (100.0, 100.0, 1.0));
    /// assert_eq!(TierThresholds::default().classify(&quality), Tier::High);
    /// ```
    pub fn assess(
        target: &[u8],
        reference: &[u8],
        reference_self_score: f32,
        alignment: &Alignment,
    ) -> Self {
        let stats = alignment.stats();
        let without_stop =
            |residues: &[u8]| residues.len() - usize::from(residues.last() == Some(&b'*'));
        let round = |value: f64, decimals: i32| {
            let scale = 10f64.powi(decimals);
            (value * scale).round() / scale
        };
        let percent = |part: usize, whole: usize| {
            if whole == 0 {
                0.0
            } else {
                round(100.0 * part.min(whole) as f64 / whole as f64, 2)
            }
        };
        let score = f64::from(alignment.score()).max(0.0);
        let longer = target.len().max(reference.len()).max(1);
        Self {
            identity: round(f64::from(stats.identity_percent()), 2),
            similarity: round(f64::from(stats.similarity_percent()), 2),
            gaps: round(f64::from(stats.gaps_percent()), 2),
            alignment_length: stats.length(),
            query_coverage: percent(alignment.a_range().len(), without_stop(target)),
            reference_coverage: percent(alignment.b_range().len(), without_stop(reference)),
            score: f64::from(alignment.score()),
            normalized_score: round(score / longer as f64, 4),
            score_ratio: if reference_self_score > 0.0 {
                round(score / f64::from(reference_self_score), 4)
            } else {
                0.0
            },
        }
    }
}
