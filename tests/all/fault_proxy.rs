//! A fault-injecting HTTP/1.1 proxy to put in front of a real homeserver:
//! it answers some requests itself with 429 (with `retry_after_ms`) or 500,
//! delays others, and for some forwards the request and then drops the
//! connection without answering (the request took effect; the client never
//! learns it). Every request it sees is recorded with its time.

use rand::{Rng, SeedableRng};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    None,
    TooManyRequests,
    ServerError,
    Slow,
    /// Forwarded, then the connection is closed with no answer.
    DropAfterForward,
}

/// Fault probabilities (in percent) for actions (`PUT …/send/…`,
/// `…/redact/…`) and for everything else.
#[derive(Clone)]
pub struct FaultPlan {
    pub action: [(Fault, u32); 4],
    pub other: [(Fault, u32); 4],
    /// The first N requests whose path contains the text get a 500, before
    /// anything else is considered (logins and joins included).
    pub fail_first: Vec<(&'static str, usize)>,
}

impl FaultPlan {
    /// Forwards everything, except what `fail_first` says.
    pub fn clean() -> FaultPlan {
        FaultPlan {
            action: [(Fault::None, 0); 4],
            other: [(Fault::None, 0); 4],
            fail_first: Vec::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Seen {
    pub at: Instant,
    pub method: String,
    pub path: String,
    pub fault: Fault,
}

pub struct FaultProxy {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl FaultProxy {
    pub fn start(upstream: &str, plan: FaultPlan, seed: u64) -> FaultProxy {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("proxy runtime");
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind proxy");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let rng = Arc::new(Mutex::new(rand::rngs::StdRng::seed_from_u64(seed)));
        let upstream = upstream.to_string();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .expect("proxy client");
        let s = seen.clone();
        let failed_first = Arc::new(Mutex::new(vec![0; plan.fail_first.len()]));
        runtime.spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let ctx = Ctx {
                    failed_first: failed_first.clone(),
                    upstream: upstream.clone(),
                    http: http.clone(),
                    plan: plan.clone(),
                    rng: rng.clone(),
                    seen: s.clone(),
                };
                tokio::spawn(async move {
                    let _ = ctx.serve(sock).await;
                });
            }
        });
        FaultProxy {
            url,
            seen,
            runtime: Some(runtime),
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

struct Ctx {
    failed_first: Arc<Mutex<Vec<usize>>>,
    upstream: String,
    http: reqwest::Client,
    plan: FaultPlan,
    rng: Arc<Mutex<rand::rngs::StdRng>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

pub fn is_action(method: &str, path: &str) -> bool {
    method == "PUT" && (path.contains("/send/") || path.contains("/redact/"))
}

impl Ctx {
    fn pick(&self, method: &str, path: &str) -> Fault {
        {
            let mut failed = self.failed_first.lock().unwrap_or_else(|p| p.into_inner());
            for (i, (pattern, n)) in self.plan.fail_first.iter().enumerate() {
                if path.contains(pattern) && failed[i] < *n {
                    failed[i] += 1;
                    return Fault::ServerError;
                }
            }
        }
        // Logging in and joining stay clean: the test is about the stream.
        if path.contains("/login") || path.contains("/join/") || path.contains("/whoami") {
            return Fault::None;
        }
        let table = if is_action(method, path) {
            &self.plan.action
        } else {
            &self.plan.other
        };
        let roll = self
            .rng
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .gen_range(0..100);
        let mut acc = 0;
        for (fault, pct) in table {
            acc += pct;
            if roll < acc {
                return *fault;
            }
        }
        Fault::None
    }

    async fn serve(self, mut sock: TcpStream) -> std::io::Result<()> {
        let mut buf: Vec<u8> = Vec::new();
        loop {
            let head_end = loop {
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break i + 4;
                }
                let mut chunk = [0u8; 8192];
                let n = sock.read(&mut chunk).await?;
                if n == 0 {
                    return Ok(());
                }
                buf.extend_from_slice(&chunk[..n]);
            };
            let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
            let mut lines = head.split("\r\n");
            let mut first = lines.next().unwrap_or("").split(' ');
            let method = first.next().unwrap_or("").to_string();
            let path = first.next().unwrap_or("").to_string();
            let mut headers = Vec::new();
            let mut length = 0usize;
            for line in lines {
                if let Some((k, v)) = line.split_once(':') {
                    let (k, v) = (k.trim().to_string(), v.trim().to_string());
                    if k.eq_ignore_ascii_case("content-length") {
                        length = v.parse().unwrap_or(0);
                    }
                    if k.eq_ignore_ascii_case("authorization")
                        || k.eq_ignore_ascii_case("content-type")
                    {
                        headers.push((k, v));
                    }
                }
            }
            while buf.len() < head_end + length {
                let mut chunk = [0u8; 8192];
                let n = sock.read(&mut chunk).await?;
                if n == 0 {
                    return Ok(());
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let body = buf[head_end..head_end + length].to_vec();
            buf.drain(..head_end + length);

            let fault = self.pick(&method, &path);
            self.seen
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(Seen {
                    at: Instant::now(),
                    method: method.clone(),
                    path: path.clone(),
                    fault,
                });
            let (status, reply) = match fault {
                Fault::TooManyRequests => (
                    429,
                    br#"{"errcode":"M_LIMIT_EXCEEDED","error":"Too many requests","retry_after_ms":300}"#
                        .to_vec(),
                ),
                Fault::ServerError => (500, br#"{"errcode":"M_UNKNOWN","error":"injected"}"#.to_vec()),
                Fault::Slow | Fault::None | Fault::DropAfterForward => {
                    if fault == Fault::Slow {
                        tokio::time::sleep(Duration::from_millis(1500)).await;
                    }
                    let mut req = self.http.request(
                        method.parse().unwrap_or(reqwest::Method::GET),
                        format!("{}{path}", self.upstream),
                    );
                    for (k, v) in &headers {
                        req = req.header(k, v);
                    }
                    let resp = match req.body(body).send().await {
                        Ok(r) => r,
                        Err(_) => return Ok(()),
                    };
                    let status = resp.status().as_u16();
                    let bytes = resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
                    if fault == Fault::DropAfterForward {
                        return Ok(());
                    }
                    (status, bytes)
                }
            };
            let head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                reply.len()
            );
            sock.write_all(head.as_bytes()).await?;
            sock.write_all(&reply).await?;
        }
    }
}
