//! Community actors: each community's chain (its plugin instances) is owned
//! by exactly one actor, which handles the community's events strictly in
//! order. Actors live on a fixed set of worker threads, a community always
//! on the same one (by hash), so thousands of communities need no more
//! threads than cores, and communities on different workers run in
//! parallel. Events that queue up are handed to plugins in batches; ticks
//! run when the community's event time crosses a tick boundary.
//!
//! Group commit: what a community runs at once (up to
//! [`BATCHES_PER_COMMIT`] batches, only events already waiting) is
//! committed to the store in one atomic write (state, handled marks,
//! actions) before any of its actions go to the executor. Each commit costs
//! sled two log-buffer seals and a wake of its writer threads, so on a busy
//! core fewer, larger commits are what keeps persistence cheap; when the
//! queue is quiet a commit holds a single event, so latency does not grow.
//!
//! A worker reads ahead of what it runs (a bounded [`Window`]) and runs the
//! communities round robin, each with all its events waiting: under load a
//! community's backlog shares one set of instances and one commit, however
//! its events were interleaved with other communities' on the way in.

use crate::action::DecidedAction;
use crate::chain::{Chain, HostFailure, PluginDef, Ticked};
use crate::event::{Event, Label, HOST_LABELLER, SENT_BY_LABEL, SENT_FOR_LABEL};
use crate::runtime::Secret;
use crate::stats::Stats;
use crate::store::{Commit, OutboxEntry, ReviewItem, Store, TickAt};
use anyhow::{Context, Result};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// What every actor of a worker shares.
#[derive(Clone)]
pub(crate) struct Shared {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) secret: Arc<Secret>,
    pub(crate) stats: Arc<Stats>,
    pub(crate) plans: mpsc::UnboundedSender<Vec<DecidedAction>>,
    pub(crate) batch_size: usize,
    /// `runtime.read_ahead`: the most events a worker's window holds.
    pub(crate) read_ahead_events: usize,
    pub(crate) tick_every_ms: i64,
    pub(crate) delivery: Arc<DeliveryRoutes>,
    /// The chains in force (replaced on hot reload).
    pub(crate) live: Arc<crate::router::LiveRoutes>,
    /// Each worker's share of the instance memory budget and pool.
    pub(crate) instance_budget: InstanceBudget,
    /// Events the workers hold read ahead (their windows), for the
    /// console's queue metric.
    pub(crate) read_ahead: Arc<AtomicUsize>,
}

/// Which connector executes a community's actions: the one the event came
/// from, else the community's first connector. Each connector's delivery
/// task is woken after a commit that gave it work.
#[derive(Default)]
pub(crate) struct DeliveryRoutes {
    pub(crate) wakers: HashMap<String, Arc<tokio::sync::Notify>>,
    pub(crate) by_community: HashMap<String, String>,
}

/// How many plugin batches (`runtime.batch_size` events each) a worker
/// takes from its queue at once, and so at most how many one commit covers.
pub const BATCHES_PER_COMMIT: usize = 4;

/// An event for a worker; `chain` comes with a community's first event.
pub(crate) enum WorkItem {
    /// An event, with its community's chain when it is the first.
    Event {
        event: Box<Event>,
        chain: Option<Vec<Arc<PluginDef>>>,
    },
    /// The wall clock (live runs): the community's ticks are due up to
    /// `now_ms`, whether or not events come.
    Clock {
        community: String,
        now_ms: i64,
        chain: Option<Vec<Arc<PluginDef>>>,
    },
}

/// How many bytes of events a worker holds read ahead of what it runs (at
/// most `runtime.read_ahead` events). Under load, the window fills and a
/// community's events that arrived meanwhile are run together: one set of
/// instances and one commit serve them all, so a host with thousands of
/// busy communities handles each one's backlog in a few runs instead of one
/// run per event. When the host keeps up, the window holds an event or two
/// and nothing waits for it.
const WINDOW_BYTES: usize = 32 * 1024 * 1024;

/// What a worker has read from its queue and not run yet: each community's
/// events in order, and the communities in the order they became ready
/// (round robin: a community with more than one run's worth goes to the
/// back after each run).
#[derive(Default)]
struct Window {
    by_community: HashMap<String, (VecDeque<Event>, Option<i64>)>,
    ready: VecDeque<String>,
    events: usize,
    bytes: usize,
    max_events: usize,
}

