//! Tests that change `log`'s maximum level while the blocking client reads an answer,
//! apart from the SDK's other tests on purpose: the level is one for the whole process,
//! and `tests/logging.rs` keeps it at `trace` throughout. The tests here take turns.
//!
//! The blocking client passes an answer through untouched while no logger can record
//! ureq's `debug` and `trace` records, and shields it (the token swapped for a stand-in
//! before ureq reads, and back for the caller) from the moment one can: these tests
//! raise the level in the middle of an answer.
#![cfg(feature = "blocking")]

#[path = "sdk/support/mod.rs"]
mod support;

use std::io::Write;
use std::sync::mpsc;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use support::{Server, TOKEN, WHOAMI};

/// One test at a time: each sets the level it needs.
fn alone() -> MutexGuard<'static, ()> {
    static LEVEL: Mutex<()> = Mutex::new(());
    LEVEL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Every log line of the process (the tests take turns, so each reads its own).
static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        LINES.lock().unwrap().push(record.args().to_string());
    }
    fn flush(&self) {}
}

/// The log so far, cleared: its lines joined, and the bytes of its hex-dump rows
/// (ureq-proto's `4745 5420 ...`, 16 bytes a row, `--` for none) decoded and joined.
fn take_log() -> (String, Vec<u8>) {
    let lines = std::mem::take(&mut *LINES.lock().unwrap());
    let mut decoded = Vec::new();
    for line in &lines {
        let groups: Vec<&str> = line.split_whitespace().take(8).collect();
        let is_row = groups.len() == 8
            && groups
                .iter()
                .all(|g| g.len() == 4 && g.chars().all(|c| c.is_ascii_hexdigit() || c == '-'));
        if is_row {
            for group in groups {
                for pair in [&group[..2], &group[2..]] {
                    if let Ok(byte) = u8::from_str_radix(pair, 16) {
                        decoded.push(byte);
                    }
                }
            }
        }
    }
    (lines.concat(), decoded)
}

fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn client_for(server: &Server) -> podstack::Client {
    podstack::Client::builder()
        .use_environment(false)
        .api_endpoint(server.url())
        .platform_endpoint(format!("{}/platform", server.url()))
        .project_id("prj_1")
        .api_token(TOKEN)
        .retry(support::fast_retries())
        .build()
        .expect("test client builds")
}

/// A writer that raises the level to `trace` once it holds `first_part`, and then lets
/// the server send the rest.
struct RaisesTheLevel {
    got: Vec<u8>,
    first_part: usize,
    go_on: Option<mpsc::Sender<()>>,
}

