//! The binary: `--port 0` prints the machine-readable first line.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

fn http_get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut out = String::new();
    stream.read_to_string(&mut out).expect("read");
    out
}

#[test]
fn port_zero_prints_the_listening_line_first() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .args(["--port", "0", "--test-controls", "--www", "/nonexistent"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn sandbox");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let port = first
        .strip_prefix("listening on http://127.0.0.1:")
        .and_then(|p| p.parse::<u16>().ok());
    let result = std::panic::catch_unwind(|| {
        let port = port.unwrap_or_else(|| panic!("bad first line: {first:?}"));
        assert_ne!(port, 0);
        let addr = format!("127.0.0.1:{port}");
        let counters = http_get(&addr, "/__sandbox/counters");
        assert!(counters.starts_with("HTTP/1.1 200"), "{counters}");
        assert!(counters.to_ascii_lowercase().contains("x-request-id:"));
        let rest: Vec<String> = lines.take(3).filter_map(Result::ok).collect();
        assert!(
            rest.iter()
                .any(|l| l.contains("ALTERNATIVE_CLIENT_ID=api_client_dev")),
            "{rest:?}"
        );
    });
    let _ = child.kill();
    let _ = child.wait();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn vendor_port_prints_a_second_line() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .args(["--port", "0", "--vendor-port", "0", "--www", "/nonexistent"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn sandbox");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let second = lines.next().and_then(Result::ok).unwrap_or_default();
    let result = std::panic::catch_unwind(|| {
        let main = first
            .strip_prefix("listening on http://127.0.0.1:")
            .and_then(|p| p.parse::<u16>().ok())
            .unwrap_or_else(|| panic!("bad first line: {first:?}"));
        let vendor = second
            .strip_prefix("vendor on http://127.0.0.1:")
            .and_then(|p| p.parse::<u16>().ok())
            .unwrap_or_else(|| panic!("bad second line: {second:?}"));
        assert!(main != 0 && vendor != 0 && main != vendor);
        let form = http_get(&format!("127.0.0.1:{vendor}"), "/enrollment/form.js");
        assert!(form.starts_with("HTTP/1.1 200"), "{form}");
        let api = http_get(&format!("127.0.0.1:{vendor}"), "/api/enrollment-token");
        assert!(api.starts_with("HTTP/1.1 404"), "{api}");
    });
    let _ = child.kill();
    let _ = child.wait();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn bad_flags_exit_with_usage() {
    let out = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .args(["--port", "not-a-port"])
        .output()
        .expect("run sandbox");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage: sandbox"));
    assert!(out.stdout.is_empty());
}
