//! Integration tests: run the real `cseval` binary on fixtures, sample data and real exports.

mod channels;
mod cn;
mod common;
mod docx;
mod evidence;
mod exports;
mod formats;
mod golden;
mod history;
mod holidays;
mod hostile;
mod house;
mod payment;
mod plan;
mod real;
mod repeat;
mod run;
mod schedule;
mod scoring;
mod uncertainty;
mod verify;
