//! `water` command lines never panic the parser: the fuzz bytes split on NUL are the argument
//! vector (invalid UTF-8 replaced, as `std::env::args_os` callers would see after lossy
//! conversion). What parses answers every accessor.
#![no_main]

// The drop-in's command line lives with its example binary.
#[allow(dead_code)]
#[path = "../../examples/water/cli.rs"]
mod cli;

use cli::WaterArgs;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let args: Vec<String> = input
        .split(|&byte| byte == 0)
        .map(|arg| String::from_utf8_lossy(arg).into_owned())
        .collect();
    let Ok(parsed) = WaterArgs::parse(&args) else {
        return;
    };
    let _ = (
        parsed.asequence(),
        parsed.bsequence(),
        parsed.gapopen(),
        parsed.gapextend(),
        parsed.aformat(),
    );
    let _ = parsed.in_dir("/nonexistent");
});
