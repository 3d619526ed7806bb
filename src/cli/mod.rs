//! Command-line front ends, kept in the library so that they can be tested and fuzzed; the
//! binaries in `examples/` only call them.

pub mod water;
