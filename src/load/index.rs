//! Customer ids → dense indexes, in an open-addressing table whose 16-byte slots hold
//! the id itself (up to 11 bytes; longer ids live in an arena, with a hash tag in the
//! slot), so a lookup costs one cache line.
//!
//! Why not a HashMap: profiling `tiers` over 10 million orders put half the time in the
//! id lookup. A `HashMap<Box<[u8]>, u32>` chases a pointer per probe to compare the key
//! (two or three cache misses per order); hashbrown with inline keys still keeps control
//! bytes and slots in separate arrays (two misses, `perf annotate` showed them ~50/50).
//!
//! Most desks number their customers: one prefix and a zero-padded number of one width
//! (`C0000001`). While every id added has that shape, the index is a plain array from
//! the number to the customer (4 bytes an id instead of the table's 32, and no hash):
//! a lookup spells the number and reads one entry. The first id that breaks the shape,
//! or a number so far beyond the count that the array would outgrow the table, moves
//! every id into the table; answers are the same either way, byte for byte.

const INLINE: usize = 11;
const LONG: u8 = u8::MAX;
const EMPTY: u32 = u32::MAX;

#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(C, align(16))]
struct Slot {
    /// `key[0]`: the id's length, and the id in `key[1..]`, zero-padded; or `LONG`, with
    /// the arena offset (u32 LE) in `key[1..5]`, length in `key[5..9]`, hash tag in `key[9..12]`.
    key: [u8; INLINE + 1],
    index: u32,
}

const VACANT: Slot = Slot {
    key: [0; INLINE + 1],
    index: EMPTY,
};

/// The key as the index spells it, computed once per lookup: the table's slot key and
/// hash, or the array's number ([`NOT_NUMBERED`] for an id of another shape).
#[derive(Clone, Copy)]
pub enum Probe {
    Hashed { key: [u8; INLINE + 1], hash: u64 },
    Numbered(u32),
}

const NOT_NUMBERED: u32 = u32::MAX;

/// The shape of numbered ids: `prefix` then `width` ASCII digits (at most 9, so the
/// number fits 32 bits; a longer run of digits keeps its head in the prefix).
struct Shape {
    prefix: Box<[u8]>,
    width: usize,
}

/// Longest prefix a numbered id may have (longer ids go in the table).
const MAX_PREFIX: usize = 24;
/// The array may hold this many entries per id (8 × 4 bytes, the table's 32 per id at
/// its fullest) before the index moves to the table, and always at least `MIN_ARRAY`
/// (4 MB, what the table takes for 131,072 ids): a file in no particular order, whose
/// first ids have large numbers, stays numbered up to a million.
const ARRAY_PER_ID: usize = 8;
const MIN_ARRAY: usize = 1 << 20;

impl Shape {
    /// The shape `id` sets, if it ends in a digit.
    fn of(id: &[u8]) -> Option<Shape> {
        let digits = id.iter().rev().take_while(|b| b.is_ascii_digit()).count();
        let width = digits.min(9);
        let prefix = &id[..id.len() - width];
        (width > 0 && prefix.len() <= MAX_PREFIX).then(|| Shape {
            prefix: prefix.into(),
            width,
        })
    }

    /// `id`'s number, if it has this shape.
    #[inline]
    fn number(&self, id: &[u8]) -> Option<u32> {
        // Compared and summed without a branch a byte, nor a call to memcmp: this is once
        // per order, and the early exits were a twentieth of the orders profile. At most
        // nine digits: the number fits 32 bits.
        if id.len() != self.prefix.len() + self.width {
            return None;
        }
        let (head, digits) = id.split_at(self.prefix.len());
        let same = head
            .iter()
            .zip(&*self.prefix)
            .fold(true, |same, (a, b)| same & (a == b));
        let n = crate::parse::digit_run(digits).filter(|_| same)?;
        u32::try_from(n).ok()
    }

