//! The DEX: constant-product pools (in progress).
#![cfg_attr(not(feature = "std"), no_std)]
