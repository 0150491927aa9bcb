//! The reductions (src/reduce/) against the line-by-line model: on every edition and every
//! clause value, each reduction gives every property the verdict of the unreduced run, and
//! every violated property a counterexample of the same length (the paths come from the
//! exact search, symmetry and read order, whose lengths are the unreduced ones). Small
//! bounds, and still some 200 s of CPU: the comparison is in four parts the test harness
//! runs side by side.

use crate::common;

use common::small::models;
use common::{options, reductions, summary};
use resync_check::check::Verdict;
use resync_check::cli::args::ReduceArg;
use resync_check::model_file::property_index;
use resync_check::reduce::Reduction;

/// The models of [`models`] the verdict comparison takes in part `part` of [`PARTS`]: every
/// PARTS-th from the part-th, so the parts, run side by side, cost about the same.
const PARTS: usize = 4;

/// Compares every reduction with the unreduced run on part `part` of the models: the
/// violations the unreduced runs find, and how many models' divergence is silent
/// (divergence-detectable fails) and detectable (views-converge alone fails).
fn compare_verdicts(part: usize) -> (usize, usize, usize) {
    let mut violations = 0;
    let (mut silent, mut detectable) = (0, 0);
    let converge = property_index("views-converge").unwrap();
    let detect = property_index("divergence-detectable").unwrap();
    for (name, config) in models().into_iter().skip(part).step_by(PARTS) {
        let (unreduced, states) = summary(config, options(Reduction::NONE, true));
        violations += unreduced
            .iter()
            .filter(|(v, _)| *v == Verdict::Violated)
            .count();
        match (unreduced[converge].0, unreduced[detect].0) {
            (_, Verdict::Violated) => silent += 1,
            (Verdict::Violated, _) => detectable += 1,
            _ => {}
        }
        for reduction in reductions()
            .into_iter()
            .chain([ReduceArg::Values.reduction()])
        {
            let (reduced, reduced_states) = summary(config, options(reduction, true));
            assert_eq!(
                reduced,
                unreduced,
                "{name} under reduction {}: verdicts or counterexample lengths differ",
                reduction.name()
            );
            // Symmetry, macro-steps and retiring keep fewer states; read order alone keeps
            // more (a frozen client is a state of its own) but generates fewer. Under pushes
            // to an idling client only symmetry applies, and retiring only where
            // mod-sequences only grow (`Reduction::sound_for`).
            let applied = reduction.sound_for(&config.spec);
            if applied.symmetry || applied.reads || applied.retire {
                assert!(reduced_states < states, "{name}: {}", reduction.name());
            }
        }
    }
    (violations, silent, detectable)
}

// The comparison, in four parts that the test harness runs side by side (it is the
// longest of the tier). Each pins what its models' unreduced runs find, so that it is not
// vacuous: violations, and divergence-detectable covered both ways (models whose
// divergence is silent, where it fails, and models whose divergence the count shows, where
// views-converge alone fails). In all: 75 violations, 15 silent, 6 detectable.

#[test]
#[ignore = "the exhaustive tier: cargo test --release --test exhaustive -- --ignored"]
fn every_reduction_gives_the_unreduced_verdicts_on_every_clause_value_part_1() {
    assert_eq!(compare_verdicts(0), (19, 5, 0));
}

#[test]
#[ignore = "the exhaustive tier: cargo test --release --test exhaustive -- --ignored"]
fn every_reduction_gives_the_unreduced_verdicts_on_every_clause_value_part_2() {
    assert_eq!(compare_verdicts(1), (19, 4, 0));
}

#[test]
#[ignore = "the exhaustive tier: cargo test --release --test exhaustive -- --ignored"]
fn every_reduction_gives_the_unreduced_verdicts_on_every_clause_value_part_3() {
    assert_eq!(compare_verdicts(2), (19, 4, 1));
}

#[test]
#[ignore = "the exhaustive tier: cargo test --release --test exhaustive -- --ignored"]
fn every_reduction_gives_the_unreduced_verdicts_on_every_clause_value_part_4() {
    assert_eq!(compare_verdicts(3), (18, 2, 5));
}
