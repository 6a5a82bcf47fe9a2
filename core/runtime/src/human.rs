//! Text for people: rounded durations and lists of names.

use std::fmt;
use std::time::Duration;

/// A duration rounded for people: `850ns`, `340µs`, `1.2ms`, `45.3ms`, `120ms`, `1.25s`, `95s`.
///
/// Three significant digits at most; the exact value stays in the data.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Human(pub(crate) Duration);

impl fmt::Display for Human {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = self.0.as_nanos();
        if nanos < 1_000 {
            return write!(f, "{nanos}ns");
        }
        let units = [(1e3, "µs"), (1e6, "ms"), (1e9, "s")];
        let mut unit = units.iter().rposition(|&(scale, _)| nanos as f64 >= scale).unwrap_or(0);
        loop {
            let (scale, name) = units[unit];
            let value = nanos as f64 / scale;
            let decimals = match value {
                v if v < 10.0 => 2,
                v if v < 100.0 => 1,
                _ => 0,
            };
            let text = format!("{value:.decimals$}");
            // Rounding can reach the next unit: 999.96µs reads as 1ms, not 1000µs.
            if unit + 1 < units.len() && text.parse::<f64>().is_ok_and(|v| v >= 1000.0) {
                unit += 1;
                continue;
            }
            // `1.50ms` reads as `1.5ms`, `2.00s` as `2s`.
            let text = if text.contains('.') {
                text.trim_end_matches('0').trim_end_matches('.')
            } else {
                &text
            };
            return write!(f, "{text}{name}");
        }
    }
}

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn list<T>(items: &[T], show: impl Fn(&T) -> String) -> String {
    let shown: Vec<String> = items.iter().map(show).collect();
    match shown.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// `` `a`, `b` ``.
pub(crate) fn quoted(items: &[&str]) -> String {
    items.iter().map(|item| format!("`{item}`")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        let cases = [
            (Duration::from_nanos(850), "850ns"),
            (Duration::from_nanos(1_000), "1µs"),
            (Duration::from_micros(340), "340µs"),
            (Duration::from_micros(1_234), "1.23ms"),
            (Duration::from_micros(1_500), "1.5ms"),
            (Duration::from_micros(45_300), "45.3ms"),
            (Duration::from_millis(100), "100ms"),
            (Duration::from_millis(2_000), "2s"),
            (Duration::from_millis(1_250), "1.25s"),
            (Duration::from_secs(95), "95s"),
            (Duration::from_nanos(999_960), "1ms"),
            (Duration::from_nanos(999_999_999), "1s"),
            (Duration::from_secs(4_000), "4000s"),
        ];
        for (duration, text) in cases {
            assert_eq!(Human(duration).to_string(), text, "{duration:?}");
        }
    }
}