    /// The id of number `n`.
    fn id(&self, n: usize) -> Vec<u8> {
        let mut id = self.prefix.to_vec();
        id.extend_from_slice(format!("{n:0width$}", width = self.width).as_bytes());
        id
    }
}

#[derive(Default)]
pub struct IdIndex {
    /// `Some` while every id has one numbered shape: then `numbered` maps the number
    /// to the index and the table is empty. `None` with ids in: every id is in the table.
    shape: Option<Shape>,
    numbered: Vec<u32>,
    slots: Vec<Slot>,
    len: usize,
    long: Vec<u8>,
}

impl std::fmt::Debug for IdIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdIndex({} ids)", self.len)
    }
}

fn hash(id: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x5eed).hash_one(id)
}

impl IdIndex {
    /// The probe for `id`: its number while the ids are numbered, else its hash and
    /// slot key.
    #[inline]
    pub fn probe(&self, id: &[u8]) -> Probe {
        match &self.shape {
            Some(shape) => Probe::Numbered(shape.number(id).unwrap_or(NOT_NUMBERED)),
            None => Self::hashed_probe(id),
        }
    }

    #[inline]
    fn hashed_probe(id: &[u8]) -> Probe {
        let (key, hash) = Self::spell(id);
        Probe::Hashed { key, hash }
    }

    /// `id`'s slot key and hash.
    #[inline]
    fn spell(id: &[u8]) -> ([u8; INLINE + 1], u64) {
        let hash = hash(id);
        let mut key = [0u8; INLINE + 1];
        if id.len() <= INLINE {
            key[0] = id.len() as u8;
            key[1..1 + id.len()].copy_from_slice(id);
        } else {
            key[0] = LONG;
            key[9..12].copy_from_slice(&hash.to_le_bytes()[5..8]);
        }
        (key, hash)
    }

    fn mask(&self) -> usize {
        self.slots.len().wrapping_sub(1)
    }

    /// Asks the CPU to start loading the probe's first slot (for batches of lookups).
    #[inline]
    pub fn prefetch(&self, probe: &Probe) {
        match *probe {
            Probe::Numbered(n) => {
                if let Some(entry) = self.numbered.get(n as usize) {
                    crate::hint::prefetch(entry);
                }
            }
            Probe::Hashed { hash, .. } => {
                if !self.slots.is_empty() {
                    crate::hint::prefetch(&self.slots[hash as usize & self.mask()]);
                }
            }
        }
    }

    fn long_key(&self, slot: &Slot) -> &[u8] {
        let at = u32::from_le_bytes(slot.key[1..5].try_into().expect("4 bytes")) as usize;
        let len = u32::from_le_bytes(slot.key[5..9].try_into().expect("4 bytes")) as usize;
        &self.long[at..at + len]
    }

    /// The index of the probed id, if known (a probe made before the index moved to
    /// the table is made again from `id`).
    #[inline]
    pub fn get_probed(&self, probe: &Probe, id: &[u8]) -> Option<u32> {
        match (*probe, self.shape.is_some()) {
            (Probe::Numbered(n), true) => self
                .numbered
                .get(n as usize)
                .copied()
                .filter(|&i| i != EMPTY),
            (Probe::Hashed { key, hash }, false) => self.get_hashed(key, hash, id),
            _ => self.get_probed(&self.probe(id), id),
        }
    }

