//! The page around the charts: summary tables, the per-reference sections with their call
//! tables, and the phenotype matrix. Every text from the run's inputs (gene, accession, path,
//! call names) is escaped.

use std::fmt::Write;

use super::escape::escape;
use super::figures::{MATRIX_ISOLATES, Phenotypes, RunTables, TIERS};
use super::manifest::ManifestSummary;
use super::svg::{calls_text, lollipops, tier_bars};

/// The line before the report's run-specific timings (start, wall time, threads, shards):
/// everything else in a report is the same for every run of the same inputs, sharded or not.
pub const TIMINGS_BEGIN: &str = "<!-- timings: begin -->";
/// The line after the report's run-specific timings.
pub const TIMINGS_END: &str = "<!-- timings: end -->";

const STYLE: &str = "\
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ccc}
h3{font-size:15px;margin:18px 0 4px}
table{border-collapse:collapse;font-size:13px}td,th{padding:2px 8px;text-align:left;vertical-align:top}
th{background:#f2f2f2}tr:nth-child(even) td{background:#fafafa}td.n,th.n{text-align:right}
.mono{font-family:ui-monospace,monospace;font-size:12px}
.cards{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
figure{margin:0 0 12px}caption{font-weight:600;text-align:left;padding:2px 8px}
.gene-plot{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
.calls{flex:1 1 320px;max-width:560px;max-height:190px;overflow:auto;border:1px solid #ddd}
svg text{font-size:11px;fill:#333}svg .label{font-size:12px}
.axis{stroke:#555;stroke-width:1}
.lollipop line{stroke-width:1.5}.lollipop circle{stroke:#fff;stroke-width:.5}
.known line{stroke:#c0392b}.known circle{fill:#c0392b}
.novel line{stroke:#2c7bb6}.novel circle{fill:#2c7bb6}
.uncatalogued line{stroke:#666}.uncatalogued circle{fill:#666}
.key{display:inline-block;width:10px;height:10px;border-radius:5px;margin:0 4px 0 12px}
.key.known{background:#c0392b}.key.novel{background:#2c7bb6}.key.uncatalogued{background:#666}
.tier-HIGH{fill:#1a9850}.tier-MEDIUM{fill:#91cf60}.tier-LOW{fill:#fdae61}.tier-FAILED{fill:#d73027}
td.resistant{background:#d73027!important;color:#fff}td.susceptible{background:#e0f3db!important}
.matrix td,.matrix th{font-size:11px;padding:1px 4px;text-align:center}
.matrix th.isolate{text-align:left}
.matrix th.antimicrobial{writing-mode:vertical-rl;transform:rotate(180deg);text-align:left;font-weight:500}
";

/// The whole page.
pub(super) fn page(manifest: &ManifestSummary, tables: &RunTables) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width\">\n\
         <title>Resistance mutations: {targets} targets</title>\n<style>\n{STYLE}</style>\n\
         </head>\n<body>\n<h1>Resistance mutations</h1>\n<p>{tool} {version}: {targets} \
         targets, {calls} mutation calls.</p>\n",
        targets = tables.targets,
        calls = tables.calls,
        tool = escape(&manifest.tool),
        version = escape(&manifest.version),
    );
    summary(&mut out, manifest, tables);
    out.push_str("<section id=\"tiers-by-gene\">\n<h2>Tiers by gene</h2>\n");
    tier_bars(&mut out, &tables.genes);
    out.push_str("\n</section>\n");
    mutations(&mut out, tables);
    if let Some(phenotypes) = &tables.phenotypes {
        phenotype_matrix(&mut out, phenotypes);
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// A two-column table of names and values.
fn facts(out: &mut String, id: &str, caption: &str, rows: &[(String, String)]) {
    let _ = writeln!(out, "<table id=\"{id}\"><caption>{caption}</caption>");
    for (name, value) in rows {
        let _ = writeln!(
            out,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(name),
            escape(value)
        );
    }
    out.push_str("</table>\n");
}

/// Counts per tier and status, the run's settings and inputs, and its timings (set apart).
fn summary(out: &mut String, manifest: &ManifestSummary, tables: &RunTables) {
    out.push_str("<section id=\"summary\">\n<h2>Run</h2>\n<div class=\"cards\">\n");
    out.push_str("<table id=\"tiers\"><caption>Targets per tier</caption>\n");
    for tier in TIERS {
        let count = manifest.per_tier.get(tier).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "<tr data-tier=\"{tier}\" data-count=\"{count}\"><th>{tier}</th>\
             <td class=\"n\">{count}</td></tr>"
        );
    }
    out.push_str("</table>\n<table id=\"statuses\"><caption>Targets per status</caption>\n");
    for (status, count) in &manifest.per_status {
        let _ = writeln!(
            out,
            "<tr data-status=\"{status}\" data-count=\"{count}\"><th>{status}</th>\
             <td class=\"n\">{count}</td></tr>",
            status = escape(status)
        );
    }
    out.push_str("</table>\n");
    let mut run: Vec<(String, String)> = manifest
        .counts
        .iter()
        .map(|(name, count)| (name.replace('_', " "), count.to_string()))
        .collect();
    run.push(("accessions".into(), tables.accessions.to_string()));
    for role in ["genomes", "proteomes"] {
        let files = manifest.inputs.iter().filter(|i| i.role == role).count();
        if files > 0 {
            run.push((role.into(), files.to_string()));
        }
    }
    run.push(("kernel".into(), manifest.kernel.clone()));
    run.extend(
        manifest
            .settings
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone())),
    );
    facts(out, "counts", "Run", &run);
    if let Some(catalogue) = &manifest.catalogue {
        let rows: Vec<(String, String)> = catalogue
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone()))
            .collect();
        facts(out, "catalogue", "Catalogue", &rows);
    }
    if !manifest.warning_counts.is_empty() {
        let rows: Vec<(String, String)> = manifest
            .warning_counts
            .iter()
            .map(|(kind, count)| (kind.clone(), count.to_string()))
            .collect();
        facts(
            out,
            "warnings",
            "Warnings (manifest.json lists them)",
            &rows,
        );
    }
    timings(out, manifest);
    out.push_str("</div>\n");
    inputs(out, manifest);
    out.push_str("</section>\n");
}

/// The input files with their checksums.
fn inputs(out: &mut String, manifest: &ManifestSummary) {
    out.push_str(
        "<h3>Inputs</h3>\n<table id=\"inputs\"><tr><th>role</th><th>path</th>\
         <th class=\"n\">bytes</th><th>SHA-256</th></tr>\n",
    );
    for input in &manifest.inputs {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"mono\">{}</td><td class=\"n\">{}</td>\
             <td class=\"mono\">{}</td></tr>",
            escape(&input.role),
            escape(&input.path),
            input.bytes,
            escape(&input.sha256)
        );
    }
    out.push_str("</table>\n");
}

/// What differs between runs of the same inputs (the time, threads, shards), between the
/// [`TIMINGS_BEGIN`] and [`TIMINGS_END`] lines.
fn timings(out: &mut String, manifest: &ManifestSummary) {
    let timings = &manifest.timings;
    let mut rows = Vec::new();
    if let Some(started) = timings.started_unix {
        rows.push(("started (unix time)".to_owned(), started.to_string()));
    }
    if let Some(seconds) = timings.wall_seconds {
        let name = if timings.shards.is_some() {
            "wall time, summed over the shards (s)"
        } else {
            "wall time (s)"
        };
        rows.push((name.to_owned(), format!("{seconds:.2}")));
    }
    if let Some(seconds) = timings.wall_seconds_max {
        rows.push(("slowest shard (s)".to_owned(), format!("{seconds:.2}")));
    }
    if let Some(shards) = timings.shards {
        rows.push(("shards".to_owned(), shards.to_string()));
    }
    if let Some(threads) = timings.threads {
        rows.push(("threads".to_owned(), threads.to_string()));
    }
    let _ = writeln!(out, "{TIMINGS_BEGIN}");
    facts(out, "timings", "Timings", &rows);
    let _ = writeln!(out, "{TIMINGS_END}");
}

/// Per reference with calls, its lollipop plot and the table of its calls.
fn mutations(out: &mut String, tables: &RunTables) {
    out.push_str(
        "<section id=\"mutations\">\n<h2>Mutations along each gene</h2>\n<p>Stem height: \
         targets with a call at the position. <span class=\"key known\"></span>known \
         (in the catalogue) <span class=\"key novel\"></span>novel \
         <span class=\"key uncatalogued\"></span>no catalogue given</p>\n",
    );
    let plotted: Vec<_> = tables
        .genes
        .iter()
        .filter(|g| !g.sites.is_empty())
        .collect();
    if plotted.is_empty() {
        out.push_str("<p>No mutation calls.</p>\n");
    }
    for gene in plotted {
        let _ = write!(
            out,
            "<figure class=\"gene\" data-gene=\"{name}\" data-reference=\"{reference}\" \
             data-positions=\"{positions}\">\n<figcaption><h3>{name}</h3>reference \
             {reference}, length {length}; {positions} mutated position{s}</figcaption>\n\
             <div class=\"gene-plot\">",
            name = escape(&gene.gene),
            reference = escape(&gene.reference),
            length = gene.length,
            positions = gene.sites.len(),
            s = if gene.sites.len() == 1 { "" } else { "s" },
        );
        lollipops(out, gene);
        let _ = write!(
            out,
            "\n<div class=\"calls\"><table><caption>{} calls by position</caption>\n\
             <tr><th class=\"n\">position</th><th>calls (targets)</th>\
             <th class=\"n\">targets</th><th>catalogue</th></tr>\n",
            escape(&gene.gene)
        );
        for (position, site) in &gene.sites {
            let _ = writeln!(
                out,
                "<tr><td class=\"n\">{position}</td><td>{}</td><td class=\"n\">{}</td>\
                 <td>{}</td></tr>",
                escape(&calls_text(site)),
                site.targets,
                site.catalogued().name()
            );
        }
        out.push_str("</table></div>\n</div>\n</figure>\n");
    }
    let without: Vec<_> = tables
        .genes
        .iter()
        .filter(|g| g.sites.is_empty() && !g.reference.is_empty())
        .map(|g| escape(&g.gene).into_owned())
        .collect();
    if !without.is_empty() {
        let _ = writeln!(out, "<p>No calls in: {}.</p>", without.join(", "));
    }
    out.push_str("</section>\n");
}

/// Isolates by antimicrobial: resistant or not, with the calls behind it.
fn phenotype_matrix(out: &mut String, phenotypes: &Phenotypes) {
    let _ = write!(
        out,
        "<section id=\"phenotypes\">\n<h2>Predicted phenotypes</h2>\n<p>{} isolates{}. \
         Red: resistant (hover for the calls); green: no resistance found. \
         phenotypes.tsv has every row.</p>\n<table class=\"matrix\">\n<tr><th \
         class=\"isolate\">isolate</th>",
        phenotypes.isolates,
        if phenotypes.isolates > MATRIX_ISOLATES {
            format!(", the first {MATRIX_ISOLATES} shown")
        } else {
            String::new()
        }
    );
    for (name, class) in &phenotypes.antimicrobials {
        let _ = write!(
            out,
            "<th class=\"antimicrobial\" title=\"{}\">{}</th>",
            escape(class),
            escape(name)
        );
    }
    out.push_str("</tr>\n<tr><th class=\"isolate\">resistant isolates</th>");
    for (index, count) in phenotypes.resistant.iter().enumerate() {
        let _ = write!(
            out,
            "<td data-antimicrobial=\"{}\" data-resistant=\"{count}\">{count}</td>",
            escape(&phenotypes.antimicrobials[index].0)
        );
    }
    out.push_str("</tr>\n");
    for isolate in &phenotypes.shown {
        let _ = write!(
            out,
            "<tr class=\"isolate\" data-accession=\"{name}\"><th class=\"isolate\">{name}</th>",
            name = escape(&isolate.accession)
        );
        for index in 0..phenotypes.antimicrobials.len() {
            match isolate.cells.get(&index) {
                Some((true, why)) => {
                    let _ = write!(
                        out,
                        "<td class=\"resistant\" data-phenotype=\"resistant\" title=\"{}\">R</td>",
                        escape(why)
                    );
                }
                Some((false, why)) => {
                    let title = if why.is_empty() {
                        "no resistance found".to_owned()
                    } else {
                        format!("no resistance found; not assessed: {why}")
                    };
                    let _ = write!(
                        out,
                        "<td class=\"susceptible\" data-phenotype=\"no resistance found\" \
                         title=\"{}\">-</td>",
                        escape(&title)
                    );
                }
                None => out.push_str("<td></td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n</section>\n");
}
