//! `localStorage`, where it exists and works. Privacy modes make it throw: then the
//! SDK carries on without it.

use web_sys::Storage;

fn local() -> Option<Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Reads a key; `None` when absent or when storage is unavailable.
pub fn get(key: &str) -> Option<String> {
    local()?.get_item(key).ok().flatten()
}

/// Writes a key; silently does nothing when storage is unavailable or full.
pub fn set(key: &str, value: &str) {
    if let Some(s) = local() {
        let _ = s.set_item(key, value);
    }
}
