//! Gatekeeper: device registration and device checks. Both need the
//! application's `x-api-key` and a Bearer token with the Gatekeeper scope.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::{json, Value};

use super::auth::{authenticate, require_api_key, require_scope};
use super::Vendor;
use crate::body::optional_json_body;
use crate::config::GATEKEEPER_SCOPE;
use crate::error::{ApiError, ApiResult};
use crate::util::{is_valid_id, is_valid_id_with, lock, random_hex, rfc3339};

/// Registered devices kept at most (a sandbox, not a database).
const MAX_DEVICES: usize = 100_000;

fn bad_path() -> ApiError {
    ApiError::invalid_request("path ids must match [A-Za-z0-9_-]{1,64} (versions may contain '.')")
}

fn app_and_version(app: &str, version: &str) -> ApiResult<()> {
    if is_valid_id(app) && is_valid_id_with(version, b"._-") {
        Ok(())
    } else {
        Err(bad_path())
    }
}

/// Api key, then token, then scope; records the accepted jti.
fn gate(vendor: &Vendor, headers: &HeaderMap, app: &str) -> ApiResult<()> {
    require_api_key(vendor, headers, app)?;
    let claims = authenticate(vendor, headers)?;
    require_scope(&claims, GATEKEEPER_SCOPE)?;
    vendor.counters.accepted_jti(&claims.jti);
    Ok(())
}

/// `POST /v1/applications/{applicationId}/versions/{applicationVersion}/devices` → 201 `{deviceId}`.
pub async fn register(
    State(vendor): State<Arc<Vendor>>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let Ok(Path((app, version))) = path else {
        return Err(bad_path());
    };
    app_and_version(&app, &version)?;
    gate(&vendor, &headers, &app)?;
    optional_json_body(&headers, body).await?;
    let device_id = format!("dev_{}", random_hex::<12>());
    {
        let mut devices = lock(&vendor.devices);
        if devices.len() >= MAX_DEVICES {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "device registry is full; restart the sandbox",
            ));
        }
        devices.insert(format!("{app}/{device_id}"));
    }
    vendor.counters.device_registered();
    let body = json!({
        "deviceId": device_id,
        "applicationId": app,
        "applicationVersion": version,
        "registeredAt": rfc3339(vendor.clock().now()),
    });
    Ok((StatusCode::CREATED, Json(body)))
}

/// `POST …/devices/{deviceId}/checks` → `{status: "Ok", deviceId, checkedAt}`.
pub async fn check(
    State(vendor): State<Arc<Vendor>>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<Value>> {
    let Ok(Path((app, version, device_id))) = path else {
        return Err(bad_path());
    };
    app_and_version(&app, &version)?;
    if !is_valid_id(&device_id) {
        return Err(bad_path());
    }
    gate(&vendor, &headers, &app)?;
    optional_json_body(&headers, body).await?;
    if !lock(&vendor.devices).contains(&format!("{app}/{device_id}")) {
        return Err(ApiError::not_found("device is not registered"));
    }
    vendor.counters.checked();
    Ok(Json(json!({
        "status": "Ok",
        "deviceId": device_id,
        "applicationId": app,
        "applicationVersion": version,
        "checkedAt": rfc3339(vendor.clock().now()),
    })))
}
