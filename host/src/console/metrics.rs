//! `/metrics`: the host's counters in the Prometheus text format (0.0.4),
//! encoded by the `prometheus-client` crate, for a scraper that sends
//! `Authorization: Bearer TOKEN` (`[console] metrics_token`, from `env:`
//! or `file:`). Without a configured token the route answers 404; with a
//! missing or wrong one, 401.
//!
//! Each scrape reads the run's [`crate::stats::Stats`], the live feed's
//! counts, the queues and the store, and encodes them through a
//! [`Collector`]: the host keeps counting the way it always did, and the
//! exporter is a view of it. docs/console.md lists every metric.
//!
//! Plugin call latency is exported as a sum (`vigie_plugin_time_seconds`)
//! beside the handled events, not as a histogram: the chain measures a
//! call's time but keeps only the sum, and a histogram would need a hook
//! in the chain's hot path.

use super::server::Shared;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Registry;
use std::collections::BTreeMap;

/// Everything one scrape shows, read at once.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub summary: crate::stats::Summary,
    pub received: BTreeMap<String, u64>,
    pub actions: BTreeMap<(String, String), u64>,
    pub queue_sources: u64,
    pub queue_workers: u64,
    pub outbox: u64,
    pub dead_letters: u64,
}

type Labels = Vec<(&'static str, String)>;

fn counter_family(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    values: impl IntoIterator<Item = (Labels, u64)>,
) -> Result<(), std::fmt::Error> {
    let mut metric = encoder.encode_descriptor(
        name,
        help,
        None,
        prometheus_client::metrics::MetricType::Counter,
    )?;
    for (labels, value) in values {
        ConstCounter::new(value).encode(metric.encode_family(&labels)?)?;
    }
    Ok(())
}

fn counter(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: u64,
) -> Result<(), std::fmt::Error> {
    let c = ConstCounter::new(value);
    c.encode(encoder.encode_descriptor(name, help, None, c.metric_type())?)
}

fn gauge_family(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    values: impl IntoIterator<Item = (Labels, i64)>,
) -> Result<(), std::fmt::Error> {
    let mut metric = encoder.encode_descriptor(
        name,
        help,
        None,
        prometheus_client::metrics::MetricType::Gauge,
    )?;
    for (labels, value) in values {
        ConstGauge::new(value).encode(metric.encode_family(&labels)?)?;
    }
    Ok(())
}

fn gauge(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: i64,
) -> Result<(), std::fmt::Error> {
    let g = ConstGauge::new(value);
    g.encode(encoder.encode_descriptor(name, help, None, g.metric_type())?)
}

impl Collector for Snapshot {
    fn encode(&self, mut e: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let s = &self.summary;
        let by = |label: &'static str, map: &BTreeMap<String, u64>| -> Vec<(Labels, u64)> {
            map.iter()
                .map(|(k, v)| (vec![(label, k.clone())], *v))
                .collect()
        };
        counter_family(
            &mut e,
            "vigie_events_received",
            "Events the sources gave, by community.",
            by("community", &self.received),
        )?;
        counter_family(
            &mut e,
            "vigie_events_handled",
            "Events that went through their community's chain, by community.",
            by("community", &s.handled_by_community),
        )?;
        counter(
            &mut e,
            "vigie_events_already_handled",
            "Events skipped because they were handled before.",
            s.events_already_handled,
        )?;
        counter(
            &mut e,
            "vigie_events_rejected",
            "Input lines that were not valid events (kept in the store).",
            s.events_rejected,
        )?;
        counter(
            &mut e,
            "vigie_events_unrouted",
            "Events of communities without a chain (kept in the store).",
            s.events_unrouted,
        )?;
        counter_family(
            &mut e,
            "vigie_actions",
            "Decided actions, by plugin entry and kind.",
            self.actions.iter().map(|((plugin, kind), n)| {
                (vec![("plugin", plugin.clone()), ("kind", kind.clone())], *n)
            }),
        )?;
        counter_family(
            &mut e,
            "vigie_actions_not_granted",
            "Actions dropped because their plugin was not granted their kind, by plugin.",
            by("plugin", &s.actions_not_granted),
        )?;
        counter(
            &mut e,
            "vigie_plugin_calls",
            "Plugin calls made (a batch counts once).",
            s.plugin_calls,
        )?;
        counter_family(
            &mut e,
            "vigie_plugin_events",
            "Events each plugin handled without failing.",
            by("plugin", &s.plugin_events),
        )?;
        counter_family(
            &mut e,
            "vigie_plugin_errors",
            "Failed plugin calls, by plugin and cause (timeout, memory, trap, limit, error, host).",
            s.plugin_errors.iter().flat_map(|(plugin, causes)| {
                causes.iter().map(move |(cause, n)| {
                    (
                        vec![("plugin", plugin.clone()), ("cause", cause.clone())],
                        *n,
                    )
                })
            }),
        )?;
        {
            let mut metric = e.encode_descriptor(
                "vigie_plugin_time_seconds",
                "Time spent inside each plugin's calls (instantiation included); divide its rate by vigie_plugin_events' for the mean time per event.",
                None,
                prometheus_client::metrics::MetricType::Counter,
            )?;
            for (plugin, us) in &s.plugin_time_us {
                let labels: Labels = vec![("plugin", plugin.clone())];
                ConstCounter::new(*us as f64 / 1e6).encode(metric.encode_family(&labels)?)?;
            }
        }
        counter(
            &mut e,
            "vigie_quarantines",
            "Plugins quarantined in a community after failures in a row.",
            s.quarantined.len() as u64,
        )?;
        gauge(
            &mut e,
            "vigie_quarantined",
            "Quarantines in force (plugin and community pairs; a reload or an admin lifts them).",
            s.quarantined_now.len() as i64,
        )?;
        gauge_family(
            &mut e,
            "vigie_queue_depth",
            "Items waiting: from the sources to the router (sources), and in the community workers' queues (workers).",
            [
                (vec![("queue", "sources".to_string())], self.queue_sources as i64),
                (vec![("queue", "workers".to_string())], self.queue_workers as i64),
            ],
        )?;
        gauge(
            &mut e,
            "vigie_outbox_depth",
            "Actions waiting in the outbox for a platform.",
            self.outbox as i64,
        )?;
        gauge(
            &mut e,
            "vigie_dead_letters",
            "Dead letters kept in the store (actions that failed for good).",
            self.dead_letters as i64,
        )?;
        counter(
            &mut e,
            "vigie_actions_dead_lettered",
            "Actions that failed for good on a platform since the host started.",
            s.dead_letters,
        )?;
        gauge(
            &mut e,
            "vigie_instances_alive",
            "Plugin instances the communities hold.",
            s.instances_alive,
        )?;
        counter(
            &mut e,
            "vigie_evictions",
            "Times an idle community's instances were dropped to stay within the memory budget or the pool.",
            s.evictions,
        )?;
        counter(
            &mut e,
            "vigie_instances_evicted",
            "Instances those evictions dropped.",
            s.instances_evicted,
        )?;
        counter(
            &mut e,
            "vigie_host_retries",
            "Times events were undone and run again because the host had no instance to give.",
            s.host_retries,
        )?;
        Ok(())
    }
}

