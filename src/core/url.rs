//! `baseUrl` rules and origin pinning, decided on the text alone.
//!
//! The rules are strict on purpose: anything the browser's URL parser might read
//! differently from us (userinfo, backslashes, control characters, percent-encoded or
//! non-ASCII hosts) is refused, so the token can only go to the origin we compared.

/// A validated API base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// The URL as given, with trailing `/` removed.
    pub url: String,
    /// `scheme://host[:port]`, lower-cased, default port dropped.
    pub origin: String,
}

/// The problems a URL can have, as fixed sentences.
pub mod problem {
    /// Not an absolute URL we can read unambiguously (a user name or password in it, a
    /// space, a control character or a backslash make it ambiguous).
    pub const NOT_ABSOLUTE: &str =
        "must be an absolute https: URL, without a user name, password, spaces or backslashes";
    /// `http:` to a host other than a loopback name.
    pub const HTTP_NOT_LOCAL: &str =
        "must use https: (http: is allowed only for localhost, 127.0.0.1 and [::1])";
    /// A query or fragment in a base URL.
    pub const QUERY: &str = "must not contain a query or fragment";
    /// A request path outside the API's origin.
    pub const PATH: &str =
        "must start with a single / (not // or /\\) or be an absolute URL at the baseUrl's origin";
}

struct Parts<'a> {
    scheme: &'static str,
    host: String,
    port: Option<&'a str>,
    rest: &'a str,
}

impl Parts<'_> {
    fn origin(&self) -> String {
        let mut s = String::with_capacity(self.scheme.len() + self.host.len() + 10);
        s.push_str(self.scheme);
        s.push_str("://");
        s.push_str(&self.host);
        let default = if self.scheme == "https" { "443" } else { "80" };
        if let Some(port) = self.port.filter(|p| *p != default) {
            s.push(':');
            s.push_str(port);
        }
        s
    }
}

fn valid_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return !inner.is_empty()
            && inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
    }
    !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// A decimal port without leading zeros: the browser would write `0443` as `443`, and
/// the origin compared with the page's must be written as the browser writes it.
fn valid_port(port: &str) -> bool {
    !port.is_empty()
        && port.len() <= 5
        && !(port.len() > 1 && port.starts_with('0'))
        && port.bytes().all(|b| b.is_ascii_digit())
        && port.parse::<u32>().is_ok_and(|p| p <= 65535)
}

fn split_scheme(s: &str) -> Option<(&'static str, &str)> {
    // A byte search rather than `split_once("://")`: a `&str` pattern pulls in the
    // standard library's string-slicing panic path and its formatting (~3 KB of wasm).
    let at = s.as_bytes().windows(3).position(|w| w == b"://")?;
    let (scheme, rest) = (s.get(..at)?, s.get(at + 3..)?);
    if scheme.eq_ignore_ascii_case("https") {
        Some(("https", rest))
    } else if scheme.eq_ignore_ascii_case("http") {
        Some(("http", rest))
    } else {
        None
    }
}

fn parse(s: &str) -> Option<Parts<'_>> {
    if s.bytes().any(|b| b <= b' ' || b == 0x7f || b == b'\\') {
        return None;
    }
    let (scheme, after) = split_scheme(s)?;
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (authority, rest) = after.split_at_checked(end)?;
    if authority.contains('@') {
        return None;
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => (host, Some(port)),
        _ => (authority, None),
    };
    if !valid_host(host) || port.is_some_and(|p| !valid_port(p)) {
        return None;
    }
    Some(Parts {
        scheme,
        host: host.to_ascii_lowercase(),
        port,
        rest,
    })
}

fn is_loopback(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}

/// Validates a `baseUrl`: absolute, `https:` (or `http:` to a loopback host), no
/// userinfo, query or fragment; trailing `/` removed.
///
/// # Errors
/// A fixed sentence from [`problem`].
pub fn parse_base_url(s: &str) -> Result<BaseUrl, &'static str> {
    let parts = parse(s).ok_or(problem::NOT_ABSOLUTE)?;
    if parts.scheme == "http" && !is_loopback(&parts.host) {
        return Err(problem::HTTP_NOT_LOCAL);
    }
    if parts.rest.contains(['?', '#']) {
        return Err(problem::QUERY);
    }
    Ok(BaseUrl {
        url: s.trim_end_matches('/').to_owned(),
        origin: parts.origin(),
    })
}

