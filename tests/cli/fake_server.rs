//! A hand-written HTTP/1.1 server on 127.0.0.1 for what the simulator cannot play:
//! a portal that redirects, streams without end, echoes headers, speaks TLS with
//! a CA made for the test, or stands as a proxy in front of the simulator and
//! turns hostile on some requests. Every request it reads is logged.
//!
//! When dropped it checks what it was promised, as xh's test server does: it was
//! reached (or, made with [`FakeServer::untouched`], never reached), and no handler
//! panicked. A handler's `assert!` would otherwise end only its connection, which
//! the client sees as a dropped connection and may well survive.

use std::future::Future;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use futures::FutureExt;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;

/// A request as the server read it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The whole request as text, to look for a secret anywhere in it.
    pub fn text(&self) -> String {
        let mut s = format!("{} {}\n", self.method, self.target);
        for (k, v) in &self.headers {
            s.push_str(&format!("{k}: {v}\n"));
        }
        s.push_str(&String::from_utf8_lossy(&self.body));
        s
    }
}

/// What to answer.
pub enum Reply {
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// A 200 whose chunked JSON body goes on until the client hangs up (or, so the
    /// server always stops by itself, 64 MiB).
    Endless,
    /// The connection is closed without a word of answer.
    Hangup,
    /// The head and the first half of `body`, then the connection is closed: a
    /// 200 cut short.
    Truncated { status: u16, body: Vec<u8> },
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Reply {
        Reply::Full {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn empty(status: u16, headers: &[(&str, &str)]) -> Reply {
        Reply::Full {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body: Vec::new(),
        }
    }
}

type Handler = Arc<dyn Fn(Seen) -> Pin<Box<dyn Future<Output = Reply> + Send>> + Send + Sync>;

pub struct FakeServer {
    addr: SocketAddr,
    tls: bool,
    log: Arc<Mutex<Vec<Seen>>>,
    connections: Arc<AtomicUsize>,
    /// Set when a handler panicked (its connection is closed without an answer).
    panicked: Arc<AtomicBool>,
    /// What the test promised: that the tool reaches this server, or never does.
    reached: bool,
    task: tokio::task::JoinHandle<()>,
}

impl FakeServer {
    /// A server the tool must never reach (the origin a redirect points at): checked
    /// when it is dropped.
    pub fn untouched(mut self) -> FakeServer {
        self.reached = false;
        self
    }

    /// Answers every request with what `handler` returns.
    pub async fn start<F, Fut>(handler: F) -> FakeServer
    where
        F: Fn(Seen) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Reply> + Send + 'static,
    {
        FakeServer::serve(None, handler).await
    }

    /// The same over TLS with `config`'s certificate.
    pub async fn start_tls<F, Fut>(config: Arc<rustls::ServerConfig>, handler: F) -> FakeServer
    where
        F: Fn(Seen) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Reply> + Send + 'static,
    {
        FakeServer::serve(Some(TlsAcceptor::from(config)), handler).await
    }

    /// Answers every request alike.
    pub async fn always(reply: fn() -> Reply) -> FakeServer {
        FakeServer::start(move |_| async move { reply() }).await
    }

    async fn serve<F, Fut>(tls: Option<TlsAcceptor>, handler: F) -> FakeServer
    where
        F: Fn(Seen) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Reply> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |seen| Box::pin(handler(seen)));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let panicked = Arc::new(AtomicBool::new(false));
        let is_tls = tls.is_some();
        let task = {
            let (log, connections, panicked) = (
                Arc::clone(&log),
                Arc::clone(&connections),
                Arc::clone(&panicked),
            );
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    connections.fetch_add(1, Ordering::Relaxed);
                    let (handler, log, tls) = (Arc::clone(&handler), Arc::clone(&log), tls.clone());
                    let panicked = Arc::clone(&panicked);
                    tokio::spawn(async move {
                        match tls {
                            None => connection(stream, handler, log, panicked).await,
                            // A client that refuses the certificate ends here.
                            Some(tls) => {
                                if let Ok(stream) = tls.accept(stream).await {
                                    connection(stream, handler, log, panicked).await;
                                }
                            }
                        }
                    });
                }
            })
        };
        FakeServer {
            addr,
            tls: is_tls,
            log,
            connections,
            panicked,
            reached: true,
            task,
        }
    }

    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    /// TCP connections accepted, TLS handshakes that failed included.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.task.abort();
        // A test that already failed says why itself; a second panic would abort.
        if std::thread::panicking() {
            return;
        }
        assert!(
            !self.panicked.load(Ordering::SeqCst),
            "a handler of the fake server at {} panicked",
            self.url()
        );
        let connections = self.connections();
        if self.reached {
            assert!(
                connections > 0,
                "the fake server at {} was never reached",
                self.url()
            );
        } else {
            assert_eq!(
                connections,
                0,
                "the fake server at {} was reached",
                self.url()
            );
        }
    }
}

