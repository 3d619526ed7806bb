//! `report.html` in a real browser: headless Chromium opens the report of the bundled main
//! job (and of a genome run, with its phenotype matrix), takes a screenshot that must not be
//! blank, and dumps the DOM, whose tier counts, plotted genes and lollipops must match the
//! run's tables; the page must log nothing to the console (a probe page shows that console
//! messages are caught).
//!
//! Chromium is the oracle here: without it the tests skip with a message, unless
//! `WTA_REQUIRE_CHROMIUM` is set (CI), which makes its absence a failure. `WTA_CHROMIUM`
//! names the binary when it is not `chromium` on PATH. `WTA_REPORT_SCREENSHOT=FILE` also
//! writes the bundled report's screenshot there (the README's `docs/report.png`).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wildtype_aligner::wildtype::{PipelineConfig, render_report, run};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");

/// The Chromium binary, or `None` (skip) when there is none and none is required.
fn chromium() -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = match std::env::var_os("WTA_CHROMIUM") {
        Some(path) => vec![PathBuf::from(path)],
        None => ["chromium", "chromium-browser", "google-chrome"]
            .iter()
            .map(PathBuf::from)
            .collect(),
    };
    for candidate in candidates {
        let works = Command::new(&candidate)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .is_ok_and(|out| out.status.success());
        if works {
            return Some(candidate);
        }
    }
    assert!(
        std::env::var_os("WTA_REQUIRE_CHROMIUM").is_none(),
        "no Chromium (apt-get install chromium) and WTA_REQUIRE_CHROMIUM is set"
    );
    eprintln!("SKIPPED: no Chromium on PATH (apt-get install chromium, or set WTA_CHROMIUM)");
    None
}

/// Headless Chromium with a profile of its own.
struct Browser {
    binary: PathBuf,
    profile: tempfile::TempDir,
}

/// What one Chromium run printed.
struct Printed {
    stdout: String,
    stderr: String,
}

impl Browser {
    fn new(binary: PathBuf) -> Self {
        Self {
            binary,
            profile: tempfile::tempdir().unwrap(),
        }
    }

