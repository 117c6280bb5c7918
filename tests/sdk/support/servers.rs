//! Servers that misbehave on purpose, for the hardening tests: a raw-socket HTTP/1.1
//! server with scripted answers (plain or TLS), and an HTTP proxy that records what it
//! was asked. Each listens on 127.0.0.1:0 and serves every connection on its own
//! thread; nothing here shares state with the emulator.
#![allow(dead_code)] // each test module uses a different subset

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// A connection a script answers on: a TCP stream, or TLS over one.
pub trait Conn: Read + Write + Send {}
impl<T: Read + Write + Send> Conn for T {}

/// A request as the server received it (its body is read only by scripts that want it).
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
}

impl Seen {
    /// The value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn content_length(&self) -> usize {
        self.header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }
}

/// Answers one request; `true` keeps the connection for the next one.
type Script = dyn Fn(&Seen, &mut dyn Conn) -> bool + Send + Sync;

/// A scripted HTTP/1.1 server: each request's head is read and recorded, then the
/// script answers on the raw connection, which is closed after it returns (or, started
/// with [`Server::start_keep_alive`], kept for the next request while the script says so).
pub struct Server {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    tls: bool,
    connections: Arc<std::sync::atomic::AtomicUsize>,
}

impl Server {
    /// A plain-HTTP server on 127.0.0.1.
    pub fn start(script: impl Fn(&Seen, &mut dyn Conn) + Send + Sync + 'static) -> Server {
        Server::start_on("127.0.0.1", None, script).expect("127.0.0.1 binds")
    }

    /// A plain-HTTP server that keeps each connection for as long as `script` returns
    /// `true` (the script reads the request's body itself, e.g. with [`read_body`]).
    pub fn start_keep_alive(
        script: impl Fn(&Seen, &mut dyn Conn) -> bool + Send + Sync + 'static,
    ) -> Server {
        Server::listen("127.0.0.1", None, Arc::new(script)).expect("127.0.0.1 binds")
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// A server on `ip` (another loopback address is another host), with TLS when
    /// `tls` is given; `None` when `ip` cannot be bound here.
    pub fn start_on(
        ip: &str,
        tls: Option<Arc<rustls::ServerConfig>>,
        script: impl Fn(&Seen, &mut dyn Conn) + Send + Sync + 'static,
    ) -> Option<Server> {
        Server::listen(
            ip,
            tls,
            Arc::new(move |seen: &Seen, conn: &mut dyn Conn| {
                script(seen, conn);
                false
            }),
        )
    }

    fn listen(
        ip: &str,
        tls: Option<Arc<rustls::ServerConfig>>,
        script: Arc<Script>,
    ) -> Option<Server> {
        let listener = TcpListener::bind((ip, 0)).ok()?;
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let server = Server {
            addr,
            seen: seen.clone(),
            tls: tls.is_some(),
            connections: connections.clone(),
        };
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                connections.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let (seen, script, tls) = (seen.clone(), script.clone(), tls.clone());
                thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                    match tls {
                        None => serve(stream, &seen, &*script),
                        Some(config) => {
                            let Ok(connection) = rustls::ServerConnection::new(config) else {
                                return;
                            };
                            serve(
                                rustls::StreamOwned::new(connection, stream),
                                &seen,
                                &*script,
                            )
                        }
                    }
                });
            }
        });
        Some(server)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:PORT` (`https://localhost:PORT` for a TLS server, whose
    /// certificate names `localhost`).
    pub fn url(&self) -> String {
        if self.tls {
            format!("https://localhost:{}", self.port())
        } else {
            format!("http://{}", self.addr)
        }
    }

    /// Every request seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(mut conn: impl Conn, seen: &Mutex<Vec<Seen>>, script: &Script) {
    while let Some(request) = read_head(&mut conn) {
        seen.lock().unwrap().push(request.clone());
        let again = script(&request, &mut conn);
        let _ = conn.flush();
        if !again {
            return;
        }
    }
}

