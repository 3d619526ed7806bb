//! The `# Rundate:` stamp (`strftime("%a %e %b %Y %H:%M:%S")`), in UTC.

use std::time::{SystemTime, UNIX_EPOCH};

/// The current time as water stamps it, for example `Sat 28 Nov 2026 18:02:51` (UTC).
///
/// # Examples
///
/// ```
/// let stamp = wildtype_aligner::report::rundate_now();
/// assert_eq!(stamp.split(' ').filter(|part| !part.is_empty()).count(), 5);
/// ```
pub fn rundate_now() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0);
    format_rundate(seconds)
}

fn format_rundate(unix_seconds: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = (unix_seconds / 86_400) as i64;
    let of_day = unix_seconds % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{} {:>2} {} {} {:02}:{:02}:{:02}",
        DAYS[(days.rem_euclid(7)) as usize],
        day,
        MONTHS[(month - 1) as usize],
        year,
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::format_rundate;

    #[test]
    fn known_dates() {
        assert_eq!(format_rundate(0), "Thu  1 Jan 1970 00:00:00");
        // 2026-11-28 18:02:51 UTC
        assert_eq!(format_rundate(1_795_888_971), "Sat 28 Nov 2026 18:02:51");
        assert_eq!(format_rundate(951_782_400), "Tue 29 Feb 2000 00:00:00");
    }
}