impl Write for RaisesTheLevel {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.got.extend_from_slice(bytes);
        if self.got.len() >= self.first_part {
            if let Some(go_on) = self.go_on.take() {
                log::set_max_level(log::LevelFilter::Trace);
                let _ = go_on.send(());
            }
        }
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_level_raised_while_an_answer_streams_shields_the_rest_of_it_and_every_later_one() {
    let _alone = alone();
    let _ = log::set_logger(&Capture);
    log::set_max_level(log::LevelFilter::Info);
    take_log();
    // Each part ends in a byte that cannot start the stand-in (letters and digits),
    // which a shielded answer would otherwise hold back until more comes: the server
    // sends the second part only once the caller has the first.
    let first = format!("a{TOKEN}!");
    let second = format!("c{TOKEN}?");
    let (go_on, wait) = mpsc::channel::<()>();
    let wait = Mutex::new(wait);
    let (first_sent, second_sent) = (first.clone(), second.clone());
    let server = Server::start(move |seen, conn| {
        if seen.target.starts_with("/v1/") {
            // The token echoed in a JSON answer.
            let body = WHOAMI.replace("ada@example.com", TOKEN);
            support::respond(conn, "200 OK", &[], body.as_bytes());
            return;
        }
        support::start_chunked(conn, "200 OK");
        support::chunk(conn, first_sent.as_bytes());
        // The rest only once the caller holds the first part and has raised the level.
        if wait
            .lock()
            .unwrap()
            .recv_timeout(Duration::from_secs(60))
            .is_ok()
        {
            support::chunk(conn, second_sent.as_bytes());
        }
        support::chunk(conn, b"");
        let _ = conn.write_all(b"\r\n");
    });
    let client = client_for(&server);
    let mut writer = RaisesTheLevel {
        got: Vec::new(),
        first_part: first.len(),
        go_on: Some(go_on),
    };

    let written = client
        .buckets()
        .download_to_writer("bkt_1", "echo.txt", &mut writer)
        .unwrap();

    // The caller has every byte as sent.
    assert_eq!(
        String::from_utf8(writer.got).unwrap(),
        format!("{first}{second}")
    );
    assert_eq!(written, (first.len() + second.len()) as u64);
    let (text, decoded) = take_log();
    assert!(!text.contains(TOKEN) && !holds(&decoded, TOKEN.as_bytes()));
    // The rest of the answer was logged (ureq hex-dumps what it reads at `trace`), with
    // a stand-in of the token's length in its place.
    let logged_second = decoded
        .windows(second.len())
        .any(|w| w.starts_with(b"c") && w.ends_with(b"?") && !holds(w, TOKEN.as_bytes()));
    assert!(logged_second, "the second part is not in the log at all");

    // A later answer is shielded from its first byte, and reaches the caller whole.
    let user = client.auth().whoami().unwrap();
    assert_eq!(user.email, TOKEN);
    let (text, decoded) = take_log();
    assert!(!decoded.is_empty(), "nothing was logged at trace");
    assert!(!text.contains(TOKEN) && !holds(&decoded, TOKEN.as_bytes()));
    log::set_max_level(log::LevelFilter::Off);
}

#[test]
fn with_no_logger_taking_debug_records_an_answer_holding_the_token_arrives_whole() {
    let _alone = alone();
    let _ = log::set_logger(&Capture);
    log::set_max_level(log::LevelFilter::Info);
    take_log();
    let server = Server::start(|_, conn| {
        let body = WHOAMI.replace("ada@example.com", TOKEN);
        support::respond(conn, "200 OK", &[("X-Echo", TOKEN)], body.as_bytes());
    });
    let client = client_for(&server);

    for _ in 0..3 {
        assert_eq!(client.auth().whoami().unwrap().email, TOKEN);
    }

    let (text, decoded) = take_log();
    assert!(decoded.is_empty(), "ureq logged at trace: {text}");
    assert!(!text.contains(TOKEN));
    log::set_max_level(log::LevelFilter::Off);
}

/// The level raised while the client waits for an answer (here by the server, just
/// before it answers): the answer has not begun, so it is followed from its first byte,
/// and a token the network splits in two is still found whole, never logged in pieces.
#[test]
fn a_level_raised_while_the_client_waits_for_the_answer_shields_all_of_it() {
    let _alone = alone();
    let _ = log::set_logger(&Capture);
    log::set_max_level(log::LevelFilter::Info);
    take_log();
    let server = Server::start(|_, conn| {
        let body = WHOAMI.replace("ada@example.com", TOKEN);
        let split = body.find(TOKEN).unwrap() + TOKEN.len() / 2;
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        log::set_max_level(log::LevelFilter::Trace);
        let _ = conn.write_all(head.as_bytes());
        let _ = conn.write_all(&body.as_bytes()[..split]);
        let _ = conn.flush();
        std::thread::sleep(Duration::from_millis(300));
        let _ = conn.write_all(&body.as_bytes()[split..]);
    });
    let client = client_for(&server);

    assert_eq!(client.auth().whoami().unwrap().email, TOKEN);

    let (text, decoded) = take_log();
    log::set_max_level(log::LevelFilter::Off);
    assert!(!decoded.is_empty(), "nothing was logged at trace");
    assert!(!text.contains(TOKEN));
    assert!(
        !holds(&decoded, TOKEN.as_bytes()),
        "the token was logged in two pieces"
    );
}

/// A reader of unknown length (so a chunked upload) that raises the level to `trace`
/// once its first piece has been read.
struct RaisesTheLevelMidUpload {
    pieces: std::vec::IntoIter<Vec<u8>>,
    read: usize,
}

impl std::io::Read for RaisesTheLevelMidUpload {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.read == 1 {
            log::set_max_level(log::LevelFilter::Trace);
        }
        self.read += 1;
        let Some(piece) = self.pieces.next() else {
            return Ok(0);
        };
        let n = piece.len().min(out.len());
        out[..n].copy_from_slice(&piece[..n]);
        Ok(n)
    }
}

