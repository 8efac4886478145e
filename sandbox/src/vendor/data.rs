//! The vendor's demo data: invoices and their owners.

use serde_json::{json, Value};

/// Issuer (`iss`) of every token the sandbox mints.
pub const ISSUER: &str = "partner-sandbox";

/// `partner_id` claim of checkout tokens.
pub const PARTNER_ID: &str = "partner_demo";

/// One invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invoice {
    /// `inv_…`.
    pub id: &'static str,
    /// Owning customer.
    pub customer_id: &'static str,
    /// Minor units (cents).
    pub amount: u64,
    /// ISO 4217 code.
    pub currency: &'static str,
    /// Free text.
    pub description: &'static str,
    /// `open` for every demo invoice (payments do not mutate state, so runs repeat).
    pub status: &'static str,
}

impl Invoice {
    /// The JSON answered by `GET /v1/invoices/{id}`.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "customer_id": self.customer_id,
            "amount": self.amount,
            "currency": self.currency,
            "description": self.description,
            "status": self.status,
        })
    }
}

/// All demo invoices.
pub const INVOICES: [Invoice; 3] = [
    Invoice {
        id: "inv_1001",
        customer_id: "cus_demo",
        amount: 4999,
        currency: "USD",
        description: "Demo order",
        status: "open",
    },
    Invoice {
        id: "inv_1002",
        customer_id: "cus_demo",
        amount: 1250,
        currency: "USD",
        description: "Demo subscription",
        status: "open",
    },
    Invoice {
        id: "inv_9999",
        customer_id: "cus_other",
        amount: 100,
        currency: "EUR",
        description: "Another customer's order",
        status: "open",
    },
];

/// Looks an invoice up by id.
pub fn invoice(id: &str) -> Option<&'static Invoice> {
    INVOICES.iter().find(|i| i.id == id)
}
