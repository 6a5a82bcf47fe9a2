//! The control for `cross_crate.rs`: `hello_greeter` is a dependency of this package too, but a
//! test that neither names it nor lists it in `weft::platform!` does not link it, so none of its
//! components is registered. Listing the crate is what makes the difference.

weft::platform!();

#[tokio::test]
async fn components_of_an_unlisted_crate_are_absent() {
    let registered: Vec<&str> = weft::__private::inventory::iter::<weft::Registration>
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert!(!registered.contains(&"greeter"), "registered: {registered:?}");

    let platform = platform::boot().await.expect("an empty platform boots");
    assert_eq!(platform.state("greeter"), None);
    assert!(platform.states().is_empty());
    platform.stop().await.expect("the platform stops");
}
