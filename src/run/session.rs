//! A prepared run ([`Session`]): targets probed for a sandbox, variables and fixtures chosen, the
//! redactor, the plan and its admissions, the scenarios kept by `--shard`. Any case or scenario
//! can then be run alone, which is what the libtest harness does per trial.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::budget::Admission;
use super::config::{Event, RunConfig, RunError};
use super::exchange::input::first_input;
use super::execute::{Pass, run_case, run_cases};
use super::guard::Refusal;
use super::scenario::{PlannedScenario, run_scenario};
use super::shared::Shared;
use crate::plan::Plan;
use crate::results::{
    CaseResult, MissingVariable, Reason, ReasonKind, RunResult, ScenarioResult, SendGuardReport, TargetInfo,
};

/// A prepared run: the client, the targets (sandbox detected, fixtures chosen), the redactor and
/// the plan. Any case can then be run alone, which is what the libtest harness does per trial.
#[derive(Debug)]
pub struct Session {
    pub(super) shared: Arc<Shared>,
    pub(super) plan: Arc<Plan>,
    pub(super) scenarios: Vec<PlannedScenario>,
    pub(super) seed: u64,
    pub(super) targets: Vec<TargetInfo>,
    pub(super) missing: Vec<MissingVariable>,
}

impl Session {
    /// The plan: every generated case, made when asked for.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The suites' scenarios, in suite order.
    pub fn scenarios(&self) -> &[PlannedScenario] {
        &self.scenarios
    }

    /// Why the scenario at `index` will be skipped, if that is known before it runs.
    pub fn scenario_skip_reason(&self, index: usize) -> Option<Reason> {
        let planned = &self.scenarios[index];
        let suite = &self.shared.config.suites[planned.suite];
        let spec = &self.shared.config.specs[planned.spec];
        super::scenario::skip_reason(
            suite,
            &suite.scenarios[planned.scenario],
            spec,
            &self.shared.targets[planned.spec],
        )
    }

    /// Runs the scenario at `index` of [`Session::scenarios`].
    pub async fn run_scenario(&self, index: usize) -> ScenarioResult {
        self.run_scenario_with_findings(index).await.0
    }

    /// [`Session::run_scenario`], with the findings met while shrinking it (a property's other
    /// failures), each a scenario result of its own.
    pub async fn run_scenario_with_findings(&self, index: usize) -> (ScenarioResult, Vec<ScenarioResult>) {
        run_scenario(&self.shared, &self.shared.config.suites, &self.scenarios[index]).await
    }

    /// (flows, issue 27) The flow phase's flows, planned from the specs' link graphs.
    pub fn flows(&self) -> Vec<super::flows::PlannedFlow> {
        super::flows::plan_flows(&self.shared, self.seed)
    }

    /// (flows, issue 27) Runs one flow of [`Session::flows`].
    pub async fn run_flow(&self, flow: &super::flows::PlannedFlow) -> ScenarioResult {
        super::flows::run_flow(&self.shared, flow).await
    }

    /// Why the case at `index` will be skipped, if it will (decided without sending anything).
    pub fn skip_reason(&self, index: usize) -> Option<Reason> {
        match (first_input(&self.shared, &self.plan.case(index)), self.shared.admission(index)) {
            (Err(reason), _) => Some(reason),
            (Ok(_), Admission::Refused(refusal)) => Some(Reason::new(ReasonKind::SendGuard, refusal.to_string())),
            (Ok(_), _) => None,
        }
    }

    pub fn strict(&self) -> bool {
        self.shared.config.strict
    }

    /// Runs the case at `index` of [`Session::plan`] (and shrinks it when it fails).
    pub async fn run_case(&self, index: usize) -> CaseResult {
        self.run_case_with_findings(index).await.0
    }

    /// [`Session::run_case`], with the findings met while shrinking it: failures of other rules,
    /// each a case of its own (`…::found-while-shrinking::N`).
    pub async fn run_case_with_findings(&self, index: usize) -> (CaseResult, Vec<CaseResult>) {
        run_case(&self.shared, &self.plan, index, Pass::Alone).await
    }
}