impl Window {
    fn is_full(&self) -> bool {
        self.events >= self.max_events || self.bytes >= WINDOW_BYTES
    }

    fn is_empty(&self) -> bool {
        self.ready.is_empty()
    }

    /// Adds an item; a community's first item makes its actor.
    fn add(
        &mut self,
        item: WorkItem,
        actors: &mut HashMap<String, CommunityActor>,
        shared: &Shared,
    ) {
        let (community, chain) = match &item {
            WorkItem::Event { event, chain } => (&event.community, chain),
            WorkItem::Clock {
                community, chain, ..
            } => (community, chain),
        };
        if let Some(chain) = chain {
            actors
                .entry(community.clone())
                .or_insert_with(|| CommunityActor::new(community, chain.clone(), shared));
        }
        if !self.by_community.contains_key(community) {
            self.ready.push_back(community.clone());
        }
        let group = self.by_community.entry(community.clone()).or_default();
        match item {
            WorkItem::Event { event, .. } => {
                shared.read_ahead.fetch_add(1, Ordering::Relaxed);
                self.events += 1;
                self.bytes += event_weight(&event);
                group.0.push_back(*event);
            }
            // The wall clock's ticks run after the community's events.
            WorkItem::Clock { now_ms, .. } => {
                group.1 = Some(group.1.map_or(now_ms, |t: i64| t.max(now_ms)))
            }
        }
    }

    /// The next community to run and up to `max` of its events (with its
    /// clock when they are all taken).
    fn next(
        &mut self,
        max: usize,
        read_ahead: &AtomicUsize,
    ) -> Option<(String, Vec<Event>, Option<i64>)> {
        let community = self.ready.pop_front()?;
        let Some(group) = self.by_community.get_mut(&community) else {
            return Some((community, Vec::new(), None));
        };
        let take = group.0.len().min(max.max(1));
        let events: Vec<Event> = group.0.drain(..take).collect();
        self.events -= events.len();
        read_ahead.fetch_sub(events.len(), Ordering::Relaxed);
        self.bytes = self
            .bytes
            .saturating_sub(events.iter().map(event_weight).sum());
        if group.0.is_empty() {
            let clock = group.1;
            self.by_community.remove(&community);
            Some((community, events, clock))
        } else {
            self.ready.push_back(community.clone());
            Some((community, events, None))
        }
    }
}

/// About what an event holds in memory.
fn event_weight(event: &Event) -> usize {
    256 + event.text.len()
}

/// Runs one worker thread until its queue closes. Blocking: plugin calls
/// are CPU-bound (bounded by their deadlines) and WASI's synchronous
/// bindings must not run on an async worker.
pub(crate) fn run_worker(mut queue: mpsc::Receiver<WorkItem>, shared: Shared) -> Result<()> {
    let mut actors: HashMap<String, CommunityActor> = HashMap::new();
    let mut residency = Residency::new(shared.instance_budget);
    let mut window = Window {
        max_events: shared.read_ahead_events.max(1),
        ..Window::default()
    };
    let per_run = shared.batch_size * BATCHES_PER_COMMIT;
    loop {
        if window.is_empty() {
            match queue.blocking_recv() {
                Some(item) => window.add(item, &mut actors, &shared),
                None => return Ok(()),
            }
        }
        // Latency first: only take what is already waiting.
        while !window.is_full() {
            match queue.try_recv() {
                Ok(item) => window.add(item, &mut actors, &shared),
                Err(_) => break,
            }
        }
        let Some((community, events, clock)) = window.next(per_run, &shared.read_ahead) else {
            continue;
        };
        run_community(
            &mut actors,
            &mut residency,
            &community,
            events,
            clock,
            &shared,
        )
        .with_context(|| format!("community `{community}`"))?;
    }
}

/// How long a community waits for an instance the host cannot give (the
/// pool is full and this worker has nothing left to evict) before the run
/// stops. Its events are not marked handled: the next run handles them.
const HOST_FAILURE_PATIENCE: Duration = Duration::from_secs(120);

