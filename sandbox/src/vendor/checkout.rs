//! The checkout API: `/v1/checkout-auth/init` (server-side, API token) and the
//! invoice endpoints the SDK calls with a checkout token.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::auth::{authenticate, require_invoice, require_scope};
use super::data::{self, Invoice};
use super::{Claims, Vendor};
use crate::body::{json_body, optional_json_bytes};
use crate::config::API_SCOPE;
use crate::error::{ApiError, ApiResult};
use crate::util::{is_valid_id, lock, no_store, random_hex};

#[derive(Deserialize)]
struct InitRequest {
    customer_id: Option<String>,
    invoice_id: Option<String>,
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

/// `POST /v1/checkout-auth/init`: `{customer_id, invoice_id}` → `{token, expires_at}`.
pub async fn init(
    State(vendor): State<Arc<Vendor>>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let claims = authenticate(&vendor, &headers)?;
    require_scope(&claims, API_SCOPE)?;
    let req: InitRequest = json_body(&headers, body).await?;
    let (Some(customer), Some(invoice)) = (non_empty(req.customer_id), non_empty(req.invoice_id))
    else {
        return Err(ApiError::invalid_request(
            "customer_id and invoice_id are required",
        ));
    };
    if !is_valid_id(&customer) || !is_valid_id(&invoice) {
        return Err(ApiError::invalid_request(
            "customer_id and invoice_id must be ids",
        ));
    }
    let inv = data::invoice(&invoice).ok_or_else(|| ApiError::not_found("invoice not found"))?;
    if inv.customer_id != customer {
        return Err(ApiError::forbidden(
            "invoice does not belong to this customer",
        ));
    }
    let ttl = vendor.lifetimes().checkout;
    let (token, exp) =
        vendor.mint_checkout(&claims.client_id, &customer, &invoice, ttl, super::IAT_NOW)?;
    Ok(no_store(
        Json(json!({ "token": token, "expires_at": exp })).into_response(),
    ))
}

/// The `{invoice_id}` path segment, shape-checked.
fn invoice_path(path: Result<Path<String>, PathRejection>) -> ApiResult<String> {
    match path {
        Ok(Path(id)) if is_valid_id(&id) => Ok(id),
        _ => Err(ApiError::invalid_request(
            "invoice_id must match [A-Za-z0-9_-]{1,64}",
        )),
    }
}

/// The token must be for this invoice and its customer; records the jti.
fn authorize(vendor: &Vendor, claims: &Claims, invoice_id: &str) -> ApiResult<&'static Invoice> {
    require_invoice(claims, invoice_id)?;
    let inv = data::invoice(invoice_id).ok_or_else(|| ApiError::not_found("invoice not found"))?;
    if claims.customer_id.as_deref() != Some(inv.customer_id) {
        return Err(ApiError::insufficient_scope(
            "token is not valid for this invoice",
        ));
    }
    vendor.counters.accepted_jti(&claims.jti);
    Ok(inv)
}

/// `GET /v1/invoices/{invoice_id}`.
pub async fn get_invoice(
    State(vendor): State<Arc<Vendor>>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    let id = invoice_path(path)?;
    let claims = authenticate(&vendor, &headers)?;
    let inv = authorize(&vendor, &claims, &id)?;
    Ok(Json(inv.to_json()))
}

/// Idempotency keys remembered at most (a sandbox, not a database).
const MAX_IDEMPOTENCY_KEYS: usize = 100_000;
/// Longest `Idempotency-Key` accepted.
const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;
/// Set on an answer replayed for a repeated `Idempotency-Key`.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// A payment remembered under its `Idempotency-Key`.
#[derive(Debug, Clone)]
pub struct StoredPayment {
    /// SHA-256 of the request body that made it.
    body_hash: [u8; 32],
    /// The 201 body answered.
    payment: Value,
}

/// Payments made with an `Idempotency-Key`, by `(invoice_id, key)`.
pub type IdempotencyStore = HashMap<(String, String), StoredPayment>;

/// The `Idempotency-Key` header: `None` without one; 1..=255 visible ASCII
/// characters otherwise.
fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .filter(|k| {
            (1..=MAX_IDEMPOTENCY_KEY_LEN).contains(&k.len())
                && k.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
        })
        .map(|k| Some(k.to_owned()))
        .ok_or_else(|| {
            ApiError::invalid_request("Idempotency-Key must be 1-255 printable ASCII characters")
        })
}

fn new_payment(inv: &Invoice) -> Value {
    json!({
        "id": format!("pay_{}", random_hex::<8>()),
        "invoice_id": inv.id,
        "status": "succeeded",
        "amount": inv.amount,
        "currency": inv.currency,
    })
}

/// `POST /v1/invoices/{invoice_id}/payments`: any JSON body (or none) → 201.
///
/// With an `Idempotency-Key` (scoped to the invoice): the same key and the
/// same body bytes answer the first payment again (`idempotent-replayed:
/// true`); the same key with another body is 422 `idempotency_key_reused`.
/// Only successful payments are remembered, so a refused attempt (401, 400…)
/// may be retried with the same key.
pub async fn pay(
    State(vendor): State<Arc<Vendor>>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let id = invoice_path(path)?;
    let claims = authenticate(&vendor, &headers)?;
    let inv = authorize(&vendor, &claims, &id)?;
    let key = idempotency_key(&headers)?;
    let (bytes, _) = optional_json_bytes(&headers, body).await?;
    let Some(key) = key else {
        vendor.counters.payment_created();
        return Ok((StatusCode::CREATED, Json(new_payment(inv))).into_response());
    };
    let body_hash: [u8; 32] = Sha256::digest(&bytes).into();
    // Check and insert under one lock: two concurrent retries make one payment.
    let mut store = lock(&vendor.payments);
    if let Some(stored) = store.get(&(id.clone(), key.clone())) {
        if stored.body_hash != body_hash {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was used with a different request body",
            ));
        }
        let mut res = (StatusCode::CREATED, Json(stored.payment.clone())).into_response();
        res.headers_mut()
            .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
        vendor.counters.payment_replayed();
        return Ok(res);
    }
    if store.len() >= MAX_IDEMPOTENCY_KEYS {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "idempotency store is full; POST /__sandbox/reset or restart the sandbox",
        ));
    }
    let payment = new_payment(inv);
    store.insert(
        (id, key),
        StoredPayment {
            body_hash,
            payment: payment.clone(),
        },
    );
    drop(store);
    vendor.counters.payment_created();
    Ok((StatusCode::CREATED, Json(payment)).into_response())
}
