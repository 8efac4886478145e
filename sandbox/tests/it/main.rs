//! Integration tests: every endpoint and refusal, over real HTTP on loopback.

mod backend;
mod checkout;
mod cli;
mod common;
mod controls;
mod fault_bodies;
mod fuzz;
mod gatekeeper;
mod http;
mod oauth;
