//! The report's two charts as inline SVG: the tier-by-gene bars and a reference's lollipop
//! plot. Every shape carries `data-` attributes (what it counts) and a `<title>` (what a
//! pointer over it shows).

use std::fmt::Write;

use super::escape::escape;
use super::figures::{Catalogued, GeneSummary, Site, TIERS};

/// Width of both charts, in SVG units (pixels at 100 % zoom).
const WIDTH: f64 = 640.0;
/// Calls named in a lollipop's title and its table row; the rest are counted.
pub(super) const CALLS_NAMED: usize = 6;

/// A number with at most one decimal, as SVG coordinates are written.
fn coordinate(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// Tick spacing giving at most `most` ticks over `0..=span`: 1, 2 or 5 times a power of ten.
fn tick_step(span: usize, most: usize) -> usize {
    let mut step = 1;
    loop {
        for factor in [1, 2, 5] {
            if span / (step * factor) < most {
                return step * factor;
            }
        }
        step *= 10;
    }
}

/// "S83L (10, known), S83W (2, novel)" (without a catalogue "S83L (10)") and "+N more".
pub(super) fn calls_text(site: &Site) -> String {
    let calls = site.calls_by_count();
    let mut text = String::new();
    for call in calls.iter().take(CALLS_NAMED) {
        if !text.is_empty() {
            text.push_str(", ");
        }
        let _ = match call.catalogued {
            Catalogued::Unknown => write!(text, "{} ({})", call.name, call.targets),
            known => write!(text, "{} ({}, {})", call.name, call.targets, known.name()),
        };
    }
    if calls.len() > CALLS_NAMED {
        let _ = write!(text, ", +{} more", calls.len() - CALLS_NAMED);
    }
    text
}

/// The lollipop plot of one reference's mutated positions: x is the reference position, the
/// stem's height the number of targets with a call there.
pub(super) fn lollipops(out: &mut String, gene: &GeneSummary) {
    const HEIGHT: f64 = 190.0;
    const LEFT: f64 = 48.0;
    const RIGHT: f64 = 14.0;
    const TOP: f64 = 14.0;
    const BOTTOM: f64 = 36.0;
    let plot_width = WIDTH - LEFT - RIGHT;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let base = HEIGHT - BOTTOM;
    let length = gene
        .length
        .max(gene.sites.keys().copied().max().unwrap_or(1));
    let most = gene
        .sites
        .values()
        .map(|site| site.targets)
        .max()
        .unwrap_or(1);
    let x = |position: usize| LEFT + (position as f64 - 0.5) / length as f64 * plot_width;
    let y = |count: usize| base - (count as f64 / most as f64 * plot_height).max(2.0);
    let _ = write!(
        out,
        "<svg class=\"lollipops\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{WIDTH}\" \
         height=\"{HEIGHT}\" role=\"img\" aria-label=\"mutated positions of {}\">",
        escape(&gene.gene)
    );
    // Axes: positions 1..length along the bottom, targets up the left.
    let _ = write!(
        out,
        "<line class=\"axis\" x1=\"{LEFT}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\"/>\
         <line class=\"axis\" x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{base}\"/>",
        coordinate(WIDTH - RIGHT)
    );
    let step = tick_step(length, 10);
    let ticks = std::iter::once(1).chain((step..=length).step_by(step));
    for position in ticks {
        let at = coordinate(x(position));
        let _ = write!(
            out,
            "<text class=\"tick\" x=\"{at}\" y=\"{}\" text-anchor=\"middle\">{position}</text>",
            base + 14.0
        );
    }
    let _ = write!(
        out,
        "<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">reference position \
         (1-{length})</text>",
        coordinate(LEFT + plot_width / 2.0),
        HEIGHT - 4.0
    );
    let half = most.div_ceil(2);
    for count in std::iter::once(most).chain((half < most).then_some(half)) {
        let _ = write!(
            out,
            "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{count}</text>",
            LEFT - 5.0,
            coordinate(y(count) + 4.0)
        );
    }
    let _ = write!(
        out,
        "<text class=\"label\" transform=\"translate(12 {}) rotate(-90)\" \
         text-anchor=\"middle\">targets</text>",
        coordinate(TOP + plot_height / 2.0)
    );
    for (&position, site) in &gene.sites {
        let catalogued = site.catalogued().name();
        let (at, top) = (coordinate(x(position)), coordinate(y(site.targets)));
        let _ = write!(
            out,
            "<g class=\"lollipop {catalogued}\" data-position=\"{position}\" \
             data-count=\"{count}\"><title>{gene} {position}: {calls}; {count} target{s}</title>\
             <line x1=\"{at}\" y1=\"{base}\" x2=\"{at}\" y2=\"{top}\"/>\
             <circle cx=\"{at}\" cy=\"{top}\" r=\"3.5\"/></g>",
            count = site.targets,
            gene = escape(&gene.gene),
            calls = escape(&calls_text(site)),
            s = if site.targets == 1 { "" } else { "s" },
        );
    }
    out.push_str("</svg>");
}

/// The stacked bars of targets per tier, one bar per gene.
pub(super) fn tier_bars(out: &mut String, genes: &[GeneSummary]) {
    const ROW: f64 = 22.0;
    const LEFT: f64 = 150.0;
    const RIGHT: f64 = 70.0;
    const TOP: f64 = 26.0;
    let rows: Vec<&GeneSummary> = genes
        .iter()
        .filter(|gene| gene.tiers.iter().sum::<usize>() > 0)
        .collect();
    let height = TOP + ROW * rows.len() as f64 + 6.0;
    let most = rows
        .iter()
        .map(|gene| gene.tiers.iter().sum::<usize>())
        .max()
        .unwrap_or(1);
    let scale = (WIDTH - LEFT - RIGHT) / most as f64;
    let _ = write!(
        out,
        "<svg class=\"tier-bars\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" \
         height=\"{height}\" role=\"img\" aria-label=\"targets per tier and gene\">"
    );
    for (index, tier) in TIERS.iter().enumerate() {
        let at = LEFT + index as f64 * 95.0;
        let _ = write!(
            out,
            "<rect class=\"tier-{tier}\" x=\"{at}\" y=\"4\" width=\"12\" height=\"12\"/>\
             <text class=\"tick\" x=\"{}\" y=\"14\">{tier}</text>",
            at + 16.0
        );
    }
    for (row, gene) in rows.iter().enumerate() {
        let top = TOP + ROW * row as f64;
        let _ = write!(
            out,
            "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            LEFT - 6.0,
            coordinate(top + 14.0),
            escape(&gene.gene)
        );
        let mut left = LEFT;
        for (tier, &count) in TIERS.iter().zip(&gene.tiers) {
            if count == 0 {
                continue;
            }
            let width = count as f64 * scale;
            let _ = write!(
                out,
                "<rect class=\"bar tier-{tier}\" data-gene=\"{name}\" data-tier=\"{tier}\" \
                 data-count=\"{count}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\">\
                 <title>{name}: {count} {tier}</title></rect>",
                coordinate(left),
                coordinate(top + 3.0),
                coordinate(width.max(1.0)),
                ROW - 6.0,
                name = escape(&gene.gene),
            );
            left += width;
        }
        let total: usize = gene.tiers.iter().sum();
        let _ = write!(
            out,
            "<text class=\"tick\" x=\"{}\" y=\"{}\">{total}</text>",
            coordinate(left + 5.0),
            coordinate(top + 14.0)
        );
    }
    out.push_str("</svg>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_few() {
        assert_eq!(tick_step(9, 10), 1);
        assert_eq!(tick_step(286, 10), 50);
        assert_eq!(tick_step(2904, 10), 500);
        assert_eq!(coordinate(12.04), "12");
        assert_eq!(coordinate(12.06), "12.1");
    }
}
