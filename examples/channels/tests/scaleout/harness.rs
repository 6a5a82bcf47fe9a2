//! The throwaway servers themselves: they serve on loopback, restart on the same port, and
//! leave nothing behind.

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

use crate::servers::{Nats, Postgres};

fn listening(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok()
}

#[test]
fn servers_run_on_free_ports_and_leave_nothing_behind() -> anyhow::Result<()> {
    let mut postgres = Postgres::start()?;
    let mut nats = Nats::start()?;
    let (pg_port, nats_port) = (postgres.port(), nats.port());
    let (pg_dir, nats_dir) = (postgres.dir().to_path_buf(), nats.dir().to_path_buf());
    assert_ne!(pg_port, nats_port);
    assert!(postgres.url().starts_with("postgres://postgres@127.0.0.1:"));
    assert!(listening(pg_port) && listening(nats_port));
    assert!(pg_dir.join("data").join("PG_VERSION").exists());

    // Paused, they stop listening; resumed, they listen on the same port again.
    postgres.pause();
    nats.pause();
    assert!(!listening(pg_port) && !listening(nats_port));
    postgres.resume()?;
    nats.resume()?;
    assert!(listening(pg_port) && listening(nats_port));
    postgres.create_database("again")?;

    drop(postgres);
    drop(nats);
    assert!(!listening(pg_port) && !listening(nats_port));
    assert!(!pg_dir.exists() && !nats_dir.exists());
    Ok(())
}