/// Reads a request head byte by byte (so no body byte is taken by accident).
pub fn read_head(conn: &mut dyn Conn) -> Option<Seen> {
    let mut head = Vec::new();
    let mut byte = [0];
    while !head.ends_with(b"\r\n\r\n") {
        if conn.read(&mut byte).ok()? == 0 || head.len() > 64 * 1024 {
            return None;
        }
        head.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target) = (first.next()?.to_owned(), first.next()?.to_owned());
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Some(Seen {
        method,
        target,
        headers,
    })
}

/// Reads the request's body, by its `Content-Length` or its chunks.
pub fn read_body(seen: &Seen, conn: &mut dyn Conn) -> Vec<u8> {
    let chunked = seen
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    if !chunked {
        return drain_body(seen, conn);
    }
    let mut body = Vec::new();
    let line = |conn: &mut dyn Conn| {
        let mut line = Vec::new();
        let mut byte = [0];
        while !line.ends_with(b"\r\n") {
            if conn.read(&mut byte).ok()? == 0 {
                return None;
            }
            line.push(byte[0]);
        }
        Some(String::from_utf8_lossy(&line[..line.len() - 2]).into_owned())
    };
    while let Some(size) = line(conn) {
        let size = usize::from_str_radix(size.split(';').next().unwrap_or("0"), 16).unwrap_or(0);
        if size == 0 {
            let _ = line(conn);
            break;
        }
        let mut data = vec![0; size + 2];
        if conn.read_exact(&mut data).is_err() {
            break;
        }
        body.extend_from_slice(&data[..size]);
    }
    body
}

/// Reads and drops the request's body (by its `Content-Length`).
pub fn drain_body(seen: &Seen, conn: &mut dyn Conn) -> Vec<u8> {
    let mut body = vec![0; seen.content_length()];
    let _ = conn.read_exact(&mut body);
    body
}

/// Answers with `status` (e.g. `"200 OK"`), extra headers and a body, then closes.
pub fn respond(conn: &mut dyn Conn, status: &str, headers: &[(&str, &str)], body: &[u8]) {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = conn.write_all(head.as_bytes());
    let _ = conn.write_all(body);
}

/// Answers with a redirect to `location`.
pub fn redirect(conn: &mut dyn Conn, status: &str, location: &str) {
    respond(conn, status, &[("Location", location)], b"");
}

/// Starts a chunked answer; the script then writes chunks with [`chunk`].
pub fn start_chunked(conn: &mut dyn Conn, status: &str) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    let _ = conn.write_all(head.as_bytes());
}

/// Writes one chunk; false once the client has gone.
pub fn chunk(conn: &mut dyn Conn, data: &[u8]) -> bool {
    conn.write_all(format!("{:x}\r\n", data.len()).as_bytes())
        .and_then(|_| conn.write_all(data))
        .and_then(|_| conn.write_all(b"\r\n"))
        .and_then(|_| conn.flush())
        .is_ok()
}

/// A private CA and a server certificate for `localhost` it signed.
pub struct Pki {
    pub ca_pem: String,
    pub server: Arc<rustls::ServerConfig>,
}

impl Pki {
    pub fn new() -> Pki {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "podstack test CA");
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let leaf_key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .signed_by(&leaf_key, &ca, &ca_key)
            .unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let server = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
            )
            .unwrap();
        Pki {
            ca_pem: ca.pem(),
            server: Arc::new(server),
        }
    }

    /// A TLS server on 127.0.0.1 with this PKI's certificate.
    pub fn serve(&self, script: impl Fn(&Seen, &mut dyn Conn) + Send + Sync + 'static) -> Server {
        Server::start_on("127.0.0.1", Some(self.server.clone()), script).unwrap()
    }

    /// A TLS server on 127.0.0.1 with this PKI's certificate that keeps each connection
    /// for as long as `script` returns `true` (as [`Server::start_keep_alive`]).
    pub fn serve_keep_alive(
        &self,
        script: impl Fn(&Seen, &mut dyn Conn) -> bool + Send + Sync + 'static,
    ) -> Server {
        Server::listen("127.0.0.1", Some(self.server.clone()), Arc::new(script)).unwrap()
    }
}

