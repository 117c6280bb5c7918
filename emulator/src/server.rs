//! The HTTP server: accept loop (counting TCP connections, wrapping each socket
//! in the bandwidth cap), per-connection hyper service (so a `Drop` fault can
//! close the socket), the middleware stack (request-body drain, request id +
//! error body, stats, faults, auth, idempotency) and the router assembled from
//! the route table.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::body::Body;
use axum::body::Bytes;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use axum::Router;
use futures_util::StreamExt;
use hyper::body::{Body as HttpBody, Frame, Incoming, SizeHint};
use hyper_util::rt::TokioIo;
use tokio::sync::{oneshot, Notify};
use tower::ServiceExt;

use crate::errors::{code_for_status, ApiError, ErrorStyle};
use crate::faults::{take_fault, ConnKill};
use crate::routes::{self, auth};
use crate::state::{rand_hex, App, Replay};
use crate::Fault;

/// The id of the current exchange, `req_<hex>`.
#[derive(Clone)]
pub(crate) struct RequestId(#[allow(dead_code)] pub String);

/// Accepts connections until `shutdown` fires.
pub(crate) async fn serve(
    listener: std::net::TcpListener,
    app: App,
    mut shutdown: oneshot::Receiver<()>,
) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("podstack-emulator: cannot use listener: {e}");
            return;
        }
    };
    let router = loopback_only(build_router(app.clone()));
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            res = listener.accept() => {
                let stream = match res {
                    Ok((s, _)) => s,
                    Err(_) => {
                        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                        continue;
                    }
                };
                app.connections.fetch_add(1, Ordering::SeqCst);
                let _ = stream.set_nodelay(true);
                let stream = crate::throttle::Throttled::new(stream, app.bandwidth.clone());
                tokio::spawn(serve_connection(stream, router.clone()));
            }
        }
    }
}

async fn serve_connection(
    stream: crate::throttle::Throttled<tokio::net::TcpStream>,
    router: Router,
) {
    let kill = Arc::new(Notify::new());
    let handle = ConnKill(kill.clone());
    let svc = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(handle.clone());
        let router = router.clone();
        async move { router.oneshot(req.map(Body::new)).await }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), svc);
    tokio::select! {
        _ = conn => {}
        _ = kill.notified() => {}
    }
}

/// `"METHOD /template"` of the routes that need no `Authorization`, and of all
/// API routes (a method a path does not serve goes straight to its 405).
struct RouteSets {
    public: std::collections::HashSet<String>,
    served: std::collections::HashSet<String>,
}

type PublicRoutes = Arc<RouteSets>;

/// Wraps the whole server, every route of it however it was mounted (`/v1`, the
/// platform service, presigned URLs, admin routes, and whatever module is merged into
/// [`build_router`] later), in the loopback `Host` check ([`refuse_foreign_host`]).
fn loopback_only(router: Router) -> Router {
    router.layer(from_fn(refuse_foreign_host))
}

/// Refuses (403, `Connection: close`) a request addressed to any host but this
/// machine's loopback interface, by its `Host` header or an absolute request URI. The
/// emulator listens on 127.0.0.1 only, so such a request comes from a page in a
/// browser whose host name an attacker re-pointed at 127.0.0.1 (DNS rebinding), which
/// could then read what the emulator answers, tokens from `/_emulator/tokens` among
/// them. A request without `Host` (HTTP/1.0) is no such page's and is served.
async fn refuse_foreign_host(req: Request, next: Next) -> Response {
    let authority = req.uri().authority().map(|a| a.as_str().as_bytes());
    let hosts = req
        .headers()
        .get_all(header::HOST)
        .iter()
        .map(|v| v.as_bytes());
    let foreign = authority
        .into_iter()
        .chain(hosts)
        .find(|host| !std::str::from_utf8(host).is_ok_and(is_loopback_host));
    let Some(foreign) = foreign else {
        return next.run(req).await;
    };
    let shown: String = String::from_utf8_lossy(foreign).chars().take(100).collect();
    let err = ApiError::new(
        StatusCode::FORBIDDEN,
        "permission_denied",
        format!(
            "the emulator answers only requests addressed to this machine's loopback \
             interface (localhost, 127.0.0.0/8 or [::1]), not to host {shown:?}"
        ),
    );
    let rid = format!("req_{}", rand_hex(8));
    let body = err.render(ErrorStyle::for_path(req.uri().path()), &rid);
    let mut resp = with_json_body(err.into_response(), body);
    if let Ok(v) = HeaderValue::from_str(&rid) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    resp
}

