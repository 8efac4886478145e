//! The hosted card form on the vendor origin: `GET /enrollment/form` plus its
//! script and style sheet (embedded at build time from `sandbox/enrollment/`).
//!
//! `?origin=<partner origin>&company=<name>&subaccount=<id>`: the origin must
//! be an allowed partner origin (the CORS list), and becomes the form's only
//! `frame-ancestors` source and its `postMessage` target. The page gets a
//! strict CSP: no inline script or style, no sink for HTML, connections only
//! to this origin's API.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::layers::Cors;
use crate::util::is_valid_id;

const FORM_HTML: &str = include_str!("../../enrollment/form.html");
const FORM_JS: &str = include_str!("../../enrollment/form.js");
const FORM_CSS: &str = include_str!("../../enrollment/form.css");

/// Longest company name shown.
const MAX_COMPANY_CHARS: usize = 100;

/// The form page's policy, before `frame-ancestors`.
pub const FORM_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
connect-src 'self'; base-uri 'none'; form-action 'none'; require-trusted-types-for 'script'";

#[derive(Deserialize)]
struct FormQuery {
    origin: Option<String>,
    company: Option<String>,
    subaccount: Option<String>,
}

/// A serialized origin: `http(s)://host[:port]` and nothing else, made of
/// characters that are safe in a CSP header and an HTML attribute.
fn is_origin_shaped(origin: &str) -> bool {
    let Some(rest) = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
    else {
        return false;
    };
    !rest.is_empty()
        && rest.len() <= 260
        && !rest.starts_with(':')
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
}

/// Escapes text for an HTML attribute or element body.
fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn set(res: &mut Response, name: header::HeaderName, value: HeaderValue) {
    res.headers_mut().insert(name, value);
}

/// `GET /enrollment/form?origin=…&company=…&subaccount=…`.
async fn form(State(cors): State<Arc<Cors>>, uri: Uri) -> ApiResult<Response> {
    let query: FormQuery = serde_urlencoded::from_str(uri.query().unwrap_or(""))
        .map_err(|_| ApiError::invalid_request("the query string is malformed"))?;
    let (Some(origin), Some(company), Some(subaccount)) =
        (query.origin, query.company, query.subaccount)
    else {
        return Err(ApiError::invalid_request(
            "origin, company and subaccount are required",
        ));
    };
    let company = company.trim();
    if company.is_empty()
        || company.chars().count() > MAX_COMPANY_CHARS
        || company.chars().any(char::is_control)
    {
        return Err(ApiError::invalid_request(
            "company must be 1-100 printable characters",
        ));
    }
    if !is_valid_id(&subaccount) {
        return Err(ApiError::invalid_request(
            "subaccount must match [A-Za-z0-9_-]{1,64}",
        ));
    }
    if !is_origin_shaped(&origin) || !cors.allows(&origin) {
        return Err(ApiError::forbidden(
            "origin is not an allowed partner origin",
        ));
    }
    let html = FORM_HTML
        .replace("{{ORIGIN}}", &escape_html(&origin))
        .replace("{{SUBACCOUNT}}", &escape_html(&subaccount))
        .replace("{{COMPANY}}", &escape_html(company));
    let csp = HeaderValue::from_str(&format!("{FORM_CSP}; frame-ancestors {origin}"))
        .map_err(|_| ApiError::forbidden("origin is not an allowed partner origin"))?;
    let mut res = (StatusCode::OK, html).into_response();
    set(
        &mut res,
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    set(&mut res, header::CONTENT_SECURITY_POLICY, csp);
    set(
        &mut res,
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    set(
        &mut res,
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    set(
        &mut res,
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(res)
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut res = body.into_response();
    set(
        &mut res,
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type),
    );
    set(
        &mut res,
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    );
    set(
        &mut res,
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

/// The form's routes; `cors` says which partner origins may embed it.
pub fn router(cors: Arc<Cors>) -> Router {
    Router::new()
        .route("/enrollment/form", get(form))
        .route(
            "/enrollment/form.js",
            get(|| async { asset(FORM_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/enrollment/form.css",
            get(|| async { asset(FORM_CSS, "text/css; charset=utf-8") }),
        )
        .with_state(cors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_escaping() {
        for ok in [
            "http://localhost:5173",
            "https://shop.example",
            "http://[::1]:8080",
        ] {
            assert!(is_origin_shaped(ok), "{ok}");
        }
        for bad in [
            "http://a.test/",
            "http://a.test; script-src *",
            "javascript:alert(1)",
            "http://",
            "http://a\"b",
            "*",
        ] {
            assert!(!is_origin_shaped(bad), "{bad}");
        }
        assert_eq!(
            escape_html("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn the_template_has_no_inline_script_or_style() {
        assert!(!FORM_HTML.contains("<script>"));
        assert!(!FORM_HTML.contains("style="));
        assert!(!FORM_HTML.contains("<style"));
        for handler in ["onclick", "onload", "onsubmit", "onerror", "javascript:"] {
            assert!(!FORM_HTML.contains(handler), "{handler}");
        }
        assert!(!FORM_JS.contains("innerHTML"));
        assert!(!FORM_JS.contains("'*'"));
    }
}