/// The level raised while a chunked body goes up: the server gets every byte as the
/// caller gave it, the rest of the body is logged with the stand-in, and the answer
/// (not begun when the level rose) is followed from its first byte, so a token the
/// network splits in its head is never logged.
#[test]
fn a_level_raised_during_a_chunked_upload_shields_the_rest_and_the_whole_answer() {
    let _alone = alone();
    let _ = log::set_logger(&Capture);
    log::set_max_level(log::LevelFilter::Info);
    take_log();
    let received = std::sync::Arc::new(Mutex::new(Vec::new()));
    let got = received.clone();
    let server = Server::start(move |seen, conn| {
        *got.lock().unwrap() = support::read_body(seen, conn);
        let head = format!("HTTP/1.1 200 OK\r\nX-Echo: {TOKEN}\r\nContent-Length: 0\r\n\r\n");
        let split = head.find(TOKEN).unwrap() + TOKEN.len() / 2;
        let _ = conn.write_all(&head.as_bytes()[..split]);
        let _ = conn.flush();
        std::thread::sleep(Duration::from_millis(300));
        let _ = conn.write_all(&head.as_bytes()[split..]);
    });
    let client = client_for(&server);
    let pieces = vec![
        format!("first {TOKEN} ").into_bytes(),
        format!("second {TOKEN} ").into_bytes(),
        format!("third {TOKEN}").into_bytes(),
    ];
    let sent = pieces.concat();
    let reader = RaisesTheLevelMidUpload {
        pieces: pieces.into_iter(),
        read: 0,
    };

    client
        .presigned()
        .upload_reader(&format!("{}/object?sig=1", server.url()), reader, None)
        .unwrap();

    let (text, decoded) = take_log();
    log::set_max_level(log::LevelFilter::Off);
    assert_eq!(
        server.seen()[0].header("transfer-encoding"),
        Some("chunked"),
        "the test must send a chunked body to mean anything"
    );
    assert!(
        *received.lock().unwrap() == sent,
        "the server got changed bytes"
    );
    assert!(
        decoded.windows(6).any(|w| w == b"X-Echo"),
        "the answer's head was not logged"
    );
    assert!(!text.contains(TOKEN));
    assert!(!holds(&decoded, TOKEN.as_bytes()), "the token was logged");
}

/// An answer the shield cannot follow (here a head whose lines end in a bare `\n`, which
/// ureq reads and the shield's parser does not) is shielded unfollowed, nothing held
/// back; a head is parsed by ureq only once it is whole, so a token the network splits
/// in it is searched across the seam, in the bytes ureq has not taken yet.
#[test]
fn a_token_split_in_a_head_the_shield_cannot_follow_is_never_logged() {
    let _alone = alone();
    let _ = log::set_logger(&Capture);
    log::set_max_level(log::LevelFilter::Trace);
    take_log();
    let server = Server::start(|_, conn| {
        let body = WHOAMI.replace("ada@example.com", TOKEN);
        let head = format!(
            "HTTP/1.1 200 OK\nX-Echo: {TOKEN}\nContent-Type: application/json\nContent-Length: {}\n\n",
            body.len()
        );
        let split = head.find(TOKEN).unwrap() + TOKEN.len() / 2;
        let _ = conn.write_all(&head.as_bytes()[..split]);
        let _ = conn.flush();
        std::thread::sleep(Duration::from_millis(300));
        let _ = conn.write_all(&head.as_bytes()[split..]);
        let _ = conn.write_all(body.as_bytes());
    });
    let client = client_for(&server);

    assert_eq!(client.auth().whoami().unwrap().email, TOKEN);

    let (text, decoded) = take_log();
    log::set_max_level(log::LevelFilter::Off);
    assert!(
        decoded.windows(6).any(|w| w == b"X-Echo"),
        "the answer's head was not logged"
    );
    assert!(!text.contains(TOKEN));
    assert!(!holds(&decoded, TOKEN.as_bytes()), "the token was logged");
}

