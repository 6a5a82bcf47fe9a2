//! `weft::platform!()` links every dependency by itself: `hello_greeter` is a dependency of this
//! package that this test never names, and its components are registered and boot.
//! (`cross_crate_unlinked.rs` is the control: without `platform!`, the crate is not linked.)

use weft::State;

weft::platform!();

#[tokio::test]
async fn components_of_an_unnamed_dependency_are_registered_and_boot() {
    let registered: Vec<&str> = weft::__private::inventory::iter::<weft::Registration>
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert!(registered.contains(&"greeter"), "registered: {registered:?}");

    let platform = platform::boot().await.expect("the platform boots");
    assert_eq!(platform.state("greeter"), Some(State::Started));
    assert_eq!(platform.state("welcome"), Some(State::Started));
    platform.stop().await.expect("the platform stops");
}
