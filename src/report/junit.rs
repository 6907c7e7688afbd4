//! The JUnit report, for CI test viewers, written through quick-junit.
//!
//! - One `<testsuite>` per spec (its generated cases, named by the spec id) and one per suite (its
//!   scenarios, named `spec.suite`), each with the properties `seed`, `target`, `sandbox` and
//!   `strict`.
//! - One `<testcase>` per case (name: the case id, classname: `spec.operation`) or scenario
//!   (name: the scenario id, classname: `spec.suite`).
//! - A case that fails the run is a `<failure>`: `type` names the rules broken, `message` is the
//!   first failure's message, and the body is the reproduction the console prints (every failure
//!   with rule, severity and source, the masked request, the answer, the curl line, any snapshot
//!   diff). A harness error is an `<error>` (type: the reason's kind); a skip is a `<skipped>`
//!   (type: the reason's kind, message: the reason).
//! - A case that broke only warning rules (`field`, `profile` sources, without `--strict`) passes,
//!   as it does for the run's exit code; its warnings and reproduction go to its `<system-out>`,
//!   so that CI viewers show them without counting a failure. Under `--strict` it is a `<failure>`.
//!
//! The output follows the Jenkins xunit plugin's `junit-10.xsd` (vendored in `tests/schemas/`).
//! That schema declares no `skipped` attribute on the root `<testsuites>`, which quick-junit
//! always writes, so it is taken off there; every `<testsuite>` keeps its own `skipped` count.
//!
//! Each test case's `time` is its case's or scenario's own duration, shrinking included.
//!
//! What `conform lint` finds in a spec that loaded all the same (the run's spec warnings) is the
//! `<system-out>` of that spec's `<testsuite>` (an empty one when the spec has no case here).

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::console::{failure_block, scenario_block};
use super::tally;
use super::{Format, ReportError};
use crate::check::{Failure, RuleId};
use crate::results::{CaseStatus, Reason, RunResult};

pub fn render(result: &RunResult) -> Result<String, ReportError> {
    let mut report = Report::new("conform");
    report.set_time(result.duration);
    let mut suites = suites(result);
    for warning in &result.spec_warnings {
        if !suites.iter().any(|(name, _, _)| *name == warning.spec) {
            suites.push((warning.spec.clone(), warning.spec.clone(), Vec::new()));
        }
    }
    for (name, spec, cases) in suites {
        let mut suite = TestSuite::new(name.clone());
        suite.add_properties(properties(result, &spec));
        suite.add_test_cases(cases);
        if name == spec
            && let Some(warnings) = spec_warnings(result, &spec)
        {
            suite.set_system_out(warnings);
        }
        report.add_test_suite(suite);
    }
    let xml = report.to_string().map_err(|e| ReportError::Render { format: Format::Junit, message: e.to_string() })?;
    Ok(without_root_skipped(&xml))
}

/// The test suites in order: one per spec (its cases), then one per suite (its scenarios), each
/// with its name, its spec and its test cases.
fn suites(result: &RunResult) -> Vec<(String, String, Vec<TestCase>)> {
    let mut suites: Vec<(String, String, Vec<TestCase>)> = Vec::new();
    let mut add = |name: String, spec: &str, case: TestCase| match suites.iter_mut().find(|(n, _, _)| *n == name) {
        Some((_, _, cases)) => cases.push(case),
        None => suites.push((name, spec.to_owned(), vec![case])),
    };
    for case in &result.cases {
        let body = failure_block(case, result.strict);
        let outcome = JunitCase { status: &case.status, failures: &case.failures, strict: result.strict, body };
        let mut test = outcome.test_case(case.id.as_str());
        test.set_classname(format!("{}.{}", case.spec, case.operation)).set_time(case.duration);
        add(case.spec.clone(), &case.spec, test);
    }
    for scenario in &result.scenarios {
        let body = scenario_block(scenario, result.strict);
        let outcome = JunitCase { status: &scenario.status, failures: &scenario.failures, strict: result.strict, body };
        let mut test = outcome.test_case(&scenario.id);
        let name = format!("{}.{}", scenario.spec, scenario.suite);
        test.set_classname(name.clone()).set_time(scenario.duration);
        add(name, &scenario.spec, test);
    }
    suites
}

/// A spec's warnings, as the console words them, when it has any.
fn spec_warnings(result: &RunResult, spec: &str) -> Option<String> {
    let lines: Vec<String> = result
        .spec_warnings
        .iter()
        .filter(|w| w.spec == spec)
        .map(|w| format!("warning: {}\n  --> {}\n", w.message, w.location()))
        .collect();
    (!lines.is_empty()).then(|| lines.concat())
}

/// A suite's properties: the run's seed and strictness, and its spec's target.
fn properties(result: &RunResult, spec: &str) -> Vec<Property> {
    let target = result.targets.iter().find(|t| t.spec == spec);
    vec![
        Property::new("seed", result.seed.to_string()),
        Property::new("target", target.map_or("", |t| t.base_url.as_str())),
        Property::new("sandbox", target.is_some_and(|t| t.sandbox).to_string()),
        Property::new("strict", result.strict.to_string()),
    ]
}

