//! 重复记录: the rows of one person counted so far, by (course key, completion date, hours),
//! to tell a later row with all three the same as a duplicate.
//!
//! One small table per person, hashed once per row: the course key's bytes, the date and the
//! hours go into one hash, and a lookup compares the stored hash before anything else. The
//! keys of a person's rows lie back to back in one string, so a person's table and keys are a
//! few kilobytes that stay in cache while an export lists that person's rows together — a
//! table of every course name of the file, hit once per row, does not.

use std::hash::{BuildHasher, Hasher};

use chrono::{Datelike, NaiveDate};

use crate::fxhash::FxBuildHasher;
use crate::hours::Hours;

/// The counted rows of one person (see the module).
#[derive(Debug, Default)]
pub(super) struct Seen {
    /// The course keys of `entries`, back to back.
    keys: String,
    entries: Vec<Entry>,
    /// Open addressing with linear probing: 0 is empty, else an index into `entries` plus one.
    /// Empty until the first row, then a power of two at least twice `entries.len()`.
    slots: Vec<u32>,
}

#[derive(Debug)]
struct Entry {
    hash: u64,
    /// `keys[start..start + len]`. A person's keys are at most the bytes read (200 MB), so `u32` holds them.
    start: u32,
    len: u32,
    date: Option<NaiveDate>,
    hours: Hours,
    /// The row that counted it.
    row: u32,
}

/// The smallest table made (slots), so a person with a row or two costs little.
const MIN_SLOTS: usize = 8;

impl Seen {
    /// The row that already counted `key` (a course key, see [`crate::text::course_key`]) on
    /// `date` with `hours`; `None` when there is none, and then `row` is noted as that row.
    pub(super) fn first_or_insert(
        &mut self,
        key: &str,
        date: Option<NaiveDate>,
        hours: Hours,
        row: u32,
    ) -> Option<u32> {
        let hash = hash(key, date, hours);
        if self.slots.is_empty() {
            self.slots = vec![0; MIN_SLOTS];
        }
        let mask = self.slots.len() - 1;
        let mut i = home(hash, mask);
        loop {
            let Some(e) = self.slots[i].checked_sub(1).and_then(|e| self.entries.get(e as usize)) else { break };
            if e.hash == hash
                && e.date == date
                && e.hours == hours
                && self.keys.get(e.start as usize..(e.start + e.len) as usize) == Some(key)
            {
                return Some(e.row);
            }
            i = (i + 1) & mask;
        }
        // Not seen: note it. The slot found empty is where it goes, unless the table grows first.
        let (Ok(start), Ok(len), Ok(index)) =
            (u32::try_from(self.keys.len()), u32::try_from(key.len()), u32::try_from(self.entries.len() + 1))
        else {
            return None;
        };
        self.keys.push_str(key);
        self.entries.push(Entry { hash, start, len, date, hours, row });
        if self.entries.len() * 2 > self.slots.len() {
            self.grow();
        } else {
            self.slots[i] = index;
        }
        None
    }

    /// Doubles the slots and places every entry again by its stored hash.
    #[cold]
    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(MIN_SLOTS);
        self.slots.clear();
        self.slots.resize(size, 0);
        let mask = size - 1;
        for (n, e) in self.entries.iter().enumerate() {
            let mut i = home(e.hash, mask);
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            // `first_or_insert` made sure every index fits.
            self.slots[i] = u32::try_from(n + 1).unwrap_or(u32::MAX);
        }
    }
}

/// One hash of the whole duplicate key.
fn hash(key: &str, date: Option<NaiveDate>, hours: Hours) -> u64 {
    let mut h = FxBuildHasher.build_hasher();
    h.write(key.as_bytes());
    h.write_u32(date.map_or(0, |d| d.num_days_from_ce().cast_unsigned()));
    h.write_u64(hours.raw().cast_unsigned());
    h.finish()
}

/// Where `hash` starts probing: its top bits (the Fx hash ends with a multiply, which mixes
/// the top bits best).
#[inline]
fn home(hash: u64, mask: usize) -> usize {
    (hash >> 32) as usize & mask
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    fn date(day: u32) -> Option<NaiveDate> {
        (day > 0).then(|| NaiveDate::from_yo_opt(2020, day).unwrap())
    }

    #[test]
    fn the_first_row_is_kept_and_later_ones_find_it() {
        let mut s = Seen::default();
        let h = Hours::whole(4);
        assert_eq!(s.first_or_insert("知识产权", date(10), h, 3), None);
        assert_eq!(s.first_or_insert("知识产权", date(10), h, 5), Some(3));
        assert_eq!(s.first_or_insert("知识产权", date(11), h, 6), None);
        assert_eq!(s.first_or_insert("知识产权", date(10), Hours::whole(2), 7), None);
        assert_eq!(s.first_or_insert("知识产", date(10), h, 8), None);
        assert_eq!(s.first_or_insert("知识产权", None, h, 9), None);
        assert_eq!(s.first_or_insert("知识产权", None, h, 10), Some(9));
        assert_eq!(s.first_or_insert("", date(10), h, 11), None);
        assert_eq!(s.first_or_insert("", date(10), h, 12), Some(11));
    }

    proptest! {
        /// The table answers as a map from the whole key to the first row does, through growth
        /// and collisions (few keys, dates and hours, so repeats are common).
        #[test]
        fn agrees_with_a_map(rows in prop::collection::vec(("[ab中]{0,3}", 0u32..4, 1i64..4), 0..300)) {
            let mut s = Seen::default();
            let mut map: HashMap<(String, Option<NaiveDate>, Hours), u32> = HashMap::new();
            for (n, (key, day, hours)) in rows.into_iter().enumerate() {
                let (d, h, row) = (date(day), Hours::whole(hours), n as u32 + 1);
                let want = map.get(&(key.clone(), d, h)).copied();
                if want.is_none() {
                    map.insert((key.clone(), d, h), row);
                }
                prop_assert_eq!(s.first_or_insert(&key, d, h, row), want);
            }
        }
    }
}