/// Whether `host` (a `Host` value or URI authority: `name[:port]` or `[v6][:port]`)
/// names the loopback interface: `localhost` in any case, an address in 127.0.0.0/8, or
/// `[::1]`; nothing else, however it is spelled (`127.1`, `localhost.`, `[::ffff:127.0.0.1]`
/// and `*.localhost` are refused).
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let port_ok = |port: Option<&str>| {
        port.is_none_or(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
    };
    if let Some(rest) = host.strip_prefix('[') {
        let Some((v6, after)) = rest.split_once(']') else {
            return false;
        };
        let port = match after {
            "" => None,
            _ => match after.strip_prefix(':') {
                Some(port) => Some(port),
                None => return false,
            },
        };
        return port_ok(port) && v6.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
    }
    let (name, port) = match host.split_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    };
    port_ok(port)
        && (name.eq_ignore_ascii_case("localhost")
            || name.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback()))
}

fn build_router(app: App) -> Router {
    let mut by_path: BTreeMap<&'static str, MethodRouter<App>> = BTreeMap::new();
    let mut public = std::collections::HashSet::new();
    let mut served = std::collections::HashSet::new();
    for r in routes::table() {
        served.insert(format!("{} {}", r.method, r.path));
        if r.public {
            public.insert(format!("{} {}", r.method, r.path));
        }
        let mut handler = r.handler;
        if r.idempotent {
            handler = handler.layer(from_fn_with_state(app.clone(), idempotency));
        }
        let merged = match by_path.remove(r.path) {
            Some(existing) => existing.merge(handler),
            None => handler,
        };
        by_path.insert(r.path, merged);
    }
    let mut api = Router::new();
    for (path, mr) in by_path {
        api = api.route(path, mr);
    }
    api.route_layer(from_fn_with_state(
        (app.clone(), Arc::new(RouteSets { public, served })),
        gate,
    ))
    .merge(routes::admin::router())
    .fallback(fallback)
    .layer(from_fn(finish))
    // Requests signed the AWS way go to the S3 door, which answers S3's own XML.
    .layer(from_fn_with_state(
        crate::s3::Door::new(app.clone()),
        crate::s3::door,
    ))
    .layer(from_fn(drain))
    .with_state(app)
}

async fn fallback(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::route_not_found(method.as_str(), uri.path())
}

/// Largest request-body remainder read and discarded after an early answer.
const DRAIN_CAP: u64 = 64 * 1024 * 1024;

/// The request body as the handlers see it: it reads from a slot the drain
/// layer keeps, so whatever the handler leaves unread can be drained after it.
struct Tracked(Arc<Mutex<Option<Body>>>, Arc<std::sync::atomic::AtomicBool>);

impl HttpBody for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        self.1.store(true, Ordering::Relaxed);
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match slot.as_mut() {
            Some(body) => Pin::new(body).poll_frame(cx),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        let slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        slot.as_ref().is_none_or(|b| b.is_end_stream())
    }

    fn size_hint(&self) -> SizeHint {
        let slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        slot.as_ref().map(|b| b.size_hint()).unwrap_or_default()
    }
}

