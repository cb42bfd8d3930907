//! `vigie:plugin/log`: plugin log lines go to the host's log, tagged with the
//! plugin's name, cut to a sane length and rate limited per event.

use crate::runtime::state::PluginState;
use crate::runtime::wit::vigie::plugin::log::{self, Level};
use wasmtime::component::{HasSelf, Linker};

pub(crate) fn add_to_linker(linker: &mut Linker<PluginState>) -> wasmtime::Result<()> {
    log::add_to_linker::<_, HasSelf<_>>(linker, |s| s)
}

/// Longest log line kept, in characters.
const MAX_LINE: usize = 500;

impl log::Host for PluginState {
    fn write(&mut self, level: Level, message: String) -> wasmtime::Result<()> {
        if self.call.log_lines >= self.sandbox.max_log_lines {
            self.call.logs_dropped += 1;
            return Ok(());
        }
        self.call.log_lines += 1;
        // Plugins log at debug on every event; when nobody listens, the
        // line is not worth shortening and formatting.
        let wanted = match level {
            Level::Debug => tracing::enabled!(target: "vigie::plugin", tracing::Level::DEBUG),
            Level::Info => tracing::enabled!(target: "vigie::plugin", tracing::Level::INFO),
            Level::Warn => tracing::enabled!(target: "vigie::plugin", tracing::Level::WARN),
            Level::Error => tracing::enabled!(target: "vigie::plugin", tracing::Level::ERROR),
        };
        if !wanted {
            return Ok(());
        }
        let message: String = message.chars().take(MAX_LINE).collect();
        let plugin = self.plugin.as_str();
        match level {
            Level::Debug => tracing::debug!(target: "vigie::plugin", plugin, "{message}"),
            Level::Info => tracing::info!(target: "vigie::plugin", plugin, "{message}"),
            Level::Warn => tracing::warn!(target: "vigie::plugin", plugin, "{message}"),
            Level::Error => tracing::error!(target: "vigie::plugin", plugin, "{message}"),
        }
        Ok(())
    }
}
