//! Timestamps as they appear in MID Server logs, compared as local wall-clock time.

use std::fmt;

/// A log timestamp. Ordering compares the wall-clock fields first; the UTC offset, when a layout
/// carries one, is kept for display only, because the other layouts carry none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Four-digit year.
    pub year: u16,
    /// Month, 1-12.
    pub month: u8,
    /// Day of the month, 1-31.
    pub day: u8,
    /// Hour, 0-23.
    pub hour: u8,
    /// Minute, 0-59.
    pub minute: u8,
    /// Second, 0-60.
    pub second: u8,
    /// Milliseconds, 0-999.
    pub millis: u16,
    /// Offset from UTC in minutes, when the layout gives one.
    pub offset_minutes: Option<i16>,
}

impl Timestamp {
    /// Builds a timestamp, or `None` when a field is out of range.
    pub fn new(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Option<Self> {
        let valid = (1..=12).contains(&month)
            && (1..=31).contains(&day)
            && hour < 24
            && minute < 60
            && second <= 60;
        valid.then_some(Timestamp {
            year,
            month,
            day,
            hour,
            minute,
            second,
            millis: 0,
            offset_minutes: None,
        })
    }

    /// The same timestamp with `millis` set.
    pub fn with_millis(mut self, millis: u16) -> Self {
        self.millis = millis.min(999);
        self
    }

    /// Seconds of wall-clock time since 1970-01-01 00:00:00 (the offset is ignored, as in
    /// comparisons), for distances between timestamps.
    pub fn seconds(&self) -> i64 {
        // Days from the civil date (Howard Hinnant's algorithm).
        let (m, y) = (i64::from(self.month), i64::from(self.year));
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }
}

impl Timestamp {
    /// The wall-clock time `secs` seconds after 1970-01-01 00:00:00, without an offset (the
    /// inverse of [`Timestamp::seconds`] to the second); `None` outside years 0 to 9999.
    pub fn from_seconds(secs: i64) -> Option<Timestamp> {
        let days = secs.div_euclid(86_400);
        let rest = secs.rem_euclid(86_400);
        // Civil date from days (Howard Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        if !(0..=9999).contains(&year) {
            return None;
        }
        Timestamp::new(
            year as u16,
            month as u8,
            day as u8,
            (rest / 3600) as u8,
            (rest / 60 % 60) as u8,
            (rest % 60) as u8,
        )
    }

