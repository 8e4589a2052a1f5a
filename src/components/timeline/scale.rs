//! The timeline's geometry: where a time falls across the plot, and the axis' ticks with
//! labels as written in the logs (wall-clock time, never shifted).

use midtriage_engine::Timestamp;

/// Tick spacings, in seconds, from a second to four weeks.
const STEPS: [i64; 19] = [
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400,
    604_800,
];

/// Pixels a tick label needs.
const TICK_PX: f64 = 84.0;

/// A linear map from the axis' seconds to the plot's x.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub start: i64,
    pub end: i64,
    pub left: f64,
    pub right: f64,
}

impl Scale {
    /// The scale of `start..=end` over `left..right`; an instant is widened to a minute.
    pub fn new(start: i64, end: i64, left: f64, right: f64) -> Scale {
        let (start, end) = if end > start {
            (start, end)
        } else {
            (start - 30, start + 30)
        };
        Scale {
            start,
            end,
            left,
            right: right.max(left + 1.0),
        }
    }

    /// The x of a time.
    pub fn x(&self, at: i64) -> f64 {
        let f = (at - self.start) as f64 / (self.end - self.start) as f64;
        self.left + f * (self.right - self.left)
    }

    /// The time at an x.
    pub fn at(&self, x: f64) -> i64 {
        let f = (x - self.left) / (self.right - self.left);
        self.start + (f * (self.end - self.start) as f64).round() as i64
    }

    /// Whether a time is on the plot.
    pub fn shows(&self, at: i64) -> bool {
        (self.start..=self.end).contains(&at)
    }
}

/// The axis' ticks for a scale: where each is, and its label (`HH:MM`, `HH:MM:SS`, or the day
/// for wide spans; the first tick and each new day also show the date).
pub fn ticks(scale: &Scale) -> Vec<(i64, String)> {
    let span = scale.end - scale.start;
    let room = ((scale.right - scale.left) / TICK_PX).floor().max(2.0) as i64;
    let step = STEPS
        .iter()
        .copied()
        .find(|s| span / s <= room)
        .unwrap_or_else(|| (span / room / 604_800 + 1) * 604_800);
    let mut out = Vec::new();
    let mut at = scale.start.div_euclid(step) * step;
    if at < scale.start {
        at += step;
    }
    let mut last_day = None;
    while at <= scale.end && out.len() < 64 {
        let Some(t) = Timestamp::from_seconds(at) else {
            break;
        };
        let day = (t.year, t.month, t.day);
        let date = format!("{:02}-{:02}", t.month, t.day);
        let label = if step >= 86_400 {
            date
        } else {
            let time = if step < 60 {
                format!("{:02}:{:02}:{:02}", t.hour, t.minute, t.second)
            } else {
                format!("{:02}:{:02}", t.hour, t.minute)
            };
            if last_day != Some(day) {
                format!("{date} {time}")
            } else {
                time
            }
        };
        last_day = Some(day);
        out.push((at, label));
        at += step;
    }
    out
}

/// A short form of a time on the axis, to the second: `2025-11-25 02:03:34`.
pub fn when(at: i64) -> String {
    Timestamp::from_seconds(at).map_or_else(String::new, |t| {
        let s = t.to_string();
        s[..19.min(s.len())].to_string()
    })
}
