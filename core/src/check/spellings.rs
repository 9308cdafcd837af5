//! 课程名: every course name as written, kept once, with the id of its key (two spellings of
//! one course, `知识产权 专题` and `知识产权专题`, share the id; see [`crate::text::course_key`]).
//!
//! Every row looks its course up here, and a file names a few thousand courses in random
//! order, so the lookup is laid out to touch little memory: the names lie back to back in one
//! string, and each slot of the open-addressing table holds what a hit needs (the top half of
//! the hash, where the name lies, its id and its index), so a row reads one slot and the name it
//! is compared with, no entry elsewhere. A row's name is compared only with a slot whose hash
//! half matches, and that compare reads the one string rather than a separate allocation per name.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use crate::fxhash::FxBuildHasher;
use crate::text::{course_key, is_plain};

/// The spellings of a file (see the module).
#[derive(Debug, Default)]
pub(super) struct Spellings {
    /// The spellings, back to back (at most the bytes read, or a workbook's distinct strings:
    /// `u32` offsets hold them).
    text: String,
    /// Each spelling as an `Arc`, by index, made the first time an exclusion or the ledger needs it.
    shared: Vec<Option<Arc<str>>>,
    /// Open addressing with linear probing; a slot whose `index` is 0 is empty. A power of two at
    /// least twice the spellings stored once anything is.
    slots: Vec<Slot>,
    /// Course keys to their id.
    keys: HashMap<String, u32, FxBuildHasher>,
}

/// A stored spelling, in its slot.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    /// The top half of the spelling's hash (where it starts probing, and a cheap first compare).
    hash: u32,
    /// Its place in `text`.
    start: u32,
    len: u32,
    /// The id of the spelling's key.
    id: u32,
    /// Its index in `shared` plus one; 0 for an empty slot.
    index: u32,
}

/// A spelling, as [`Spellings::find_or_add`] gives it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Spelling {
    /// The id of its course key.
    pub(super) id: u32,
    /// Where it is stored (`None` only past what `u32` offsets reach, which the input limits rule out).
    index: Option<u32>,
}

/// The smallest table made.
const MIN_SLOTS: usize = 64;

/// The top half of `name`'s hash (the Fx hash ends with a multiply, which mixes the top bits best).
#[inline]
fn hash(name: &str) -> u32 {
    (FxBuildHasher.hash_one(name) >> 32) as u32
}

impl Spellings {
    /// `name`'s spelling, stored on first sight.
    pub(super) fn find_or_add(&mut self, name: &str) -> Spelling {
        let hash = hash(name);
        if self.slots.is_empty() {
            self.slots = vec![Slot::default(); MIN_SLOTS];
        }
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        while let Some(&slot) = self.slots.get(i).filter(|s| s.index != 0) {
            if slot.hash == hash
                && slot.len as usize == name.len()
                && self.text.as_bytes().get(slot.start as usize..(slot.start + slot.len) as usize)
                    == Some(name.as_bytes())
            {
                return Spelling { id: slot.id, index: Some(slot.index - 1) };
            }
            i = (i + 1) & mask;
        }
        // A new spelling is normalised once (a name already in normal form is its own key).
        let key = if is_plain(name) { name.to_owned() } else { course_key(name) };
        let next = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
        let id = *self.keys.entry(key).or_insert(next);
        let (Ok(start), Ok(len), Ok(index)) =
            (u32::try_from(self.text.len()), u32::try_from(name.len()), u32::try_from(self.shared.len() + 1))
        else {
            return Spelling { id, index: None };
        };
        self.text.push_str(name);
        self.shared.push(None);
        if let Some(s) = self.slots.get_mut(i) {
            *s = Slot { hash, start, len, id, index };
        }
        if self.shared.len() * 2 > self.slots.len() {
            self.grow();
        }
        Spelling { id, index: Some(index - 1) }
    }

    /// The spelling as an `Arc` shared by every row that spells the name so; `name` is what
    /// [`Self::find_or_add`] was given.
    pub(super) fn shared(&mut self, spelling: Spelling, name: &str) -> Arc<str> {
        let Some(slot) = spelling.index.and_then(|i| self.shared.get_mut(i as usize)) else { return name.into() };
        slot.get_or_insert_with(|| name.into()).clone()
    }

    /// Doubles the table and places every spelling again by its hash.
    #[cold]
    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); size]);
        let mask = size - 1;
        for slot in old.into_iter().filter(|s| s.index != 0) {
            let mut i = slot.hash as usize & mask;
            while self.slots.get(i).is_some_and(|s| s.index != 0) {
                i = (i + 1) & mask;
            }
            if let Some(s) = self.slots.get_mut(i) {
                *s = slot;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Ids are those of a map from course key to the order keys were first seen, through
        /// growth and collisions; a shared spelling is the name as written, and one `Arc` per spelling.
        #[test]
        fn agrees_with_a_map_of_keys(names in prop::collection::vec("[ab中 Ａ（）]{0,4}", 0..400)) {
            let mut s = Spellings::default();
            let mut keys: HashMap<String, u32> = HashMap::new();
            let mut arcs: HashMap<String, Arc<str>> = HashMap::new();
            for name in &names {
                let next = keys.len() as u32;
                let want = *keys.entry(course_key(name)).or_insert(next);
                let spelling = s.find_or_add(name);
                prop_assert_eq!(spelling.id, want, "{:?}", name);
                let shared = s.shared(spelling, name);
                prop_assert_eq!(&*shared, name.as_str());
                let first = arcs.entry(name.clone()).or_insert_with(|| shared.clone());
                prop_assert!(Arc::ptr_eq(first, &shared));
            }
        }
    }
}
