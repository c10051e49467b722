//! Timestamps in JSON exactly as chrono's `Serialize` writes them (RFC 3339 in UTC with
//! `Z`, no fraction or 3, 6 or 9 digits of it), written into a buffer on the stack.
//!
//! chrono hands serde_json its `Display` (`collect_str`), which writes a timestamp as a
//! dozen pieces, each escaped on its own: 7% of the server's CPU on a page of items
//! (bench/RESULTS.md, api-vs-node). Here it is one string. Years outside 0000-9999 and
//! leap seconds, which PostgreSQL never returns, go to chrono's own formatting.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Serialize, Serializer};

/// `#[serde(serialize_with = "timestamp::serialize")]`.
pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    let mut buffer = [0u8; 30];
    match write(at, &mut buffer) {
        // Only ASCII digits and punctuation were written.
        Some(len) => serializer.serialize_str(std::str::from_utf8(&buffer[..len]).unwrap_or_default()),
        None => at.serialize(serializer),
    }
}

/// `at` as chrono's RFC 3339 with `SecondsFormat::AutoSi` and `Z`: its length, or `None`
/// for what only chrono writes (a year outside 0..=9999, a leap second).
fn write(at: &DateTime<Utc>, out: &mut [u8; 30]) -> Option<usize> {
    let year = at.year();
    let nanos = at.nanosecond();
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        return None;
    }
    let (fraction, width) = if nanos == 0 {
        (0, 0)
    } else if nanos.is_multiple_of(1_000_000) {
        (nanos / 1_000_000, 3)
    } else if nanos.is_multiple_of(1_000) {
        (nanos / 1_000, 6)
    } else {
        (nanos, 9)
    };
    // YYYY-MM-DDTHH:MM:SS[.fraction]Z
    put(out, 0, year as u32, 4);
    out[4] = b'-';
    put(out, 5, at.month(), 2);
    out[7] = b'-';
    put(out, 8, at.day(), 2);
    out[10] = b'T';
    put(out, 11, at.hour(), 2);
    out[13] = b':';
    put(out, 14, at.minute(), 2);
    out[16] = b':';
    put(out, 17, at.second(), 2);
    let mut end = 19;
    if width > 0 {
        out[19] = b'.';
        put(out, 20, fraction, width);
        end = 20 + width;
    }
    out[end] = b'Z';
    Some(end + 1)
}

/// `value`'s last `width` decimal digits at `out[at..at + width]`, zero-padded.
fn put(out: &mut [u8], at: usize, mut value: u32, width: usize) {
    for slot in out[at..at + width].iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;

    fn ours(at: &DateTime<Utc>) -> String {
        serialize(at, serde_json::value::Serializer).unwrap().as_str().unwrap().to_owned()
    }

    fn chronos(at: &DateTime<Utc>) -> String {
        serde_json::to_value(at).unwrap().as_str().unwrap().to_owned()
    }

    #[test]
    fn every_fraction_width_and_the_edges_match_chrono() {
        let base = Utc.with_ymd_and_hms(2025, 11, 1, 9, 0, 0).unwrap();
        for nanos in [0, 1, 999, 1_000, 120_000, 123_456_000, 500_000_000, 999_999_999] {
            let at = base + chrono::Duration::nanoseconds(nanos);
            assert_eq!(ours(&at), chronos(&at));
        }
        for at in [
            Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(-1, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2016, 12, 31, 23, 59, 59).unwrap() + chrono::Duration::nanoseconds(999_999_999),
        ] {
            assert_eq!(ours(&at), chronos(&at));
        }
        assert_eq!(ours(&base), "2025-11-01T09:00:00Z");
    }

    #[test]
    fn a_leap_second_is_written_by_chrono() {
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
            .unwrap()
            .and_utc();
        assert_eq!(ours(&leap), chronos(&leap));
        assert_eq!(ours(&leap), "2016-12-31T23:59:60.500Z");
    }

    proptest! {
        #[test]
        fn any_timestamp_postgres_can_hold_matches_chrono(
            // From PostgreSQL's earliest timestamptz (4713 BC) to past the year 10000, in
            // microseconds: both chrono's years and the ones it writes with a sign.
            micros in -210_866_803_200_000_000i64..300_000_000_000_000_000i64,
            whole in any::<bool>(),
        ) {
            let micros = if whole { micros - micros.rem_euclid(1_000_000) } else { micros };
            let at = DateTime::from_timestamp_micros(micros).unwrap();
            prop_assert_eq!(ours(&at), chronos(&at));
        }
    }
}
