//! 学时: study hours as an exact decimal.
//!
//! Hours are stored as an integer number of ten-thousandths of an hour, so sums never drift
//! (0.1 + 0.2 is exactly 0.3). They serialise as JSON numbers (`24`, `4.5`), never strings.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::text::fold_width;

/// How many fractional digits an hour value may carry.
pub const SCALE_DIGITS: u32 = 4;
const SCALE: i64 = 10_i64.pow(SCALE_DIGITS);
/// The largest value one record may carry; anything above is a typing mistake, not a course.
pub const MAX_RECORD_HOURS: i64 = 10_000;

/// A number of study hours (学时), exact to four decimal places.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hours(i64);

/// Why a cell could not be read as hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoursError {
    /// Blank cell.
    Empty,
    /// Not a number at all.
    NotANumber,
    /// Zero or negative.
    NotPositive,
    /// More than [`SCALE_DIGITS`] decimals.
    TooPrecise,
    /// Larger than [`MAX_RECORD_HOURS`].
    TooLarge,
}

impl HoursError {
    /// A Chinese explanation for the person who typed the cell.
    pub fn message(self, cell: &str) -> String {
        let cell = crate::text::quoted(cell);
        match self {
            HoursError::Empty => "学时为空".to_owned(),
            HoursError::NotANumber => format!("学时“{cell}”不是数字"),
            HoursError::NotPositive => format!("学时“{cell}”必须大于0"),
            HoursError::TooPrecise => format!("学时“{cell}”小数位过多（最多{SCALE_DIGITS}位）"),
            HoursError::TooLarge => {
                format!("学时“{cell}”过大（单条记录不超过{MAX_RECORD_HOURS}学时）")
            }
        }
    }
}

impl Hours {
    /// Zero hours.
    pub const ZERO: Hours = Hours(0);

    /// Whole hours.
    pub const fn whole(h: i64) -> Hours {
        Hours(h * SCALE)
    }

    /// The value in ten-thousandths of an hour.
    pub const fn raw(self) -> i64 {
        self.0
    }

    /// `max(0, self - other)`: what is still missing.
    pub fn shortfall_to(self, required: Hours) -> Hours {
        if self >= required { Hours::ZERO } else { Hours(required.0 - self.0) }
    }

    /// Reads a cell such as `4`, `4.5`, `4学时`, `４．５`, `4.5 小时`, `4.5h`.
    /// Only positive values are accepted: a record of zero hours is a mistake, not a course.
    pub fn parse_cell(cell: &str) -> Result<Hours, HoursError> {
        // The common case, a plain number such as `4` or `4.5`, skips folding and suffixes.
        if !cell.is_empty() && cell.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            let h = Hours::parse_decimal(cell)?;
            return if h.0 <= 0 { Err(HoursError::NotPositive) } else { Ok(h) };
        }
        // No number of hours is written in more than a value's bytes (see `values::MAX_VALUE_BYTES`).
        if cell.len() > crate::values::MAX_VALUE_BYTES {
            return Err(HoursError::NotANumber);
        }
        let folded = fold_width(cell.trim());
        let mut s = folded.trim();
        if s.is_empty() {
            return Err(HoursError::Empty);
        }
        for suffix in ["学时", "課時", "课时", "小时", "hours", "hour", "hrs", "h"] {
            if let Some(rest) = strip_suffix_ignore_case(s, suffix) {
                s = rest.trim_end();
                break;
            }
        }
        let h = Hours::parse_decimal(s)?;
        if h.0 <= 0 {
            return Err(HoursError::NotPositive);
        }
        Ok(h)
    }

    /// Parses a plain decimal (`-1`, `4`, `4.50`, `.5`, `1,000`), exactly.
    pub fn parse_decimal(s: &str) -> Result<Hours, HoursError> {
        // A number that starts and ends with a digit has nothing to trim.
        let digit_ends =
            s.bytes().next().is_some_and(|b| b.is_ascii_digit()) && s.ends_with(|c: char| c.is_ascii_digit());
        let s = if digit_ends { s } else { s.trim() };
        let (negative, digits) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let (int_part, frac_part) = match digits.bytes().position(|b| b == b'.') {
            Some(i) => (&digits[..i], &digits[i + 1..]),
            None => (digits, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(HoursError::NotANumber);
        }
        let mut whole: i64 = 0;
        let mut seen_digit = false;
        for b in int_part.bytes() {
            match b {
                b'0'..=b'9' => {
                    seen_digit = true;
                    whole = whole * 10 + i64::from(b - b'0');
                    if whole > MAX_RECORD_HOURS {
                        return Err(if negative { HoursError::NotPositive } else { HoursError::TooLarge });
                    }
                }
                b',' if seen_digit => {}
                _ => return Err(HoursError::NotANumber),
            }
        }
        let frac_trimmed = frac_part.trim_end_matches('0');
        if !frac_part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(HoursError::NotANumber);
        }
        if !seen_digit && frac_part.is_empty() {
            return Err(HoursError::NotANumber);
        }
        if frac_trimmed.len() > SCALE_DIGITS as usize {
            return Err(HoursError::TooPrecise);
        }
        let mut frac: i64 = 0;
        for (i, b) in frac_trimmed.bytes().enumerate() {
            frac += i64::from(b - b'0') * 10_i64.pow(SCALE_DIGITS - 1 - i as u32);
        }
        let value = whole * SCALE + frac;
        if value > MAX_RECORD_HOURS * SCALE {
            return Err(HoursError::TooLarge);
        }
        Ok(Hours(if negative { -value } else { value }))
    }

    /// The value as an `f64`, exact for every value that can be printed back as the same decimal.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / SCALE as f64
    }
}

