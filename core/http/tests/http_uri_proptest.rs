//! Any string value round-trips through URI template expansion.

use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use weft::http::{Parameters, UriTemplate};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_value_expands_to_one_segment_and_decodes_back(value in any::<String>()) {
        let template = UriTemplate::new("/items/{value}/tail").expect("valid template");
        let mut parameters = Parameters::new();
        parameters.insert("value".into(), value.clone().into());
        let uri = template.expand(&parameters).expect("expands");
        let segment = uri
            .strip_prefix("/items/")
            .and_then(|rest| rest.strip_suffix("/tail"))
            .expect("the value stays between the literal parts");
        prop_assert!(!segment.contains(['/', '?', '#', ' ']), "{segment}");
        let decoded = percent_decode_str(segment).decode_utf8().expect("UTF-8");
        prop_assert_eq!(decoded, value);
    }

    #[test]
    fn an_unused_parameter_round_trips_through_the_query(name in "[a-z]{1,8}", value in any::<String>()) {
        let template = UriTemplate::new("/items").expect("valid template");
        let mut parameters = Parameters::new();
        parameters.insert(name.clone(), value.clone().into());
        let uri = template.expand(&parameters).expect("expands");
        let query = uri.strip_prefix("/items?").expect("a query string");
        let (key, encoded) = query.split_once('=').expect("one pair");
        prop_assert_eq!(key, name.as_str());
        prop_assert!(!encoded.contains(['&', '=', '#', ' ']), "{encoded}");
        prop_assert_eq!(percent_decode_str(encoded).decode_utf8().expect("UTF-8"), value);
    }
}
