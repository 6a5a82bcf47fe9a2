//! The RFC 6570 conformance suite (uritemplate-test, in `tests/uritemplate-test/`): every case of
//! every file, expanded with `UriTemplate::expand_lenient` (the RFC's behaviour, without weft's
//! missing/unused parameter checks). A case whose expected result is `false` must fail, either
//! when the template is parsed or when it is expanded.

use serde_json::Value;
use weft::http::{ParamValue, Parameters, UriTemplate};

const FILES: [(&str, &str); 4] = [
    ("spec-examples.json", include_str!("uritemplate-test/spec-examples.json")),
    (
        "spec-examples-by-section.json",
        include_str!("uritemplate-test/spec-examples-by-section.json"),
    ),
    ("extended-tests.json", include_str!("uritemplate-test/extended-tests.json")),
    ("negative-tests.json", include_str!("uritemplate-test/negative-tests.json")),
];

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn parameters(variables: &serde_json::Map<String, Value>) -> Parameters {
    let mut parameters = Parameters::new();
    for (name, value) in variables {
        let value = match value {
            Value::Null => continue,
            Value::Array(items) => ParamValue::List(items.iter().filter_map(scalar).collect()),
            Value::Object(pairs) => ParamValue::Assoc(
                pairs.iter().filter_map(|(k, v)| Some((k.clone(), scalar(v)?))).collect(),
            ),
            other => ParamValue::String(scalar(other).unwrap_or_default()),
        };
        parameters.insert(name.clone(), value);
    }
    parameters
}

#[test]
fn every_case_of_the_uritemplate_test_suite_passes() {
    let mut failures = Vec::new();
    let mut cases = 0;
    for (file, text) in FILES {
        let groups: serde_json::Map<String, Value> =
            serde_json::from_str(text).expect("valid JSON");
        for (group, body) in &groups {
            let variables = body["variables"].as_object().expect("variables");
            let parameters = parameters(variables);
            for case in body["testcases"].as_array().expect("testcases") {
                cases += 1;
                let template = case[0].as_str().expect("a template");
                let expected = &case[1];
                let got = UriTemplate::new(template)
                    .map_err(|e| e.to_string())
                    .and_then(|t| t.expand_lenient(&parameters).map_err(|e| e.to_string()));
                let ok = match (expected, &got) {
                    (Value::Bool(false), Err(_)) => true,
                    (Value::String(want), Ok(got)) => want == got,
                    (Value::Array(choices), Ok(got)) => {
                        choices.iter().any(|c| c.as_str() == Some(got.as_str()))
                    }
                    _ => false,
                };
                if !ok {
                    failures.push(format!(
                        "{file} / {group}: `{template}` → {got:?}, expected {expected}"
                    ));
                }
            }
        }
    }
    assert!(cases > 250, "only {cases} cases were read");
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
