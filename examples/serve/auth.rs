//! The bearer token: read from `--token-file` (re-read on SIGHUP, so that a vault agent or a
//! Kubernetes secret can rotate it) or from the `WTA_SERVE_TOKEN` environment variable. Only
//! its SHA-256 digest is kept, and a presented token is compared by digest in constant time,
//! so neither its content nor its length shows in the timing. It is never logged.

use std::path::PathBuf;
use std::sync::RwLock;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The environment variable holding the token when no `--token-file` is given.
pub const TOKEN_VARIABLE: &str = "WTA_SERVE_TOKEN";

/// Where the token comes from, and its digest now.
#[derive(Debug)]
pub struct TokenSource {
    file: Option<PathBuf>,
    digest: RwLock<Option<[u8; 32]>>,
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// A token as written in a file or variable: surrounding white space (the final newline)
/// is not part of it, and an empty one is refused.
pub fn parse_token(text: &str, origin: &str) -> Result<String, String> {
    let token = text.trim();
    if token.is_empty() {
        return Err(format!("{origin}: the token is empty"));
    }
    if token.bytes().any(|b| !b.is_ascii_graphic()) {
        return Err(format!(
            "{origin}: the token must be printable ASCII without spaces (as an HTTP header carries it)"
        ));
    }
    Ok(token.to_owned())
}

impl TokenSource {
    /// The token of `--token-file`, else of `WTA_SERVE_TOKEN`, else none.
    pub fn configure(file: Option<PathBuf>) -> Result<Self, String> {
        let token = match &file {
            Some(path) => Some(read_file(path)?),
            None => match std::env::var(TOKEN_VARIABLE) {
                Ok(text) => Some(parse_token(&text, TOKEN_VARIABLE)?),
                Err(std::env::VarError::NotPresent) => None,
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(format!("{TOKEN_VARIABLE}: not valid UTF-8"));
                }
            },
        };
        Ok(Self {
            file,
            digest: RwLock::new(token.as_deref().map(digest)),
        })
    }

    /// Whether requests must carry the token.
    pub fn is_configured(&self) -> bool {
        self.digest.read().is_ok_and(|digest| digest.is_some())
    }

    /// Reads `--token-file` again (SIGHUP). On failure the token in use stays.
    pub fn reload(&self) -> Result<bool, String> {
        let Some(path) = &self.file else {
            return Ok(false);
        };
        let token = read_file(path)?;
        if let Ok(mut current) = self.digest.write() {
            *current = Some(digest(&token));
        }
        Ok(true)
    }

    /// Whether an `Authorization` header value grants access.
    pub fn allows(&self, authorization: Option<&[u8]>) -> bool {
        let Ok(current) = self.digest.read() else {
            return false;
        };
        let Some(expected) = *current else {
            return true;
        };
        let Some(presented) = authorization
            .and_then(|value| value.strip_prefix(b"Bearer "))
            .and_then(|value| std::str::from_utf8(value).ok())
        else {
            return false;
        };
        digest(presented.trim()).ct_eq(&expected).into()
    }
}

fn read_file(path: &std::path::Path) -> Result<String, String> {
    let text =
        std::fs::read_to_string(path).map_err(|error| format!("{}: {error}", path.display()))?;
    parse_token(&text, &path.display().to_string())
}
