//! Per-case seeds: a stable hash (FNV-1a, not std's randomized hasher) of the run seed and the case id.

/// The seed of one case in a run seeded with `run_seed`.
pub fn case_seed(run_seed: u64, case_id: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in run_seed.to_le_bytes().iter().chain(case_id.as_bytes()) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_and_distinct() {
        assert_eq!(case_seed(1, "a::b"), case_seed(1, "a::b"));
        assert_ne!(case_seed(1, "a::b"), case_seed(2, "a::b"));
        assert_ne!(case_seed(1, "a::b"), case_seed(1, "a::c"));
        // Pinned: a change here changes every seeded run.
        assert_eq!(case_seed(0, ""), 0xa8c7_f832_281a_39c5);
    }
}
