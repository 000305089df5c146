//! Raw imports of the `hm` host module, exactly as docs/contracts-abi.md (version 1) lists
//! them. Pointers are offsets into this module's memory; lengths and statuses are `i32`.
//! Use the safe wrappers in [`crate::env`] instead of these.

#[link(wasm_import_module = "hm")]
extern "C" {
    // Input and output.
    pub fn input_len() -> i32;
    pub fn input_read(out_ptr: *mut u8);
    pub fn return_value(flags: i32, data_ptr: *const u8, data_len: i32) -> !;

    // Storage.
    pub fn storage_get(key_ptr: *const u8, key_len: i32, out_ptr: *mut u8, out_cap: i32) -> i32;
    pub fn storage_set(key_ptr: *const u8, key_len: i32, val_ptr: *const u8, val_len: i32) -> i32;
    pub fn storage_remove(key_ptr: *const u8, key_len: i32) -> i32;
    pub fn storage_contains(key_ptr: *const u8, key_len: i32) -> i32;

    // Context.
    pub fn caller(out_ptr: *mut u8);
    pub fn address(out_ptr: *mut u8);
    pub fn value_transferred(out_ptr: *mut u8);
    pub fn balance(out_ptr: *mut u8);
    pub fn block_number() -> i64;
    pub fn timestamp() -> i64;
    pub fn gas_left() -> i64;

    // Effects.
    pub fn transfer(to_ptr: *const u8, value_ptr: *const u8) -> i32;
    pub fn deposit_event(
        topics_ptr: *const u8,
        topic_count: i32,
        data_ptr: *const u8,
        data_len: i32,
    );
    pub fn call(
        callee_ptr: *const u8,
        value_ptr: *const u8,
        gas_limit: i64,
        input_ptr: *const u8,
        input_len: i32,
    ) -> i32;
    #[allow(clippy::too_many_arguments)]
    pub fn instantiate(
        code_hash_ptr: *const u8,
        value_ptr: *const u8,
        gas_limit: i64,
        input_ptr: *const u8,
        input_len: i32,
        salt_ptr: *const u8,
        salt_len: i32,
        address_out_ptr: *mut u8,
    ) -> i32;
    pub fn call_runtime(call_ptr: *const u8, call_len: i32) -> i32;
    pub fn return_data_len() -> i32;
    pub fn return_data_read(out_ptr: *mut u8);

    // Crypto and debugging.
    pub fn blake3(data_ptr: *const u8, data_len: i32, out_ptr: *mut u8);
    pub fn falcon_verify(
        pk_ptr: *const u8,
        pk_len: i32,
        msg_ptr: *const u8,
        msg_len: i32,
        sig_ptr: *const u8,
        sig_len: i32,
    ) -> i32;
    pub fn debug_log(ptr: *const u8, len: i32);
}
