//! Property test: random and mutated tokens only ever get 401 or 403.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::common::*;

/// One mutation of a valid token.
#[derive(Debug, Clone)]
enum Mutation {
    Replace(usize, char),
    Truncate(usize),
    Insert(usize, char),
    Random(String),
}

fn apply(token: &str, m: &Mutation) -> String {
    let mut chars: Vec<char> = token.chars().collect();
    match m {
        Mutation::Replace(i, c) => {
            let i = i % chars.len();
            chars[i] = *c;
        }
        Mutation::Truncate(i) => chars.truncate(i % chars.len()),
        Mutation::Insert(i, c) => chars.insert(i % chars.len(), *c),
        Mutation::Random(s) => return s.clone(),
    }
    chars.into_iter().collect()
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let ch = prop::sample::select("ABCxyz019-_.=+/ ".chars().collect::<Vec<_>>());
    prop_oneof![
        (any::<usize>(), ch.clone()).prop_map(|(i, c)| Mutation::Replace(i, c)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), ch).prop_map(|(i, c)| Mutation::Insert(i, c)),
        "[!-~]{0,120}".prop_map(Mutation::Random),
        "[A-Za-z0-9_-]{1,40}\\.[A-Za-z0-9_-]{1,80}\\.[A-Za-z0-9_-]{0,43}"
            .prop_map(Mutation::Random),
    ]
}

#[test]
fn random_and_mutated_tokens_get_only_401_or_403() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let s = rt.block_on(start());
    let valid = rt.block_on(s.checkout_token("inv_1001"));
    let gk = rt.block_on(s.gatekeeper_token());
    let mut runner = TestRunner::new(Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&(mutation(), 0..3usize), |(m, target)| {
        let base = if target == 2 { &gk } else { &valid };
        let token = apply(base, &m);
        let auth = format!("Bearer {token}");
        let r = rt.block_on(async {
            match target {
                0 => {
                    s.get("/v1/invoices/inv_1001", &[("authorization", &auth)])
                        .await
                }
                1 => {
                    s.send(
                        "POST",
                        "/v1/invoices/inv_1001/payments",
                        &[("authorization", &auth)],
                        "",
                    )
                    .await
                }
                _ => {
                    s.send(
                        "POST",
                        GK_PATH,
                        &[("authorization", &auth), ("x-api-key", "demo-api-key")],
                        "",
                    )
                    .await
                }
            }
        });
        if token.trim() == base.as_str() {
            prop_assert!(r.status < 300, "unchanged token refused: {}", r.status);
        } else {
            prop_assert!(
                r.status == 401 || r.status == 403,
                "status {} for {token:?}",
                r.status
            );
            prop_assert!(r.header("x-request-id").is_some());
            if r.status == 401 {
                prop_assert_eq!(
                    r.header("www-authenticate"),
                    Some("Bearer error=\"invalid_token\"")
                );
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
