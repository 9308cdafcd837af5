//! `str::parse::<f64>` without core's float parser: the same grammar and the same correctly
//! rounded double, but none of core's Eisel–Lemire tables, which were ≈11 KB (≈10 KB gzip) of the
//! page's first module for the few cells read as a number (exam scores, percentages, Excel serial
//! days) and the policy's fractional hours.
//!
//! A number of at most 19 significant digits that is exact in a double, scaled by an exact power
//! of ten (Clinger's fast path: nearly every cell), takes one multiplication or division. Any
//! other is estimated, then stepped to the double whose rounding interval holds the decimal,
//! comparing the decimal with the interval's ends exactly in big integers.

use std::cmp::Ordering;

/// `s.parse::<f64>().ok()`, bit for bit (NaN aside, which is NaN either way).
pub fn parse_f64(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let (negative, rest) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    let v = match inf_nan(rest) {
        Some(v) => v,
        None => unsigned(rest)?,
    };
    Some(if negative { -v } else { v })
}

fn inf_nan(b: &[u8]) -> Option<f64> {
    if b.eq_ignore_ascii_case(b"inf") || b.eq_ignore_ascii_case(b"infinity") {
        Some(f64::INFINITY)
    } else if b.eq_ignore_ascii_case(b"nan") {
        Some(f64::NAN)
    } else {
        None
    }
}

/// Significant digits kept; those after are only noted as zero or not. A double's rounding
/// interval ends have at most 767 significant digits, so 800 decide every comparison.
const MAX_DIGITS: usize = 800;

const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// `Digit+ | Digit+ '.' Digit* | Digit* '.' Digit+`, then optionally `e` or `E`, a sign, `Digit+`.
fn unsigned(b: &[u8]) -> Option<f64> {
    let mut digits: Vec<u8> = Vec::new();
    // The value is `digits × 10^exp10`, plus something below one unit of the last digit when `sticky`.
    let (mut exp10, mut sticky, mut seen) = (0i64, false, false);
    let mut i = 0;
    let mut fraction = false;
    while i < b.len() {
        let c = b[i];
        if c == b'.' && !fraction {
            fraction = true;
        } else if c.is_ascii_digit() {
            seen = true;
            let d = c - b'0';
            if digits.is_empty() && d == 0 {
                exp10 -= i64::from(fraction);
            } else if digits.len() < MAX_DIGITS {
                digits.push(d);
                exp10 -= i64::from(fraction);
            } else {
                sticky |= d != 0;
                exp10 += i64::from(!fraction);
            }
        } else {
            break;
        }
        i += 1;
    }
    if !seen {
        return None;
    }
    if i < b.len() {
        if b[i] | 0x20 != b'e' {
            return None;
        }
        i += 1;
        let negative = match b.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        if !b.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        let mut e: i64 = 0;
        while let Some(&c) = b.get(i) {
            if !c.is_ascii_digit() {
                return None;
            }
            e = (e * 10 + i64::from(c - b'0')).min(1_000_000_000);
            i += 1;
        }
        exp10 += if negative { -e } else { e };
    }
    while digits.last() == Some(&0) {
        digits.pop();
        exp10 += 1;
    }
    if digits.is_empty() {
        return Some(0.0);
    }
    let n = digits.len() as i64;
    // Below 10^-326, under half the smallest subnormal: zero. From 10^310: past f64::MAX.
    if n + exp10 < -326 {
        return Some(0.0);
    }
    if n + exp10 > 310 {
        return Some(f64::INFINITY);
    }
    let head = digits.len().min(19);
    let w = digits[..head].iter().fold(0u64, |w, &d| w * 10 + u64::from(d));
    if !sticky && head == digits.len() && w < 1 << 53 && (-22..=22).contains(&exp10) {
        let p = POW10[exp10.unsigned_abs() as usize];
        return Some(if exp10 < 0 { w as f64 / p } else { w as f64 * p });
    }
    Some(nearest(&digits, exp10, sticky, estimate(w, exp10 + n - head as i64)))
}

/// `w × 10^e` in double arithmetic: within a few units in the last place (or inf).
fn estimate(w: u64, mut e: i64) -> f64 {
    let mut x = w as f64;
    while e > 0 {
        let k = e.min(22);
        x *= POW10[k as usize];
        e -= k;
    }
    while e < 0 {
        let k = (-e).min(22);
        x /= POW10[k as usize];
        e += k;
    }
    x
}

/// The double nearest to `digits × 10^exp10` (+ sticky), ties to even, starting from `x`.
fn nearest(digits: &[u8], exp10: i64, sticky: bool, x: f64) -> f64 {
    let mut bits = if x.is_finite() { x.to_bits() } else { f64::MAX.to_bits() };
    let decimal = from_digits(digits);
    let compare = |bits: u64| match compare(&decimal, exp10, bits) {
        Ordering::Equal if sticky => Ordering::Greater,
        o => o,
    };
    let odd = |bits: u64| bits & 1 == 1;
    loop {
        // Compared with the midpoint between this double and the next one up.
        match compare(bits) {
            Ordering::Greater => {}
            Ordering::Equal if odd(bits) => {}
            _ => break,
        }
        if bits == f64::MAX.to_bits() {
            return f64::INFINITY;
        }
        bits += 1;
    }
    while bits > 0 {
        match compare(bits - 1) {
            Ordering::Less => {}
            Ordering::Equal if odd(bits) => {}
            _ => break,
        }
        bits -= 1;
    }
    f64::from_bits(bits)
}

