//! Runs the `hello` binary, interrupts it like Ctrl-C would, and checks what it printed.

#![cfg(unix)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn boots_in_dependency_order_and_stops_in_reverse_on_sigint() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hello"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the hello binary starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut lines = Vec::new();
    while !lines.last().is_some_and(|line: &String| line.contains("press Ctrl-C")) {
        assert!(Instant::now() < deadline, "no ready line; printed so far: {lines:#?}");
        let mut line = String::new();
        if stdout.read_line(&mut line).expect("stdout is readable") == 0 {
            panic!("hello exited before it was ready; printed: {lines:#?}");
        }
        lines.push(line.trim_end().to_owned());
    }

    // The supervised accept loop serves while the platform runs.
    let listening =
        lines.iter().find_map(|line| line.strip_prefix("start uptime-server: listening on "));
    let address = listening.unwrap_or_else(|| panic!("no listening line in {lines:#?}")).to_owned();
    let mut answer = String::new();
    std::net::TcpStream::connect(&address)
        .expect("the uptime server accepts")
        .read_to_string(&mut answer)
        .expect("the uptime server answers");
    assert!(answer.starts_with("up for "), "{answer:?}");

    let status =
        Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("`kill` runs");
    assert!(status.success());
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).expect("stdout is readable");
    assert!(child.wait().expect("hello exits").success(), "hello failed after SIGINT");
    lines.extend(rest.lines().map(str::to_owned));

    let position = |prefix: &str| {
        lines
            .iter()
            .position(|line| line == prefix || line.starts_with(&format!("{prefix}:")))
            .unwrap_or_else(|| panic!("no line starting with {prefix:?} in {lines:#?}"))
    };
    // The greeter crate's components are there although the binary names the crate only in
    // `weft::platform!`.
    for component in ["clock", "uptime", "uptime-server", "greeter", "welcome"] {
        let (init, start, stop) = (
            position(&format!("init  {component}")),
            position(&format!("start {component}")),
            position(&format!("stop  {component}")),
        );
        assert!(init < start && start < stop, "{component} out of order: {lines:#?}");
    }
    // Two waves: every `init` before any `start`.
    let last_init = lines.iter().rposition(|line| line.starts_with("init  ")).unwrap();
    let first_start = lines.iter().position(|line| line.starts_with("start ")).unwrap();
    assert!(last_init < first_start, "{lines:#?}");
    for (dependency, dependent) in
        [("clock", "uptime"), ("clock", "uptime-server"), ("greeter", "welcome")]
    {
        assert!(position(&format!("init  {dependency}")) < position(&format!("init  {dependent}")));
        assert!(position(&format!("start {dependency}")) < position(&format!("start {dependent}")));
        assert!(position(&format!("stop  {dependent}")) < position(&format!("stop  {dependency}")));
    }
    assert!(lines.contains(&"start welcome: Hello, world!".to_owned()), "{lines:#?}");
    assert!(lines.last().is_some_and(|line| line.starts_with("stopped: ")), "{lines:#?}");
}
