//! JSON-RPC error codes this API answers with. Substrate's codes where Substrate
//! has the error, so existing tooling recognises them; `data` carries the precise reason.

/// A parameter's value is wrong (bad hex, wrong length, bad address, too many keys).
/// jsonrpsee uses the same code for parameters of the wrong JSON type.
pub const INVALID_PARAMS: i32 = -32602;
/// No such method (jsonrpsee).
pub const METHOD_NOT_FOUND: i32 = -32601;

/// The extrinsic bytes do not decode (Substrate: "Extrinsic has invalid format").
pub const BAD_FORMAT: i32 = 1001;
/// The runtime refused the transaction (Substrate: "Invalid Transaction").
pub const INVALID_TRANSACTION: i32 = 1010;
/// Validity could not be determined (Substrate: "Unknown Transaction Validity").
pub const UNKNOWN_TRANSACTION_VALIDITY: i32 = 1011;
/// The transaction failed validation recently and is banned for a while.
pub const TEMPORARILY_BANNED: i32 = 1012;
/// The same transaction is already in the pool.
pub const ALREADY_IMPORTED: i32 = 1013;
/// A transaction with the same sender and nonce and at least this tip is already pooled.
pub const TOO_LOW_PRIORITY: i32 = 1014;
/// The pool (or the sender's share of it) is full.
pub const IMMEDIATELY_DROPPED: i32 = 1016;

/// The chain backend failed while reading a block (Substrate's chain error base + 1).
pub const CHAIN_BACKEND: i32 = 3001;
/// State could not be read at the requested block: unknown block, pruned or unavailable
/// state (Substrate: state "Client error").
pub const STATE_UNAVAILABLE: i32 = 4003;
/// The runtime answered the query with a refusal of its own (a DEX quote over a missing
/// pool, a path too short to swap): the message is the pallet's error.
pub const QUERY_REFUSED: i32 = 4010;

/// A contract query could not run to the end on this node (an executor fault, such as
/// its wall-clock backstop); pallet-contracts RPC's "Runtime error".
pub const CONTRACTS_RUNTIME_ERROR: i32 = 1;
/// No contract at the address given (pallet-contracts RPC's `ContractAccessError::DoesntExist`).
pub const CONTRACT_NOT_FOUND: i32 = 2;
/// Every slot for contract dry runs is taken; retry shortly (jsonrpsee's "server is busy").
pub const SERVER_BUSY: i32 = -32009;

/// An unsafe method was called on a server that serves only safe ones.
pub const UNSAFE_METHOD: i32 = -32020;
/// A subscription was called over HTTP, which carries plain calls only.
pub const SUBSCRIPTION_NEEDS_WEBSOCKET: i32 = -32021;
/// The connection exceeded its per-minute call budget.
pub const RATE_LIMITED: i32 = -32029;

/// Substrate's messages, for the errors Substrate also has.
pub mod messages {
    pub const BAD_FORMAT: &str = "Extrinsic has invalid format";
    pub const INVALID_TRANSACTION: &str = "Invalid Transaction";
    pub const UNKNOWN_TRANSACTION_VALIDITY: &str = "Unknown Transaction Validity";
    pub const TEMPORARILY_BANNED: &str = "Transaction is temporarily banned";
    pub const ALREADY_IMPORTED: &str = "Transaction Already Imported";
    pub const TOO_LOW_PRIORITY: &str = "Priority is too low";
    pub const IMMEDIATELY_DROPPED: &str = "Immediately Dropped";
}