/// A connection that carried an answer while no logger could record it goes back to
/// the pool; the level rises; the next call on that same connection is shielded from
/// its answer's first byte (a token the network splits in its body is never logged).
#[test]
fn a_pooled_connection_from_quiet_times_is_shielded_once_the_level_rises() {
    let _alone = alone();
    let _ = log::set_logger(&Capture);
    log::set_max_level(log::LevelFilter::Info);
    take_log();
    let server = Server::start_keep_alive(|seen, conn| {
        support::read_body(seen, conn);
        let body = WHOAMI.replace("ada@example.com", TOKEN);
        let split = body.find(TOKEN).unwrap() + TOKEN.len() / 2;
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let _ = conn.write_all(head.as_bytes());
        let _ = conn.write_all(&body.as_bytes()[..split]);
        let _ = conn.flush();
        std::thread::sleep(Duration::from_millis(200));
        let _ = conn.write_all(&body.as_bytes()[split..]);
        let _ = conn.flush();
        true
    });
    let client = client_for(&server);

    assert_eq!(client.auth().whoami().unwrap().email, TOKEN);
    log::set_max_level(log::LevelFilter::Trace);
    assert_eq!(client.auth().whoami().unwrap().email, TOKEN);

    let (text, decoded) = take_log();
    log::set_max_level(log::LevelFilter::Off);
    assert_eq!(
        server.connections(),
        1,
        "the second call must reuse the connection"
    );
    assert!(!decoded.is_empty(), "nothing was logged at trace");
    assert!(!text.contains(TOKEN));
    assert!(!holds(&decoded, TOKEN.as_bytes()), "the token was logged");
}

/// A redirect to a URL holding the token is refused whether its answer passed through
/// (no logger taking `debug`: the `Location` holds the token as sent) or was shielded
/// (the `Location` holds the stand-in); the tests of the one SDK binary run at either
/// level, as their order falls, so both are pinned down here.
#[test]
fn a_redirect_holding_the_token_is_refused_at_any_level() {
    let _alone = alone();
    let _ = log::set_logger(&Capture);
    for level in [log::LevelFilter::Info, log::LevelFilter::Trace] {
        log::set_max_level(level);
        take_log();
        let server = Server::start(|seen, conn| {
            if seen.target.starts_with("/v1/auth/whoami") {
                support::redirect(conn, "302 Found", &format!("/v1/next?t={TOKEN}"));
            } else {
                support::respond(conn, "200 OK", &[], WHOAMI.as_bytes());
            }
        });

        let error = client_for(&server).auth().whoami().unwrap_err();

        let (text, decoded) = take_log();
        log::set_max_level(log::LevelFilter::Off);
        assert!(
            matches!(error, podstack::Error::Api { .. }),
            "{level}: {error:?}"
        );
        assert!(
            error.to_string().contains("holds the API token"),
            "{level}: {error}"
        );
        assert_eq!(server.seen().len(), 1, "{level}: the redirect was followed");
        assert!(
            !text.contains(TOKEN) && !holds(&decoded, TOKEN.as_bytes()),
            "{level}"
        );
    }
}
