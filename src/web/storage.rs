//! `localStorage`, where it exists and works. Privacy modes make it throw, and Node
//! has none: then the SDK carries on without it.

use crate::web::js;
use wasm_bindgen::JsCast;
use web_sys::Storage;

fn local() -> Option<Storage> {
    let storage = js::get(&js_sys::global(), "localStorage");
    storage.is_object().then(|| storage.unchecked_into())
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