    /// Opens `page` with `args`; its console messages go to standard error.
    fn open(&self, page: &Path, args: &[String]) -> Printed {
        let mut child = Command::new(&self.binary)
            .args([
                "--headless",
                // Chromium's sandbox refuses to run as root, as CI containers do.
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--no-first-run",
                "--enable-logging=stderr",
                "--v=0",
            ])
            .arg(format!("--user-data-dir={}", self.profile.path().display()))
            .args(args)
            .arg(format!("file://{}", page.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let out = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stdout.read_to_string(&mut text);
            text
        });
        let err = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                let printed = Printed {
                    stdout: out.join().unwrap(),
                    stderr: err.join().unwrap(),
                };
                assert!(status.success(), "chromium: {status}\n{}", printed.stderr);
                return printed;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!(
                    "chromium did not finish within 120 s opening {}",
                    page.display()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The DOM after loading, and the console messages logged meanwhile.
    fn dom(&self, page: &Path) -> (String, Vec<String>) {
        let printed = self.open(page, &["--dump-dom".to_owned()]);
        let console = printed
            .stderr
            .lines()
            .filter(|line| line.contains(":CONSOLE") || line.contains("Uncaught"))
            .map(str::to_owned)
            .collect();
        (printed.stdout, console)
    }

    /// A PNG screenshot of the first `width` x `height` pixels of the page.
    fn screenshot(&self, page: &Path, png: &Path, (width, height): (u32, u32)) -> Vec<u8> {
        self.open(
            page,
            &[
                format!("--screenshot={}", png.display()),
                format!("--window-size={width},{height}"),
            ],
        );
        std::fs::read(png).unwrap()
    }
}

/// The RGBA pixels of an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes).
fn decode_png(png: &[u8]) -> (u32, u32, Vec<[u8; 4]>) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let (mut width, mut height, mut channels) = (0, 0, 0);
    let mut compressed = Vec::new();
    let mut at = 8;
    while at + 8 <= png.len() {
        let length = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        let kind = &png[at + 4..at + 8];
        let data = &png[at + 8..at + 8 + length];
        match kind {
            b"IHDR" => {
                width = u32::from_be_bytes(data[0..4].try_into().unwrap());
                height = u32::from_be_bytes(data[4..8].try_into().unwrap());
                assert_eq!((data[8], data[12]), (8, 0), "8-bit, not interlaced");
                channels = match data[9] {
                    2 => 3,
                    6 => 4,
                    other => panic!("PNG colour type {other}"),
                };
            }
            b"IDAT" => compressed.extend_from_slice(data),
            b"IEND" => break,
            _ => {}
        }
        at += 12 + length;
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&compressed[..])
        .read_to_end(&mut raw)
        .unwrap();
    let stride = width as usize * channels;
    let mut previous = vec![0u8; stride];
    let mut pixels = Vec::with_capacity(width as usize * height as usize);
    for row in raw.chunks(stride + 1).take(height as usize) {
        let (filter, line) = (row[0], &row[1..]);
        let mut current = vec![0u8; stride];
        for i in 0..stride {
            let left = if i >= channels {
                current[i - channels]
            } else {
                0
            };
            let up = previous[i];
            let up_left = if i >= channels {
                previous[i - channels]
            } else {
                0
            };
            let predicted = match filter {
                0 => 0,
                1 => left,
                2 => up,
                3 => ((left as u16 + up as u16) / 2) as u8,
                4 => {
                    let p = left as i16 + up as i16 - up_left as i16;
                    let (a, b, c) = (
                        (p - left as i16).abs(),
                        (p - up as i16).abs(),
                        (p - up_left as i16).abs(),
                    );
                    if a <= b && a <= c {
                        left
                    } else if b <= c {
                        up
                    } else {
                        up_left
                    }
                }
                other => panic!("PNG filter {other}"),
            };
            current[i] = line[i].wrapping_add(predicted);
        }
        pixels.extend(current.chunks(channels).map(|p| {
            let alpha = if channels == 4 { p[3] } else { 255 };
            [p[0], p[1], p[2], alpha]
        }));
        previous = current;
    }
    (width, height, pixels)
}

/// Fails unless the screenshot shows a page: many colours, and a fair share of pixels that
/// are not the background.
fn assert_not_blank(png: &[u8]) {
    let (width, height, pixels) = decode_png(png);
    assert_eq!(pixels.len(), width as usize * height as usize);
    let colours: BTreeSet<[u8; 4]> = pixels.iter().copied().collect();
    let background = pixels[0];
    let drawn = pixels.iter().filter(|&&p| p != background).count();
    assert!(
        colours.len() >= 16 && drawn * 50 >= pixels.len(),
        "blank screenshot: {} colours, {drawn} of {} pixels drawn",
        colours.len(),
        pixels.len()
    );
}

/// The values of attribute `name` of every element whose start tag begins with `start`
/// (Chromium writes `&`, `<`, `>` and `"` in attribute values as entities).
fn attributes(dom: &str, start: &str, name: &str) -> Vec<String> {
    let wanted = format!(" {name}=\"");
    dom.match_indices(start)
        .filter_map(|(at, _)| {
            let tag = &dom[at..at + dom[at..].find('>')?];
            let value = &tag[tag.find(&wanted)? + wanted.len()..];
            let value = &value[..value.find('"')?];
            Some(
                value
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&#39;", "'")
                    .replace("&amp;", "&"),
            )
        })
        .collect()
}

/// The rows of a TSV file as maps from column name to field.
fn table(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    lines
        .map(|line| {
            header
                .iter()
                .zip(line.split('\t'))
                .map(|(name, field)| ((*name).to_owned(), field.to_owned()))
                .collect()
        })
        .collect()
}

/// Checks a report's DOM against the run's tables: tier counts, the genes plotted, the
/// lollipops (one per distinct mutated position, per gene too).
fn check_dom(dom: &str, out: &Path) {
    let alignments = table(&out.join("alignments.tsv"));
    for tier in ["HIGH", "MEDIUM", "LOW", "FAILED"] {
        let expected = alignments.iter().filter(|row| row["tier"] == tier).count();
        let shown = attributes(dom, &format!("<tr data-tier=\"{tier}\""), "data-count");
        assert_eq!(shown, [expected.to_string()], "{tier}");
    }
    let mutations: Vec<_> = table(&out.join("mutations.tsv"))
        .into_iter()
        .filter(|row| row["kind"] != "synonymous")
        .collect();
    let mut positions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in &mutations {
        positions
            .entry(row["reference"].clone())
            .or_default()
            .insert(row["reference_start"].clone());
    }
    let plotted = attributes(dom, "<figure class=\"gene\"", "data-reference");
    assert_eq!(
        plotted.iter().cloned().collect::<BTreeSet<_>>(),
        positions.keys().cloned().collect::<BTreeSet<_>>()
    );
    let counts = attributes(dom, "<figure class=\"gene\"", "data-positions");
    for (reference, count) in plotted.iter().zip(&counts) {
        assert_eq!(
            *count,
            positions[reference].len().to_string(),
            "{reference}"
        );
    }
    let distinct: usize = positions.values().map(BTreeSet::len).sum();
    let lollipops = attributes(dom, "<g class=\"lollipop ", "data-position");
    assert_eq!(lollipops.len(), distinct);
    assert!(distinct > 0);
}

/// The bundled main job (README's first command) into `out`, with its relative paths (tests
/// run in the crate's directory), which the report shows as given.
fn bundled_run(out: &Path) {
    let config = PipelineConfig::new(
        ["data/wildtype/targets_proteins.fasta"],
        "data/wildtype/references.faa",
        out,
    );
    run(&config, &()).unwrap();
}

#[test]
fn the_bundled_runs_report_shows_its_tables_in_chromium() {
    let Some(binary) = chromium() else { return };
    let browser = Browser::new(binary);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    bundled_run(&out);
    let page = out.join("report.html");
    // Rendered again from the directory: the same page.
    assert_eq!(render_report(&out).unwrap(), std::fs::read(&page).unwrap());

    let started = Instant::now();
    let (dom, console) = browser.dom(&page);
    eprintln!(
        "report.html: {} bytes, loaded and dumped by Chromium in {:.2}s",
        std::fs::metadata(&page).unwrap().len(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(console, Vec::<String>::new(), "console messages");
    check_dom(&dom, &out);
    // No catalogue: every lollipop is uncatalogued.
    assert!(!dom.contains("<g class=\"lollipop known"));

    // The README's picture: the summary, the tier bars and the first gene's plot.
    let png = browser.screenshot(&page, &dir.path().join("report.png"), (1100, 1250));
    assert_not_blank(&png);
    if let Some(keep) = std::env::var_os("WTA_REPORT_SCREENSHOT") {
        std::fs::write(keep, &png).unwrap();
    }
}

#[test]
fn a_genome_runs_report_has_the_phenotype_matrix_in_chromium() {
    let Some(binary) = chromium() else { return };
    let browser = Browser::new(binary);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let genomes: Vec<String> = ["ecoli_example_0000", "ecoli_example_0001"]
        .iter()
        .map(|name| format!("{DATA}/genomes/{name}.fasta.gz"))
        .collect();
    let config = PipelineConfig::new(Vec::<PathBuf>::new(), "", &out)
        .genomes(&genomes)
        .species("escherichia_coli");
    run(&config, &()).unwrap();
    let page = out.join("report.html");
    let (dom, console) = browser.dom(&page);
    assert_eq!(console, Vec::<String>::new(), "console messages");
    check_dom(&dom, &out);
    assert!(
        dom.contains("<g class=\"lollipop known"),
        "known calls drawn"
    );

    let phenotypes = table(&out.join("phenotypes.tsv"));
    let isolates: BTreeSet<&str> = phenotypes.iter().map(|r| r["accession"].as_str()).collect();
    let rows = attributes(&dom, "<tr class=\"isolate\"", "data-accession");
    assert_eq!(
        rows.iter().map(String::as_str).collect::<BTreeSet<_>>(),
        isolates
    );
    let resistant = phenotypes
        .iter()
        .filter(|row| row["phenotype"] == "resistant")
        .count();
    assert_eq!(
        dom.matches("data-phenotype=\"resistant\"").count(),
        resistant
    );
    assert!(resistant > 0);

    let png = browser.screenshot(&page, &dir.path().join("report.png"), (1100, 1400));
    assert_not_blank(&png);
}

/// The console check sees what a page logs, and names from users' FASTA headers (here a
/// reference named like markup that would log if it ran) stay text.
#[test]
fn console_messages_are_caught_and_markup_in_names_stays_text() {
    let Some(binary) = chromium() else { return };
    let browser = Browser::new(binary);
    let dir = tempfile::tempdir().unwrap();
    let probe = dir.path().join("probe.html");
    std::fs::write(
        &probe,
        "<!DOCTYPE html><html><body><p>probe</p>\
         <script>console.error('probe message')</script></body></html>",
    )
    .unwrap();
    let (_, console) = browser.dom(&probe);
    assert!(
        console.iter().any(|line| line.contains("probe message")),
        "{console:?}"
    );

    let gene = "x<img/src=none/onerror=console.error(666)>";
    let references = dir.path().join("references.faa");
    std::fs::write(
        &references,
        format!(">{gene}\nMSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQ\n"),
    )
    .unwrap();
    let targets = dir.path().join("targets.faa");
    std::fs::write(
        &targets,
        format!(">T1|{gene}|1-108|+|c1|ab12\nMSIQHFRVALIPWFAAFCLPVFAHPETLVKVKDAEDQ\n"),
    )
    .unwrap();
    let out = dir.path().join("out");
    run(&PipelineConfig::new([&targets], &references, &out), &()).unwrap();
    let (dom, console) = browser.dom(&out.join("report.html"));
    assert_eq!(console, Vec::<String>::new(), "console messages");
    assert!(
        !dom.contains("<img"),
        "markup from a name became an element"
    );
    check_dom(&dom, &out);
}
