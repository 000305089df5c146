//! Any bytes: decoding never panics; what decodes re-encodes to the same bytes;
//! validation against a funded genesis state never panics.
#![no_main]
use hm_primitives::{decode_untrusted, H256, MAX_EXTRINSIC_BYTES};
use hm_runtime::{Extrinsic, TxContext};
use libfuzzer_sys::fuzz_target;
use parity_scale_codec::Encode;

fuzz_target!(|data: &[u8]| {
    if let Ok(xt) = decode_untrusted::<Extrinsic>(data, MAX_EXTRINSIC_BYTES) {
        assert_eq!(xt.encode(), data, "SCALE round trip must be exact");
    }
    let ext = hm_support::MemoryExt::default();
    let ctx = TxContext { genesis_hash: H256::ZERO, best_number: 1 };
    let _ = hm_runtime::validate_transaction(&ext, &ctx, data);
});
