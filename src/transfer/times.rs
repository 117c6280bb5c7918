//! Times as sync compares them: whole seconds since the Unix epoch, of an object's
//! RFC 3339 time and of a local file's.

use std::time::{SystemTime, UNIX_EPOCH};

/// Whole seconds since the Unix epoch of an RFC 3339 time (`2026-11-28T06:43:14Z`,
/// `…14.5+02:00`); `None` when it is not one.
pub(crate) fn rfc3339_seconds(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, time) = text.split_once(['T', 't', ' '])?;
    let mut date = date.splitn(3, '-').map(str::parse::<i64>);
    let (year, month, day) = (date.next()?.ok()?, date.next()?.ok()?, date.next()?.ok()?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || time.len() < 8 {
        return None;
    }
    let (clock, zone) = time.split_at(8);
    let mut clock = clock.splitn(3, ':').map(str::parse::<i64>);
    let (hour, minute, second) = (
        clock.next()?.ok()?,
        clock.next()?.ok()?,
        clock.next()?.ok()?,
    );
    let zone = zone.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    let offset = match zone {
        "Z" | "z" | "" => 0,
        _ => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let (h, m) = zone.get(1..)?.split_once(':')?;
            sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60)
        }
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Whole seconds since the Unix epoch of a local file time.
pub(crate) fn system_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times_become_unix_seconds() {
        assert_eq!(rfc3339_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339_seconds("2026-11-28T06:43:14Z"), Some(1_795_848_194));
        assert_eq!(
            rfc3339_seconds("2026-11-28T08:43:14.250+02:00"),
            Some(1_795_848_194)
        );
        assert_eq!(rfc3339_seconds("2000-02-29T00:00:00Z"), Some(951_782_400));
        assert_eq!(rfc3339_seconds("yesterday"), None);
        assert_eq!(rfc3339_seconds(""), None);
    }

    /// Sync keeps this parser rather than the `time` crate's behind the typed
    /// accessors (`StoredObject::last_modified_datetime`): both agree on RFC 3339, but
    /// sync also takes the times other S3 tools write without an offset (as UTC) or
    /// with a space, which RFC 3339, and so `time`, refuses.
    #[test]
    fn sync_agrees_with_the_typed_accessors_on_rfc3339_and_takes_more() {
        for text in [
            "1970-01-01T00:00:00Z",
            "2026-11-28T06:43:14Z",
            "2026-11-28T08:43:14.250+02:00",
            "2000-02-29T00:00:00Z",
        ] {
            let typed = crate::models::parse_datetime(text).map(|t| t.unix_timestamp());
            assert_eq!(typed, rfc3339_seconds(text), "{text}");
        }
        for text in ["2026-11-28 06:43:14", "2026-11-28T06:43:14"] {
            assert_eq!(rfc3339_seconds(text), Some(1_795_848_194), "{text}");
            assert_eq!(crate::models::parse_datetime(text), None, "{text}");
        }
    }
}