impl Session {
    /// Runs every case within the concurrency limit, reporting progress, and collects the result.
    pub async fn run_all(self, on_event: impl Fn(Event) + Send + Sync + 'static) -> Result<RunResult, RunError> {
        let started = Instant::now();
        let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let Session { shared, plan, scenarios, seed, targets, missing } = self;
        let total = plan.len() + scenarios.len();
        on_event(Event::Planned { cases: total });
        let semaphore = Arc::new(Semaphore::new(shared.config.concurrency.max(1)));
        let on_event = Arc::new(on_event);
        let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let pool = tokio::spawn(run_cases(
            shared.clone(),
            plan.clone(),
            semaphore.clone(),
            on_event.clone(),
            done.clone(),
            total,
        ));
        let mut scenario_tasks = JoinSet::new();
        let planned = Arc::new(scenarios);
        for index in 0..planned.len() {
            let (shared, planned, semaphore, on_event, done) =
                (shared.clone(), planned.clone(), semaphore.clone(), on_event.clone(), done.clone());
            scenario_tasks.spawn(async move {
                let _permit = semaphore.acquire_owned().await.expect("the semaphore is never closed");
                if shared.halt.stops() {
                    return (index, Vec::new());
                }
                let (result, findings) = run_scenario(&shared, &shared.config.suites, &planned[index]).await;
                if result.fails_run(shared.config.strict) {
                    shared.halt.failed();
                }
                let finished = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                on_event(Event::CaseDone {
                    done: finished,
                    total,
                    id: result.id.clone(),
                    status: result.status.clone(),
                });
                (index, std::iter::once(result).chain(findings).collect::<Vec<_>>())
            });
        }
        let (mut kept, omitted) = match pool.await {
            Ok(Ok(results)) => results,
            Ok(Err(e)) | Err(e) => return Err(RunError::Config(format!("a case task failed: {e}"))),
        };
        let mut scenario_results: Vec<Vec<ScenarioResult>> = vec![Vec::new(); planned.len()];
        while let Some(joined) = scenario_tasks.join_next().await {
            match joined {
                Ok((index, results)) => scenario_results[index] = results,
                Err(e) => return Err(RunError::Config(format!("a scenario task failed: {e}"))),
            }
        }
        let mut scenarios: Vec<ScenarioResult> = scenario_results.into_iter().flatten().collect();
        // (flows, issue 27) The flow phase, after the cases and suites; each flow is a scenario.
        if !shared.config.dry_run {
            scenarios.extend(super::flows::run_flows(&shared, seed).await);
        }
        // One minimal example per (operation, check) is enough: the first failing case in plan
        // order is run again and shrunk. A target broken everywhere would otherwise cost up to
        // a hundred calls per case, and which case got shrunk would depend on timing. A failing
        // case is always kept, so the kept cases are where to look. A target given up is not.
        let mut chosen = BTreeSet::new();
        let to_shrink: Vec<usize> = kept
            .iter()
            .filter(|(index, _)| *shared.admission(**index) == Admission::Free)
            .filter(|(index, _)| shared.targets[plan.site(**index).0].health.stopped().is_none())
            .filter_map(|(index, result)| {
                let check = result.failures.first()?.rule.clone();
                chosen.insert((result.operation.clone(), result.spec.clone(), check)).then_some(*index)
            })
            .collect();
        let mut tasks = JoinSet::new();
        for index in to_shrink {
            let (shared, plan, semaphore) = (shared.clone(), plan.clone(), semaphore.clone());
            tasks.spawn(async move {
                let _permit = semaphore.acquire_owned().await.expect("the semaphore is never closed");
                (index, run_case(&shared, &plan, index, Pass::Shrinking).await)
            });
        }
        let mut findings: BTreeMap<usize, Vec<CaseResult>> = BTreeMap::new();
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((index, (result, found))) => {
                    kept.insert(index, result);
                    findings.insert(index, found);
                }
                Err(e) => return Err(RunError::Config(format!("a case task failed: {e}"))),
            }
        }
        let sends = shared.sends.lock().map(|s| s.clone()).unwrap_or_default();
        let refused = |pick: fn(&Refusal) -> bool| -> Vec<String> {
            shared
                .admissions
                .iter()
                .filter(|(_, admission)| matches!(admission, Admission::Refused(r) if pick(r)))
                .map(|(index, _)| plan.case(*index).id.to_string())
                .collect()
        };
        let send_guard = SendGuardReport {
            max_sends: shared.config.max_sends,
            sends,
            budget_skipped: refused(|r| matches!(r, Refusal::BudgetSpent(_))),
            recipient_mutations: refused(|r| matches!(r, Refusal::RecipientMutated(_))),
        };
        // Each finding met while shrinking a case comes right after it.
        let cases: Vec<CaseResult> = kept
            .into_iter()
            .flat_map(|(index, case)| std::iter::once(case).chain(findings.remove(&index).unwrap_or_default()))
            .collect();
        let (strict, dry_run) = (shared.config.strict, shared.config.dry_run);
        Ok(RunResult {
            seed,
            started_at,
            shard: shared.config.plan.shard,
            rules: crate::results::catalogue(&cases, &omitted, &scenarios),
            strict,
            dry_run,
            targets,
            cases,
            omitted,
            scenarios,
            send_guard,
            missing,
            spec_warnings: Vec::new(),
            requests: shared.requests.counts(),
            stopped: shared.early_stops(),
            duration: started.elapsed(),
        })
    }
}

/// Prepares and runs the whole plan against the targets.
pub async fn run(config: RunConfig, on_event: impl Fn(Event) + Send + Sync + 'static) -> Result<RunResult, RunError> {
    Session::prepare(config).await?.run_all(on_event).await
}
