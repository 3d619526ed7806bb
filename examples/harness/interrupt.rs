//! A clean exit on SIGINT and SIGTERM: the temporary files of the outputs being staged and the
//! output directory's lock are removed (see `wildtype_aligner::staged::abandon_for_exit`),
//! then the process exits with 128 + the signal number (130, 143), as shells expect of a
//! process stopped by a signal. (`kill -9` cannot be caught: the next run removes what it
//! leaves.)

/// Starts the thread that waits for SIGINT or SIGTERM; `program` prefixes its message.
pub fn clean_up_on_signals(program: &'static str) {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM};
        use signal_hook::iterator::Signals;

        match Signals::new([SIGINT, SIGTERM]) {
            Ok(mut signals) => {
                std::thread::spawn(move || {
                    if let Some(signal) = signals.forever().next() {
                        let removed = wildtype_aligner::staged::abandon_for_exit();
                        eprintln!(
                            "{program}: interrupted by signal {signal}; removed {} temporary \
                             path(s)",
                            removed.len()
                        );
                        std::process::exit(128 + signal);
                    }
                });
            }
            Err(error) => eprintln!(
                "{program}: warning: cannot catch signals ({error}): an interrupted run leaves \
                 its temporary files for the next run to remove"
            ),
        }
    }
    #[cfg(not(unix))]
    let _ = program;
}
