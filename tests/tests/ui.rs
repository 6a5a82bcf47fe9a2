//! The trybuild suite: declarations that must compile (`ui/pass`) and mistakes that must fail
//! with the messages and spans recorded in each case's `.stderr`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    for category in [
        "attr", "name", "requires", "provides", "fields", "item", "platform", "default", "hooks",
        "beyond",
    ] {
        t.compile_fail(format!("ui/{category}/*.rs"));
    }
}
