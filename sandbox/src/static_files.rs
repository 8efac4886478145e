//! Static files: `www/` at `/` and `pkg/` at `/pkg/`. Only plain relative
//! paths are served (no `..`, no dot-files, no escaping the root through a
//! symlink); anything else, or a missing directory, is a JSON 404.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// Where files come from, and the CSP HTML pages get.
#[derive(Debug)]
pub struct StaticFiles {
    www: PathBuf,
    pkg: PathBuf,
    csp: HeaderValue,
}

impl StaticFiles {
    /// Serves `www` and `pkg`; HTML may connect to `self` and `api_origins`,
    /// and, when the vendor role has its own origin, connect to and frame
    /// `vendor_origins` (the hosted card form).
    pub fn new(
        www: PathBuf,
        pkg: PathBuf,
        api_origins: &[String],
        vendor_origins: &[String],
    ) -> Self {
        let mut csp = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' {}",
            api_origins.join(" ")
        );
        if !vendor_origins.is_empty() {
            let vendor = vendor_origins.join(" ");
            csp = format!("{csp} {vendor}; frame-src 'self' {vendor}");
        }
        let csp = HeaderValue::from_str(&csp).unwrap_or_else(|_| {
            HeaderValue::from_static("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'")
        });
        Self { www, pkg, csp }
    }
}

fn not_found() -> Response {
    ApiError::not_found("no such route or file").into_response()
}

fn hex_value(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

fn percent_decode(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hi = hex_value(bytes.next()?)?;
            let lo = hex_value(bytes.next()?)?;
            out.push((hi << 4) | lo);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).ok()
}

/// A URL path as a safe relative file path, or `None`.
fn safe_relative(url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path)?;
    let mut rel = PathBuf::new();
    for seg in decoded.split('/').filter(|s| !s.is_empty()) {
        let bad = seg.starts_with('.') || seg.bytes().any(|b| b == b'\\' || b == 0 || b == b':');
        if bad {
            return None;
        }
        rel.push(seg);
    }
    Some(rel)
}

fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt" | "md" | "ts") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The file for `url_path` under the right root, if it exists and is inside it.
async fn resolve(files: &StaticFiles, url_path: &str) -> Result<PathBuf, Response> {
    let (root, rest) = match url_path.strip_prefix("/pkg") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => (&files.pkg, rest),
        _ => (&files.www, url_path),
    };
    let rel = safe_relative(rest).ok_or_else(not_found)?;
    let root = tokio::fs::canonicalize(root)
        .await
        .map_err(|_| not_found())?;
    let mut file = root.join(rel);
    let meta = tokio::fs::metadata(&file).await.map_err(|_| not_found())?;
    if meta.is_dir() {
        if !url_path.ends_with('/') {
            let to = HeaderValue::from_str(&format!("{url_path}/")).map_err(|_| not_found())?;
            return Err((StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, to)]).into_response());
        }
        file.push("index.html");
    }
    let real = tokio::fs::canonicalize(&file)
        .await
        .map_err(|_| not_found())?;
    if !real.starts_with(&root) {
        return Err(not_found());
    }
    Ok(real)
}

/// Fallback handler: a static file for GET/HEAD, else 404.
pub async fn serve(State(files): State<Arc<StaticFiles>>, method: Method, uri: Uri) -> Response {
    if (method != Method::GET && method != Method::HEAD) || uri.path().starts_with("/__sandbox") {
        return not_found();
    }
    let file = match resolve(&files, uri.path()).await {
        Ok(f) => f,
        Err(res) => return res,
    };
    let Ok(bytes) = tokio::fs::read(&file).await else {
        return not_found();
    };
    let ctype = content_type(&file);
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if ctype.starts_with("text/html") {
        h.insert(header::CONTENT_SECURITY_POLICY, files.csp.clone());
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(safe_relative("/a/b.js"), Some(PathBuf::from("a/b.js")));
        assert_eq!(safe_relative("/"), Some(PathBuf::new()));
        assert_eq!(safe_relative("/../etc/passwd"), None);
        assert_eq!(safe_relative("/%2e%2e/etc/passwd"), None);
        assert_eq!(safe_relative("/a/%2E./x"), None);
        assert_eq!(safe_relative("/.git/config"), None);
        assert_eq!(safe_relative("/a%5c..%5cb"), None);
        assert_eq!(safe_relative("/bad%zz"), None);
        assert_eq!(
            safe_relative("/a%20b.html"),
            Some(PathBuf::from("a b.html"))
        );
    }

    #[test]
    fn types() {
        assert_eq!(content_type(Path::new("x.wasm")), "application/wasm");
        assert!(content_type(Path::new("x.JS")).starts_with("text/javascript"));
        assert!(content_type(Path::new("index.html")).starts_with("text/html"));
    }
}
