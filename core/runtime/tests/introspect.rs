//! Dry runs construct nothing; exports show the graph before boot and live states after it.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};

use support::{Behaviour, Fault, Scenario};
use weft::__private::{Erased, InjectError, Injector};
use weft::{Builder, GraphFormat, Phase, Problem, Registration, ServiceKey};

static BUILT: AtomicUsize = AtomicUsize::new(0);

fn counted_build(_: &Injector<'_>) -> Result<Erased, InjectError> {
    BUILT.fetch_add(1, Ordering::SeqCst);
    panic!("a dry run must not construct any component");
}

const SVC: ServiceKey = ServiceKey::named("dyn Svc");

static PROVIDER: Registration = Registration {
    name: "provider",
    type_name: "Provider",
    module_path: module_path!(),
    file: file!(),
    line: line!(),
    provides: Some(SVC),
    requires: &[],
    build: counted_build,
};

static CONSUMER: Registration = Registration {
    name: "consumer",
    type_name: "Consumer",
    module_path: module_path!(),
    file: file!(),
    line: line!(),
    provides: None,
    requires: &[SVC],
    build: counted_build,
};

#[test]
fn validate_constructs_nothing_and_runs_no_hook() {
    // Hooks that would fail loudly, on a sound graph and on broken ones.
    let scenario = Scenario::with(vec![vec![], vec![0], vec![1]], |_| Behaviour {
        fault: Some((Phase::Init, Fault::Panic)),
        ..Behaviour::default()
    });
    let validation = scenario.builder().validate().expect("a sound graph");
    assert_eq!(validation.graph().len(), 3);
    assert!(scenario.builder().only(["nope"]).validate().is_err());
    let cyclic = Scenario::new(vec![vec![1], vec![0]]);
    assert!(cyclic.builder().validate().is_err());
    assert_eq!(scenario.log.events(), [], "no build fn and no hook ran");
    assert_eq!(cyclic.log.events(), []);

    let validation = Builder::empty().register(&PROVIDER).register(&CONSUMER).validate().unwrap();
    assert_eq!(validation.graph().init_order(), ["provider", "consumer"]);
    assert_eq!(BUILT.load(Ordering::SeqCst), 0);
}

#[test]
fn validate_reports_every_problem_like_boot() {
    let scenario = Scenario::new(vec![vec![1], vec![0], vec![]]);
    let builder = scenario.builder().only([scenario.names[0], "ghost"]);
    let error = builder.validate().unwrap_err();
    assert!(
        matches!(&error.problems[0], Problem::UnknownComponent { name, .. } if name == "ghost")
    );
    assert!(matches!(&error.problems[1], Problem::Cycle { path, .. } if path.len() == 3));
    assert_eq!(error, builder.resolve().unwrap_err());
}

#[test]
fn validate_warns_about_a_replacement_nobody_uses() {
    let validation = Builder::empty()
        .register(&PROVIDER)
        .register(&CONSUMER)
        .replace::<String>(std::sync::Arc::new(String::new()))
        .validate()
        .unwrap();
    let warnings: Vec<String> = validation.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        ["`replace::<alloc::string::String>` serves nobody: no selected component requires \
          `alloc::string::String`; check the type, or remove the replacement"]
    );
    assert!(validation.to_string().ends_with(&format!("\nwarning: {}", warnings[0])));
}

#[test]
fn static_exports_carry_declarations_and_no_live_data() {
    let graph = Builder::empty().register(&PROVIDER).register(&CONSUMER).resolve().unwrap();
    let dot = graph.export(GraphFormat::Dot);
    let tooltip = format!("tooltip=\"{}:{}\"", PROVIDER.file, PROVIDER.line);
    assert!(
        dot.contains(&format!("\"provider\" [label=\"provider\\nProvider\", {tooltip}];")),
        "{dot}"
    );
    assert!(dot.contains("\"consumer\" -> \"provider\" [label=\"dyn Svc\"];"), "{dot}");
    let json: serde_json::Value = serde_json::from_str(&graph.to_json()).unwrap();
    assert_eq!(json["components"][1]["line"], PROVIDER.line);
    assert!(json["components"][0].get("state").is_none());
    assert_eq!(graph.export(GraphFormat::Mermaid), graph.to_mermaid());
}

#[tokio::test]
async fn live_exports_show_states_durations_and_the_critical_path() {
    let scenario = Scenario::with(vec![vec![], vec![0]], |i| Behaviour {
        sleep: (i == 1).then_some((Phase::Init, std::time::Duration::from_millis(20))),
        ..Behaviour::default()
    });
    let (first, second) = (scenario.names[0], scenario.names[1]);
    let platform = scenario.builder().boot().await.unwrap();

    let json: serde_json::Value =
        serde_json::from_str(&platform.export(GraphFormat::Json)).unwrap();
    let component = &json["components"][1];
    assert_eq!(component["name"], second);
    assert_eq!(component["state"], "started");
    assert!(component["timings"]["init_us"].as_u64().unwrap() >= 20_000, "{component}");
    assert_eq!(component["timings"]["critical"], serde_json::json!(["init", "start"]));
    assert_eq!(component["requires"][0]["provider"], first);
    assert!(json["boot"]["total_us"].as_u64().unwrap() >= 20_000);

    let mermaid = platform.export(GraphFormat::Mermaid);
    assert!(mermaid.contains(&format!("  n1[\"{second}<br/>started · init ")), "{mermaid}");
    assert!(mermaid.contains("  class n1 started\n"), "{mermaid}");
    let dot = platform.export(GraphFormat::Dot);
    assert!(dot.contains("fillcolor=palegreen, penwidth=2, color=red"), "{dot}");

    platform.stop().await.unwrap();
    let mermaid = platform.export(GraphFormat::Mermaid);
    assert!(mermaid.contains("  class n0 stopped\n"), "{mermaid}");
    let json: serde_json::Value =
        serde_json::from_str(&platform.export(GraphFormat::Json)).unwrap();
    assert_eq!(json["components"][0]["state"], "stopped");
}
