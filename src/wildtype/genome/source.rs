//! Where a species folder's files come from: a directory on disk, or the copies of PointFinder
//! 3.0.0 built into the crate (see `data/README.md`).

use std::io::Read;
use std::path::PathBuf;

use crate::fasta::Reader;
use crate::{Error, Result};

/// Where the folder's files come from: a directory, or the copies built into the crate.
pub(crate) enum Source {
    Folder(PathBuf),
    Embedded(&'static str, &'static [(&'static str, &'static str)]),
}

impl Source {
    /// The name used in messages for a file of the folder.
    pub(crate) fn path(&self, file: &str) -> PathBuf {
        match self {
            Source::Folder(folder) => folder.join(file),
            Source::Embedded(species, _) => {
                PathBuf::from(format!("<embedded PointFinder>/{species}/{file}"))
            }
        }
    }

    /// A text file of the folder; `None` when it is absent.
    pub(crate) fn text(&self, file: &str) -> Result<Option<String>> {
        match self {
            Source::Folder(folder) => {
                let path = folder.join(file);
                match std::fs::read(&path) {
                    Ok(bytes) => String::from_utf8(bytes)
                        .map(Some)
                        .map_err(|_| Error::Input {
                            path,
                            message: "not UTF-8 text".into(),
                        }),
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(source) => Err(Error::io(path, source)),
                }
            }
            Source::Embedded(_, files) => Ok(embedded_file(files, file).map(str::to_string)),
        }
    }

    /// The bytes of a file of the folder (for `<gene>.fsa`, the `.fsa.gz` when that is what a
    /// folder holds), with the name messages use for it; `None` when it is absent.
    pub(crate) fn bytes(&self, file: &str) -> Result<Option<(PathBuf, Vec<u8>)>> {
        match self {
            Source::Folder(folder) => {
                for candidate in [folder.join(file), folder.join(format!("{file}.gz"))] {
                    match std::fs::read(&candidate) {
                        Ok(bytes) => return Ok(Some((candidate, bytes))),
                        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                        Err(source) => return Err(Error::io(candidate, source)),
                    }
                }
                Ok(None)
            }
            Source::Embedded(_, files) => {
                Ok(embedded_file(files, file)
                    .map(|text| (self.path(file), text.as_bytes().to_vec())))
            }
        }
    }

    /// A text file of the folder that may be gzipped there (`phenotypes.txt` or
    /// `phenotypes.txt.gz`, as Debian ships it), with the name messages use for it and its
    /// bytes as stored; `None` when it is absent.
    pub(crate) fn text_maybe_gzipped(
        &self,
        file: &str,
    ) -> Result<Option<(PathBuf, String, Vec<u8>)>> {
        let Some((path, bytes)) = self.bytes(file)? else {
            return Ok(None);
        };
        let mut text = Vec::new();
        let plain = match path.extension().is_some_and(|e| e == "gz") {
            true => {
                flate2::read::MultiGzDecoder::new(&bytes[..])
                    .read_to_end(&mut text)
                    .map_err(|source| Error::io(&path, source))?;
                text
            }
            false => bytes.clone(),
        };
        let text = String::from_utf8(plain).map_err(|_| Error::Input {
            path: path.clone(),
            message: "not UTF-8 text".into(),
        })?;
        Ok(Some((path, text, bytes)))
    }

    /// A FASTA reader for `<gene>.fsa` (or `<gene>.fsa.gz` in a folder).
    pub(crate) fn fasta(&self, gene: &str) -> Result<Option<Reader>> {
        let file = format!("{gene}.fsa");
        match self {
            Source::Folder(folder) => {
                for candidate in [folder.join(&file), folder.join(format!("{file}.gz"))] {
                    if candidate.is_file() {
                        return Ok(Some(Reader::from_path(&candidate)?));
                    }
                }
                Ok(None)
            }
            Source::Embedded(_, files) => match embedded_file(files, &file) {
                Some(text) => {
                    let bytes: Box<dyn Read + Send> = Box::new(text.as_bytes());
                    Ok(Some(Reader::from_reader(self.path(&file), bytes)?))
                }
                None => Ok(None),
            },
        }
    }
}

fn embedded_file(files: &[(&str, &'static str)], name: &str) -> Option<&'static str> {
    files
        .iter()
        .find(|(file, _)| *file == name)
        .map(|(_, text)| *text)
}

/// `(file name, contents)` of one embedded species folder.
macro_rules! embed {
    ($species:literal: $($file:literal),* $(,)?) => {
        &[$((
            $file,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/pointfinder/", $species, "/", $file)),
        )),*]
    };
}

/// The species folders built into the crate (PointFinder database 3.0.0; see `data/README.md`).
pub(crate) const EMBEDDED: &[(&str, &[(&str, &str)])] = &[
    (
        "escherichia_coli",
        embed!("escherichia_coli": "genes.txt", "RNA_genes.txt", "gyrA.fsa", "gyrB.fsa",
            "parC.fsa", "parE.fsa", "pmrA.fsa", "pmrB.fsa", "folP.fsa", "23S.fsa",
            "16S-rrsB.fsa", "16S-rrsC.fsa", "16S-rrsH.fsa", "ampC-promoter-size-53bp.fsa",
            "rpoB.fsa", "phenotypes.txt"),
    ),
    (
        "salmonella",
        embed!("salmonella": "genes.txt", "RNA_genes.txt", "acrB.fsa", "pmrA.fsa", "pmrB.fsa",
            "gyrA.fsa", "gyrB.fsa", "parC.fsa", "parE.fsa", "16S-rrsD.fsa", "phenotypes.txt"),
    ),
    (
        "campylobacter",
        embed!("campylobacter": "genes.txt", "RNA_genes.txt", "gyrA.fsa", "23S.fsa", "rpsL.fsa",
            "phenotypes.txt"),
    ),
];