/// The decimal `a × 10^exp10` against the midpoint between the double `bits` and the next one up.
fn compare(a: &[u32], exp10: i64, bits: u64) -> Ordering {
    let biased = (bits >> 52) as i64;
    let fraction = bits & ((1 << 52) - 1);
    let (m, e) = if biased == 0 { (fraction, -1074) } else { (fraction | 1 << 52, biased - 1075) };
    // midpoint = (2m + 1) × 2^(e - 1)
    let (mid, k) = (2 * m + 1, e - 1);
    let mut left = a.to_vec();
    let mut right = from_u64(mid);
    scale(&mut left, exp10.max(0) as u64, (-k).max(0) as u64);
    scale(&mut right, (-exp10).max(0) as u64, k.max(0) as u64);
    cmp(&left, &right)
}

fn from_digits(digits: &[u8]) -> Vec<u32> {
    let mut v = Vec::with_capacity(digits.len() / 9 + 1);
    for chunk in digits.chunks(9) {
        let (mul, add) = chunk.iter().fold((1u32, 0u32), |(m, a), &d| (m * 10, a * 10 + u32::from(d)));
        mul_add(&mut v, mul, add);
    }
    v
}

fn from_u64(x: u64) -> Vec<u32> {
    vec![x as u32, (x >> 32) as u32]
}

/// `v × 10^pow10 × 2^pow2`.
fn scale(v: &mut Vec<u32>, mut pow10: u64, pow2: u64) {
    while pow10 > 0 {
        let k = pow10.min(9);
        mul_add(v, 10u32.pow(k as u32), 0);
        pow10 -= k;
    }
    let (words, shift) = ((pow2 / 32) as usize, (pow2 % 32) as u32);
    if shift > 0 {
        mul_add(v, 1 << shift, 0);
    }
    v.splice(0..0, std::iter::repeat_n(0, words));
}

/// `v × mul + add`.
fn mul_add(v: &mut Vec<u32>, mul: u32, add: u32) {
    let mut carry = u64::from(add);
    for word in v.iter_mut() {
        let x = u64::from(*word) * u64::from(mul) + carry;
        *word = x as u32;
        carry = x >> 32;
    }
    if carry > 0 {
        v.push(carry as u32);
    }
}

fn cmp(a: &[u32], b: &[u32]) -> Ordering {
    let trim = |v: &[u32]| v.len() - v.iter().rev().take_while(|&&w| w == 0).count();
    let (la, lb) = (trim(a), trim(b));
    la.cmp(&lb).then_with(|| a[..la].iter().rev().cmp(b[..lb].iter().rev()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn same(s: &str) {
        let ours = parse_f64(s);
        let core = s.parse::<f64>().ok();
        match (ours, core) {
            (Some(a), Some(b)) if a.is_nan() && b.is_nan() => {}
            (Some(a), Some(b)) => assert_eq!(a.to_bits(), b.to_bits(), "{s:?}: {a:e} vs {b:e}"),
            (a, b) => assert_eq!(a.is_some(), b.is_some(), "{s:?}: {a:?} vs {b:?}"),
        }
    }

    #[test]
    fn parses_as_core_does() {
        for s in [
            "",
            "+",
            "-",
            ".",
            "e",
            "1e",
            "1e+",
            "1e-",
            ".e1",
            "1.e1",
            ".5",
            "5.",
            "-0",
            "+0.0",
            "0",
            "00012.5000",
            "1_0",
            " 1",
            "1 ",
            "1..2",
            "1.2.3",
            "1e5",
            "1E5",
            "1e+5",
            "1e-5",
            "1e1.5",
            "inf",
            "-INF",
            "+Infinity",
            "infinit",
            "nan",
            "-NaN",
            "nan1",
            "60",
            "59.99999999999999",
            "59.999999999999999",
            "59.9999999999999964",
            "59.99999999999999644729",
            "100.00000000000000001",
            "73415.99999999999999",
            "32874",
            "9007199254740993",
            "9007199254740992.5",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.797693134862315807e308",
            "1.7976931348623159e308",
            "1e309",
            "4.9e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "2.2250738585072011e-308",
            "2.2250738585072014e-308",
            "1e-400",
            "1e400",
            "0e99999999999999999999",
            "1e-99999999999999999999",
            "123456789012345678901234567890",
            "0.1",
            "0.2",
            "0.3",
            "3.14159",
            "1e23",
            "8.98846567431158e307",
            "4.5",
            "80.5",
            "12345678901234567890e-30",
        ] {
            same(s);
        }
        let long = format!("0.{}1", "0".repeat(1000));
        same(&long);
        let nines = format!("59.{}", "9".repeat(900));
        same(&nines);
        // Exactly halfway between two doubles, then a nonzero digit 900 places later.
        let half = format!("9007199254740993.{}1", "0".repeat(900));
        same(&half);
        same("9007199254740993");
        same("9007199254740995");
    }

    proptest! {
        #[test]
        fn any_text_parses_as_core_does(s in "[-+]?[0-9]{0,25}(\\.[0-9]{0,25})?([eE][-+]?[0-9]{1,3})?") {
            same(&s);
        }

        #[test]
        fn any_double_round_trips_as_core_reads_it(bits in any::<u64>(), digits in 1usize..25) {
            let x = f64::from_bits(bits);
            same(&format!("{x:e}"));
            same(&format!("{x:.prec$e}", prec = digits));
            same(&format!("{x}"));
        }

        #[test]
        fn any_characters_parse_as_core_does(s in "[-+.eE0-9infatyINFATY]{0,12}") {
            same(&s);
        }
    }
}
