//! The helpers of `tests/integration/common.rs`, but every platform stores in a PostgreSQL
//! server of its own, so that the integration suite's tests run unchanged on PostgreSQL.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, PoisonError};

use channels_api::Settings;

// Everything else as in the integration suite; `settings` and `App` below take precedence.
#[allow(unused_imports, reason = "each included test uses its own part")]
pub(crate) use crate::base::*;
use crate::servers::Postgres;

/// Servers started by [`settings`] and not yet handed to an [`App`], by URL.
static STARTED: Mutex<Option<HashMap<String, Postgres>>> = Mutex::new(None);

/// The integration suite's settings, with a `database_url` of a new PostgreSQL server.
pub(crate) fn settings(dir: &Path) -> Settings {
    let postgres = Postgres::start().expect("PostgreSQL starts (is it installed? see .ci/run)");
    let url = postgres.url();
    STARTED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get_or_insert_with(HashMap::new)
        .insert(url.clone(), postgres);
    Settings { database_url: Some(url), ..crate::base::settings(dir) }
}

/// A running platform and the PostgreSQL server it uses, stopped after it.
pub(crate) struct App {
    app: crate::base::App,
    _postgres: Option<Postgres>,
}

impl App {
    fn take_server(settings: &Settings) -> Option<Postgres> {
        let url = settings.database_url.as_ref()?;
        STARTED.lock().unwrap_or_else(PoisonError::into_inner).as_mut()?.remove(url)
    }

    /// Boots every component.
    pub(crate) async fn boot(settings: Settings) -> anyhow::Result<App> {
        let postgres = App::take_server(&settings);
        Ok(App { app: crate::base::App::boot(settings).await?, _postgres: postgres })
    }

    /// Boots every component but `webhooks`.
    pub(crate) async fn boot_without_webhooks(settings: Settings) -> anyhow::Result<App> {
        let postgres = App::take_server(&settings);
        let app = crate::base::App::boot_without_webhooks(settings).await?;
        Ok(App { app, _postgres: postgres })
    }

    /// Stops the platform, then its PostgreSQL server.
    pub(crate) async fn stop(self) -> anyhow::Result<()> {
        self.app.stop().await
    }
}

/// The helpers of the integration suite take the platform they talk to by reference.
impl std::ops::Deref for App {
    type Target = crate::base::App;

    fn deref(&self) -> &crate::base::App {
        &self.app
    }
}
