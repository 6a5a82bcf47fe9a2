//! The `hello` binary's flags: `--graph`, `--check`, `--once`, as a user runs them.

use std::process::{Command, Output};

fn hello(args: &[&str], components: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hello"));
    command.args(args).env_remove("WEFT_COMPONENTS");
    if let Some(components) = components {
        command.env("WEFT_COMPONENTS", components);
    }
    command.output().expect("the hello binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

#[test]
fn check_validates_without_booting() {
    let output = hello(&["--check"], None);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        "the component graph is valid: 5 components, 3 dependencies; \
         init order: clock, greeter, uptime, uptime-server, welcome\n"
    );
    // Booting would have run the hooks, which print.
    assert!(!text(&output.stdout).contains("init  clock"));
}

#[test]
fn check_fails_on_a_misspelled_component_with_a_suggestion() {
    let output = hello(&["--check"], Some("gretter"));
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        "error: the component graph has 1 problem:\n  \
         - unknown component `gretter` in `WEFT_COMPONENTS`; did you mean `greeter`?\n"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn graph_json_lists_components_with_their_declarations() {
    let output = hello(&["--graph", "json"], None);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let names: Vec<&str> = json["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["clock", "greeter", "uptime", "uptime-server", "welcome"]);
    let greeter = &json["components"][1];
    assert_eq!(greeter["type"], "EnglishGreeter");
    assert_eq!(greeter["provides"], "dyn Greeter");
    assert_eq!(greeter["file"], "examples/hello-greeter/src/lib.rs");
    assert!(greeter["line"].as_u64().unwrap() > 0);
    let welcome = &json["components"][4];
    assert_eq!(
        welcome["requires"],
        serde_json::json!([{ "service": "dyn Greeter", "provider": "greeter", "replaced": false }])
    );
    assert!(json.get("boot").is_none(), "nothing booted");
}

#[test]
fn graph_selection_and_formats() {
    let output = hello(&["--graph=dot"], Some("welcome"));
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let dot = text(&output.stdout);
    assert!(dot.starts_with("digraph weft {"), "{dot}");
    assert!(dot.ends_with("}\n"), "{dot}");
    assert!(dot.contains(r#""welcome" -> "greeter" [label="dyn Greeter"];"#), "{dot}");
    assert!(!dot.contains("\"clock\""), "only welcome and what it requires: {dot}");

    let output = hello(&["--graph", "png"], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).starts_with(
            "error: unknown graph format `png`; expected `dot`, `mermaid` or `json`\n"
        ),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn once_boots_prints_the_report_table_and_stops() {
    let output = hello(&["--once"], None);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.contains(&"start welcome: Hello, world!"), "{stdout}");
    let at = lines.iter().position(|l| l.starts_with("booted 5 components in ")).expect(&stdout);
    assert!(lines[at].contains("(critical path "), "{stdout}");
    assert!(
        lines[at + 1].starts_with("component ") && lines[at + 1].contains(" construct "),
        "{stdout}"
    );
    // Rows are sorted by name; the critical path ends with a `start` (the start wave's).
    let rows: Vec<&str> = lines[at + 2..at + 7].to_vec();
    assert!(rows[0].starts_with("clock "), "{stdout}");
    assert!(rows.iter().any(|row| row.ends_with("start")), "{stdout}");
    assert!(stdout.contains("stop  clock\n"), "{stdout}");
    assert!(stdout.contains("stopped 5 components"), "{stdout}");
}

#[test]
fn unknown_arguments_are_refused() {
    let output = hello(&["--verbose"], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("--graph dot|mermaid|json"), "{}", text(&output.stderr));
}
