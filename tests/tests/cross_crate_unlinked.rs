//! The control for `cross_crate_auto.rs`: `hello_greeter` is a dependency of this package too,
//! but a test that neither names it nor invokes `weft::platform!` does not link it, so none of
//! its components is registered. `platform!` is what makes the difference.

#[tokio::test]
async fn without_platform_an_unnamed_crate_is_absent() {
    let registered: Vec<&str> = weft::__private::inventory::iter::<weft::Registration>
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert!(!registered.contains(&"greeter"), "registered: {registered:?}");

    let platform = weft::Builder::new().boot().await.expect("an empty platform boots");
    assert_eq!(platform.state("greeter"), None);
    assert!(platform.states().is_empty());
    platform.stop().await.expect("the platform stops");
}