/// Handles one community's events from one drain of the queue: makes room
/// for its instances first, then runs and commits them. When the host
/// cannot give an instance, what was not committed is undone and tried
/// again after evicting more, or after a pause: an event is never marked
/// handled that a plugin of its chain did not see.
fn run_community(
    actors: &mut HashMap<String, CommunityActor>,
    residency: &mut Residency,
    community: &str,
    mut events: Vec<Event>,
    clock: Option<i64>,
    shared: &Shared,
) -> Result<()> {
    let started = Instant::now();
    let event_count = events.len().min(u32::MAX as usize) as u32;
    let mut pause = Duration::from_millis(5);
    let mut last_report = Instant::now();
    let cold = actors
        .get(community)
        .is_some_and(|actor| actor.chain.live_instances() == 0);
    loop {
        let Some(actor) = actors.get(community) else {
            return Ok(());
        };
        let needed = (
            actor.chain.missing_memory_bytes(),
            actor.chain.live_instances(),
        );
        residency.make_room(actors, community, needed, &shared.stats);
        let Some(actor) = actors.get_mut(community) else {
            return Ok(());
        };
        let before = (actor.chain.memory_bytes(), actor.chain.live_instances());
        let outcome = actor.run(events, clock, shared.batch_size);
        let after = (actor.chain.memory_bytes(), actor.chain.live_instances());
        residency.used(community, before, after);
        if after.1 != before.1 {
            let made = after.1 as i64 - before.1 as i64;
            shared.stats.update(|s| s.instances_alive += made);
        }
        let Some(retry) = outcome? else {
            shared.stats.update(|s| s.community_runs += 1);
            if cold {
                let us = started.elapsed().as_micros().min(u32::MAX as u128) as u32;
                shared.stats.update(|s| {
                    // Enough for percentiles; a long-running host stops adding.
                    if s.cold_runs_us.len() < 1 << 20 {
                        s.cold_runs_us.push((us, event_count))
                    }
                });
            }
            return Ok(());
        };
        events = retry.events;
        shared.stats.update(|s| s.host_retries += 1);
        // Room first: the least recently used community of this worker.
        if residency.evict_one(actors, community, &shared.stats) {
            tracing::debug!(
                "{}; evicted an idle community and trying again",
                retry.cause
            );
            continue;
        }
        if started.elapsed() > HOST_FAILURE_PATIENCE {
            anyhow::bail!(
                "{}; gave up after {:?}: {} event(s) of this community were not handled \
                 (they will be on the next run)",
                retry.cause,
                HOST_FAILURE_PATIENCE,
                events.len()
            );
        }
        if last_report.elapsed() > Duration::from_secs(10) || pause == Duration::from_millis(5) {
            tracing::warn!(
                "{}; nothing left to evict on this worker, waiting ({} event(s) held, none lost)",
                retry.cause,
                events.len()
            );
            last_report = Instant::now();
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_secs(1));
    }
}

/// How much instance memory (and how many instances) one worker may keep,
/// its share of `runtime.memory_budget_mib` and of the instance pool.
#[derive(Clone, Copy, Debug)]
pub(crate) struct InstanceBudget {
    pub(crate) bytes: u64,
    pub(crate) instances: usize,
}

/// Which communities of a worker hold instances, least recently used
/// first, and how much they hold. Instances are a cache: evicting a
/// community drops them, its next event makes them again.
struct Residency {
    budget: InstanceBudget,
    bytes: u64,
    instances: usize,
    clock: u64,
    /// Last use of each community holding instances.
    last_use: HashMap<String, u64>,
    by_age: BTreeMap<u64, String>,
}

impl Residency {
    fn new(budget: InstanceBudget) -> Self {
        Residency {
            budget,
            bytes: 0,
            instances: 0,
            clock: 0,
            last_use: HashMap::new(),
            by_age: BTreeMap::new(),
        }
    }

    /// Records what a community holds after running, and marks it used.
    fn used(&mut self, community: &str, before: (u64, usize), after: (u64, usize)) {
        self.bytes = (self.bytes + after.0).saturating_sub(before.0);
        self.instances = (self.instances + after.1).saturating_sub(before.1);
        if let Some(stamp) = self.last_use.remove(community) {
            self.by_age.remove(&stamp);
        }
        if after.1 > 0 {
            self.clock += 1;
            self.last_use.insert(community.to_string(), self.clock);
            self.by_age.insert(self.clock, community.to_string());
        }
    }

