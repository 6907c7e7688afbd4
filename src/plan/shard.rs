//! `--shard I/N`: which part of the plan one machine runs. A case belongs to shard `I` of `N`
//! by a stable hash (FNV-1a 64) of its id, and a scenario whole by the hash of its id, so every
//! machine of a CI matrix agrees without talking to the others, and a case keeps its id and seed
//! (the same request) whichever shard runs it. The shards of one plan are disjoint and complete.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::seed::fnv1a;

/// Shard `index` of `count`, 1-based (`--shard 2/3` is the second of three).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Shard `index` of `count`, or why it is not one.
    pub fn new(index: u32, count: u32) -> Result<Shard, String> {
        if count == 0 {
            return Err(format!("{index}/{count}: the shard count must be at least 1"));
        }
        if index == 0 || index > count {
            return Err(format!("{index}/{count}: the shard index is 1-based, from 1 to {count}"));
        }
        Ok(Shard { index, count })
    }

    /// Whether the case or scenario with this id belongs to this shard.
    pub fn keeps(&self, id: &str) -> bool {
        // FNV-1a mixes a last byte into few bits (ids often differ only there: `…::positive::7`),
        // so its hash is finished with MurmurHash3's avalanche step, then mapped onto `0..count`
        // by multiply and shift.
        let slot = (u128::from(avalanche(fnv1a(id.as_bytes()))) * u128::from(self.count)) >> 64;
        slot == u128::from(self.index - 1)
    }
}

/// MurmurHash3's 64-bit finalizer (`fmix64`): every input bit flips about half the output bits.
fn avalanche(mut hash: u64) -> u64 {
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    hash ^ (hash >> 33)
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let expected = || format!("`{text}`: expected I/N, the shard I of N (1-based), for example 2/3");
        let (index, count) = text.split_once('/').ok_or_else(expected)?;
        let number = |part: &str| part.trim().parse::<u32>().map_err(|_| expected());
        Shard::new(number(index)?, number(count)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_i_of_n_and_refuses_the_rest() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        assert_eq!("1/1".parse::<Shard>(), Ok(Shard { index: 1, count: 1 }));
        assert!("0/3".parse::<Shard>().unwrap_err().contains("1-based, from 1 to 3"));
        assert!("4/3".parse::<Shard>().unwrap_err().contains("1-based, from 1 to 3"));
        assert!("1/0".parse::<Shard>().unwrap_err().contains("at least 1"));
        for bad in ["x", "1", "1/", "/3", "a/b", "-1/3", "1/3/4"] {
            assert!(bad.parse::<Shard>().unwrap_err().contains("expected I/N"), "{bad}");
        }
        assert_eq!(Shard { index: 2, count: 3 }.to_string(), "2/3");
    }

    #[test]
    fn pinned_so_that_a_ci_matrix_never_moves() {
        // A change here moves cases between the shards of a running CI matrix.
        let of = |id: &str| (1..=3).find(|i| Shard { index: *i, count: 3 }.keeps(id));
        assert_eq!(of("zapi::request-registration-code::positive::0"), Some(3));
        assert_eq!(of("hypersender::hypersender::code-single-use"), Some(2));
        assert_eq!(of(""), Some(3));
    }

    #[test]
    fn the_bundled_plan_spreads_over_the_shards() {
        let ids: Vec<String> = (0..600).map(|n| format!("spec::op::positive::{n}")).collect();
        for count in [2u32, 3, 8] {
            for index in 1..=count {
                let shard = Shard { index, count };
                let kept = ids.iter().filter(|id| shard.keeps(id)).count();
                let fair = ids.len() / count as usize;
                assert!(kept > fair / 2 && kept < fair * 3 / 2, "shard {shard} keeps {kept} of {}", ids.len());
            }
        }
    }

    proptest! {
        #[test]
        fn shards_are_disjoint_and_complete(count in 1u32..=16, ids in prop::collection::vec(".{0,40}", 0..60)) {
            for id in &ids {
                let owners: Vec<u32> = (1..=count).filter(|i| Shard { index: *i, count }.keeps(id)).collect();
                prop_assert_eq!(owners.len(), 1, "{:?} belongs to shards {:?} of {}", id, owners, count);
            }
        }
    }
}
