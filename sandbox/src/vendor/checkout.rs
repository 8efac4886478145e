//! The checkout API: `/v1/checkout-auth/init` (server-side, API token) and the
//! invoice endpoints the SDK calls with a checkout token.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::{authenticate, require_invoice, require_scope};
use super::data::{self, Invoice};
use super::{Claims, Vendor};
use crate::body::{json_body, optional_json_body};
use crate::config::API_SCOPE;
use crate::error::{ApiError, ApiResult};
use crate::util::{is_valid_id, random_hex};

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
) -> ApiResult<Json<Value>> {
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
    let (token, exp) = vendor.mint_checkout(&claims.client_id, &customer, &invoice, ttl)?;
    Ok(Json(json!({ "token": token, "expires_at": exp })))
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

/// `POST /v1/invoices/{invoice_id}/payments`: any JSON body (or none) → 201.
pub async fn pay(
    State(vendor): State<Arc<Vendor>>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = invoice_path(path)?;
    let claims = authenticate(&vendor, &headers)?;
    let inv = authorize(&vendor, &claims, &id)?;
    optional_json_body(&headers, body).await?;
    let payment = json!({
        "id": format!("pay_{}", random_hex::<8>()),
        "invoice_id": inv.id,
        "status": "succeeded",
        "amount": inv.amount,
        "currency": inv.currency,
    });
    Ok((StatusCode::CREATED, Json(payment)))
}
