//! Opening FASTA input: files or stdin, plain or gzip, told apart by their first bytes.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::Path;

use flate2::bufread::GzDecoder;

use super::error::Result;
use super::error::{FastaError, FastaErrorKind};

/// How the input's bytes are encoded, from its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    /// Plain text.
    None,
    /// gzip (including bgzf and concatenated members).
    Gzip,
}

/// What the first bytes say about the input: compressed with something we cannot read, or
/// fine to go on.
pub(crate) fn sniff(prefix: &[u8]) -> std::result::Result<Compression, &'static str> {
    const MAGICS: [(&[u8], &str); 4] = [
        (b"BZh", "bzip2-compressed data"),
        (&[0xfd, b'7', b'z', b'X', b'Z', 0], "xz-compressed data"),
        (&[0x28, 0xb5, 0x2f, 0xfd], "zstd-compressed data"),
        (b"PK\x03\x04", "a zip archive"),
    ];
    if prefix.starts_with(&[0x1f, 0x8b]) {
        return Ok(Compression::Gzip);
    }
    for (magic, what) in MAGICS {
        if prefix.starts_with(magic) {
            return Err(what);
        }
    }
    Ok(Compression::None)
}

/// A decoded byte stream with what is needed to explain its errors.
pub(crate) struct Input {
    pub(crate) stream: Box<dyn Read + Send>,
    pub(crate) compression: Compression,
}

/// Opens `path`, or stdin when `path` is `-`.
pub(crate) fn open_path(path: &Path) -> Result<Input> {
    if path.as_os_str() == "-" {
        return open_reader(path, io::stdin());
    }
    let file = File::open(path).map_err(|e| FastaError::io(path, e))?;
    open_reader(path, file)
}

/// Wraps `inner`, decompressing it when its first bytes are gzip's magic.
pub(crate) fn open_reader(name: &Path, mut inner: impl Read + Send + 'static) -> Result<Input> {
    let mut prefix = [0u8; 8];
    let mut filled = 0;
    while filled < prefix.len() {
        match inner.read(&mut prefix[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(FastaError::io(name, e)),
        }
    }
    let compression = sniff(&prefix[..filled])
        .map_err(|what| FastaError::new(name, FastaErrorKind::Binary { what }).at_line(1))?;
    let joined = Cursor::new(prefix[..filled].to_vec()).chain(inner);
    let stream: Box<dyn Read + Send> = match compression {
        Compression::Gzip => Box::new(GzipMembers::new(joined)),
        Compression::None => Box::new(joined),
    };
    Ok(Input {
        stream,
        compression,
    })
}

/// Every gzip member of a stream, one after another (as `gzip -d` reads them), refusing bytes
/// after the last member that start no further member: flate2's multi-member decoder reports
/// them as a truncated member ("unexpected end of file"), which sends the user looking for
/// the wrong fault. Zero padding after the last member (tape blocks) is read as the end.
struct GzipMembers<R: Read> {
    decoder: Option<GzDecoder<BufReader<Counted<R>>>>,
}

/// A reader that counts the bytes read through it.
struct Counted<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.count += read as u64;
        Ok(read)
    }
}

impl<R: Read> GzipMembers<R> {
    fn new(inner: R) -> Self {
        let counted = Counted { inner, count: 0 };
        Self {
            decoder: Some(GzDecoder::new(BufReader::new(counted))),
        }
    }
}

/// The marker error for bytes after the gzip data, told apart in [`read_error`]: where they
/// start in the file.
#[derive(Debug)]
struct TrailingData {
    offset: u64,
}

impl std::fmt::Display for TrailingData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "data after the end of the gzip data at byte {}",
            self.offset
        )
    }
}

impl std::error::Error for TrailingData {}

impl<R: Read> Read for GzipMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(decoder) = self.decoder.as_mut() else {
                return Ok(0);
            };
            let read = decoder.read(buf)?;
            if read > 0 || buf.is_empty() {
                return Ok(read);
            }
            // This member is complete: what follows is another member, padding, or the end.
            let Some(decoder) = self.decoder.take() else {
                return Ok(0);
            };
            let mut rest = decoder.into_inner();
            let buffered = rest.fill_buf()?.len() as u64;
            let offset = rest.get_ref().count - buffered;
            let trailing = || io::Error::new(io::ErrorKind::InvalidData, TrailingData { offset });
            match rest.fill_buf()? {
                [] => return Ok(0),
                [0x1f] | [0x1f, 0x8b, ..] => self.decoder = Some(GzDecoder::new(rest)),
                [0, ..] => {
                    let mut tail = Vec::new();
                    rest.read_to_end(&mut tail)?;
                    if tail.iter().any(|&b| b != 0) {
                        return Err(trailing());
                    }
                    return Ok(0);
                }
                _ => return Err(trailing()),
            }
        }
    }
}

/// Turns a read error into the FASTA error, naming gzip damage as such.
pub(crate) fn read_error(
    name: &Path,
    compression: Compression,
    line: usize,
    e: io::Error,
) -> FastaError {
    if let Some(trailing) = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<TrailingData>())
    {
        // A line of the decoded text would say nothing about where in the file they are.
        let offset = trailing.offset;
        return FastaError::new(name, FastaErrorKind::TrailingGzipData { offset });
    }
    match (compression, e.kind()) {
        (Compression::Gzip, io::ErrorKind::UnexpectedEof) => {
            FastaError::new(name, FastaErrorKind::TruncatedGzip)
                .at_line(line)
                .caused_by(e)
        }
        (Compression::Gzip, io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData) => {
            FastaError::new(name, FastaErrorKind::CorruptGzip)
                .at_line(line)
                .caused_by(e)
        }
        _ => FastaError::io(name, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_magic_bytes() {
        assert_eq!(sniff(b"\x1f\x8b\x08"), Ok(Compression::Gzip));
        assert_eq!(sniff(b">a\nAC"), Ok(Compression::None));
        assert_eq!(sniff(b""), Ok(Compression::None));
        assert!(sniff(b"BZh91AY").is_err());
    }
}
