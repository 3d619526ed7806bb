//! The `serve` example over loopback: filled in below.
