//! Any bytes: block decoding never panics, round-trips exactly, and hashing works.
#![no_main]
use hm_primitives::{decode_untrusted, SignedBlock, MAX_BLOCK_BYTES};
use libfuzzer_sys::fuzz_target;
use parity_scale_codec::Encode;

fuzz_target!(|data: &[u8]| {
    if let Ok(block) = decode_untrusted::<SignedBlock>(data, MAX_BLOCK_BYTES) {
        assert_eq!(block.encode(), data, "SCALE round trip must be exact");
        let _ = block.block.header.hash();
        let _ = hm_primitives::Block::compute_extrinsics_root(&block.block.extrinsics);
    }
});
