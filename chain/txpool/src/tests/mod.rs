//! Pool tests against a mock runtime validator.
mod lifecycle;
mod limits;
mod mock;
mod nonce_index;
mod ordering;
mod props;
mod watchers;
