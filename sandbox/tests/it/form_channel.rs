//! The hosted form's script (`sandbox/enrollment/form.js`) run under Node
//! against this sandbox: handshake checks, need-token / token, one retry on a
//! 401, success / error / cancel messages, and no card data over the port.
//! Needs `node` (which `npm test` installs): without it the test fails rather
//! than passing unrun.

use std::process::Command;

use crate::common::*;

#[tokio::test]
async fn the_form_script_speaks_the_channel_protocol() {
    assert!(
        Command::new("node").arg("--version").output().is_ok(),
        "node not found: the form channel script test needs it"
    );
    let s = start_with(|c| c.vendor_port = Some(0)).await;
    let main_port = s.url.rsplit(':').next().unwrap_or_default().to_owned();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/form_channel.mjs");
    let vendor = s.vendor_url.clone();
    // Blocking child on the blocking pool; the server keeps running meanwhile.
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .args([script, &vendor, &main_port])
            .output()
    })
    .await
    .expect("join")
    .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains("form channel ok"), "{stdout}");
}
