//! `sandbox [--port N] [--host 127.0.0.1] [--test-controls] …`: see `--help`.

use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;

use sandbox::config::{ClientCredentials, Config, USAGE};

fn describe(label: &str, id_var: &str, secret_var: &str, c: &ClientCredentials) -> String {
    let secret = if c.is_dev_default {
        c.secret.expose()
    } else {
        "(from environment, not shown)"
    };
    format!("  {label}: {id_var}={} {secret_var}={secret}", c.id)
}

fn banner(config: &Config) -> Vec<String> {
    let c = &config.credentials;
    let key = if c.gatekeeper_api_key.expose() == "demo-api-key" {
        "demo-api-key"
    } else {
        "(from environment, not shown)"
    };
    vec![
        "dev credentials (server-side only; override with environment variables):".to_owned(),
        describe("API set", "ALTERNATIVE_CLIENT_ID", "ALTERNATIVE_CLIENT_SECRET", &c.api),
        describe("SDK set", "SDK_CLIENT_ID", "SDK_CLIENT_SECRET", &c.sdk),
        describe(
            "Card-enrollment set (scope cards/enroll)",
            "ENROLLMENT_CLIENT_ID",
            "ENROLLMENT_CLIENT_SECRET",
            &c.enrollment,
        ),
        format!("  Gatekeeper: GATEKEEPER_APPLICATION_ID={} GATEKEEPER_API_KEY={key} scope=gatekeeper/public", c.gatekeeper_app_id),
        format!("test controls: {}", if config.test_controls { "on (/__sandbox/*)" } else { "off" }),
        format!("www: {}  pkg: {}", config.www.display(), config.pkg.display()),
    ]
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let env: HashMap<String, String> = std::env::vars().collect();
    let config = match Config::parse(&args, &env) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("sandbox: {msg}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut server = match sandbox::start(config.clone()).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "sandbox: cannot start on {}:{}: {e}",
                config.host, config.port
            );
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on {}", server.url());
    if let Some(vendor) = server.vendor_addr() {
        let _ = writeln!(out, "vendor on http://{vendor}");
    }
    let _ = out.flush();
    for line in banner(&config) {
        let _ = writeln!(out, "{line}");
    }
    let _ = out.flush();
    drop(out);
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        result = server.stopped() => {
            eprintln!("sandbox: server stopped: {result:?}");
            return ExitCode::FAILURE;
        }
    }
    match server.shutdown().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}