    /// Evicts least recently used communities (never `keep`) until
    /// `needed` more fits in the budget.
    fn make_room(
        &mut self,
        actors: &mut HashMap<String, CommunityActor>,
        keep: &str,
        needed: (u64, usize),
        stats: &Stats,
    ) {
        while (self.bytes + needed.0 > self.budget.bytes
            || self.instances + needed.1 > self.budget.instances)
            && self.evict_one(actors, keep, stats)
        {}
    }

    /// Evicts one of the least recently used communities other than
    /// `keep`; false when there is none.
    ///
    /// Among the [`EVICTION_CANDIDATES`] oldest, the one whose chain shares
    /// the most plugin entries with `keep`'s goes: the pool slots it frees
    /// hold those entries' memory images, and the allocator gives a slot
    /// back to the same component, so `keep`'s instances start in memory
    /// already mapped. With a hundred FAQ configs among thousands of
    /// communities, a slot last used by another config has to be mapped
    /// again and faults on every page the first event touches (a third of
    /// a cold community's time on the tenancy bench).
    fn evict_one(
        &mut self,
        actors: &mut HashMap<String, CommunityActor>,
        keep: &str,
        stats: &Stats,
    ) -> bool {
        let wanted: Vec<usize> = actors
            .get(keep)
            .map(|a| a.chain.images().collect())
            .unwrap_or_default();
        let shared_entries = |community: &str| {
            actors.get(community).map_or(0, |actor| {
                actor
                    .chain
                    .images()
                    .filter(|image| wanted.contains(image))
                    .count()
            })
        };
        let mut victim: Option<(u64, usize)> = None;
        for (&stamp, community) in self
            .by_age
            .iter()
            .filter(|(_, c)| c.as_str() != keep)
            .take(EVICTION_CANDIDATES)
        {
            let shared = shared_entries(community);
            if victim.is_none_or(|(_, best)| shared > best) {
                victim = Some((stamp, shared));
                if shared == wanted.len() {
                    break;
                }
            }
        }
        let Some((stamp, _)) = victim else {
            return false;
        };
        let Some(community) = self.by_age.remove(&stamp) else {
            return false;
        };
        self.last_use.remove(&community);
        if let Some(actor) = actors.get_mut(&community) {
            let held = (actor.chain.memory_bytes(), actor.chain.live_instances());
            actor.chain.evict();
            self.bytes = self.bytes.saturating_sub(held.0);
            self.instances = self.instances.saturating_sub(held.1);
            stats.update(|s| {
                s.evictions += 1;
                s.instances_evicted += held.1 as u64;
                s.instances_alive -= held.1 as i64;
            });
            tracing::debug!(
                community,
                instances = held.1,
                "evicted a least recently used community's plugin instances"
            );
        }
        true
    }
}

/// How many of a worker's least recently used communities eviction picks
/// from (see [`Residency::evict_one`]): enough to find one with the same
/// plugin entries among a hundred configs, few enough that what goes was
/// idle about as long as the oldest.
const EVICTION_CANDIDATES: usize = 64;

/// Events to run again after a host failure, and why.
pub(crate) struct Retry {
    pub(crate) events: Vec<Event>,
    pub(crate) cause: HostFailure,
}

/// One community's chain and tick clock.
pub struct CommunityActor {
    chain: Chain,
    store: Arc<dyn Store>,
    stats: Arc<Stats>,
    plans: mpsc::UnboundedSender<Vec<DecidedAction>>,
    tick_every_ms: i64,
    /// The next tick boundary in event time; set by the first event.
    next_tick_ms: Option<i64>,
    /// `next_tick_ms` as of the last commit, to roll back to.
    committed_next_tick_ms: Option<i64>,
    delivery: Arc<DeliveryRoutes>,
    /// The community's first connector (actions of ticks, of events from
    /// elsewhere).
    default_connector: Option<String>,
    community: String,
    live: Arc<crate::router::LiveRoutes>,
    /// The routes generation this chain was last brought up to date with.
    generation: u64,
    /// Handled since the last commit (the chain holds the matching
    /// key-value writes and shadow records until then).
    pending: Pending,
}

/// What a community has handled but not yet committed.
#[derive(Default)]
struct Pending {
    handled: Vec<Event>,
    /// Ids of `handled`, so a duplicate within one commit is caught before
    /// the store knows the first copy.
    ids: HashSet<String>,
    /// Ticks to log, placed among `handled`.
    ticks: Vec<TickAt>,
    actions: Vec<DecidedAction>,
    outbox: Vec<OutboxEntry>,
    review: Vec<ReviewItem>,
}

