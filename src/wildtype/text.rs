//! [`CallText`]: the short texts every mutation call carries (its name, its HGVS form, its
//! PointFinder notation), held inline up to [`INLINE`] bytes. A run makes millions of them;
//! an allocation for each (and its free) was the largest cost of a 100K run after the
//! kernels.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use serde::{Serialize, Serializer};

use crate::align::decimal_digits;

/// Bytes held without an allocation: `p.Gln37_Leu38insPro`, `blaCTX-M p.Q37_L38insP`.
const INLINE: usize = 22;

/// A call's text (`S83L`, `p.Ser83Leu`, `gyrA p.S83L`): a string that needs no allocation up
/// to 22 bytes. It derefs to `str`, compares equal to `str`, `&str` and `String`, prints and
/// serializes as the text itself.
///
/// # Examples
///
/// ```
/// use wildtype_aligner::wildtype::CallText;
///
/// let name = CallText::from("S83L");
/// assert_eq!(name, "S83L");
/// assert_eq!(name.len(), 4);
/// assert!(name.starts_with('S'));
/// assert_eq!(format!("gyrA {name}"), "gyrA S83L");
/// let long = CallText::from("blaTEM p.Q37_L38insPGGGGGGGGG");
/// assert_eq!(long.as_str(), "blaTEM p.Q37_L38insPGGGGGGGGG");
/// ```
#[derive(Clone)]
pub struct CallText(Repr);

#[derive(Clone)]
enum Repr {
    /// `bytes[..len]`, always whole UTF-8 (only whole `str`s are copied in).
    Inline {
        len: u8,
        bytes: [u8; INLINE],
    },
    Heap(Box<str>),
}

impl CallText {
    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Only whole `str`s are ever copied in: the check cannot fail.
            Repr::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            Repr::Heap(text) => text,
        }
    }

    /// The text's bytes, without the check of [`CallText::as_str`] (for writers of tables).
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Repr::Heap(text) => text.as_bytes(),
        }
    }
}

impl Default for CallText {
    fn default() -> Self {
        Self(Repr::Inline {
            len: 0,
            bytes: [0; INLINE],
        })
    }
}

impl From<&str> for CallText {
    fn from(text: &str) -> Self {
        let mut builder = TextBuilder::default();
        builder.push_str(text);
        builder.finish()
    }
}

impl From<String> for CallText {
    fn from(text: String) -> Self {
        if text.len() <= INLINE {
            Self::from(text.as_str())
        } else {
            Self(Repr::Heap(text.into_boxed_str()))
        }
    }
}

impl From<CallText> for String {
    fn from(text: CallText) -> Self {
        match text.0 {
            Repr::Heap(text) => text.into_string(),
            Repr::Inline { .. } => text.as_str().to_owned(),
        }
    }
}

impl Deref for CallText {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for CallText {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for CallText {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for CallText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CallText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for CallText {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for CallText {}

impl Hash for CallText {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for CallText {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CallText {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

/// `CallText == str`-like comparisons, both ways round.
macro_rules! equal_to_text {
    ($($other:ty),*) => {$(
        impl PartialEq<$other> for CallText {
            fn eq(&self, other: &$other) -> bool {
                self.as_bytes() == AsRef::<str>::as_ref(other).as_bytes()
            }
        }
        impl PartialEq<CallText> for $other {
            fn eq(&self, other: &CallText) -> bool {
                other == self
            }
        }
    )*};
}
equal_to_text!(str, &str, String);

impl Serialize for CallText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Builds a [`CallText`] a piece at a time, on the stack until it outgrows [`INLINE`].
#[derive(Default)]
pub(crate) struct TextBuilder {
    len: usize,
    bytes: [u8; INLINE],
    /// The text once longer than `INLINE` bytes.
    spilled: Option<String>,
}

impl TextBuilder {
    pub(crate) fn push_str(&mut self, text: &str) {
        self.push_utf8(text.as_bytes());
    }

    /// Appends a [`CallText`]'s bytes (whole UTF-8, as every `CallText` holds).
    pub(crate) fn push_text(&mut self, text: &CallText) {
        self.push_utf8(text.as_bytes());
    }

