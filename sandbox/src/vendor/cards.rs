//! Card enrollment: `POST /v1/subaccounts/{subaccount_id}/cards`, called by
//! the hosted card form with a token of the `cards/enroll` scope.
//!
//! The full card number and the CVC only live in the request body being
//! validated: they are never stored, logged, echoed in an error or answered.
//! What is kept per card is `{cardId, subaccountId, last4, brand, expMonth, expYear}`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::auth::{authenticate, require_scope};
use super::Vendor;
use crate::body::json_body;
use crate::clock::year_month;
use crate::config::ENROLLMENT_SCOPE;
use crate::error::{ApiError, ApiResult};
use crate::util::{is_valid_id, lock, random_hex};

/// Cards kept at most (a sandbox, not a vault).
const MAX_CARDS: usize = 100_000;
/// How far ahead an expiry year may be.
const MAX_YEARS_AHEAD: i64 = 20;
/// The test number the sandbox declines with 402 `card_declined`.
pub const DECLINED_NUMBER: &str = "4000000000000002";

/// A stored card: never the full number, never the CVC.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredCard {
    /// `card_…`.
    pub card_id: String,
    /// The subaccount it was enrolled for.
    pub subaccount_id: String,
    /// Last four digits.
    pub last4: String,
    /// `visa`, `mastercard`, `amex`, `discover` or `unknown`.
    pub brand: &'static str,
    /// 1..=12.
    pub exp_month: u32,
    /// Four digits.
    pub exp_year: i64,
}

/// A field-level refusal: 422 `{error:"invalid_card", field, message}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardError {
    /// `number`, `expiry`, `cvc` or `name`.
    pub field: &'static str,
    /// A fixed, user-facing message (never contains input).
    pub message: &'static str,
}

impl IntoResponse for CardError {
    fn into_response(self) -> Response {
        let body = json!({
            "error": "invalid_card",
            "field": self.field,
            "message": self.message,
            "error_description": self.message,
        });
        (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
    }
}

fn invalid(field: &'static str, message: &'static str) -> CardError {
    CardError { field, message }
}

/// The brand from the number's prefix.
pub fn brand(digits: &str) -> &'static str {
    let prefix = |n: usize| digits.get(..n).and_then(|p| p.parse::<u32>().ok());
    if digits.starts_with("34") || digits.starts_with("37") {
        "amex"
    } else if digits.starts_with('4') {
        "visa"
    } else if prefix(2).is_some_and(|p| (51..=55).contains(&p))
        || prefix(4).is_some_and(|p| (2221..=2720).contains(&p))
    {
        "mastercard"
    } else if digits.starts_with("6011")
        || digits.starts_with("65")
        || prefix(3).is_some_and(|p| (644..=649).contains(&p))
    {
        "discover"
    } else {
        "unknown"
    }
}

/// The Luhn checksum over ASCII digits.
pub fn luhn(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, b) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(b.wrapping_sub(b'0'));
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

/// The card number: spaces removed, then 12–19 digits passing Luhn.
fn number(body: &Map<String, Value>) -> Result<String, CardError> {
    let raw = match body.get("number") {
        Some(Value::String(s)) if !s.trim().is_empty() => s,
        _ => return Err(invalid("number", "Enter the card number.")),
    };
    let digits: String = raw.chars().filter(|c| *c != ' ').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(
            "number",
            "The card number may contain only digits.",
        ));
    }
    if !(12..=19).contains(&digits.len()) {
        return Err(invalid(
            "number",
            "The card number must be 12 to 19 digits.",
        ));
    }
    if !luhn(&digits) {
        return Err(invalid("number", "The card number is not valid."));
    }
    Ok(digits)
}

/// An integer field given as a JSON number or a string of digits.
fn int_field(body: &Map<String, Value>, key: &str) -> Option<i64> {
    match body.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) if (1..=4).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()
        }
        _ => None,
    }
}

/// `(month, four-digit year)`: month 1–12, not before the server's current
/// month, at most 20 years ahead. A two-digit year means 20YY.
fn expiry(body: &Map<String, Value>, now: i64) -> Result<(u32, i64), CardError> {
    let month = int_field(body, "expMonth")
        .and_then(|m| u32::try_from(m).ok())
        .filter(|m| (1..=12).contains(m))
        .ok_or_else(|| invalid("expiry", "Enter a valid expiry month (01 to 12)."))?;
    let year = int_field(body, "expYear")
        .map(|y| if (0..100).contains(&y) { 2000 + y } else { y })
        .filter(|y| (2000..=2999).contains(y))
        .ok_or_else(|| invalid("expiry", "Enter a valid expiry year."))?;
    let (this_year, this_month) = year_month(now);
    if (year, month) < (this_year, this_month) {
        return Err(invalid("expiry", "The card has expired."));
    }
    if year > this_year + MAX_YEARS_AHEAD {
        return Err(invalid(
            "expiry",
            "The expiry year is too far in the future.",
        ));
    }
    Ok((month, year))
}

/// The CVC: 3 digits, 4 for American Express.
fn cvc(body: &Map<String, Value>, brand: &str) -> Result<(), CardError> {
    let want = if brand == "amex" { 4 } else { 3 };
    let ok = matches!(body.get("cvc"), Some(Value::String(s))
        if s.len() == want && s.bytes().all(|b| b.is_ascii_digit()));
    match (ok, want) {
        (true, _) => Ok(()),
        (false, 4) => Err(invalid(
            "cvc",
            "The security code of an American Express card is 4 digits.",
        )),
        (false, _) => Err(invalid("cvc", "The security code is 3 digits.")),
    }
}

