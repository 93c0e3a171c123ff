//! The application layer's integration tests: one binary (see xtask's lint).

mod every_service;
mod simulation;
mod tariffs;