/// The text a scrape gets.
pub fn render(snapshot: Snapshot) -> Result<String, std::fmt::Error> {
    let mut registry = Registry::default();
    registry.register_collector(Box::new(snapshot));
    let mut out = String::new();
    prometheus_client::encoding::prometheus_text::encode(&mut out, &registry)?;
    Ok(out)
}

async fn snapshot(state: &Shared) -> Snapshot {
    let observer = &state.observer;
    let counts = observer.feed.counts();
    let (sources, workers) = observer.queue_depth();
    let store = state.store.clone();
    let (outbox, dead) = tokio::task::spawn_blocking(move || {
        (
            store.outbox_depth().unwrap_or(0),
            store.dead_letter_count().unwrap_or(0),
        )
    })
    .await
    .unwrap_or((0, 0));
    Snapshot {
        summary: observer.stats.snapshot(),
        received: counts.received,
        actions: counts.actions,
        queue_sources: sources as u64,
        queue_workers: workers as u64,
        outbox,
        dead_letters: dead,
    }
}

pub async fn serve(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let Some(token) = &state.metrics_token else {
        return (
            StatusCode::NOT_FOUND,
            "metrics are off: set [console] metrics_token = \"env:NAME\" (or file:PATH)\n",
        )
            .into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if !given.is_some_and(|g| super::auth::same_secret(g, token.expose())) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "401: send Authorization: Bearer TOKEN ([console] metrics_token)\n",
        )
            .into_response();
    }
    match render(snapshot(&state).await) {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                prometheus_client::encoding::prometheus_text::CONTENT_TYPE,
            )],
            text,
        )
            .into_response(),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "cannot encode the metrics\n",
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_is_encoded() {
        let mut snapshot = Snapshot::default();
        snapshot.received.insert("acme".into(), 3);
        snapshot
            .summary
            .handled_by_community
            .insert("acme".into(), 2);
        snapshot.actions.insert(("faq".into(), "reply".into()), 1);
        snapshot.summary.plugin_time_us.insert("faq".into(), 1500);
        snapshot.outbox = 4;
        let text = render(snapshot).unwrap();
        for line in [
            "vigie_events_received_total{community=\"acme\"} 3",
            "vigie_events_handled_total{community=\"acme\"} 2",
            "vigie_actions_total{plugin=\"faq\",kind=\"reply\"} 1",
            "vigie_plugin_time_seconds_total{plugin=\"faq\"} 0.0015",
            "vigie_outbox_depth 4",
            "vigie_queue_depth{queue=\"workers\"} 0",
        ] {
            assert!(text.contains(line), "{line} in:\n{text}");
        }
        assert!(
            text.contains("# TYPE vigie_instances_alive gauge"),
            "{text}"
        );
    }
}