impl CommunityActor {
    pub(crate) fn new(community: &str, plugins: Vec<Arc<PluginDef>>, shared: &Shared) -> Self {
        CommunityActor {
            chain: Chain::new(
                community,
                plugins,
                shared.store.clone(),
                shared.secret.clone(),
            ),
            store: shared.store.clone(),
            stats: shared.stats.clone(),
            plans: shared.plans.clone(),
            tick_every_ms: shared.tick_every_ms,
            next_tick_ms: None,
            committed_next_tick_ms: None,
            delivery: shared.delivery.clone(),
            default_connector: shared.delivery.by_community.get(community).cloned(),
            community: community.to_string(),
            live: shared.live.clone(),
            // The chain came from the router a moment ago: check at once
            // that no reload happened in between.
            generation: u64::MAX,
            pending: Pending::default(),
        }
    }

    /// Plugin instances this community holds (the cluster's processing
    /// threads bound them as the workers do).
    pub(crate) fn live_instances(&self) -> usize {
        self.chain.live_instances()
    }

    /// Takes a reload between two batches: never half a chain. What the
    /// old chain handled is committed first, while its instances still
    /// hold their key-value writes.
    fn follow_reloads(&mut self) -> Result<()> {
        let generation = self.live.generation();
        if generation != self.generation {
            self.commit()?;
            if let Some(plugins) = self.live.chain_for(&self.community) {
                self.chain.update(&plugins);
            }
            for plugin in self.live.take_lifts(&self.community) {
                self.chain.lift_quarantine(&plugin);
            }
            // What a reload or the console lifted is no longer in force.
            let still = self.chain.quarantined();
            let community = &self.community;
            self.stats.update(|s| {
                s.quarantined_now
                    .retain(|(plugin, c), _| c != community || still.contains(plugin))
            });
            self.generation = generation;
        }
        Ok(())
    }

