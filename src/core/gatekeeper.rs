//! The Gatekeeper protocol, decided purely: where `SafeSDK` sends its requests, what
//! it keeps in `localStorage`, and which periodic-check intervals it accepts.

use crate::core::options::SafeOptions;
use crate::core::url::encode_segment;

/// The longest delay `setInterval` honours, in milliseconds.
pub const MAX_INTERVAL_MS: u32 = 2_147_483_647;
/// The shortest periodic-check interval, in milliseconds.
pub const MIN_INTERVAL_MS: u32 = 1_000;
/// The body of both Gatekeeper POSTs.
pub const EMPTY_BODY: &str = "{}";
/// The header that carries `apiKey`.
pub const API_KEY_HEADER: &str = "x-api-key";

/// The `localStorage` key of this device's id: one per API origin and application,
/// `partner-sdk:device:{origin}:{applicationId}`. A `:` or `%` in the application id is
/// percent-encoded, so no other origin and id give the same key (an origin ends in
/// `:port`); ids without them keep the key they always had.
pub fn storage_key(options: &SafeOptions) -> String {
    let origin = &options.common.base.origin;
    let mut key = String::with_capacity(20 + origin.len() + options.application_id.len());
    key.push_str("partner-sdk:device:");
    key.push_str(origin);
    key.push(':');
    for c in options.application_id.chars() {
        match c {
            ':' => key.push_str("%3A"),
            '%' => key.push_str("%25"),
            c => key.push(c),
        }
    }
    key
}

/// `POST {baseUrl}/v1/applications/{applicationId}/versions/{applicationVersion}/devices`:
/// registers the device. Path segments are percent-encoded.
pub fn devices_url(options: &SafeOptions) -> String {
    let mut url = options.common.base.url.clone();
    url.push_str("/v1/applications/");
    url.push_str(&encode_segment(&options.application_id));
    url.push_str("/versions/");
    url.push_str(&encode_segment(&options.application_version));
    url.push_str("/devices");
    url
}

/// `POST …/devices/{deviceId}/checks`: one device check.
pub fn checks_url(options: &SafeOptions, device_id: &str) -> String {
    let mut url = devices_url(options);
    url.push('/');
    url.push_str(&encode_segment(device_id));
    url.push_str("/checks");
    url
}

/// Whether `id` (stored, or from a registration) can be used as a device id: not empty,
/// not a dot segment (`.` or `..` would change the check's URL, even percent-encoded).
/// Any length: the server chooses its ids, and a cap would make `initialize()` register
/// again, and fail, every time.
pub fn usable_device_id(id: &str) -> bool {
    !id.trim().is_empty() && id != "." && id != ".."
}

/// `startPeriodicCheck`'s interval: a whole number of milliseconds from 1000 to
/// 2147483647, or `None`.
pub fn interval_ms(value: Option<f64>) -> Option<u32> {
    let n = value?;
    let ok =
        n.fract() == 0.0 && (f64::from(MIN_INTERVAL_MS)..=f64::from(MAX_INTERVAL_MS)).contains(&n);
    ok.then_some(n as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::options::{self, Entry, Value};

    fn opts(app: &str, version: &str) -> SafeOptions {
        opts_at("https://GK.example.com/root/", app, version)
    }

    fn opts_at(base: &str, app: &str, version: &str) -> SafeOptions {
        let e = |k: &str, v: &str| Entry {
            key: k.into(),
            value: Value::Str(v.into()),
        };
        let entries = [
            e("apiKey", "k"),
            e("applicationId", app),
            e("applicationVersion", version),
            e("baseUrl", base),
        ];
        match options::safe(&entries) {
            Ok(o) => o,
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn urls_encode_segments_under_the_base_path() {
        let o = opts("app/1", "v 2");
        assert_eq!(
            devices_url(&o),
            "https://GK.example.com/root/v1/applications/app%2F1/versions/v%202/devices"
        );
        assert_eq!(
            checks_url(&o, "d?x"),
            "https://GK.example.com/root/v1/applications/app%2F1/versions/v%202/devices/d%3Fx/checks"
        );
    }

    #[test]
    fn storage_key_names_origin_and_application() {
        assert_eq!(
            storage_key(&opts("app", "1")),
            "partner-sdk:device:https://gk.example.com:app"
        );
    }

    #[test]
    fn storage_keys_of_different_origins_and_applications_differ() {
        let with = |base: &str, app: &str| storage_key(&opts_at(base, app, "1"));
        let port = with("https://gk.example.com:8443", "app");
        let in_id = with("https://gk.example.com", "8443:app");
        assert_ne!(port, in_id);
        assert_eq!(
            in_id,
            "partner-sdk:device:https://gk.example.com:8443%3Aapp"
        );
        assert_ne!(
            with("https://gk.example.com", "a%3Ab"),
            with("https://gk.example.com", "a:b")
        );
        assert_eq!(
            with("https://gk.example.com", "a%b"),
            "partner-sdk:device:https://gk.example.com:a%25b"
        );
    }

    #[test]
    fn device_ids_that_cannot_be_used() {
        for ok in ["dev_1", "a", "...", &"x".repeat(4096)] {
            assert!(usable_device_id(ok), "{ok}");
        }
        for bad in ["", "  ", ".", ".."] {
            assert!(!usable_device_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn interval_bounds() {
        assert_eq!(interval_ms(Some(1000.0)), Some(1000));
        assert_eq!(interval_ms(Some(2_147_483_647.0)), Some(MAX_INTERVAL_MS));
        for bad in [
            None,
            Some(999.0),
            Some(1000.5),
            Some(2_147_483_648.0),
            Some(f64::NAN),
        ] {
            assert_eq!(interval_ms(bad), None, "{bad:?}");
        }
    }
}