/// What one case or scenario came to, and its reproduction.
struct JunitCase<'a> {
    status: &'a CaseStatus,
    failures: &'a [Failure],
    strict: bool,
    body: String,
}

impl JunitCase<'_> {
    fn test_case(self, name: &str) -> TestCase {
        let breaking: Vec<&Failure> = self.failures.iter().filter(|f| f.severity.fails_run(self.strict)).collect();
        let because = |mut status: TestCaseStatus, reason: &Reason| {
            status.set_type(kind_name(reason)).set_message(reason.message.as_str());
            status
        };
        let (status, out) = match (self.status, tally::Outcome::of(self.status, self.failures, self.strict)) {
            (CaseStatus::Error(r), _) => {
                let mut status = because(TestCaseStatus::non_success(NonSuccessKind::Error), r);
                status.set_description(self.body);
                (status, None)
            }
            (CaseStatus::Skipped(r), _) => (because(TestCaseStatus::skipped(), r), None),
            (_, tally::Outcome::Failed) => {
                let mut rules: Vec<&RuleId> = Vec::new();
                for failure in &breaking {
                    if !rules.contains(&&failure.rule) {
                        rules.push(&failure.rule);
                    }
                }
                let rules: Vec<&str> = rules.iter().map(|r| r.as_str()).collect();
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_type(rules.join(", ")).set_message(breaking[0].message.as_str()).set_description(self.body);
                (status, None)
            }
            // Broke only rules that are warnings in this run: a pass that says so.
            (_, tally::Outcome::Warned) => (TestCaseStatus::success(), Some(self.body)),
            _ => (TestCaseStatus::success(), None),
        };
        let mut test = TestCase::new(name, status);
        if let Some(out) = out {
            test.set_system_out(out);
        }
        test
    }
}

/// A reason's kind as it is written in the JSON report (`missing-variable`).
fn kind_name(reason: &Reason) -> String {
    serde_json::to_value(reason.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// The document without the `skipped` attribute of its root `<testsuites>` element, which the
/// Jenkins schema does not declare (each `<testsuite>` keeps its own).
fn without_root_skipped(xml: &str) -> String {
    let Some(start) = xml.find("<testsuites") else { return xml.to_owned() };
    let end = xml[start..].find('>').map_or(xml.len(), |e| start + e);
    let tag = &xml[start..end];
    let Some(at) = tag.find(" skipped=\"") else { return xml.to_owned() };
    let value_end = tag[at + 10..].find('"').map_or(tag.len(), |e| at + 10 + e + 1);
    format!("{}{}{}", &xml[..start + at], &tag[value_end..], &xml[end..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::{self, result};

    #[test]
    fn renders_failures_warnings_skips_and_errors() {
        let xml = render(&result()).unwrap();
        insta::assert_snapshot!(xml);
        assert!(
            xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"conform\" tests=\"5\"")
        );
        assert!(!xml.lines().nth(1).unwrap().contains("skipped="), "the root has no skipped attribute");
        assert_eq!(xml.matches("<failure ").count(), 1, "the warning-only case passes");
        assert_eq!(xml.matches("<skipped ").count(), 1);
        assert_eq!(xml.matches("<error ").count(), 1);
        assert!(xml.contains("&lt;bang&gt;"), "bodies are escaped");
    }

    #[test]
    fn strict_fails_a_warning_only_case() {
        let mut strict = result();
        strict.strict = true;
        let xml = render(&strict).unwrap();
        assert_eq!(xml.matches("<failure ").count(), 2);
        assert!(xml.contains("type=\"not_a_server_error, status_code_conformance\""), "{xml}");
        assert!(xml.contains("type=\"status_code_conformance\">"), "{xml}");
    }

    #[test]
    fn spec_warnings_are_their_specs_output() {
        let mut warned = result();
        warned.spec_warnings = vec![testing::spec_warning("zapi"), testing::spec_warning("elsewhere")];
        let xml = render(&warned).unwrap();
        let zapi = xml.find("<testsuite name=\"zapi\"").unwrap();
        let elsewhere = xml.find("<testsuite name=\"elsewhere\" tests=\"0\"").expect("a suite of its own");
        let warning = "warning: example does not match its schema: 1 is not of type &quot;string&quot;\n  --&gt; \
                       specs/zapi.yaml:12:24 (#/paths/~1x/get/responses/200/content/application~1json/example)";
        let first = xml.find(warning).unwrap_or_else(|| panic!("{xml}"));
        assert!(zapi < first && first < xml[zapi..].find("</testsuite>").unwrap() + zapi, "inside zapi's suite");
        assert!(xml[elsewhere..].contains("specs/elsewhere.yaml"), "{xml}");
    }

    #[test]
    fn only_the_root_loses_its_skipped_count() {
        let xml = "<?xml?>\n<testsuites name=\"conform\" tests=\"2\" skipped=\"1\" failures=\"0\">\n<testsuite skipped=\"1\">";
        assert_eq!(
            without_root_skipped(xml),
            "<?xml?>\n<testsuites name=\"conform\" tests=\"2\" failures=\"0\">\n<testsuite skipped=\"1\">"
        );
        assert_eq!(without_root_skipped("<testsuites/>"), "<testsuites/>");
    }
}