    /// Handles events (in batches of `batch_size`) and commits them. On a
    /// host failure, what was not committed is undone and handed back, in
    /// order, to be run again.
    pub(crate) fn run(
        &mut self,
        events: Vec<Event>,
        clock: Option<i64>,
        batch_size: usize,
    ) -> Result<Option<Retry>> {
        let chunks: Vec<&[Event]> = events.chunks(batch_size.max(1)).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            if let Err(cause) = self.process(chunk.to_vec())? {
                let handled = self.roll_back();
                let done: HashSet<&str> = handled.iter().map(|e| e.id.as_str()).collect();
                let rest: Vec<Event> = chunks[i..]
                    .iter()
                    .flat_map(|c| c.iter())
                    .filter(|e| !done.contains(e.id.as_str()))
                    .cloned()
                    .collect();
                let mut events = handled;
                events.extend(rest);
                return Ok(Some(Retry { events, cause }));
            }
        }
        if let Some(now) = clock {
            if let Err(cause) = self.clock_tick(now)? {
                let events = self.roll_back();
                return Ok(Some(Retry { events, cause }));
            }
        }
        self.commit()?;
        Ok(None)
    }

    /// The wall clock says it is `now`: one tick, at the last boundary
    /// crossed, when one is due. The run's first clock for a community (a
    /// start, a restart) ticks at once with the current time: the plugins
    /// see the gap and decide; missed ticks are never run in a burst.
    fn clock_tick(&mut self, now: i64) -> Result<Result<(), HostFailure>> {
        self.follow_reloads()?;
        if self.next_tick_ms.is_some_and(|next| now < next) {
            return Ok(Ok(()));
        }
        Ok(self.tick(now))
    }

    /// One tick at the last boundary at or before `t`; the next is due at
    /// the boundary after `t`. Its effects wait for [`Self::commit`].
    fn tick(&mut self, t: i64) -> Result<(), HostFailure> {
        let at = latest_boundary(t, self.tick_every_ms);
        let Ticked {
            plan,
            did_something,
        } = self.chain.tick(at, &self.stats)?;
        if did_something {
            self.pending.ticks.push(TickAt {
                community: self.community.clone(),
                at_ms: at,
                after_events: self.pending.handled.len(),
            });
        }
        self.queue_for_delivery(&format!("tick@{at}"), None, &plan);
        self.pending.actions.extend(plan);
        self.next_tick_ms = Some(next_boundary(t, self.tick_every_ms));
        Ok(())
    }

    /// Forgets everything since the last commit: the chain's instances and
    /// what they staged, the pending plans, the tick clock. Returns the
    /// events that had been handled since, in order.
    fn roll_back(&mut self) -> Vec<Event> {
        let pending = std::mem::take(&mut self.pending);
        self.chain.roll_back();
        self.next_tick_ms = self.committed_next_tick_ms;
        pending.handled
    }

    /// Runs one batch through the chain; its effects wait for [`Self::commit`].
    fn process(&mut self, batch: Vec<Event>) -> Result<Result<(), HostFailure>> {
        self.follow_reloads()?;
        let mut fresh = Vec::with_capacity(batch.len());
        for mut event in batch {
            if self.pending.ids.contains(&event.id)
                || self.store.was_handled(&event.community, &event.id)?
            {
                self.stats.update(|s| s.events_already_handled += 1);
                continue;
            }
            self.pending.ids.insert(event.id.clone());
            self.label_answers_to_the_bot(&mut event);
            fresh.push(event);
        }
        // Split at tick boundaries so ticks run between the right events.
        let mut start = 0;
        for i in 0..fresh.len() {
            let t = fresh[i].timestamp_ms();
            let boundary = *self
                .next_tick_ms
                .get_or_insert_with(|| next_boundary(t, self.tick_every_ms));
            if t >= boundary {
                if let Err(failure) = self.handle(&fresh[start..i]) {
                    return Ok(Err(failure));
                }
                start = i;
                // One tick, at the last boundary the event crossed: after a
                // quiet gap, plugins see the time it is now (a contest
                // whose end fell in the gap closes), never a burst of
                // missed ticks nor the oldest of them.
                if let Err(failure) = self.tick(t) {
                    return Ok(Err(failure));
                }
            }
        }
        Ok(self.handle(&fresh[start..]))
    }

    /// A reaction or a reply to one of the bot's own messages gets labels
    /// naming the plugin that sent it and the event it was answering
    /// ([`SENT_BY_LABEL`], [`SENT_FOR_LABEL`]), before it is logged, so a
    /// replay sees the same event.
    fn label_answers_to_the_bot(&self, event: &mut Event) {
        let Some(target) = event
            .target_message
            .as_deref()
            .or(event.reply_to.as_deref())
        else {
            return;
        };
        let labelled = |l: &Label| l.plugin == HOST_LABELLER && l.key == SENT_BY_LABEL;
        if event.labels.iter().any(labelled) {
            return;
        }
        // The labels are a convenience: a record that cannot be read costs
        // them, not the event.
        let sent = match self.store.sent_message(&event.community, target) {
            Ok(Some(sent)) => sent,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(
                    community = event.community,
                    "cannot tell who sent message {target}: {e:#}"
                );
                return;
            }
        };
        let label = |key: &str, note: String| Label {
            key: key.into(),
            value: 1.0,
            note: Some(note),
            plugin: HOST_LABELLER.into(),
        };
        event.labels.push(label(SENT_BY_LABEL, sent.plugin));
        if let Some(origin) = sent.origin {
            event.labels.push(label(SENT_FOR_LABEL, origin));
        }
    }

    fn handle(&mut self, events: &[Event]) -> Result<(), HostFailure> {
        if events.is_empty() {
            return Ok(());
        }
        let plans = self.chain.handle(events, &self.stats)?;
        for (event, plan) in events.iter().zip(&plans) {
            // Staff are exempt from most first-party rules: a newcomer
            // testing alone in their own room sees why nothing happens.
            tracing::info!(
                community = event.community,
                event = event.id,
                author = event.author.id,
                staff = event.author.is_staff,
                "{}",
                match plan.len() {
                    0 => "no action".to_string(),
                    n => format!("{n} action(s)"),
                }
            );
        }
        let news = self.chain.take_news();
        if !news.is_empty() {
            self.live.note(news);
        }
        if self.default_connector.is_some() {
            for (event, plan) in events.iter().zip(&plans) {
                self.queue_for_delivery(&event.id, Some(event), plan);
            }
        }
        self.pending.actions.extend(plans.into_iter().flatten());
        self.pending.handled.extend_from_slice(events);
        Ok(())
    }

    /// The plan's actions that a platform carries out, keyed by (origin,
    /// plugin, index among that plugin's actions for that origin), into the
    /// pending outbox; those the plugin's entry holds for review (and every
    /// flag) into the pending review queue instead (a flag: as well).
    fn queue_for_delivery(&mut self, origin: &str, event: Option<&Event>, plan: &[DecidedAction]) {
        let connector = match event {
            Some(e) if self.delivery.wakers.contains_key(&e.platform) => &e.platform,
            _ => match &self.default_connector {
                Some(c) => c,
                None => return,
            },
        };
        let mut index: HashMap<&str, usize> = HashMap::new();
        let decided_at_ms = crate::connector::now_ms();
        for action in plan {
            let i = index.entry(action.by.plugin.as_str()).or_default();
            let n = *i;
            *i += 1;
            let kind = action.action.kind();
            if !kind.is_executed() {
                continue;
            }
            let about_event = event.filter(|e| action.action.message_id() == Some(e.id.as_str()));
            let held = self.chain.holds_for_review(&action.by.plugin, kind);
            let entry = OutboxEntry {
                key: OutboxEntry::key_for(&action.community, origin, &action.by.plugin, n),
                connector: connector.clone(),
                action: action.clone(),
                // A moderator deciding sees the message; a deletion keeps it.
                evidence: if held || kind == crate::ActionKind::Flag {
                    event.map(|e| e.text.clone())
                } else {
                    about_event
                        .filter(|_| kind == crate::ActionKind::Delete)
                        .map(|e| e.text.clone())
                },
                target_user: action
                    .action
                    .user_id()
                    .map(String::from)
                    .or_else(|| about_event.map(|e| e.author.id.clone())),
                attempts: 0,
                decided_at_ms,
                approved_by: None,
            };
            if held || kind == crate::ActionKind::Flag {
                self.pending.review.push(ReviewItem {
                    entry: entry.clone(),
                    held,
                    queued_at_ms: decided_at_ms,
                    decision: None,
                    alerted_at_ms: None,
                });
            }
            if !held {
                self.pending.outbox.push(entry);
            }
        }
    }

    /// Writes everything handled since the last commit in one atomic store
    /// write; only then are its actions published and connectors woken.
    fn commit(&mut self) -> Result<()> {
        let Pending {
            handled,
            ids: _,
            ticks,
            actions,
            outbox,
            review,
        } = std::mem::take(&mut self.pending);
        let kv = self.chain.take_kv_writes();
        let shadow = self.chain.take_shadow();
        self.committed_next_tick_ms = self.next_tick_ms;
        if handled.is_empty()
            && review.is_empty()
            && ticks.is_empty()
            && actions.is_empty()
            && kv.is_empty()
            && shadow.is_empty()
        {
            return Ok(());
        }
        let handled_count = handled.len() as u64;
        let mut shadow_actions: BTreeMap<String, u64> = BTreeMap::new();
        for record in &shadow {
            *shadow_actions.entry(record.plugin.clone()).or_default() +=
                record.actions.len() as u64;
        }
        let wake: HashSet<String> = outbox.iter().map(|e| e.connector.clone()).collect();
        self.store.commit(Commit {
            kv,
            handled,
            ticks,
            review,
            actions: actions.clone(),
            outbox,
            shadow,
        })?;
        for connector in wake {
            if let Some(notify) = self.delivery.wakers.get(&connector) {
                notify.notify_one();
            }
        }
        self.stats.update(|s| {
            s.events_handled += handled_count;
            if handled_count > 0 {
                *s.handled_by_community
                    .entry(self.community.clone())
                    .or_default() += handled_count;
            }
            for (plugin, n) in shadow_actions {
                *s.shadow_actions.entry(plugin).or_default() += n;
            }
            for a in &actions {
                *s.actions
                    .entry(a.action.kind().name().to_string())
                    .or_default() += 1;
            }
        });
        if !actions.is_empty() {
            // The receiver only goes away when the host is shutting down.
            let _ = self.plans.send(actions);
        }
        Ok(())
    }
}

fn next_boundary(t: i64, every: i64) -> i64 {
    latest_boundary(t, every) + every
}

/// The last tick boundary at or before `t`.
fn latest_boundary(t: i64, every: i64) -> i64 {
    t.div_euclid(every) * every
}