/// Outermost layer: once the answer is ready, reads and discards what is left
/// of the request body (up to [`DRAIN_CAP`]) before handing the answer to hyper.
///
/// Without it, an answer produced before the body was read (auth failure,
/// injected fault, rate limit, idempotent replay, admin route, any error) makes
/// hyper close the keep-alive connection after answering whenever the body
/// arrives in a later packet, without saying `Connection: close`; a client that
/// then reuses the connection fails with "peer disconnected". A remainder
/// larger than the cap gets `Connection: close` instead, and so does a request
/// with `Expect: 100-continue` whose body nobody asked for (draining it would
/// invite the client to send it all).
async fn drain(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    if body.is_end_stream() {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let expects_continue = parts
        .headers
        .get(header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let slot = Arc::new(Mutex::new(Some(body)));
    let polled = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let req = Request::from_parts(parts, Body::new(Tracked(slot.clone(), polled.clone())));
    let mut resp = next.run(req).await;
    let rest = slot.lock().unwrap_or_else(|p| p.into_inner()).take();
    let Some(rest) = rest else {
        return resp;
    };
    if rest.is_end_stream() {
        return resp;
    }
    let mut complete = false;
    let unasked = expects_continue && !polled.load(Ordering::Relaxed);
    if !unasked && rest.size_hint().lower() <= DRAIN_CAP {
        let mut read = 0u64;
        let mut stream = rest.into_data_stream();
        loop {
            match stream.next().await {
                None => {
                    complete = true;
                    break;
                }
                Some(Ok(chunk)) => {
                    read += chunk.len() as u64;
                    if read > DRAIN_CAP {
                        break;
                    }
                }
                Some(Err(_)) => break,
            }
        }
    }
    if !complete {
        resp.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    resp
}

/// Request id on every answer, error body (in the route's style) on every error.
async fn finish(mut req: Request, next: Next) -> Response {
    let rid = format!("req_{}", rand_hex(8));
    let style = ErrorStyle::for_path(req.uri().path());
    req.extensions_mut().insert(RequestId(rid.clone()));
    let resp = next.run(req).await;
    let status = resp.status();
    let err = resp.extensions().get::<Arc<ApiError>>().cloned();
    let mut resp = match err {
        Some(err) => with_json_body(resp, err.render(style, &rid)),
        None if status.as_u16() >= 400 && !is_json(&resp) => {
            let (parts, body) = resp.into_parts();
            let text = axum::body::to_bytes(body, 64 * 1024)
                .await
                .map(|b| String::from_utf8_lossy(&b).trim().to_string())
                .unwrap_or_default();
            let msg = if text.is_empty() {
                status.canonical_reason().unwrap_or("error").to_string()
            } else {
                text
            };
            let err = ApiError::new(status, code_for_status(status), msg);
            with_json_body(
                Response::from_parts(parts, Body::empty()),
                err.render(style, &rid),
            )
        }
        None => resp,
    };
    if let Ok(v) = HeaderValue::from_str(&rid) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

fn is_json(resp: &Response) -> bool {
    resp.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

fn with_json_body(resp: Response, body: serde_json::Value) -> Response {
    let (mut parts, _) = resp.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(body.to_string()))
}

/// Per-API-route layer: stats, faults, authentication (presigned URLs carry
/// their own signature instead).
async fn gate(
    State((app, routes)): State<(App, PublicRoutes)>,
    mut req: Request,
    next: Next,
) -> Response {
    let template = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| req.uri().path().to_string());
    let route = format!("{} {}", req.method(), template);
    // HEAD is served by the GET route; any other method the path lacks is a 405
    // (with `Allow`) before stats, faults and auth.
    let served_as = match *req.method() {
        Method::HEAD => format!("GET {template}"),
        _ => route.clone(),
    };
    if !routes.served.contains(&served_as) {
        return next.run(req).await;
    }
    {
        let mut stats = app.stats.lock().unwrap_or_else(|p| p.into_inner());
        *stats.entry(route.clone()).or_insert(0) += 1;
    }
    if let Some(fault) = take_fault(&app, &route) {
        match fault {
            Fault::Status {
                status,
                retry_after,
                ..
            } => {
                let status =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let mut err = ApiError::new(
                    status,
                    code_for_status(status),
                    format!("injected fault: {status}"),
                );
                err.retry_after = retry_after;
                return err.into_response();
            }
            Fault::Stall { duration, .. } => tokio::time::sleep(duration).await,
            Fault::Drop { .. } => {
                if let Some(kill) = req.extensions().get::<ConnKill>() {
                    kill.0.notify_one();
                    std::future::pending::<()>().await;
                }
                return ApiError::internal("connection dropped").into_response();
            }
        }
    }
    if routes.public.contains(&route) {
        return next.run(req).await;
    }
    match auth::authenticate(&app, &req) {
        Ok(ctx) => {
            req.extensions_mut().insert(ctx);
            let deleted = (req.method() == Method::DELETE)
                .then(|| req.uri().path().rsplit('/').next().map(str::to_string))
                .flatten();
            let resp = next.run(req).await;
            if let Some(id) = deleted.filter(|_| resp.status().is_success()) {
                // a replay must not answer with something that no longer exists
                app.lock()
                    .idempotency
                    .retain(|_, r| r.resource.as_deref() != Some(id.as_str()));
            }
            resp
        }
        Err(e) => e.into_response(),
    }
}

/// Largest request body an idempotent (creating) route buffers to fingerprint it.
const IDEMPOTENT_BODY_CAP: usize = 1024 * 1024;

/// What makes two requests "the same" for an `Idempotency-Key`: method, path and
/// query, `X-Project-Id` and body (SHA-256 over them, hex).
fn fingerprint(parts: &axum::http::request::Parts, body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(parts.method.as_str().as_bytes());
    h.update(b"\n");
    h.update(
        parts
            .uri
            .path_and_query()
            .map_or("", |p| p.as_str())
            .as_bytes(),
    );
    h.update(b"\n");
    if let Some(p) = parts.headers.get("x-project-id") {
        h.update(p.as_bytes());
    }
    h.update(b"\n");
    h.update(body);
    hex::encode(h.finalize())
}

/// Replays the first successful answer for a repeated `Idempotency-Key` (per token)
/// when the request is the same (method, path, query, `X-Project-Id`, body). The
/// same key on a different request is a different request: it runs (and its answer
/// is kept for its own repeats), never a replay of an unrelated answer.
async fn idempotency(State(app): State<App>, req: Request, next: Next) -> Response {
    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let token = req
        .extensions()
        .get::<auth::Auth>()
        .map(|a| a.token.clone());
    let (Some(key), Some(token)) = (key, token) else {
        return next.run(req).await;
    };
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, IDEMPOTENT_BODY_CAP).await {
        Ok(b) => b,
        Err(e) => {
            return ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "validation_error",
                format!("cannot read body: {e}"),
            )
            .into_response()
        }
    };
    let print = fingerprint(&parts, &bytes);
    let req = Request::from_parts(parts, Body::from(bytes));
    let map_key = (token, key, print);
    let hit = app.lock().idempotency.get(&map_key).cloned();
    if let Some(r) = hit {
        return replay(&r);
    }
    let resp = next.run(req).await;
    if !resp.status().is_success() {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let bytes = match axum::body::to_bytes(body, 16 * 1024 * 1024).await {
        Ok(b) => b,
        Err(e) => return ApiError::internal(format!("cannot buffer answer: {e}")).into_response(),
    };
    let resource = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| {
            v.get("id")
                .or_else(|| v.get("upload_id"))
                .and_then(|x| x.as_str())
                .map(str::to_string)
        });
    let r = Replay {
        resource,
        status: parts.status.as_u16(),
        content_type: parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body: bytes.to_vec(),
    };
    app.lock().idempotency.insert(map_key, r);
    Response::from_parts(parts, Body::from(bytes))
}

fn replay(r: &Replay) -> Response {
    let mut resp = Response::new(Body::from(r.body.clone()));
    *resp.status_mut() = StatusCode::from_u16(r.status).unwrap_or(StatusCode::OK);
    if let Some(ct) = r
        .content_type
        .as_deref()
        .and_then(|c| HeaderValue::from_str(c).ok())
    {
        resp.headers_mut().insert(header::CONTENT_TYPE, ct);
    }
    resp.headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    resp
}
