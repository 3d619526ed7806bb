//! PointFinder species folders read from disk: what a good folder gives and what a broken one
//! says (file and line).

use wildtype_aligner::wildtype::genome::{GeneKind, Species};

fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn error(files: &[(&str, &str)]) -> String {
    Species::from_folder(folder(files).path())
        .unwrap_err()
        .to_string()
}

#[test]
fn folder_errors_name_file_and_line() {
    assert!(error(&[]).ends_with(
        "genes.txt: missing: a PointFinder species folder lists its genes in genes.txt"
    ));
    assert!(error(&[("genes.txt", "\n\n")]).ends_with("genes.txt: lists no gene"));
    let fsa = ("g.fsa", ">g_1\nATGAAATAA\n");
    assert!(
        error(&[("genes.txt", "g\n\ng\n"), fsa])
            .ends_with("genes.txt: line 3: gene g is listed again (first on line 1)")
    );
    assert!(
        error(&[("genes.txt", "g\n"), ("RNA_genes.txt", "16S\n"), fsa])
            .ends_with("RNA_genes.txt: line 1: RNA gene 16S is not listed in genes.txt")
    );
    let broken = error(&[("genes.txt", "g\n"), ("g.fsa", ">g_1\nATGAAA\nTGATAA\n")]);
    assert!(
        broken.ends_with("g.fsa: line 1: record g_1: stop codon TGA at codon 3 of 4"),
        "{broken}"
    );
    assert!(
        error(&[("genes.txt", "g\n"), ("g.fsa", "")])
            .ends_with("g.fsa: holds no record for gene g")
    );
    let empty = error(&[("genes.txt", "g\n"), ("g.fsa", ">g_1\n>g_2\nATGTAA\n")]);
    assert!(
        empty.ends_with("g.fsa: line 1: record g_1: no sequence"),
        "{empty}"
    );
}

#[test]
fn rna_genes_and_promoters_stay_nucleotides_and_gzip_is_read() {
    let dir = folder(&[
        ("genes.txt", "16S\nx-promoter-size-3bp\n"),
        ("RNA_genes.txt", "16S\n"),
        ("16S.fsa", ">16S_1\nacgtTGA\n"),
    ]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, b">p_1\nTTTATGAAA\n").unwrap();
    std::fs::write(
        dir.path().join("x-promoter-size-3bp.fsa.gz"),
        gz.finish().unwrap(),
    )
    .unwrap();
    let species = Species::from_folder(dir.path()).unwrap();
    let genes = species.genes();
    assert_eq!(
        (genes[0].kind(), genes[0].nucleotides(), genes[0].protein()),
        (GeneKind::Rna, &b"ACGTTGA"[..], None)
    );
    assert_eq!(genes[1].kind(), GeneKind::Promoter { promoter_length: 3 });
    assert!(species.protein_references().is_empty());
}
