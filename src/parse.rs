//! Parsing values from CSV cells, straight from bytes: money into integer cents, dates,
//! date-times, booleans. Each parser says what it expected, for the row's error message.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;

/// Money in cents (hundredths of the currency unit). Sums stay exact; the contract allows
/// at most two decimal places, so every valid amount is a whole number of cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Cents(pub i128);

impl Cents {
    pub const ZERO: Cents = Cents(0);

    /// The exact decimal value, e.g. `Cents(100)` is `1.00`.
    pub fn to_decimal(self) -> Decimal {
        Decimal::from_i128_with_scale(self.0, 2)
    }

    /// Whole units toward zero: 10.05 → 10, -10.05 → -10.
    pub fn whole_units(self) -> i128 {
        self.0 / 100
    }

    pub fn checked_add(self, other: Cents) -> Option<Cents> {
        self.0.checked_add(other.0).map(Cents)
    }
}

impl std::fmt::Display for Cents {
    /// `1234.50`, `-0.05`, `0.00`: exactly two decimals, no separators.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// An amount well written but past what 64 bits of cents hold (docs/rules.md §3.9).
pub const TOO_MUCH_MONEY: &str =
    "too large: an amount is at most 92,233,720,368,547,758.07 (either sign)";

pub const EXPECT_MONEY: &str = "expected an amount such as 1234.50 (at most 2 decimal places)";
pub const EXPECT_DATE: &str = "expected a date YYYY-MM-DD";
pub const EXPECT_DATETIME: &str = "expected a date and time YYYY-MM-DD HH:MM";
pub const EXPECT_BOOL: &str = "expected true or false";

/// Parses `-1234.5`, `0`, `12.50` into cents; `None` for anything else (3 decimals,
/// separators, exponents, overflow).
#[inline]
pub fn money(s: &[u8]) -> Option<Cents> {
    // The usual cell first, `123456.78`: whole digits, a point, two digits. Up to 16 whole
    // digits cannot overflow, so the digits are checked once, not one by one (this was a
    // twentieth of the orders profile).
    if let [whole @ .., b'.', tens, ones] = s {
        if (1..=16).contains(&whole.len()) {
            let (t, o) = (tens.wrapping_sub(b'0'), ones.wrapping_sub(b'0'));
            if let Some(value) = digit_run(whole).filter(|_| t <= 9 && o <= 9) {
                let cents = value * 100 + u64::from(t) * 10 + u64::from(o);
                return Some(Cents(cents.into()));
            }
        }
    }
    money_general(s)
}

/// A run of at most 19 ASCII digits (no sign, no space; none is 0) as its number; `None`
/// for any other byte, or a longer run. The digits are checked together, not one by one with an
/// exit at each: this reads every amount and numbered customer id of the orders.
#[inline]
pub fn digit_run(s: &[u8]) -> Option<u64> {
    let mut value = 0u64;
    let mut digits = s.len() <= 19;
    for &b in s {
        let d = b.wrapping_sub(b'0');
        digits &= d <= 9;
        value = value.wrapping_mul(10).wrapping_add(u64::from(d));
    }
    digits.then_some(value)
}

/// [`money`] for every spelling it accepts.
fn money_general(s: &[u8]) -> Option<Cents> {
    let s = trim(s);
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = match digits.iter().position(|&b| b == b'.') {
        Some(dot) => (&digits[..dot], &digits[dot + 1..]),
        None => (digits, &digits[digits.len()..]),
    };
    if (int.is_empty() && frac.is_empty()) || frac.len() > 2 {
        return None;
    }
    let mut value: i64 = 0;
    for &b in int {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add((b - b'0') as i64)?;
    }
    let mut cents_part = 0i64;
    for i in 0..2 {
        cents_part *= 10;
        if let Some(&b) = frac.get(i) {
            if !b.is_ascii_digit() {
                return None;
            }
            cents_part += (b - b'0') as i64;
        }
    }
    let v = value.checked_mul(100)?.checked_add(cents_part)?;
    Some(Cents(if neg { -(v as i128) } else { v as i128 }))
}

/// Parses `YYYY-MM-DD`.
pub fn date(s: &[u8]) -> Option<NaiveDate> {
    let s = trim(s);
    if s.len() != 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let y = digits(&s[0..4])?;
    let m = digits(&s[5..7])?;
    let d = digits(&s[8..10])?;
    NaiveDate::from_ymd_opt(y as i32, m, d)
}

/// Parses `YYYY-MM-DD HH:MM` (seconds `:SS` allowed; `T` allowed as the separator).
pub fn datetime(s: &[u8]) -> Option<NaiveDateTime> {
    let s = trim(s);
    if s.len() < 16 || (s[10] != b' ' && s[10] != b'T') {
        return None;
    }
    let d = date(&s[..10])?;
    let t = &s[11..];
    if t[2] != b':' {
        return None;
    }
    let h = digits(&t[0..2])?;
    let mi = digits(&t[3..5])?;
    let sec = match t.len() {
        5 => 0,
        8 if t[5] == b':' => digits(&t[6..8])?,
        _ => return None,
    };
    Some(d.and_time(NaiveTime::from_hms_opt(h, mi, sec)?))
}

/// Parses `true`/`false` (any case, as spreadsheets write `TRUE`), `yes`/`no`, `1`/`0`,
/// `是`/`否`.
pub fn boolean(s: &[u8]) -> Option<bool> {
    // Compared without a lowercased copy: allocating one was a tenth of checking a
    // customer row.
    let s = trim(s);
    let is = |words: &[&str]| words.iter().any(|w| s.eq_ignore_ascii_case(w.as_bytes()));
    if is(&["true", "yes", "y", "1", "是"]) {
        Some(true)
    } else if is(&["false", "no", "n", "0", "否"]) {
        Some(false)
    } else {
        None
    }
}

// ---- What a spreadsheet makes of a file on save: read it, or say exactly why not ----

/// A date cell: `YYYY-MM-DD`, or as a spreadsheet may have rewritten it (`2026/11/22`,
/// `2026.11.22`, `2026-11-22 00:00:00`, `2026年11月22日`, `22/11/2026`). A day-month order
/// that could be read both ways (`03/04/2026`) is an error, never a guess.
pub fn date_cell(s: &[u8]) -> Result<NaiveDate, String> {
    if let Some(d) = date(s) {
        return Ok(d);
    }
    let text = std::str::from_utf8(trim(s)).map_err(|_| EXPECT_DATE.to_string())?;
    let (day, time) = split_time(text);
    if let Some(time) = time {
        let midnight = matches!(time.trim(), "00:00" | "0:00" | "00:00:00" | "0:00:00");
        if !midnight {
            return Err(format!("{EXPECT_DATE} (a date, without a time of day)"));
        }
    }
    loose_date(day)
}

/// A date-time cell: `YYYY-MM-DD HH:MM`, with the date written any way [`date_cell`]
/// reads and the hour in one or two digits.
pub fn datetime_cell(s: &[u8]) -> Result<NaiveDateTime, String> {
    if let Some(t) = datetime(s) {
        return Ok(t);
    }
    let text = std::str::from_utf8(trim(s)).map_err(|_| EXPECT_DATETIME.to_string())?;
    let (day, time) = split_time(text);
    let time = time.ok_or_else(|| EXPECT_DATETIME.to_string())?;
    let day = loose_date(day).map_err(|e| e.replace(EXPECT_DATE, EXPECT_DATETIME))?;
    // The hour in one or two digits, minutes and seconds in two; no sign, no space.
    let parts: Vec<&str> = time.trim().split(':').collect();
    let (hour, two) = (|p: &str| number(p, 1..=2), |p: &str| number(p, 2..=2));
    let t = match parts.as_slice() {
        [h, m] => hour(h)
            .zip(two(m))
            .and_then(|(h, m)| NaiveTime::from_hms_opt(h, m, 0)),
        [h, m, sec] => match (hour(h), two(m), two(sec)) {
            (Some(h), Some(m), Some(sec)) => NaiveTime::from_hms_opt(h, m, sec),
            _ => None,
        },
        _ => None,
    };
    t.map(|t| day.and_time(t))
        .ok_or_else(|| EXPECT_DATETIME.to_string())
}

fn split_time(text: &str) -> (&str, Option<&str>) {
    match text.find([' ', 'T']) {
        Some(i) if i >= 6 => (&text[..i], Some(&text[i + 1..])),
        _ => (text, None),
    }
}

fn loose_date(text: &str) -> Result<NaiveDate, String> {
    let text = text.trim().replace(['年', '月'], "-").replace('日', "");
    let parts: Vec<&str> = text.split(['-', '/', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return Err(EXPECT_DATE.to_string());
    };
    // A year of four digits, a month and a day of one or two; no sign, no space.
    let num = |p: &str| number(p, if p.len() == 4 { 4..=4 } else { 1..=2 });
    let (Some(x), Some(y), Some(z)) = (num(a), num(b), num(c)) else {
        return Err(EXPECT_DATE.to_string());
    };
    let ymd = |y: u32, m: u32, d: u32| {
        NaiveDate::from_ymd_opt(y as i32, m, d)
            .ok_or_else(|| format!("{EXPECT_DATE} (no such day)"))
    };
    if a.len() == 4 {
        return ymd(x, y, z);
    }
    if c.len() != 4 {
        return Err(EXPECT_DATE.to_string());
    }
    match (x > 12, y > 12) {
        (true, false) => ymd(z, y, x),
        (false, true) => ymd(z, x, y),
        _ if x == y => ymd(z, x, y),
        (false, false) => Err(format!(
            "ambiguous date: day {x} of month {y}, or day {y} of month {x}? Write it as YYYY-MM-DD"
        )),
        (true, true) => Err(format!("{EXPECT_DATE} (no such day)")),
    }
}

/// A money cell: `1234.50`, or as a spreadsheet may have rewritten it: thousands
/// separators (`1,234.50`, in groups of three), a currency sign or code before or after
/// the number (`¥1,234.50`, `￥`, `$`, `CNY 1234.50`, `12.50 元`), one sign before or
/// after the currency (`-¥5.00`, `¥-5.00`). Nothing else: a second sign (`--500.00`), a
/// space inside the digits (`12 5`), a decimal comma (`12,5`) are errors, never guessed.
pub fn money_cell(s: &[u8]) -> Result<Cents, String> {
    if let Some(c) = money(s) {
        return Ok(c);
    }
    let text = std::str::from_utf8(trim(s)).map_err(|_| EXPECT_MONEY.to_string())?;
    let bad = || EXPECT_MONEY.to_string();
    let mut t = text.trim();
    let sign = |t: &mut &str| -> Option<bool> {
        let negative = t.starts_with('-');
        let rest = t.strip_prefix(['-', '+'])?;
        *t = rest;
        Some(negative)
    };
    const CURRENCIES: [&str; 8] = ["¥", "￥", "$", "€", "£", "CNY", "RMB", "元"];
    let mut negative = sign(&mut t);
    let before = CURRENCIES.iter().find_map(|c| t.strip_prefix(c));
    if let Some(rest) = before {
        t = rest.trim_start();
        if negative.is_none() {
            negative = sign(&mut t);
        }
    } else if let Some(rest) = CURRENCIES.iter().find_map(|c| t.strip_suffix(c)) {
        t = rest.trim_end();
    }
    let (int, frac) = t.split_once('.').map_or((t, None), |(i, f)| (i, Some(f)));
    let groups: Vec<&str> = int.split(',').collect();
    let digits = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
    let grouped_right = groups.iter().all(|g| digits(g))
        && (groups.len() == 1
            || (!groups[0].is_empty()
                && groups[0].len() <= 3
                && groups[1..].iter().all(|g| g.len() == 3)));
    if !grouped_right
        || !frac.is_none_or(digits)
        || (int.is_empty() && frac.is_none_or(str::is_empty))
    {
        return Err(bad());
    }
    if frac.is_some_and(|f| f.len() > 2) {
        return Err("an amount has at most 2 decimal places".to_string());
    }
    let plain = match frac {
        Some(f) => format!("{}.{f}", groups.concat()),
        None => groups.concat(),
    };
    // Well-formed by now: only a number past 64 bits of cents is refused here.
    let cents = money(plain.as_bytes()).ok_or_else(|| TOO_MUCH_MONEY.to_string())?;
    Ok(if negative == Some(true) {
        Cents(-cents.0)
    } else {
        cents
    })
}

/// A number of ASCII digits only (no sign, no space), of a length in `len`.
fn number(p: &str, len: std::ops::RangeInclusive<usize>) -> Option<u32> {
    let digits = p.bytes().all(|b| b.is_ascii_digit());
    (digits && len.contains(&p.len()))
        .then(|| p.parse().ok())
        .flatten()
}

fn digits(s: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (b - b'0') as u32;
    }
    Some(v)
}

/// A cell's bytes as text, or why not. ASCII (ids, phones, dates, most names) is told
/// from its words' top bits: `std::str::from_utf8` goes a byte at a time through a cell
/// shorter than two words, and the customers' text cells were 15 % of reading them.
#[inline]
pub fn utf8(s: &[u8]) -> Result<&str, std::str::Utf8Error> {
    if s.is_ascii() {
        // SAFETY: every ASCII byte string is UTF-8.
        return Ok(unsafe { std::str::from_utf8_unchecked(s) });
    }
    std::str::from_utf8(s)
}

/// Strips ASCII spaces and tabs at both ends.
#[inline]
pub fn trim(s: &[u8]) -> &[u8] {
    // Most cells have nothing to strip: two bytes looked at, no loop (trimming is done
    // several times an order row).
    let blank = |b: &u8| matches!(b, b' ' | b'\t');
    match (s.first(), s.last()) {
        (Some(first), Some(last)) if !blank(first) && !blank(last) => s,
        _ => trim_ends(s),
    }
}

fn trim_ends(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(start, |e| e + 1);
    &s[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn utf8_takes_ascii_and_chinese_and_refuses_what_is_not_utf8() {
        assert_eq!(utf8(b""), Ok(""));
        assert_eq!(utf8(b"C0000001"), Ok("C0000001"));
        assert_eq!(utf8("成都太古里店".as_bytes()), Ok("成都太古里店"));
        assert_eq!(utf8("Emily 马 Ma".as_bytes()), Ok("Emily 马 Ma"));
        assert!(utf8(b"\xd6\xdc\xbd\xdc").is_err(), "GBK bytes");
        assert!(
            utf8(b"abcdefghijklmno\xff").is_err(),
            "a bad last byte past a word"
        );
    }

    proptest! {
        /// The ASCII shortcut answers as the standard library's check does.
        #[test]
        fn utf8_answers_as_std(bytes in prop::collection::vec(
            prop_oneof![0u8..0x80, any::<u8>()], 0..40)
        ) {
            prop_assert_eq!(utf8(&bytes), std::str::from_utf8(&bytes));
        }
    }

    #[test]
    fn money_reads_up_to_two_decimals_exactly() {
        assert_eq!(money(b"1000000.00"), Some(Cents(100_000_000)));
        assert_eq!(money(b"999999.99"), Some(Cents(99_999_999)));
        assert_eq!(money(b"12.5"), Some(Cents(1250)));
        assert_eq!(money(b"-0.05"), Some(Cents(-5)));
        assert_eq!(money(b"0"), Some(Cents(0)));
        assert_eq!(money(b".5"), Some(Cents(50)));
        assert_eq!(money(b"7."), Some(Cents(700)));
        assert_eq!(money(b" 3 "), Some(Cents(300)));
    }

    #[test]
    fn the_usual_spelling_reads_as_the_general_parser_reads_it() {
        let mut cells: Vec<String> = [
            "0.00",
            "00.05",
            "1.5",
            "12.345",
            "9999999999999999.99",
            "99999999999999999.99",
            "1234567890123456.78",
            "12/4.56",
            "1a.00",
            "1.0a",
            "1.:0",
            "1.0:",
            ":.00",
            "/.99",
            "-1.00",
            "+1.00",
            " 1.00",
            "1.00 ",
            ".00",
            "1..00",
        ]
        .map(String::from)
        .to_vec();
        let mut x = 7u64;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            cells.push(format!("{}.{:02}", x >> (x % 64), x % 100));
            // The usual shape, with now and then a byte just outside the digits.
            let byte = |k: u64| match (x >> (k % 60)) % 16 {
                0 => b'/',
                1 => b':',
                2 => b'-',
                d => b'0' + (d % 10) as u8,
            };
            let mut cell: Vec<u8> = (0..x % 19).map(byte).collect();
            cell.extend([b'.', byte(61), byte(62)]);
            cells.push(String::from_utf8(cell).unwrap());
        }
        for cell in &cells {
            assert_eq!(
                money(cell.as_bytes()),
                money_general(cell.as_bytes()),
                "{cell:?}"
            );
        }
    }

    #[test]
    fn money_rejects_what_is_not_exact_cents() {
        for bad in [
            &b"1.005"[..],
            b"",
            b"-",
            b".",
            b"1,000",
            b"1e3",
            b"abc",
            b"--1",
            b"1.2.3",
            b"99999999999999999999",
        ] {
            assert_eq!(money(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn cents_print_with_two_decimals_and_no_negative_zero() {
        assert_eq!(Cents(-5).to_string(), "-0.05");
        assert_eq!(Cents(0).to_string(), "0.00");
        assert_eq!(Cents(100_000_000).to_string(), "1000000.00");
        assert_eq!(Cents(-1005).whole_units(), -10);
        assert_eq!(Cents(i64::MIN as i128).to_string(), "-92233720368547758.08");
    }

    #[test]
    fn dates_are_strict_iso() {
        assert_eq!(date(b"2024-02-29"), NaiveDate::from_ymd_opt(2024, 2, 29));
        assert_eq!(date(b"2023-02-29"), None);
        assert_eq!(date(b"2026/11/22"), None);
        assert_eq!(date(b"2026-1-22"), None);
        assert_eq!(date(b"+026-11-22"), None);
        // Both separators are dashes, not one of them.
        assert_eq!(date(b"2026-11/22"), None);
        assert_eq!(date(b"2026/11-22"), None);
    }

    #[test]
    fn datetimes_take_minutes_or_seconds() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        assert_eq!(
            datetime(b"2026-11-02 09:30"),
            Some(d.and_hms_opt(9, 30, 0).unwrap())
        );
        assert_eq!(
            datetime(b"2026-11-02T09:30:15"),
            Some(d.and_hms_opt(9, 30, 15).unwrap())
        );
        assert_eq!(datetime(b"2026-11-02"), None);
        assert_eq!(datetime(b"2026-11-02 25:00"), None);
        assert_eq!(datetime(b"2026-11-02 09:3x"), None);
        assert_eq!(datetime(b"2026-11-02 09:30.15"), None);
    }

    #[test]
    fn spreadsheet_dates_are_read_and_ambiguous_ones_refused() {
        let d = |s: &str| date_cell(s.as_bytes());
        let nov22 = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        for s in [
            "2026-11-22",
            "2026/11/22",
            "2026.11.22",
            "2026-11-22 00:00:00",
            "2026/11/22 0:00",
            "2026年11月22日",
            "22/11/2026",
            "11/22/2026",
            "2026-11-22T00:00:00",
        ] {
            assert_eq!(d(s), Ok(nov22), "{s}");
        }
        assert!(d("03/04/2026").unwrap_err().starts_with("ambiguous date"));
        assert_eq!(
            d("04/04/2026"),
            Ok(NaiveDate::from_ymd_opt(2026, 4, 4).unwrap())
        );
        assert!(d("2026-11-22 13:05")
            .unwrap_err()
            .contains("without a time"));
        assert!(d("2026-02-30").unwrap_err().contains("no such day"));
        assert!(d("22.11.26").is_err());
        assert!(d("yesterday").is_err());
    }

    #[test]
    fn spreadsheet_date_times() {
        let t = |s: &str| datetime_cell(s.as_bytes());
        let at = NaiveDate::from_ymd_opt(2026, 11, 2)
            .unwrap()
            .and_hms_opt(9, 30, 0)
            .unwrap();
        for s in [
            "2026-11-02 09:30",
            "2026/11/02 9:30",
            "2026/11/02 09:30:00",
            "2026-11-02T09:30",
        ] {
            assert_eq!(t(s), Ok(at), "{s}");
        }
        assert!(t("2026-11-02").is_err());
        assert!(t("02/03/2026 09:30")
            .unwrap_err()
            .starts_with("ambiguous date"));
    }

    #[test]
    fn spreadsheet_amounts() {
        let m = |s: &str| money_cell(s.as_bytes());
        assert_eq!(m("¥1,234.50"), Ok(Cents(123_450)));
        assert_eq!(m("￥1,234,567"), Ok(Cents(123_456_700)));
        assert_eq!(m("-¥1,234.50"), Ok(Cents(-123_450)));
        assert_eq!(m("¥-5.00"), Ok(Cents(-500)));
        assert_eq!(m("CNY 12.5"), Ok(Cents(1250)));
        assert_eq!(m("12.50 元"), Ok(Cents(1250)));
        assert_eq!(m("RMB -3"), Ok(Cents(-300)));
        assert_eq!(m(" 1,234 "), Ok(Cents(123_400)));
        assert!(m("1,23.00").is_err(), "thousands come in threes");
        assert!(m("12,5").is_err(), "a decimal comma is not guessed");
        assert_eq!(
            m("¥1.005"),
            Err("an amount has at most 2 decimal places".into())
        );
        assert!(m("abc").is_err());
    }

    #[test]
    fn an_amount_past_64_bits_of_cents_is_too_large_not_misspelt() {
        let m = |s: &str| money_cell(s.as_bytes());
        assert_eq!(m("92233720368547758.07"), Ok(Cents(i128::from(i64::MAX))));
        for big in [
            "92233720368547758.08",
            "-92233720368547758.08",
            "¥1,000,000,000,000,000,000",
        ] {
            assert_eq!(m(big), Err(TOO_MUCH_MONEY.to_string()), "{big}");
        }
    }

    #[test]
    fn amounts_with_two_signs_or_spaces_inside_are_errors() {
        let m = |s: &str| money_cell(s.as_bytes());
        for bad in [
            "--500.00",
            "-+5",
            "+-5",
            "-¥-5",
            "¥--5",
            "12 5",
            "1 234",
            "1, 234.00",
            "1,234 .50",
            "- 5",
            "5-",
            "1.2.3",
            "¥",
            "-",
            "",
            ".",
            "1,",
            ",123",
            "1.5e3",
            "¥5¥",
            "5 ¥ 5",
            "1.-5",
            "1.+5",
            "0x10",
        ] {
            assert_eq!(m(bad), Err(EXPECT_MONEY.to_string()), "{bad:?}");
        }
    }

    #[test]
    fn signs_and_spaces_inside_dates_and_times_are_errors() {
        for bad in [
            "2026-+1-+5",
            "2026--1-05",
            "+2026-01-05",
            "2026- 1-05",
            "2026/1 /05",
            "2026-011-05",
            "02026-01-05",
            "2026-01-05 +0:00",
        ] {
            assert!(date_cell(bad.as_bytes()).is_err(), "{bad:?}");
        }
        for bad in [
            "2026-11-22 +9:00",
            "2026-11-22 9:+5",
            "2026-11-22 9:5",
            "2026-11-22 -1:00",
            "2026-11-22 09: 30",
            "2026-11-22 09:30:+1",
            "2026-+1-22 09:30",
        ] {
            assert!(datetime_cell(bad.as_bytes()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn booleans() {
        assert_eq!(boolean(b"TRUE"), Some(true));
        assert_eq!(boolean(b"false"), Some(false));
        assert_eq!(boolean(b"maybe"), None);
        assert_eq!(boolean("是".as_bytes()), Some(true));
        assert_eq!(boolean("否".as_bytes()), Some(false));
        assert_eq!(boolean(b" Yes\t"), Some(true));
        assert_eq!(boolean(b"N"), Some(false));
        assert_eq!(boolean(b"tRuE"), Some(true));
        assert_eq!(boolean(b"yess"), None);
        assert_eq!(boolean(b""), None);
        assert_eq!(boolean("是的".as_bytes()), None);
    }

    #[test]
    fn digit_runs() {
        assert_eq!(digit_run(b"0042"), Some(42));
        assert_eq!(digit_run(b""), Some(0));
        assert_eq!(
            digit_run(b"9999999999999999999"),
            Some(9_999_999_999_999_999_999)
        );
        assert_eq!(digit_run(b"10000000000000000000"), None);
        for bad in [&b"12a"[..], b" 1", b"-1", b"1.5", b"/", b":"] {
            assert_eq!(digit_run(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    proptest::proptest! {
        /// The quick way out of `trim` answers as the loops do.
        #[test]
        fn trimming_is_the_loops_answer(s in "[ \t]{0,2}[a \t]{0,3}[ \t]{0,2}") {
            proptest::prop_assert_eq!(trim(s.as_bytes()), trim_ends(s.as_bytes()));
        }

        /// The words compared without a lowercased copy, as they were with one.
        #[test]
        fn booleans_are_the_lowercased_words(
            s in proptest::string::string_regex("[ \t]?(true|TRUE|Yes|y|N|no|0|1|2|是|否|x)?[ \tsS]?")
                .unwrap()
        ) {
            let t = trim(s.as_bytes());
            let old = match t.to_ascii_lowercase().as_slice() {
                b"true" | b"yes" | b"y" | b"1" => Some(true),
                b"false" | b"no" | b"n" | b"0" => Some(false),
                _ if t == "是".as_bytes() => Some(true),
                _ if t == "否".as_bytes() => Some(false),
                _ => None,
            };
            proptest::prop_assert_eq!(boolean(s.as_bytes()), old);
        }
    }
}