/// Serves one connection, one request at a time, until the client closes it.
async fn connection<S>(
    mut stream: S,
    handler: Handler,
    log: Arc<Mutex<Vec<Seen>>>,
    panicked: Arc<AtomicBool>,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut buf = Vec::new();
    while let Some(seen) = read_request(&mut stream, &mut buf).await {
        log.lock().unwrap().push(seen.clone());
        // Told before the connection closes, so the test has it by the time the
        // client sees the close.
        let Ok(reply) = AssertUnwindSafe(handler(seen)).catch_unwind().await else {
            panicked.store(true, Ordering::SeqCst);
            return;
        };
        if write_reply(&mut stream, reply).await.is_err() {
            return;
        }
    }
}

async fn read_request<S: AsyncRead + Unpin>(stream: &mut S, buf: &mut Vec<u8>) -> Option<Seen> {
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > 1 << 20 {
            return None;
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target) = (first.next()?.to_owned(), first.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let body_start = head_end + 4;
    while buf.len() < body_start + length {
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[body_start..body_start + length].to_vec();
    buf.drain(..body_start + length);
    Some(Seen {
        method,
        target,
        headers,
        body,
    })
}

async fn write_reply<S: AsyncWrite + Unpin>(stream: &mut S, reply: Reply) -> std::io::Result<()> {
    match reply {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
            for (k, v) in &headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&body).await?;
            stream.flush().await
        }
        Reply::Hangup => Err(std::io::Error::other("hung up")),
        Reply::Truncated { status, body } => {
            let head = format!(
                "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                reason(status),
                body.len()
            );
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&body[..body.len() / 2]).await?;
            stream.flush().await?;
            Err(std::io::Error::other("cut short"))
        }
        Reply::Endless => {
            stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
                )
                .await?;
            let opening = b"{\"status\":0,\"response\":[";
            stream
                .write_all(format!("{:x}\r\n", opening.len()).as_bytes())
                .await?;
            stream.write_all(opening).await?;
            stream.write_all(b"\r\n").await?;
            let chunk = "0,".repeat(32 * 1024);
            for _ in 0..(64 << 20) / chunk.len() {
                stream
                    .write_all(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes())
                    .await?;
            }
            // Never a valid end: the client must have stopped long before.
            Err(std::io::Error::other("endless body ran out"))
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        307 => "Temporary Redirect",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

/// Forwards `seen` to `upstream` (the simulator) as it came, and its answer back.
pub async fn forward(upstream: &str, seen: &Seen) -> Reply {
    let client = reqwest::Client::new();
    let method = reqwest::Method::from_bytes(seen.method.as_bytes()).expect("method");
    let mut req = client
        .request(method, format!("{upstream}{}", seen.target))
        .body(seen.body.clone());
    for name in ["authorization", "content-type", "accept"] {
        if let Some(v) = seen.header(name) {
            req = req.header(name, v);
        }
    }
    let response = req.send().await.expect("the simulator answers");
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .filter(|(k, _)| {
            let k = k.as_str();
            k == "content-type" || k.starts_with("x-ratelimit") || k == "retry-after"
        })
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
        .collect();
    let body = response
        .bytes()
        .await
        .expect("the simulator's body")
        .to_vec();
    Reply::Full {
        status,
        headers,
        body,
    }
}

/// A certificate authority made for one test, and a server certificate it signed
/// for 127.0.0.1 and localhost.
pub struct TestCa {
    pub ca_pem: String,
    pub server: Arc<rustls::ServerConfig>,
}

impl TestCa {
    pub fn new() -> TestCa {
        use rcgen::{
            BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
        };
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "docspace-links test CA");
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_key = KeyPair::generate().expect("CA key");
        let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
        let issuer = Issuer::new(ca_params, ca_key);

        let server_params =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
                .expect("server params");
        let server_key = KeyPair::generate().expect("server key");
        let server_cert = server_params
            .signed_by(&server_key, &issuer)
            .expect("server certificate");

        let key = rustls::pki_types::PrivateKeyDer::try_from(server_key.serialize_der())
            .expect("server key DER");
        let server = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(vec![server_cert.der().clone()], key)
            .expect("server TLS config");
        TestCa {
            ca_pem: ca_cert.pem(),
            server: Arc::new(server),
        }
    }
}
