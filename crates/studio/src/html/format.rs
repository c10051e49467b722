//! Numbers and sizes for people.

/// `~1.2M`, `~950`, `0`: an estimated row count.
pub fn estimate(n: i64) -> String {
    match n {
        n if n <= 0 => "0".to_owned(),
        n if n < 10_000 => format!("~{}", thousands(n)),
        n if n < 1_000_000 => format!("~{:.0}k", n as f64 / 1_000.0),
        n => format!("~{:.1}M", n as f64 / 1_000_000.0),
    }
}

/// `1,234,567`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// `12 kB`, `3.4 MB`.
pub fn bytes(n: i64) -> String {
    let n = n.max(0) as f64;
    match n {
        n if n < 1024.0 => format!("{n:.0} B"),
        n if n < 1024.0 * 1024.0 => format!("{:.0} kB", n / 1024.0),
        n if n < 1024.0 * 1024.0 * 1024.0 => format!("{:.1} MB", n / 1024.0 / 1024.0),
        n => format!("{:.1} GB", n / 1024.0 / 1024.0 / 1024.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(estimate(0), "0");
        assert_eq!(estimate(6), "~6");
        assert_eq!(estimate(9_999), "~9,999");
        assert_eq!(estimate(1_000_000), "~1.0M");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(bytes(16_384), "16 kB");
    }
}
