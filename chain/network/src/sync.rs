//! The sync protocol's messages, the provider that answers them, and the caps that bound
//! every response.

mod serve_queue;

use hm_primitives::H256;
use parity_scale_codec::{Compact, CompactLen, Decode, Encode};

pub(crate) use serve_queue::{Refused, ServeLimits, ServeQueue};

/// Most blocks in one `Blocks` response.
pub const MAX_BLOCKS_PER_RESPONSE: u32 = 128;
/// Most votes in one `Votes` response.
pub const MAX_VOTES_PER_RESPONSE: u32 = 4096;
/// Largest encoded request. The biggest one (`Votes`) is under 64 bytes.
pub const MAX_REQUEST_BYTES: usize = 1024;
/// Largest encoded response: one maximal block body plus room for its header and
/// justification, so any valid block can always be served alone.
pub const MAX_RESPONSE_BYTES: usize = hm_primitives::MAX_BLOCK_BYTES + 4 * 1024 * 1024;

/// A node's view of its chain, exchanged right after connecting and refreshed periodically.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct ChainStatus {
    pub genesis_hash: H256,
    pub best_number: u64,
    pub best_hash: H256,
    pub finalized_number: u64,
    pub finalized_hash: H256,
}

#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub enum SyncRequest {
    /// The peer's `ChainStatus`.
    Status,
    /// Up to `max` encoded `SignedBlock`s (with justification) at heights `from`, `from + 1`, ...
    Blocks { from: u64, max: u32 },
    /// The encoded votes the peer holds for this (height, round, step), optionally only
    /// those for `block_hash`. Answers Tendermint's RequestPrevotes.
    Votes {
        height: u64,
        round: u32,
        step: u8,
        block_hash: Option<H256>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub enum SyncResponse {
    Status(ChainStatus),
    /// Encoded `hm_primitives::SignedBlock`s in ascending height from the requested one.
    Blocks(Vec<Vec<u8>>),
    /// Encoded votes, opaque to the network.
    Votes(Vec<Vec<u8>>),
}

impl SyncResponse {
    /// Whether this is the kind of response `request` asks for.
    pub fn answers(&self, request: &SyncRequest) -> bool {
        matches!(
            (request, self),
            (SyncRequest::Status, SyncResponse::Status(_))
                | (SyncRequest::Blocks { .. }, SyncResponse::Blocks(_))
                | (SyncRequest::Votes { .. }, SyncResponse::Votes(_))
        )
    }

    /// Item-count limits that the byte cap alone does not enforce.
    pub(crate) fn check_counts(&self) -> Result<(), String> {
        let (len, max) = match self {
            SyncResponse::Status(_) => return Ok(()),
            SyncResponse::Blocks(items) => (items.len(), MAX_BLOCKS_PER_RESPONSE),
            SyncResponse::Votes(items) => (items.len(), MAX_VOTES_PER_RESPONSE),
        };
        if len > max as usize {
            return Err(format!("{len} items exceeds the limit of {max}"));
        }
        Ok(())
    }
}

/// Answers sync requests from the node's chain. Called on a blocking thread, so it may read
/// the database; it must not panic on any arguments (they come from remote peers).
pub trait SyncProvider: Send + Sync + 'static {
    fn status(&self) -> ChainStatus;
    /// Encoded `SignedBlock`s from height `from`, ascending, at most `max` of them.
    fn blocks(&self, from: u64, max: u32) -> Vec<Vec<u8>>;
    /// Encoded votes for (height, round, step), optionally only those for `block_hash`.
    fn votes(&self, height: u64, round: u32, step: u8, block_hash: Option<H256>) -> Vec<Vec<u8>>;
}

/// Answer `request` from `provider`, bounded by the count and byte caps whatever the
/// provider returns.
pub(crate) fn serve(provider: &dyn SyncProvider, request: SyncRequest) -> SyncResponse {
    match request {
        SyncRequest::Status => SyncResponse::Status(provider.status()),
        SyncRequest::Blocks { from, max } => {
            let max = max.min(MAX_BLOCKS_PER_RESPONSE);
            let blocks = if max == 0 {
                Vec::new()
            } else {
                provider.blocks(from, max)
            };
            SyncResponse::Blocks(take_within(blocks, max, MAX_RESPONSE_BYTES))
        }
        SyncRequest::Votes {
            height,
            round,
            step,
            block_hash,
        } => {
            let votes = provider.votes(height, round, step, block_hash);
            SyncResponse::Votes(take_within(
                votes,
                MAX_VOTES_PER_RESPONSE,
                MAX_RESPONSE_BYTES,
            ))
        }
    }
}