    /// Seconds on a time axis in the wall clock of UTC offset `axis` (minutes): a timestamp
    /// with an offset is moved from its own offset to the axis' one; one without an offset is
    /// taken to be written in the axis' zone already, and is never moved.
    pub fn on_axis(&self, axis: Option<i16>) -> i64 {
        let own = self.seconds();
        match (self.offset_minutes, axis) {
            (Some(off), Some(axis)) => own + 60 * (i64::from(axis) - i64::from(off)),
            _ => own,
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}",
            self.year, self.month, self.day, self.hour, self.minute, self.second, self.millis
        )?;
        if let Some(off) = self.offset_minutes {
            let sign = if off < 0 { '-' } else { '+' };
            let off = off.unsigned_abs();
            write!(f, " {sign}{:02}{:02}", off / 60, off % 60)?;
        }
        Ok(())
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::str::FromStr for Timestamp {
    type Err = String;

    /// Reads the form [`Timestamp`] displays: `2019-12-15 00:33:18.649`, optionally ` -0400`.
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a timestamp like 2019-12-15 00:33:18.649");
        let b = s.as_bytes();
        let mut ts = ymd_hms(b, b'-', b' ').ok_or_else(bad)?;
        if b.get(19) != Some(&b'.') {
            return Err(bad());
        }
        ts.millis = digits(&b[20..], 3).ok_or_else(bad)? as u16;
        if let Some(off) = s.get(23..).map(str::trim).filter(|o| !o.is_empty()) {
            let ob = off.as_bytes();
            let sign: i16 = match ob.first() {
                Some(b'-') => -1,
                Some(b'+') => 1,
                _ => return Err(bad()),
            };
            let h = digits(&ob[1..], 2).ok_or_else(bad)? as i16;
            let m = digits(ob.get(3..).unwrap_or_default(), 2).ok_or_else(bad)? as i16;
            ts.offset_minutes = Some(sign * (h * 60 + m));
        }
        Ok(ts)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Reads exactly `n` ASCII digits at the start of `b`.
pub(crate) fn digits(b: &[u8], n: usize) -> Option<u32> {
    let part = b.get(..n)?;
    part.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// Parses `yyyy?MM?dd?HH:mm:ss` where `?` are the given separators; returns the timestamp.
pub(crate) fn ymd_hms(b: &[u8], date_sep: u8, mid_sep: u8) -> Option<Timestamp> {
    if b.len() < 19 || b[4] != date_sep || b[7] != date_sep || b[10] != mid_sep {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    Timestamp::new(
        digits(b, 4)? as u16,
        digits(&b[5..], 2)? as u8,
        digits(&b[8..], 2)? as u8,
        digits(&b[11..], 2)? as u8,
        digits(&b[14..], 2)? as u8,
        digits(&b[17..], 2)? as u8,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays() {
        let t = ymd_hms(b"2019/12/15 00:33:17 | x", b'/', b' ').unwrap();
        assert_eq!(t.to_string(), "2019-12-15 00:33:17.000");
        let t = ymd_hms(b"2026-06-03T09:46:18.163", b'-', b'T')
            .unwrap()
            .with_millis(163);
        assert_eq!(t.to_string(), "2026-06-03 09:46:18.163");
        let mut t = t;
        t.offset_minutes = Some(-240);
        assert_eq!(t.to_string(), "2026-06-03 09:46:18.163 -0400");
    }

    #[test]
    fn display_form_parses_back() {
        for s in [
            "2019-12-15 00:33:17.000",
            "2026-06-03 09:46:18.163 -0400",
            "2026-06-03 09:46:18.163 +0530",
        ] {
            assert_eq!(s.parse::<Timestamp>().unwrap().to_string(), s);
        }
        assert!("2019-12-15".parse::<Timestamp>().is_err());
        assert!("2019-12-15 00:33:17.000 x".parse::<Timestamp>().is_err());
    }

    #[test]
    fn rejects_out_of_range_fields() {
        assert!(ymd_hms(b"2019/13/15 00:33:17", b'/', b' ').is_none());
        assert!(ymd_hms(b"2019/12/15 24:33:17", b'/', b' ').is_none());
        assert!(ymd_hms(b"2019/12/15 0:33:17x", b'/', b' ').is_none());
    }

    #[test]
    fn from_seconds_inverts_seconds() {
        for s in [
            0i64,
            951_868_800,
            1_709_251_199,
            1_764_054_160,
            -86_400,
            253_402_300_799,
        ] {
            let t = Timestamp::from_seconds(s).unwrap();
            assert_eq!(t.seconds(), s, "{t}");
        }
        assert_eq!(
            Timestamp::from_seconds(1_709_251_199).unwrap().to_string(),
            "2024-02-29 23:59:59.000"
        );
        assert!(Timestamp::from_seconds(253_402_300_800).is_none());
    }

    #[test]
    fn axis_moves_only_zoned_times() {
        let mut t = Timestamp::new(2025, 11, 25, 2, 0, 0).unwrap();
        let plain = t.seconds();
        assert_eq!(t.on_axis(Some(-300)), plain);
        t.offset_minutes = Some(-300);
        assert_eq!(t.on_axis(Some(-300)), plain);
        assert_eq!(t.on_axis(Some(-240)), plain + 3600);
        assert_eq!(t.on_axis(None), plain);
    }

    #[test]
    fn seconds_count_from_1970() {
        let t = |y, mo, d, h, mi, s| Timestamp::new(y, mo, d, h, mi, s).unwrap().seconds();
        assert_eq!(t(1970, 1, 1, 0, 0, 0), 0);
        assert_eq!(t(2000, 3, 1, 0, 0, 0), 951_868_800);
        assert_eq!(t(2024, 2, 29, 23, 59, 59), 1_709_251_199);
        assert_eq!(t(2024, 3, 1, 0, 0, 0) - t(2024, 2, 28, 0, 0, 0), 2 * 86_400);
    }
}
