//! The running host's control socket: while `vigie run` holds the store
//! (sled lets one process open it), `vigie audit`, `vigie dead-letters`,
//! `vigie shadow-report`, `vigie replay` and `vigie report` read it through
//! a Unix socket in the data directory instead.
//!
//! Local only: the socket is a file only its owner can open (mode 0600),
//! so whoever can open it is the host's operator. A request is one line:
//! `audit`, `dead-letters`, `shadow-log` (for `vigie shadow-report`),
//! `events` and `ticks` (the event log) or `actions` (the action log; all
//! for `vigie replay`), `review` (the review queue), or the one request
//! that writes: `decide {JSON}` (a moderator's decision for `vigie review
//! approve|reject`: `{"key", "by", "verdict", "note"}`). The answer is the
//! records as JSON Lines, then the host closes the connection. An unknown
//! or refused request gets one line `error: …`.

use crate::store::Store;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::watch;

/// The socket's file name in the data directory.
pub const SOCKET_NAME: &str = "vigie.sock";
/// Longest request line accepted (a decision carries a note).
const MAX_REQUEST: u64 = 8192;
/// How long a client may take to send its request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the host of `data_dir` listens.
pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET_NAME)
}

/// Serves requests until `shutdown` turns true, then removes the socket.
/// The caller holds the store, so a socket file left by a host that
/// crashed is stale and replaced.
pub async fn serve(
    data_dir: PathBuf,
    store: Arc<dyn Store>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<()> {
    let path = socket_path(&data_dir);
    if path.exists() {
        std::fs::remove_file(&path)
            .with_context(|| format!("cannot remove the stale socket {}", path.display()))?;
    }
    let listener = tokio::net::UnixListener::bind(&path)
        .with_context(|| format!("cannot listen on {}", path.display()))?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot restrict {}", path.display()))?;
    }
    tracing::debug!(socket = %path.display(), "control socket ready");
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let store = store.clone();
                    tokio::spawn(async move {
                        if let Err(e) = answer(stream, store).await {
                            tracing::debug!("control socket: {e:#}");
                        }
                    });
                }
                Err(e) => tracing::warn!("control socket: accept failed: {e}"),
            },
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    break;
                }
            }
        }
    }
    let _ = std::fs::remove_file(&path);
    Ok(())
}

async fn answer(stream: tokio::net::UnixStream, store: Arc<dyn Store>) -> Result<()> {
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    tokio::time::timeout(
        REQUEST_TIMEOUT,
        BufReader::new(read.take(MAX_REQUEST)).read_line(&mut line),
    )
    .await
    .context("no request in time")??;
    let records = tokio::task::spawn_blocking(move || -> Result<Vec<String>> {
        match line.trim() {
            "audit" => json_lines(&store.audit()?),
            "dead-letters" => json_lines(&store.dead_letters()?),
            "shadow-log" => json_lines(&store.shadow_log()?),
            "events" => json_lines(&store.events()?),
            "ticks" => json_lines(&store.ticks()?),
            "review" => json_lines(&store.review_queue()?),
            other if other.starts_with("decide ") => {
                let request: DecideRequest = serde_json::from_str(&other["decide ".len()..])
                    .context("a decision is `decide {\"key\", \"by\", \"verdict\", \"note\"}`")?;
                let key = request.key.clone();
                match store.decide(&key, request.into_decision()?) {
                    Ok(item) => json_lines(&[item]),
                    Err(e) => Ok(vec![format!("error: {e:#}")]),
                }
            }
            "actions" => json_lines(&store.actions()?),
            "contests" => {
                let actions = store.actions()?;
                let scopes = crate::contests::scopes_of_actions(store.as_ref(), &actions)?;
                json_lines(&crate::contests::list(store.as_ref(), &scopes)?)
            }
            other => Ok(vec![format!(
                "error: unknown request `{}` (audit, dead-letters, shadow-log, events, ticks, actions, contests, review, decide)",
                other.chars().take(40).collect::<String>()
            )]),
        }
    })
    .await??;
    let mut out = records.join("\n");
    out.push('\n');
    write.write_all(out.as_bytes()).await?;
    write.shutdown().await?;
    Ok(())
}

/// A review decision sent through the socket.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct DecideRequest {
    pub key: String,
    pub by: String,
    /// `approved` or `rejected`.
    pub verdict: String,
    #[serde(default)]
    pub note: Option<String>,
}

impl DecideRequest {
    pub fn into_decision(self) -> Result<crate::store::ReviewDecision> {
        use crate::store::Verdict;
        let verdict = match self.verdict.as_str() {
            "approved" => Verdict::Approved,
            "rejected" => Verdict::Rejected,
            other => bail!("verdict `{other}`: approved or rejected"),
        };
        Ok(crate::store::ReviewDecision {
            by: self.by,
            at_ms: crate::connector::now_ms(),
            verdict,
            note: self.note,
        })
    }
}

/// One JSON line per record.
fn json_lines<T: serde::Serialize>(records: &[T]) -> Result<Vec<String>> {
    records
        .iter()
        .map(|r| serde_json::to_string(r).map_err(anyhow::Error::from))
        .collect()
}

/// Asks the host running on `data_dir` (blocking): the answer's lines.
pub fn ask(data_dir: &Path, request: &str) -> Result<Vec<String>> {
    use std::io::{Read, Write};
    let path = socket_path(data_dir);
    let mut stream = std::os::unix::net::UnixStream::connect(&path).with_context(|| {
        format!(
            "cannot reach the running vigie through {} (if none runs, the socket is stale: \
             delete it)",
            path.display()
        )
    })?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    stream.write_all(format!("{request}\n").as_bytes())?;
    let mut text = String::new();
    stream
        .read_to_string(&mut text)
        .context("the running vigie did not answer")?;
    let lines: Vec<String> = text
        .lines()
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    if let Some(error) = lines.first().and_then(|l| l.strip_prefix("error: ")) {
        bail!("the running vigie refused `{request}`: {error}");
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SledStore;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn answers_read_only_requests_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        // A socket file left by a host that crashed is replaced.
        std::fs::write(socket_path(dir.path()), "stale").unwrap();
        let store: Arc<dyn Store> = Arc::new(SledStore::temporary().unwrap());
        let (stop, shutdown) = watch::channel(false);
        let serving = tokio::spawn(serve(dir.path().to_path_buf(), store, shutdown));
        let path = socket_path(dir.path());
        let data_dir = dir.path().to_path_buf();
        let answers = tokio::task::spawn_blocking(move || {
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while std::os::unix::net::UnixStream::connect(&path).is_err() {
                assert!(
                    std::time::Instant::now() < deadline,
                    "the socket never opened"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            (
                mode,
                ask(&data_dir, "audit").map_err(|e| e.to_string()),
                ask(&data_dir, "shutdown").map_err(|e| e.to_string()),
                ask(&data_dir, "events").map_err(|e| e.to_string()),
                ask(&data_dir, "actions").map_err(|e| e.to_string()),
            )
        })
        .await
        .unwrap();
        assert_eq!(answers.0, 0o600);
        assert_eq!(answers.1, Ok(Vec::new()));
        assert_eq!(answers.3, Ok(Vec::new()));
        assert_eq!(answers.4, Ok(Vec::new()));
        assert!(
            answers
                .2
                .as_ref()
                .is_err_and(|e| e.contains("unknown request")),
            "{:?}",
            answers.2
        );
        stop.send(true).unwrap();
        serving.await.unwrap().unwrap();
        assert!(!socket_path(dir.path()).exists());
    }
}