/// The longest prefix of `items` with at most `max_count` entries whose encoding as the
/// payload of a `SyncResponse` vector variant fits in `max_bytes`. A prefix, never a
/// selection, so blocks stay contiguous.
pub(crate) fn take_within(
    mut items: Vec<Vec<u8>>,
    max_count: u32,
    max_bytes: usize,
) -> Vec<Vec<u8>> {
    items.truncate(max_count as usize);
    // Variant index plus the vector's compact length (at most 5 bytes for a u32 count).
    let mut used: usize = 1 + Compact::<u32>::compact_len(&max_count);
    let mut keep = 0usize;
    for item in &items {
        let item_len = Compact::<u32>::compact_len(&u32::try_from(item.len()).unwrap_or(u32::MAX))
            .saturating_add(item.len());
        match used.checked_add(item_len) {
            Some(total) if total <= max_bytes => {
                used = total;
                keep += 1;
            }
            _ => break,
        }
    }
    if keep < items.len() {
        tracing::debug!(
            kept = keep,
            offered = items.len(),
            "Sync response truncated to its byte cap"
        );
    }
    items.truncate(keep);
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed {
        blocks: Vec<Vec<u8>>,
    }

    impl SyncProvider for Fixed {
        fn status(&self) -> ChainStatus {
            ChainStatus {
                genesis_hash: H256([9; 32]),
                best_number: 3,
                best_hash: H256([3; 32]),
                finalized_number: 2,
                finalized_hash: H256([2; 32]),
            }
        }
        // Deliberately ignores `max`: the caps must hold even for a careless provider.
        fn blocks(&self, _from: u64, _max: u32) -> Vec<Vec<u8>> {
            self.blocks.clone()
        }
        fn votes(&self, _: u64, _: u32, _: u8, _: Option<H256>) -> Vec<Vec<u8>> {
            vec![vec![1u8; 10]; 5000]
        }
    }

    #[test]
    fn count_cap_holds_for_a_provider_that_returns_too_many() {
        let provider = Fixed {
            blocks: vec![vec![0u8; 4]; 500],
        };
        let SyncResponse::Blocks(blocks) = serve(
            &provider,
            SyncRequest::Blocks {
                from: 0,
                max: u32::MAX,
            },
        ) else {
            panic!("wrong variant")
        };
        assert_eq!(blocks.len(), MAX_BLOCKS_PER_RESPONSE as usize);
        let SyncResponse::Blocks(blocks) =
            serve(&provider, SyncRequest::Blocks { from: 0, max: 7 })
        else {
            panic!("wrong variant")
        };
        assert_eq!(blocks.len(), 7);
        let SyncResponse::Blocks(blocks) =
            serve(&provider, SyncRequest::Blocks { from: 0, max: 0 })
        else {
            panic!("wrong variant")
        };
        assert!(blocks.is_empty());
        let votes = serve(
            &provider,
            SyncRequest::Votes {
                height: 1,
                round: 0,
                step: 1,
                block_hash: None,
            },
        );
        assert_eq!(
            votes,
            SyncResponse::Votes(vec![vec![1u8; 10]; MAX_VOTES_PER_RESPONSE as usize])
        );
    }

    #[test]
    fn byte_cap_keeps_a_contiguous_prefix_and_the_encoding_fits() {
        let items = vec![vec![1u8; 100], vec![2u8; 100], vec![3u8; 100], vec![4u8; 1]];
        for cap in [
            0usize, 1, 50, 102, 103, 104, 205, 206, 250, 308, 309, 311, 10_000,
        ] {
            let kept = take_within(items.clone(), 128, cap);
            assert_eq!(kept[..], items[..kept.len()], "cap {cap}");
            let encoded = SyncResponse::Blocks(kept.clone()).encoded_size();
            // The estimate reserves the compact length of the maximal count, so it is
            // never below the real size.
            assert!(kept.is_empty() || encoded <= cap, "cap {cap}: {encoded}");
            if kept.len() < items.len() {
                // Off by at most the one byte reserved for a two-byte count prefix.
                let one_more = SyncResponse::Blocks(items[..=kept.len()].to_vec()).encoded_size();
                assert!(one_more + 1 > cap, "cap {cap} left room for another item");
            }
        }
    }

    #[test]
    fn response_kinds_match_requests() {
        let status = Fixed { blocks: vec![] }.status();
        assert!(SyncResponse::Status(status.clone()).answers(&SyncRequest::Status));
        assert!(!SyncResponse::Status(status).answers(&SyncRequest::Blocks { from: 0, max: 1 }));
        assert!(SyncResponse::Votes(vec![]).answers(&SyncRequest::Votes {
            height: 0,
            round: 0,
            step: 0,
            block_hash: None
        }));
        assert!(SyncResponse::Blocks(vec![vec![]; 129])
            .check_counts()
            .is_err());
        assert!(SyncResponse::Blocks(vec![vec![]; 128])
            .check_counts()
            .is_ok());
    }
}
