//! For every fault in the catalogue: the defect is observable over HTTP. A probe walks the few
//! requests that reach the faulty behaviour and returns what it saw, with every random value
//! (codes, ids, times) left out, so that two clean runs see the same thing and a faulty run differs.

use conform::reference::{Fault, FaultScope};

use crate::support::{Target, start};

async fn observe(fault: Fault, target: &Target) -> String {
    match fault.scope() {
        FaultScope::All => crate::common::probe(fault, target).await,
        FaultScope::Zapi => crate::zapi::probe(fault, target).await,
        FaultScope::Wawp => crate::wawp::probe(fault, target).await,
        FaultScope::Hypersender => crate::hypersender::probe(fault, target).await,
    }
}

#[tokio::test]
async fn every_fault_changes_what_a_client_sees() {
    let clean = start(&[]).await;
    let mut report = Vec::new();
    let mut unobserved = Vec::new();
    for &fault in Fault::ALL {
        let first = observe(fault, &clean).await;
        let second = observe(fault, &clean).await;
        assert_eq!(first, second, "the probe for {fault} is not deterministic on the clean server");
        let faulty = start(&[fault]).await;
        let seen = observe(fault, &faulty).await;
        faulty.server.stop().await.unwrap();
        if seen == first {
            unobserved.push(fault);
        }
        report.push(format!("{fault:<40} clean: {first}\n{:<40} fault: {seen}", ""));
    }
    println!("{}", report.join("\n"));
    assert!(unobserved.is_empty(), "faults with no observable effect: {unobserved:?}");
}

#[tokio::test]
async fn a_fault_leaves_the_other_apis_alone() {
    // A Z-API fault must not change Hypersender's behaviour, and the other way round.
    for (fault, other) in [
        (Fault::ZapiWrongCodeAccepted, Fault::HypersenderWrongCodeAccepted),
        (Fault::HypersenderValidation400, Fault::ZapiPhonePatternUnchecked),
        (Fault::WawpTokenNotChecked, Fault::ZapiClientTokenIgnored),
    ] {
        let clean = start(&[]).await;
        let faulty = start(&[fault]).await;
        assert_eq!(observe(other, &clean).await, observe(other, &faulty).await, "{fault} leaked into {other}");
    }
}
