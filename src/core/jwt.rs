//! The JWT shape rules of the contract. The SDK never verifies signatures: the API does.

use crate::core::base64url;
use crate::core::json::{JsonObjects, Member, NotObject};
use crate::core::secret::AccessToken;

/// The rule a token broke. The message names the rule and never contains the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRule {
    /// The value is not a string.
    NotAString,
    /// The string is empty after trimming ASCII whitespace.
    Empty,
    /// Not exactly three dot-separated segments.
    SegmentCount,
    /// One of the three segments is empty.
    EmptySegment,
    /// A segment is not unpadded base64url.
    NotBase64Url,
    /// The header does not decode to JSON.
    HeaderNotJson,
    /// The header is JSON but not an object.
    HeaderNotObject,
    /// The header has no string `alg`.
    AlgMissing,
    /// The header's `alg` is `none`.
    AlgNone,
    /// The payload does not decode to JSON.
    PayloadNotJson,
    /// The payload is JSON but not an object.
    PayloadNotObject,
    /// `exp` is present and not a number.
    ExpNotNumber,
    /// `nbf` is present and not a number.
    NbfNotNumber,
    /// `iat` is present and not a number.
    IatNotNumber,
}

impl TokenRule {
    /// True for the rules reported as `InvalidAccessTokenFormat`.
    pub fn is_format(self) -> bool {
        !matches!(self, TokenRule::NotAString | TokenRule::Empty)
    }

    /// The sentence naming the rule.
    pub fn message(self) -> &'static str {
        match self {
            TokenRule::NotAString => "access token must be a string",
            TokenRule::Empty => "access token is empty",
            TokenRule::SegmentCount => "access token must have three dot-separated segments",
            TokenRule::EmptySegment => "access token has an empty segment",
            TokenRule::NotBase64Url => {
                "access token segment is not base64url (no padding, no + or /)"
            }
            TokenRule::HeaderNotJson => "access token header is not JSON",
            TokenRule::HeaderNotObject => "access token header is not a JSON object",
            TokenRule::AlgMissing => "access token header has no string alg",
            TokenRule::AlgNone => "access token header alg must not be none",
            TokenRule::PayloadNotJson => "access token payload is not JSON",
            TokenRule::PayloadNotObject => "access token payload is not a JSON object",
            TokenRule::ExpNotNumber => "access token exp claim is not a number",
            TokenRule::NbfNotNumber => "access token nbf claim is not a number",
            TokenRule::IatNotNumber => "access token iat claim is not a number",
        }
    }
}

/// The registered time claims, typed.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Times {
    /// `exp`, seconds since the epoch.
    pub exp: Option<f64>,
    /// `nbf`, seconds since the epoch.
    pub nbf: Option<f64>,
    /// `iat`, seconds since the epoch.
    pub iat: Option<f64>,
}

/// A token that passed every shape rule.
#[derive(Debug, Clone)]
pub struct Jwt<O> {
    /// The trimmed token.
    pub token: AccessToken,
    /// The decoded payload as a JSON object.
    pub claims: O,
    /// The payload's JSON text (the browser hands out fresh copies from it).
    pub claims_json: String,
    /// The typed time claims.
    pub times: Times,
}

fn is_ascii_space(c: char) -> bool {
    c.is_ascii_whitespace() || c == '\u{0B}'
}

/// Decodes a segment to text; bytes that are not UTF-8 cannot be JSON, so they fail
/// with `not_json` (the segment itself was valid base64url).
fn decode_json_text(segment: &str, not_json: TokenRule) -> Result<String, TokenRule> {
    let bytes = base64url::decode(segment).ok_or(TokenRule::NotBase64Url)?;
    String::from_utf8(bytes).map_err(|_| not_json)
}

fn time_claim<J: JsonObjects>(
    json: &J,
    object: &J::Object,
    key: &str,
    rule: TokenRule,
) -> Result<Option<f64>, TokenRule> {
    match json.member(object, key) {
        Member::Absent => Ok(None),
        Member::Number(n) => Ok(Some(n)),
        _ => Err(rule),
    }
}

/// Applies the shape rules to a string token.
///
/// # Errors
/// The first [`TokenRule`] that fails, in the contract's order.
pub fn parse<J: JsonObjects>(raw: &str, json: &J) -> Result<Jwt<J::Object>, TokenRule> {
    let token = raw.trim_matches(is_ascii_space);
    if token.is_empty() {
        return Err(TokenRule::Empty);
    }
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenRule::SegmentCount);
    };
    if header.is_empty() || payload.is_empty() || signature.is_empty() {
        return Err(TokenRule::EmptySegment);
    }
    if !base64url::is_valid(signature) {
        return Err(TokenRule::NotBase64Url);
    }
    let header_text = decode_json_text(header, TokenRule::HeaderNotJson)?;
    let claims_json = decode_json_text(payload, TokenRule::PayloadNotJson)?;

    let header_obj = json.parse_object(&header_text).map_err(|e| match e {
        NotObject::NotJson => TokenRule::HeaderNotJson,
        NotObject::OtherValue => TokenRule::HeaderNotObject,
    })?;
    match json.member(&header_obj, "alg") {
        Member::Str(alg) if alg.eq_ignore_ascii_case("none") => return Err(TokenRule::AlgNone),
        Member::Str(_) => {}
        _ => return Err(TokenRule::AlgMissing),
    }

    let claims = json.parse_object(&claims_json).map_err(|e| match e {
        NotObject::NotJson => TokenRule::PayloadNotJson,
        NotObject::OtherValue => TokenRule::PayloadNotObject,
    })?;
    let times = Times {
        exp: time_claim(json, &claims, "exp", TokenRule::ExpNotNumber)?,
        nbf: time_claim(json, &claims, "nbf", TokenRule::NbfNotNumber)?,
        iat: time_claim(json, &claims, "iat", TokenRule::IatNotNumber)?,
    };
    Ok(Jwt {
        token: AccessToken::new(token.to_owned()),
        claims,
        claims_json,
        times,
    })
}
