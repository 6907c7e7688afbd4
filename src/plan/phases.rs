//! (issue 25) `--phases`: which phases of a run make cases. `examples` sends the spec's own
//! request and parameter examples; `coverage` the deterministic edge values, hostile bodies and
//! protocol probes; `fuzzing` the random valid cases (`--cases N`) and one negative case per
//! constraint. All are on by default.

use std::fmt;
use std::str::FromStr;

/// The phases of a run that make cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phases {
    pub examples: bool,
    pub coverage: bool,
    pub fuzzing: bool,
    /// (flows, issue 27) The flow phase: walks of the specs' link graphs.
    pub stateful: bool,
}

/// Every phase's name, in the order a run makes them.
pub const PHASE_NAMES: [&str; 4] = ["examples", "coverage", "fuzzing", "stateful"];

impl Phases {
    /// Every phase.
    pub const ALL: Phases = Phases { examples: true, coverage: true, fuzzing: true, stateful: true };

    /// The names of the phases on, in order, comma-separated.
    pub fn names(&self) -> String {
        let on = [self.examples, self.coverage, self.fuzzing, self.stateful];
        PHASE_NAMES.iter().zip(on).filter(|(_, on)| *on).map(|(n, _)| *n).collect::<Vec<_>>().join(",")
    }
}

impl Default for Phases {
    fn default() -> Self {
        Phases::ALL
    }
}

impl fmt::Display for Phases {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names())
    }
}

/// A `--phases` value conform does not know, or none at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PhasesError(String);

impl FromStr for Phases {
    type Err = PhasesError;

    /// `examples,coverage`: the phases named, the others off. Names may repeat; none is an error.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut phases = Phases { examples: false, coverage: false, fuzzing: false, stateful: false };
        for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match name {
                "examples" => phases.examples = true,
                "coverage" => phases.coverage = true,
                "fuzzing" => phases.fuzzing = true,
                "stateful" => phases.stateful = true,
                other => {
                    return Err(PhasesError(format!(
                        "unknown phase `{other}`; valid phases are: {}",
                        PHASE_NAMES.join(", ")
                    )));
                }
            }
        }
        if phases == (Phases { examples: false, coverage: false, fuzzing: false, stateful: false }) {
            return Err(PhasesError(format!("name at least one phase of: {}", PHASE_NAMES.join(", "))));
        }
        Ok(phases)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_print_back() {
        assert_eq!("examples,coverage,fuzzing,stateful".parse::<Phases>(), Ok(Phases::ALL));
        let some: Phases = " fuzzing , examples".parse().unwrap();
        assert_eq!(some, Phases { examples: true, coverage: false, fuzzing: true, stateful: false });
        assert_eq!(some.to_string(), "examples,fuzzing");
        let error = "examples,flows".parse::<Phases>().unwrap_err().to_string();
        assert_eq!(error, "unknown phase `flows`; valid phases are: examples, coverage, fuzzing, stateful");
        assert!("".parse::<Phases>().is_err());
    }
}
