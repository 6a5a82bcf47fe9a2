//! Settings that cannot work fail the boot with a message that says what to change, rather
//! than run something else.

use std::sync::Arc;

use channels_api::{Config, Settings};

async fn boot_error(settings: Settings) -> String {
    match channels::platform::builder().replace::<dyn Config>(Arc::new(settings)).boot().await {
        Ok(platform) => {
            let _ = platform.stop().await;
            panic!("the platform booted")
        }
        Err(error) => format!("{error:#}"),
    }
}

#[tokio::test]
async fn a_database_url_that_is_not_postgres_is_refused() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let settings = Settings {
        database_url: Some("mysql://db/channels".into()),
        ..crate::base::settings(dir.path())
    };
    let error = boot_error(settings).await;
    assert!(error.contains("scheme `mysql`") && error.contains("postgres://"), "{error}");
    Ok(())
}

#[tokio::test]
async fn a_broker_without_a_shared_database_is_refused() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let settings = Settings {
        nats_url: Some("nats://127.0.0.1:4222".into()),
        ..crate::base::settings(dir.path())
    };
    let error = boot_error(settings).await;
    assert!(error.contains("`database_url`"), "{error}");
    Ok(())
}
