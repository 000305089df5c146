//! Pool tests against a mock runtime validator.
mod lifecycle;
mod limits;
mod mock;
mod ordering;
mod props;
mod watchers;
