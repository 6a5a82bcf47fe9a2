//! HTTP resource services.