    /// Appends `bytes`, which are whole UTF-8 (a `str`'s or a `CallText`'s).
    fn push_utf8(&mut self, bytes: &[u8]) {
        if let Some(spilled) = &mut self.spilled {
            spilled.push_str(&String::from_utf8_lossy(bytes));
            return;
        }
        let end = self.len + bytes.len();
        if end <= INLINE {
            self.bytes[self.len..end].copy_from_slice(bytes);
            self.len = end;
            return;
        }
        let mut spilled = String::with_capacity(end.max(2 * INLINE));
        spilled.push_str(&String::from_utf8_lossy(&self.bytes[..self.len]));
        spilled.push_str(&String::from_utf8_lossy(bytes));
        self.spilled = Some(spilled);
    }

    pub(crate) fn push(&mut self, character: char) {
        self.push_str(character.encode_utf8(&mut [0; 4]));
    }

    /// Appends `value` in decimal.
    pub(crate) fn push_decimal(&mut self, value: usize) {
        let mut digits = [0u8; 20];
        self.push_utf8(decimal_digits(value, &mut digits));
    }

    pub(crate) fn finish(self) -> CallText {
        match self.spilled {
            Some(text) => CallText(Repr::Heap(text.into_boxed_str())),
            None => CallText(Repr::Inline {
                len: self.len as u8,
                bytes: self.bytes,
            }),
        }
    }
}

impl fmt::Write for TextBuilder {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.push_str(text);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    #[test]
    fn texts_of_every_length_read_back_inline_or_not() {
        let source = "p.Gln37_Leu38insProGlyAlaé✓ and more";
        for end in (0..=source.len()).filter(|&end| source.is_char_boundary(end)) {
            let text = &source[..end];
            let whole = CallText::from(text);
            assert_eq!(whole, text);
            assert_eq!(whole.as_bytes(), text.as_bytes());
            assert_eq!(CallText::from(text.to_owned()), whole);
            // Built a piece at a time, across the inline limit.
            let mut builder = TextBuilder::default();
            for piece in text.split_inclusive(['_', 'é']) {
                builder.push_str(piece);
            }
            assert_eq!(builder.finish(), text, "{text:?}");
            assert_eq!(String::from(whole.clone()), text);
            assert_eq!(format!("{whole}"), text);
            assert_eq!(format!("{whole:?}"), format!("{text:?}"));
            assert_eq!(
                serde_json::to_string(&whole).unwrap(),
                serde_json::to_string(text).unwrap()
            );
        }
    }

    #[test]
    fn numbers_characters_and_formatting_build_the_same_text() {
        let mut builder = TextBuilder::default();
        builder.push('S');
        builder.push_decimal(83);
        builder.push('L');
        builder.push_text(&CallText::from(" and "));
        builder.push_decimal(0);
        builder.push_decimal(usize::MAX);
        let accent = 'é';
        write!(builder, "{accent}").unwrap();
        let expected = format!("S83L and 0{}é", usize::MAX);
        assert_eq!(builder.finish(), expected.as_str());
    }

    #[test]
    fn texts_compare_and_order_as_their_strings() {
        let mut texts: Vec<CallText> = ["S83L", "D87N", "p.Ser83Leu", "", "D87G"]
            .into_iter()
            .map(CallText::from)
            .collect();
        texts.sort();
        let sorted: Vec<&str> = texts.iter().map(CallText::as_str).collect();
        assert_eq!(sorted, ["", "D87G", "D87N", "S83L", "p.Ser83Leu"]);
        let (name, x) = (CallText::from("S83L"), CallText::from("x"));
        let owned = String::from("x");
        assert_eq!("S83L", name);
        assert_eq!(*"S83L", name);
        assert_eq!(owned, x);
        assert_eq!(x, owned);
        assert_ne!(CallText::from("S83L"), "S83W");
        let set: std::collections::HashSet<CallText> = texts.into_iter().collect();
        assert!(set.contains("D87N"));
    }
}