/// Resolves a request path against the base: `/...` is appended to the base URL; an
/// absolute URL is accepted only at exactly the base's origin.
///
/// # Errors
/// [`problem::PATH`] for anything else, including `//host` and other origins.
pub fn resolve(base: &BaseUrl, path: &str) -> Result<String, &'static str> {
    if path.bytes().any(|b| b < b' ' || b == 0x7f) {
        return Err(problem::PATH);
    }
    if path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\") {
        let mut url = String::with_capacity(base.url.len() + path.len());
        url.push_str(&base.url);
        url.push_str(path);
        return Ok(url);
    }
    match parse(path) {
        Some(parts) if parts.origin() == base.origin => Ok(path.to_owned()),
        _ => Err(problem::PATH),
    }
}

/// Percent-encodes one path segment as `encodeURIComponent` does.
pub fn encode_segment(segment: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(s: &str) -> BaseUrl {
        parse_base_url(s).unwrap()
    }

    #[test]
    fn base_url_rules() {
        assert_eq!(
            base("https://api.example.com/").url,
            "https://api.example.com"
        );
        assert_eq!(
            base("https://API.example.com:443/v1//").origin,
            "https://api.example.com"
        );
        assert_eq!(
            base("http://localhost:8787").origin,
            "http://localhost:8787"
        );
        assert_eq!(base("http://127.0.0.1:1/").url, "http://127.0.0.1:1");
        assert_eq!(base("http://[::1]:9/").origin, "http://[::1]:9");
        assert_eq!(base("http://localhost:0/").origin, "http://localhost:0");
        assert_eq!(base("https://x.com:65535").origin, "https://x.com:65535");
        for bad in [
            "",
            "api.example.com",
            "/v1",
            "ftp://x.com",
            "https://",
            "https://a b.com",
            "https://user@x.com",
            "https://x.com:99999",
            "https://x.com:",
            "https://x.com:0443",
            "https://x.com:00",
            "https://%61.com",
            "https://exämple.com",
            "https:\\\\x.com",
            "javascript:alert(1)",
            "https://[]",
            "https://[zz]",
            "https://x.com:65536",
            "https://x.com/a\u{7f}",
        ] {
            assert_eq!(parse_base_url(bad), Err(problem::NOT_ABSOLUTE), "{bad}");
        }
        assert_eq!(
            parse_base_url("http://example.com"),
            Err(problem::HTTP_NOT_LOCAL)
        );
        assert_eq!(
            parse_base_url("http://localhost.evil.com"),
            Err(problem::HTTP_NOT_LOCAL)
        );
        assert_eq!(parse_base_url("https://x.com/?a=1"), Err(problem::QUERY));
        assert_eq!(parse_base_url("https://x.com#f"), Err(problem::QUERY));
    }

    #[test]
    fn path_pinning() {
        let b = base("https://api.example.com/v2/");
        assert_eq!(
            resolve(&b, "/invoices").unwrap(),
            "https://api.example.com/v2/invoices"
        );
        assert_eq!(
            resolve(&b, "https://api.example.com/x").unwrap(),
            "https://api.example.com/x"
        );
        assert_eq!(
            resolve(&b, "https://API.example.com:443/x").unwrap(),
            "https://API.example.com:443/x"
        );
        for bad in [
            "invoices",
            "//evil.com/x",
            "/\\evil.com",
            "https://evil.com/x",
            "http://api.example.com/x",
            "https://api.example.com:8443/x",
            "https://api.example.com@evil.com/",
            "https://api.example.com.evil.com/",
            "/a\nb",
            "/a\u{7f}b",
            "",
            "ftp://api.example.com/",
        ] {
            assert_eq!(resolve(&b, bad), Err(problem::PATH), "{bad:?}");
        }
    }

    #[test]
    fn segments_encode_like_encode_uri_component() {
        assert_eq!(encode_segment("a b/c?d#é"), "a%20b%2Fc%3Fd%23%C3%A9");
        assert_eq!(encode_segment("Az09-_.!~*'()"), "Az09-_.!~*'()");
    }
}
