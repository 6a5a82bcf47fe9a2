//! Slow and half-sent clients against the real binary: they neither starve other clients (even
//! under a low open-file limit) nor hold the stop.

use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::binary::Running;
use crate::limits::{RawAnswer, read_answer};

/// What became of one request.
#[derive(Debug)]
enum Probe {
    Answered(RawAnswer),
    /// Closed (or refused) without an answer.
    Closed,
    /// Neither answered nor closed in time: starved.
    Hung,
}

/// `GET /health` on a new connection, given `limit` to be answered or closed.
async fn probe_health(addr: &str, limit: Duration) -> Probe {
    let connected = tokio::time::timeout(limit, TcpStream::connect(addr)).await;
    let mut stream = match connected {
        Ok(Ok(stream)) => stream,
        Ok(Err(_)) => return Probe::Closed,
        Err(_) => return Probe::Hung,
    };
    let request = b"GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n";
    if stream.write_all(request).await.is_err() {
        return Probe::Closed;
    }
    let started = Instant::now();
    match read_answer(&mut stream, limit).await {
        Some(answer) => Probe::Answered(answer),
        None if started.elapsed() < limit => Probe::Closed,
        None => Probe::Hung,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_requests_do_not_starve_health_under_a_low_open_file_limit() -> anyhow::Result<()>
{
    const OPEN_FILES: u32 = 256;
    const HALF_SENT: usize = 300;
    const HEADER_TIMEOUT: Duration = Duration::from_millis(2_000);
    let dir = tempfile::tempdir()?;
    let data_dir = dir.path().to_string_lossy().into_owned();
    let timeout = HEADER_TIMEOUT.as_millis().to_string();
    let env = [
        ("CHANNELS_BIND", "127.0.0.1:0"),
        ("CHANNELS_DATA_DIR", data_dir.as_str()),
        ("CHANNELS_HEADER_TIMEOUT_MS", timeout.as_str()),
    ];
    let mut running =
        Running::spawn_with_open_files(&["--components", "web"], &env, Some(OPEN_FILES)).await?;
    let addr = running.addr.clone();

    let flood = Instant::now();
    let mut half_sent = Vec::new();
    for _ in 0..HALF_SENT {
        let Ok(Ok(mut stream)) =
            tokio::time::timeout(Duration::from_secs(1), TcpStream::connect(&addr)).await
        else {
            continue;
        };
        let _ = stream.write_all(b"GET /health HTTP/1.1\r\nhost: x\r\n").await;
        half_sent.push(stream);
    }
    eprintln!("{} half-sent connections in {:?}", half_sent.len(), flood.elapsed());

    // Every probe is answered or closed at once, never left waiting; `/health` is served again
    // once the head timeout has closed the half-sent connections.
    let mut probes = Vec::new();
    let healthy = loop {
        let at = flood.elapsed();
        let probe = probe_health(&addr, Duration::from_millis(500)).await;
        match &probe {
            Probe::Answered(answer) if answer.status == 200 => break at,
            Probe::Answered(answer) => {
                assert_eq!(
                    (answer.status, answer.error_code().as_str()),
                    (503, "too_many_connections")
                );
            }
            Probe::Closed => {}
            Probe::Hung => panic!("a probe at {at:?} was starved; earlier: {probes:?}"),
        }
        probes.push((at, probe));
        assert!(
            flood.elapsed() < HEADER_TIMEOUT + Duration::from_secs(3),
            "`/health` was not served again after the head timeout: {probes:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let refused = probes.iter().filter(|(_, p)| matches!(p, Probe::Closed)).count();
    eprintln!(
        "healthy at {healthy:?} after {} probes ({refused} closed, the rest 503)",
        probes.len()
    );
    assert!(
        healthy < HEADER_TIMEOUT + Duration::from_millis(1_500),
        "served again at {healthy:?}, the head timeout is {HEADER_TIMEOUT:?}"
    );
    drop(half_sent);
    running.signal("-TERM").await?;
    let exit = tokio::time::timeout(Duration::from_secs(10), running.child.wait()).await??;
    assert!(exit.success(), "{exit}");
    Ok(())
}

#[tokio::test]
async fn sigterm_does_not_wait_for_half_sent_requests_and_exits_0() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data_dir = dir.path().to_string_lossy().into_owned();
    let env = [
        ("CHANNELS_BIND", "127.0.0.1:0"),
        ("CHANNELS_DATA_DIR", data_dir.as_str()),
        ("CHANNELS_SHUTDOWN_GRACE_MS", "10000"),
    ];
    let running = Running::spawn(&["--components", "web"], &env).await?;
    let mut head = TcpStream::connect(&running.addr).await?;
    head.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n").await?;
    let mut body = TcpStream::connect(&running.addr).await?;
    body.write_all(
        b"POST /channels HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
          content-length: 20\r\n\r\n{\"name\":",
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let started = Instant::now();
    running.signal("-TERM").await?;
    let mut child = running.child;
    let exit = tokio::time::timeout(Duration::from_secs(15), child.wait()).await??;
    let took = started.elapsed();
    assert!(exit.success(), "a stop that met only half-sent requests exits 0, got {exit}");
    assert!(took < Duration::from_secs(2), "the stop took {took:?} (grace 10 s)");
    drop((head, body));
    Ok(())
}
