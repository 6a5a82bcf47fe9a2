//! Arbitrary Unicode values through every RFC 6570 operator: expansion never panics, always
//! yields ASCII without spaces, and a value decodes back to itself (or to its prefix).

use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use weft::http::{ParamValue, Parameters, UnusedParameters, UriTemplate};

const OPERATORS: [&str; 8] = ["", "+", "#", ".", "/", ";", "?", "&"];

fn one(name: &str, value: ParamValue) -> Parameters {
    let mut parameters = Parameters::new();
    parameters.insert(name.to_owned(), value);
    parameters
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8().expect("expansion encodes UTF-8").into_owned()
}

fn value_strategy() -> impl Strategy<Value = ParamValue> {
    prop_oneof![
        any::<String>().prop_map(ParamValue::String),
        prop::collection::vec(any::<String>(), 0..4).prop_map(ParamValue::List),
        prop::collection::vec((any::<String>(), any::<String>()), 0..4).prop_map(ParamValue::Assoc),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_operator_and_modifier_expands_any_value_to_ascii_without_panicking(
        value in value_strategy(),
        prefix in 1usize..20,
    ) {
        for op in OPERATORS {
            for modifier in [String::new(), "*".to_owned(), format!(":{prefix}")] {
                let template = UriTemplate::new(&format!("/x{{{op}var{modifier}}}/é"))
                    .expect("a valid template");
                match template.expand(&one("var", value.clone())) {
                    Ok(uri) => {
                        prop_assert!(uri.is_ascii(), "{uri}");
                        prop_assert!(!uri.contains([' ', '{', '}']), "{uri}");
                        prop_assert!(uri.ends_with("/%C3%A9"), "{uri}");
                    }
                    // Only a prefix of a list or map is refused (RFC 6570 §2.4.1).
                    Err(err) => prop_assert!(
                        modifier.starts_with(':') && !matches!(value, ParamValue::String(_)),
                        "{err}"
                    ),
                }
            }
        }
    }

    #[test]
    fn a_value_decodes_back_in_its_segment_and_a_prefix_to_its_first_characters(
        value in any::<String>(),
        prefix in 1usize..20,
    ) {
        let template = UriTemplate::new("/items/{value}/tail").expect("valid template");
        let uri = template.expand(&one("value", value.clone().into())).expect("expands");
        let segment = uri
            .strip_prefix("/items/")
            .and_then(|rest| rest.strip_suffix("/tail"))
            .expect("the value stays between the literal parts");
        prop_assert!(!segment.contains(['/', '?', '#', ' ']), "{segment}");
        prop_assert_eq!(decode(segment), value.clone());

        let template = UriTemplate::new(&format!("{{value:{prefix}}}")).expect("valid template");
        let uri = template.expand(&one("value", value.clone().into())).expect("expands");
        let expected: String = value.chars().take(prefix).collect();
        prop_assert_eq!(decode(&uri), expected);
    }

    #[test]
    fn an_unused_parameter_round_trips_through_the_query_when_asked(
        name in "[a-z]{1,8}",
        value in any::<String>(),
    ) {
        let template = UriTemplate::new("/items").expect("valid template");
        let parameters = one(&name, value.clone().into());
        prop_assert!(template.expand(&parameters).is_err(), "rejected by default");
        let uri = template.expand_with(&parameters, UnusedParameters::Query).expect("expands");
        let query = uri.strip_prefix("/items?").expect("a query string");
        let (key, encoded) = query.split_once('=').expect("one pair");
        prop_assert_eq!(key, name.as_str());
        prop_assert!(!encoded.contains(['&', '=', '#', ' ']), "{encoded}");
        prop_assert_eq!(decode(encoded), value);
    }
}

#[test]
fn the_issue_s_crash_a_multibyte_value_with_a_prefix_modifier() {
    let template = UriTemplate::new("/{greek:2}").expect("valid");
    let uri = template.expand(&one("greek", "Διονύσιος".into())).expect("no panic");
    assert_eq!(uri, "/%CE%94%CE%B9");
}