    #[inline]
    fn get_hashed(&self, key: [u8; INLINE + 1], hash: u64, id: &[u8]) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.mask();
        let mut at = hash as usize & mask;
        loop {
            let slot = &self.slots[at];
            if slot.index == EMPTY {
                return None;
            }
            let hit = if key[0] == LONG {
                slot.key[0] == LONG && slot.key[9..12] == key[9..12] && self.long_key(slot) == id
            } else {
                slot.key == key
            };
            if hit {
                return Some(slot.index);
            }
            at = (at + 1) & mask;
        }
    }

    /// The index of `id`, if known.
    #[inline]
    pub fn get(&self, id: &[u8]) -> Option<u32> {
        self.get_probed(&self.probe(id), id)
    }

    /// Adds `id` with `index`; if the id is already there, returns its index unchanged.
    pub fn insert(&mut self, id: &[u8], index: u32) -> Result<(), u32> {
        self.insert_probed(self.probe(id), id, index)
    }

    /// [`insert`](Self::insert) with the id's probe already computed.
    pub fn insert_probed(&mut self, probe: Probe, id: &[u8], index: u32) -> Result<(), u32> {
        if let Some(existing) = self.get_probed(&probe, id) {
            return Err(existing);
        }
        if self.len == 0 && self.shape.is_none() {
            // The first id: numbered if it ends in digits.
            self.shape = Shape::of(id);
        }
        if let Some(number) = self.shape.as_ref().map(|shape| shape.number(id)) {
            match number {
                Some(n) if self.room_for(n as usize) => {
                    self.numbered[n as usize] = index;
                    self.len += 1;
                    return Ok(());
                }
                _ => self.move_to_table(),
            }
        }
        self.insert_hashed(id, index);
        Ok(())
    }

    /// Makes the array reach number `n`, unless it would grow past its bound.
    fn room_for(&mut self, n: usize) -> bool {
        if n < self.numbered.len() {
            return true;
        }
        let wanted = (n + 1).next_power_of_two().max(1024);
        if wanted > (ARRAY_PER_ID * (self.len + 1)).max(MIN_ARRAY) {
            return false;
        }
        self.numbered.resize(wanted, EMPTY);
        true
    }

    /// Moves every numbered id into the table, for good.
    fn move_to_table(&mut self) {
        let (Some(shape), numbered) = (self.shape.take(), std::mem::take(&mut self.numbered))
        else {
            return;
        };
        let count = std::mem::take(&mut self.len);
        self.reserve(count + 1);
        for (n, &index) in numbered.iter().enumerate().filter(|(_, &i)| i != EMPTY) {
            let id = shape.id(n);
            self.insert_hashed(&id, index);
        }
    }

    /// Adds an id known to be absent to the table.
    fn insert_hashed(&mut self, id: &[u8], index: u32) {
        let (mut key, hash) = Self::spell(id);
        // Keep the load at most one half: short probe runs, mostly within one line.
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        if key[0] == LONG {
            key[1..5].copy_from_slice(&(self.long.len() as u32).to_le_bytes());
            key[5..9].copy_from_slice(&(id.len() as u32).to_le_bytes());
            self.long.extend_from_slice(id);
        }
        self.place(Slot { key, index }, hash);
        self.len += 1;
    }

    fn place(&mut self, slot: Slot, hash: u64) {
        let mask = self.mask();
        let mut at = hash as usize & mask;
        while self.slots[at].index != EMPTY {
            at = (at + 1) & mask;
        }
        self.slots[at] = slot;
    }

    fn grow(&mut self) {
        let capacity = (self.slots.len() * 2).max(16);
        let old = std::mem::replace(
            &mut self.slots,
            crate::hint::scattered_table(capacity, VACANT),
        );
        for slot in old.into_iter().filter(|s| s.index != EMPTY) {
            let h = if slot.key[0] == LONG {
                hash(self.long_key(&slot))
            } else {
                hash(&slot.key[1..1 + slot.key[0] as usize])
            };
            self.place(slot, h);
        }
    }

    /// Sizes the table for `n` ids up front.
    pub fn reserve(&mut self, n: usize) {
        while (self.len + n) * 2 > self.slots.len() {
            self.grow();
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn short_and_long_ids_round_trip() {
        let mut ix = IdIndex::default();
        assert_eq!(ix.get(b"C1"), None, "an empty index finds nothing");
        let long = "客户-0000000000000000000001";
        for (i, id) in ["C1", "", "C0000001", "12345678901", "123456789012", long]
            .iter()
            .enumerate()
        {
            ix.insert(id.as_bytes(), i as u32).unwrap();
        }
        assert_eq!(ix.get(b"C1"), Some(0));
        assert_eq!(ix.get(b""), Some(1));
        assert_eq!(ix.get(b"12345678901"), Some(3));
        assert_eq!(ix.get(b"123456789012"), Some(4));
        assert_eq!(ix.get(long.as_bytes()), Some(5));
        assert_eq!(ix.get(b"C2"), None);
        assert_eq!(ix.get(b"C1\0"), None, "zero padding is not part of the id");
        assert_eq!(ix.get(b"123456789013"), None);
        assert_eq!(ix.insert(b"C0000001", 9), Err(2));
        assert_eq!(ix.len(), 6);
    }

    #[test]
    fn many_ids_survive_growth() {
        let mut ix = IdIndex::default();
        let id = |i: u32| {
            if i.is_multiple_of(7) {
                format!("LONG-CUSTOMER-ID-{i:010}")
            } else {
                format!("C{i:07}")
            }
        };
        for i in 0..50_000u32 {
            ix.insert(id(i).as_bytes(), i).unwrap();
        }
        for i in 0..50_000u32 {
            assert_eq!(ix.get(id(i).as_bytes()), Some(i));
        }
        assert_eq!(ix.get(b"C9999999"), None);
    }

    /// Whether the index is still the numbered array.
    fn numbered(ix: &IdIndex) -> bool {
        ix.shape.is_some()
    }

    #[test]
    fn numbered_ids_are_an_array_and_other_spellings_are_not_found() {
        let mut ix = IdIndex::default();
        for i in 1..=5000u32 {
            ix.insert(format!("C{i:07}").as_bytes(), i - 1).unwrap();
        }
        assert!(numbered(&ix), "one prefix, one width: the array");
        assert!(ix.slots.is_empty(), "and no table beside it");
        assert_eq!(ix.get(b"C0000001"), Some(0));
        assert_eq!(ix.get(b"C0005000"), Some(4999));
        for other in [
            &b"C0005001"[..],
            b"C000001",
            b"C00000001",
            b"c0000001",
            b"D0000001",
            b"C000000a",
            b"C-000001",
            b"",
        ] {
            assert_eq!(ix.get(other), None, "{}", String::from_utf8_lossy(other));
        }
        assert_eq!(
            ix.insert(b"C0000002", 9),
            Err(1),
            "a repeat is found in the array"
        );
        assert_eq!(ix.len(), 5000);
    }

    #[test]
    fn an_id_of_another_shape_moves_every_id_into_the_table() {
        for odd in ["C001", "C00000001", "X0000001", "C00000A1", "客户1", ""] {
            let mut ix = IdIndex::default();
            for i in 0..3000u32 {
                ix.insert(format!("C{i:07}").as_bytes(), i).unwrap();
            }
            // A probe made while numbered, used after the move.
            let stale = ix.probe(b"C0000042");
            ix.insert(odd.as_bytes(), 3000).unwrap();
            assert!(!numbered(&ix), "{odd:?} leaves the array");
            assert_eq!(ix.len(), 3001);
            assert_eq!(ix.get_probed(&stale, b"C0000042"), Some(42), "{odd:?}");
            for i in 0..3000u32 {
                assert_eq!(ix.get(format!("C{i:07}").as_bytes()), Some(i), "{odd:?}");
            }
            assert_eq!(ix.get(odd.as_bytes()), Some(3000));
            assert_eq!(ix.insert(b"C0000007", 1), Err(7), "repeats still found");
            ix.insert(b"C0009999", 3001).unwrap();
            assert_eq!(
                ix.get(b"C0009999"),
                Some(3001),
                "numbered ids go in the table now"
            );
        }
    }

    #[test]
    fn a_number_far_beyond_the_count_moves_to_the_table_but_a_gap_does_not() {
        let mut ix = IdIndex::default();
        for i in 0..100u32 {
            ix.insert(format!("M{:09}", i * 500).as_bytes(), i).unwrap();
        }
        assert!(numbered(&ix), "numbers up to 49,500 fit the least array");
        assert!(
            ix.numbered.len() <= 1 << 16,
            "which grows only as far as the numbers"
        );
        // A phone number as an id: its last nine digits are far past 8 × 101 entries.
        ix.insert(b"M139783146", 100).unwrap();
        assert!(!numbered(&ix));
        assert_eq!(ix.get(b"M139783146"), Some(100));
        assert_eq!(ix.get(b"M000049500"), Some(99));

        let mut backwards = IdIndex::default();
        for (i, n) in (0..300_000u32).rev().step_by(3).enumerate() {
            backwards
                .insert(format!("C{n:07}").as_bytes(), i as u32)
                .unwrap();
        }
        assert!(
            numbered(&backwards),
            "large numbers first, within a million"
        );
        assert_eq!(backwards.get(b"C0299999"), Some(0));

        let mut first = IdIndex::default();
        first.insert(b"13978314626", 0).unwrap();
        assert!(!numbered(&first), "a first number past the least array");
        assert_eq!(first.get(b"13978314626"), Some(0));
        assert_eq!(first.get(b"13978314627"), None);
    }

    #[test]
    fn ids_without_a_number_go_in_the_table_at_once() {
        let mut ix = IdIndex::default();
        ix.insert(b"alice", 0).unwrap();
        assert!(!numbered(&ix));
        ix.insert(b"C0000001", 1).unwrap();
        assert_eq!((ix.get(b"alice"), ix.get(b"C0000001")), (Some(0), Some(1)));
    }

    proptest! {
        /// Whatever the ids (numbered, of one shape with strays, or any), the index
        /// answers as a map of the ids inserted: the first index kept, repeats refused.
        #[test]
        fn the_index_answers_as_a_map(
            ids in prop::collection::vec(
                prop_oneof![
                    (0u32..3000).prop_map(|n| format!("C{n:05}")),
                    (0u32..30).prop_map(|n| format!("C{n}")),
                    "[A-C0-9]{0,13}",
                ],
                0..400,
            ),
            lookups in prop::collection::vec("C[0-9]{1,6}", 0..50),
        ) {
            let mut ix = IdIndex::default();
            let mut map = std::collections::HashMap::new();
            for (i, id) in ids.iter().enumerate() {
                let expected = match map.get(id) {
                    Some(&first) => Err(first),
                    None => Ok(()),
                };
                prop_assert_eq!(ix.insert(id.as_bytes(), i as u32), expected);
                map.entry(id.clone()).or_insert(i as u32);
            }
            prop_assert_eq!(ix.len(), map.len());
            for id in ids.iter().chain(&lookups) {
                prop_assert_eq!(ix.get(id.as_bytes()), map.get(id).copied(), "{}", id);
            }
        }

        /// An id's number, read without early exits, is the digit-by-digit reading's.
        #[test]
        fn a_number_is_read_as_digit_by_digit(
            prefix in "[A-Z]{0,3}",
            width in 1usize..=9,
            id in prop_oneof!["[A-D]{0,3}[0-9]{0,10}", "[A-D]{0,3}[0-9/:]{0,10}", ".{0,12}"],
            digits in "[0-9]{1,9}",
        ) {
            let shape = Shape { prefix: prefix.as_bytes().into(), width };
            for id in [id.as_bytes(), format!("{prefix}{digits}").as_bytes()] {
            let plain = id
                .strip_prefix(prefix.as_bytes())
                .filter(|d| d.len() == width)
                .and_then(|d| {
                    d.iter().try_fold(0u32, |n, &b| {
                        b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
                    })
                });
            prop_assert_eq!(shape.number(id), plain);
            }
        }
    }
}