/// The optional cardholder name: a string of at most 100 characters.
fn name(body: &Map<String, Value>) -> Result<(), CardError> {
    match body.get("name") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(s)) if s.chars().count() <= 100 => Ok(()),
        Some(_) => Err(invalid(
            "name",
            "The cardholder name must be at most 100 characters.",
        )),
    }
}

/// Validates a card body; on success the stored view of it (no number, no CVC).
///
/// # Errors
/// The first invalid field, in the order number, expiry, CVC, name.
pub fn validate(body: &Map<String, Value>, now: i64) -> Result<(String, StoredCard), CardError> {
    let digits = number(body)?;
    let (exp_month, exp_year) = expiry(body, now)?;
    let brand = brand(&digits);
    cvc(body, brand)?;
    name(body)?;
    let last4 = digits
        .get(digits.len() - 4..)
        .unwrap_or_default()
        .to_owned();
    let card = StoredCard {
        card_id: format!("card_{}", random_hex::<10>()),
        subaccount_id: String::new(),
        last4,
        brand,
        exp_month,
        exp_year,
    };
    Ok((digits, card))
}

/// `POST /v1/subaccounts/{subaccount_id}/cards` → 201 `{cardId, last4, brand, expMonth, expYear}`.
pub async fn enroll(
    State(vendor): State<Arc<Vendor>>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let subaccount = match path {
        Ok(Path(id)) if is_valid_id(&id) => id,
        _ => {
            return Err(ApiError::invalid_request(
                "subaccount_id must match [A-Za-z0-9_-]{1,64}",
            ))
        }
    };
    let claims = authenticate(&vendor, &headers)?;
    require_scope(&claims, ENROLLMENT_SCOPE)?;
    vendor.counters.accepted_jti(&claims.jti);
    let value: Value = json_body(&headers, body).await?;
    let Value::Object(fields) = value else {
        return Err(ApiError::invalid_request("the card must be a JSON object"));
    };
    let (digits, mut card) = match validate(&fields, vendor.clock().now()) {
        Ok(ok) => ok,
        Err(e) => return Ok(e.into_response()),
    };
    if digits == DECLINED_NUMBER {
        return Err(ApiError::new(
            StatusCode::PAYMENT_REQUIRED,
            "card_declined",
            "the card was declined",
        ));
    }
    drop(digits);
    card.subaccount_id = subaccount;
    {
        let mut cards = lock(&vendor.cards);
        if cards.len() >= MAX_CARDS {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "card store is full; POST /__sandbox/reset or restart the sandbox",
            ));
        }
        cards.push(card.clone());
    }
    vendor.counters.card_enrolled();
    let body = json!({
        "cardId": card.card_id,
        "last4": card.last4,
        "brand": card.brand,
        "expMonth": card.exp_month,
        "expYear": card.exp_year,
    });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAY_2025: i64 = 1_747_000_000;

    fn card(v: Value) -> Result<(String, StoredCard), CardError> {
        match v {
            Value::Object(m) => validate(&m, MAY_2025),
            _ => panic!("object"),
        }
    }

    #[test]
    fn brands_and_luhn() {
        for (n, b) in [
            ("4242424242424242", "visa"),
            ("5555555555554444", "mastercard"),
            ("2223003122003222", "mastercard"),
            ("378282246310005", "amex"),
            ("6011111111111117", "discover"),
            ("3056930009020004", "unknown"),
        ] {
            assert_eq!(brand(n), b, "{n}");
            assert!(luhn(n), "{n}");
        }
        assert!(!luhn("4242424242424241"));
    }

    #[test]
    fn fields_are_checked_in_order_and_nothing_leaks() {
        let ok =
            json!({"number": "4242 4242 4242 4242", "expMonth": 5, "expYear": 2025, "cvc": "123"});
        let (digits, stored) = card(ok).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (digits.as_str(), stored.last4.as_str()),
            ("4242424242424242", "4242")
        );
        assert!(!format!("{stored:?}").contains("4242424242424242"));
        let field = |v: Value| card(v).err().map(|e| e.field);
        assert_eq!(
            field(json!({"number": "4242-4242-4242-4242"})),
            Some("number")
        );
        assert_eq!(field(json!({"number": "4242424242424241"})), Some("number"));
        assert_eq!(field(json!({"number": "42424242424"})), Some("number"));
        let n = "4242424242424242";
        assert_eq!(
            field(json!({"number": n, "expMonth": 4, "expYear": 2025, "cvc": "123"})),
            Some("expiry")
        );
        assert_eq!(
            field(json!({"number": n, "expMonth": 13, "expYear": 2030, "cvc": "123"})),
            Some("expiry")
        );
        assert_eq!(
            field(json!({"number": n, "expMonth": 1, "expYear": 2060, "cvc": "123"})),
            Some("expiry")
        );
        assert_eq!(
            field(json!({"number": n, "expMonth": "05", "expYear": "25", "cvc": "12"})),
            Some("cvc")
        );
        assert_eq!(
            field(json!({"number": "378282246310005", "expMonth": 5, "expYear": 30, "cvc": "123"})),
            Some("cvc")
        );
        assert!(card(
            json!({"number": "378282246310005", "expMonth": 5, "expYear": 30, "cvc": "1234"})
        )
        .is_ok());
    }
}
