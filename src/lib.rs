//! cseval: evaluates an outsourced customer-service provider against its contract.
//!
//! The pipeline, one module per stage: [`cli`] → [`config`] → [`ingest`] → [`normalize`] →
//! [`kpi`] → [`evaluate`] → [`render`]. [`sample`] generates synthetic exports.

pub mod cli;
pub mod config;
pub mod convert;
pub mod error;
pub mod evaluate;
pub mod ingest;
pub mod init;
pub mod kpi;
pub mod manifest;
pub mod mapping;
pub mod model;
pub mod normalize;
pub mod pipeline;
pub mod render;
pub mod report;
pub mod sample;
