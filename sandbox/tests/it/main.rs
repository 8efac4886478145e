//! Integration tests: every endpoint and refusal, over real HTTP on loopback.

mod backend;
mod card_form;
mod checkout;
mod cli;
mod clock;
mod common;
mod controls;
mod enrollment;
mod fault_bodies;
mod form_channel;
mod fuzz;
mod gatekeeper;
mod http;
mod idempotency;
mod oauth;
mod retry_faults;