fn strip_suffix_ignore_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    if s.len() >= suffix.len() && s.is_char_boundary(s.len() - suffix.len()) {
        let (head, tail) = s.split_at(s.len() - suffix.len());
        if tail.eq_ignore_ascii_case(suffix) {
            return Some(head);
        }
    }
    None
}

impl fmt::Display for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let whole = abs / SCALE as u64;
        let frac = abs % SCALE as u64;
        if frac == 0 {
            write!(f, "{sign}{whole}")
        } else {
            let digits = format!("{frac:0width$}", width = SCALE_DIGITS as usize);
            write!(f, "{sign}{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

impl Add for Hours {
    type Output = Hours;
    fn add(self, rhs: Hours) -> Hours {
        Hours(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign for Hours {
    fn add_assign(&mut self, rhs: Hours) {
        *self = *self + rhs;
    }
}

impl Sub for Hours {
    type Output = Hours;
    fn sub(self, rhs: Hours) -> Hours {
        Hours(self.0.saturating_sub(rhs.0))
    }
}

impl Sum for Hours {
    fn sum<I: Iterator<Item = Hours>>(iter: I) -> Hours {
        iter.fold(Hours::ZERO, Add::add)
    }
}

impl Serialize for Hours {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % SCALE == 0 {
            s.serialize_i64(self.0 / SCALE)
        } else {
            // Dividing an exact decimal of at most 15 significant digits gives the double whose
            // shortest representation is that same decimal, so `4.5` prints as `4.5`.
            s.serialize_f64(self.as_f64())
        }
    }
}

impl<'de> Deserialize<'de> for Hours {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Hours, D::Error> {
        use serde::de::Error;
        let v = serde_json::Number::deserialize(d)?;
        Hours::parse_decimal(&v.to_string()).map_err(|e| D::Error::custom(e.message(&v.to_string())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Hours {
        Hours::parse_cell(s).unwrap_or_else(|e| panic!("{s}: {e:?}"))
    }

    #[test]
    fn reads_the_forms_people_type() {
        assert_eq!(h("4"), Hours::whole(4));
        assert_eq!(h("4.5").to_string(), "4.5");
        assert_eq!(h("4学时"), Hours::whole(4));
        assert_eq!(h(" 4.5 学时 "), h("4.5"));
        assert_eq!(h("４．５"), h("4.5"));
        assert_eq!(h("２４学时"), Hours::whole(24));
        assert_eq!(h("4.50"), h("4.5"));
        assert_eq!(h(".5").to_string(), "0.5");
        assert_eq!(h("3 小时"), Hours::whole(3));
        assert_eq!(h("2h"), Hours::whole(2));
        assert_eq!(h("1,000"), Hours::whole(1000));
    }

    #[test]
    fn rejects_what_is_not_a_positive_number() {
        assert_eq!(Hours::parse_cell(""), Err(HoursError::Empty));
        assert_eq!(Hours::parse_cell("  "), Err(HoursError::Empty));
        assert_eq!(Hours::parse_cell("四"), Err(HoursError::NotANumber));
        assert_eq!(Hours::parse_cell("abc"), Err(HoursError::NotANumber));
        assert_eq!(Hours::parse_cell("1.2.3"), Err(HoursError::NotANumber));
        assert_eq!(Hours::parse_cell("."), Err(HoursError::NotANumber));
        assert_eq!(Hours::parse_cell("0"), Err(HoursError::NotPositive));
        assert_eq!(Hours::parse_cell("-3"), Err(HoursError::NotPositive));
        assert_eq!(Hours::parse_cell("0.00001"), Err(HoursError::TooPrecise));
        assert_eq!(Hours::parse_cell("99999999999999999999"), Err(HoursError::TooLarge));
        assert_eq!(Hours::parse_cell("10000.5"), Err(HoursError::TooLarge));
        assert_eq!(Hours::parse_cell("NaN"), Err(HoursError::NotANumber));
    }

    #[test]
    fn sums_exactly() {
        let tenth = h("0.1");
        let total: Hours = std::iter::repeat_n(tenth, 30).sum();
        assert_eq!(total, Hours::whole(3));
        assert_eq!((h("0.1") + h("0.2")).to_string(), "0.3");
    }

    #[test]
    fn serialises_as_json_numbers() {
        assert_eq!(serde_json::to_string(&Hours::whole(24)).unwrap(), "24");
        assert_eq!(serde_json::to_string(&h("4.5")).unwrap(), "4.5");
        assert_eq!(serde_json::to_string(&(h("0.1") + h("0.2"))).unwrap(), "0.3");
        assert_eq!(serde_json::to_string(&h("1234.5678")).unwrap(), "1234.5678");
    }

    #[test]
    fn shortfall_never_negative() {
        assert_eq!(Hours::whole(100).shortfall_to(Hours::whole(90)), Hours::ZERO);
        assert_eq!(h("76.5").shortfall_to(Hours::whole(90)), h("13.5"));
    }
}
