//! IRC (and Twitch-style chat). Work in progress on the `irc` branch; this
//! placeholder only reads the config and refuses to start.

use super::{BoxFuture, Connector, DeliveryError, EventSink, Executed, RateConfig, RateState};
use crate::action::DecidedAction;
use crate::store::Reversal;
use anyhow::{bail, Result};
use serde::Deserialize;
use std::path::Path;
use std::sync::Arc;
use tokio::sync::watch;

/// `[[connectors]] type = "irc"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IrcConfig {
    #[serde(default)]
    pub name: Option<String>,
    pub community: String,
    /// `host:port`.
    pub server: String,
    pub nick: String,
    #[serde(default)]
    pub channels: Vec<String>,
    #[serde(default)]
    pub rate: RateConfig,
}

pub struct Irc {
    name: String,
    config: IrcConfig,
}

impl Irc {
    pub fn new(_config: IrcConfig, _base_dir: &Path) -> Result<Irc> {
        bail!("connector type `irc` is not available in this build yet")
    }
}

impl Connector for Irc {
    fn name(&self) -> &str {
        &self.name
    }
    fn community(&self) -> &str {
        &self.config.community
    }
    fn stream(
        self: Arc<Self>,
        _cursor: Option<String>,
        _sink: EventSink,
        _shutdown: watch::Receiver<bool>,
    ) -> BoxFuture<'static, Result<()>> {
        Box::pin(async { bail!("irc: not available") })
    }
    fn execute<'a>(
        &'a self,
        _action: &'a DecidedAction,
        _key: &'a str,
    ) -> BoxFuture<'a, Result<Executed, DeliveryError>> {
        Box::pin(async { Err(DeliveryError::Permanent("irc: not available".into())) })
    }
    fn reverse<'a>(&'a self, _r: &'a Reversal) -> BoxFuture<'a, Result<String, DeliveryError>> {
        Box::pin(async { Err(DeliveryError::Permanent("irc: not available".into())) })
    }
    fn rate_state(&self) -> RateState {
        RateState::default()
    }
}
