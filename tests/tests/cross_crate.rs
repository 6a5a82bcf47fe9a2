//! `weft::platform!(hello_greeter)` links a component crate that this test never names otherwise,
//! so its components are registered and boot. (`cross_crate_unlinked.rs` shows the opposite.)

use weft::State;

weft::platform!(hello_greeter);

#[tokio::test]
async fn components_of_a_listed_crate_are_registered_and_boot() {
    let registered: Vec<&str> = weft::__private::inventory::iter::<weft::Registration>
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert!(registered.contains(&"greeter"), "registered: {registered:?}");
    assert!(registered.contains(&"welcome"), "registered: {registered:?}");

    let platform = platform::boot().await.expect("the platform boots");
    assert_eq!(platform.state("greeter"), Some(State::Started));
    assert_eq!(platform.state("welcome"), Some(State::Started));
    platform.stop().await.expect("the platform stops");
    assert_eq!(platform.state("greeter"), Some(State::Stopped));
}

#[tokio::test]
async fn the_builder_sees_the_same_components() {
    let platform = platform::builder().only(["welcome"]).boot().await.expect("boots");
    // `welcome` requires `dyn Greeter`, so `greeter` comes along.
    assert_eq!(platform.states().len(), 2);
    assert_eq!(platform.state("greeter"), Some(State::Started));
    platform.stop().await.expect("the platform stops");
}