/// What the proxy was asked to do.
#[derive(Clone, Debug)]
pub struct Proxied {
    /// `CONNECT host:port` or `GET http://host:port/path`.
    pub request_line: String,
    pub proxy_authorization: Option<String>,
}

/// An HTTP proxy: forwards `http://` requests in absolute form, and tunnels `CONNECT`.
pub struct Proxy {
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<Proxied>>>,
}

impl Proxy {
    pub fn start() -> Proxy {
        Proxy::start_on(TcpListener::bind("127.0.0.1:0").unwrap())
    }

    /// A proxy on this machine that the SDK's proxy rule takes for one elsewhere: it
    /// listens on every interface and [`url`](Self::url) names it by this machine's
    /// address on its way out (not a loopback one), or by `0.0.0.0` (which Linux
    /// connects to this machine) when there is no route out.
    pub fn start_elsewhere() -> Proxy {
        let port = TcpListener::bind("0.0.0.0:0").unwrap();
        let outward = std::net::UdpSocket::bind("0.0.0.0:0")
            .and_then(|s| s.connect("198.51.100.1:9").and(s.local_addr()))
            .map(|a| a.ip())
            .ok()
            .filter(|ip| !ip.is_loopback() && !ip.is_unspecified());
        let mut proxy = Proxy::start_on(port);
        if let Some(ip) = outward {
            proxy.addr.set_ip(ip);
        }
        proxy
    }

    fn start_on(listener: TcpListener) -> Proxy {
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let shared = log.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let log = shared.clone();
                thread::spawn(move || {
                    let _ = proxy_one(stream, &log);
                });
            }
        });
        Proxy { addr, log }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn seen(&self) -> Vec<Proxied> {
        self.log.lock().unwrap().clone()
    }
}

fn proxy_one(mut client: TcpStream, log: &Mutex<Vec<Proxied>>) -> io::Result<()> {
    let Some(request) = read_head(&mut client) else {
        return Ok(());
    };
    log.lock().unwrap().push(Proxied {
        request_line: format!("{} {}", request.method, request.target),
        proxy_authorization: request.header("proxy-authorization").map(str::to_owned),
    });
    if request.method == "CONNECT" {
        let upstream = TcpStream::connect(request.target.as_str())?;
        client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
        return tunnel(client, upstream);
    }
    // Absolute form: http://host:port/path → host:port and /path.
    let rest = request
        .target
        .strip_prefix("http://")
        .unwrap_or(&request.target);
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut upstream = TcpStream::connect(authority)?;
    let mut head = format!(
        "{} {} HTTP/1.1\r\n",
        request.method,
        if path.is_empty() { "/" } else { path }
    );
    for (name, value) in &request.headers {
        if !name.eq_ignore_ascii_case("proxy-authorization")
            && !name.eq_ignore_ascii_case("proxy-connection")
        {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str("\r\n");
    upstream.write_all(head.as_bytes())?;
    tunnel(client, upstream)
}

/// Copies both ways until either side closes.
fn tunnel(client: TcpStream, upstream: TcpStream) -> io::Result<()> {
    let (mut c_read, mut u_write) = (client.try_clone()?, upstream.try_clone()?);
    let up = thread::spawn(move || {
        let _ = io::copy(&mut c_read, &mut u_write);
        let _ = u_write.shutdown(Shutdown::Write);
    });
    let (mut u_read, mut c_write) = (upstream, client);
    let _ = io::copy(&mut u_read, &mut c_write);
    let _ = c_write.shutdown(Shutdown::Both);
    let _ = up.join();
    Ok(())
}

/// Answers in HTTP/1.0 with no `Content-Length` unless `headers` gives one: the body
/// ends where the connection closes, so a body cut short looks like a whole one.
pub fn respond_close_delimited(
    conn: &mut dyn Conn,
    status: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) {
    let mut head = format!("HTTP/1.0 {status}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = conn.write_all(head.as_bytes());
    let _ = conn.write_all(body);
}
