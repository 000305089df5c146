//! JSON shapes of the API, following Substrate's where Substrate has one.
use crate::hex::{hex_u64, u128_string, Bytes, HexString};
use hm_primitives::{AccountId, Block, Header, Justification, SignedBlock, H256};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A header as `chain_getHeader` and the head subscriptions return it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RpcHeader {
    pub parent_hash: H256,
    #[serde(with = "hex_u64")]
    pub number: u64,
    pub state_root: H256,
    pub extrinsics_root: H256,
    /// Milliseconds since the Unix epoch.
    pub timestamp: u64,
    /// `hm1…` address of the block's author.
    pub proposer: AccountId,
    pub consensus: Bytes,
    pub seal: Bytes,
    /// The block hash, so clients need not re-hash.
    pub hash: H256,
}

impl From<&Header> for RpcHeader {
    fn from(h: &Header) -> Self {
        RpcHeader {
            parent_hash: h.parent_hash,
            number: h.number,
            state_root: h.state_root,
            extrinsics_root: h.extrinsics_root,
            timestamp: h.timestamp_ms,
            proposer: h.proposer,
            consensus: Bytes(h.consensus.clone()),
            seal: Bytes(h.seal.clone()),
            hash: h.hash(),
        }
    }
}

/// Why a JSON answer does not convert back to a primitive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConversionError {
    /// The `hash` field is not the hash of the other fields.
    HashMismatch { claimed: H256, computed: H256 },
    /// More justifications than a stored block can carry.
    TooManyJustifications(usize),
}

impl fmt::Display for ConversionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConversionError::HashMismatch { claimed, computed } => {
                write!(
                    f,
                    "header claims hash {claimed:?} but its fields hash to {computed:?}"
                )
            }
            ConversionError::TooManyJustifications(n) => {
                write!(f, "block carries {n} justifications; at most 1 is valid")
            }
        }
    }
}

impl std::error::Error for ConversionError {}

impl TryFrom<RpcHeader> for Header {
    type Error = ConversionError;

    /// Rebuild the header and check it against the hash the node sent.
    fn try_from(r: RpcHeader) -> Result<Self, Self::Error> {
        let header = Header {
            parent_hash: r.parent_hash,
            number: r.number,
            state_root: r.state_root,
            extrinsics_root: r.extrinsics_root,
            timestamp_ms: r.timestamp,
            proposer: r.proposer,
            consensus: r.consensus.0,
            seal: r.seal.0,
        };
        let computed = header.hash();
        if computed != r.hash {
            return Err(ConversionError::HashMismatch {
                claimed: r.hash,
                computed,
            });
        }
        Ok(header)
    }
}

/// A four-byte consensus engine id, shown as text when it is printable ASCII
/// (`"dev0"`) and as `0x`-hex (10 characters) otherwise, so both forms round-trip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EngineId(pub [u8; 4]);

impl Serialize for EngineId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.iter().all(|b| b.is_ascii_graphic()) {
            // Printable ASCII is valid UTF-8.
            s.serialize_str(std::str::from_utf8(&self.0).unwrap_or_default())
        } else {
            s.serialize_str(&crate::hex::to_hex(&self.0))
        }
    }
}

impl<'de> Deserialize<'de> for EngineId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let bytes = if s.len() == 4 {
            s.as_bytes().to_vec()
        } else {
            crate::hex::decode_hex(&s).map_err(de::Error::custom)?
        };
        let arr: [u8; 4] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| de::Error::custom(format!("engine id {s:?} is not 4 bytes")))?;
        Ok(EngineId(arr))
    }
}

/// A block body as `chain_getBlock` returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RpcBlock {
    pub header: RpcHeader,
    /// SCALE-encoded extrinsics.
    pub extrinsics: Vec<Bytes>,
}

/// `{block, justifications}`: Substrate's shape, `justifications` is `[[engineId, data]]` or `null`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RpcSignedBlock {
    pub block: RpcBlock,
    pub justifications: Option<Vec<(EngineId, Bytes)>>,
}

impl From<&SignedBlock> for RpcSignedBlock {
    fn from(b: &SignedBlock) -> Self {
        RpcSignedBlock {
            block: RpcBlock {
                header: RpcHeader::from(&b.block.header),
                extrinsics: b
                    .block
                    .extrinsics
                    .iter()
                    .map(|x| Bytes(x.clone()))
                    .collect(),
            },
            justifications: b
                .justification
                .as_ref()
                .map(|j| vec![(EngineId(j.engine_id), Bytes(j.data.clone()))]),
        }
    }
}

impl TryFrom<RpcSignedBlock> for SignedBlock {
    type Error = ConversionError;

    fn try_from(r: RpcSignedBlock) -> Result<Self, Self::Error> {
        let header = Header::try_from(r.block.header)?;
        let mut justifications = r.justifications.unwrap_or_default();
        if justifications.len() > 1 {
            return Err(ConversionError::TooManyJustifications(justifications.len()));
        }
        let justification = justifications.pop().map(|(id, data)| Justification {
            engine_id: id.0,
            data: data.0,
        });
        Ok(SignedBlock {
            block: Block {
                header,
                extrinsics: r.block.extrinsics.into_iter().map(|b| b.0).collect(),
            },
            justification,
        })
    }
}

/// `system_health`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    pub peers: usize,
    pub is_syncing: bool,
    /// False for a single-node dev chain, where having no peers is normal.
    pub should_have_peers: bool,
}

/// `system_syncState`, in Substrate's shape: the block sync started from, the node's
/// best block, and the highest block any peer reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncState {
    pub starting_block: u64,
    pub current_block: u64,
    pub highest_block: u64,
}

/// `state_getRuntimeVersion`, in Substrate's shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeVersion {
    pub spec_name: String,
    pub impl_name: String,
    pub authoring_version: u32,
    pub spec_version: u32,
    pub impl_version: u32,
    pub transaction_version: u32,
    /// `[apiId, version]` pairs. HyperMesh's runtime API is not versioned per
    /// trait, so this list is empty; it is kept for Substrate clients that read it.
    pub apis: Vec<(Bytes, u32)>,
}

/// `state_getReadProof`: one SCALE-encoded proof per requested key, in request order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadProof {
    pub at: H256,
    pub proof: Vec<Bytes>,
}

/// `caesar_balance`. Amounts are decimal strings of plancks (10^-12 CAES).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountBalance {
    #[serde(with = "u128_string")]
    pub free: u128,
    #[serde(with = "u128_string")]
    pub reserved: u128,
    /// Part of `free` that balance locks hold (governance votes, bonds): it cannot move.
    #[serde(with = "u128_string")]
    pub locked: u128,
    /// Next nonce at the best block (pool not counted; see `system_accountNextIndex`).
    pub nonce: u64,
    pub address: String,
}

/// `author_extrinsicUpdate` items, in Substrate's `TransactionStatus` JSON shape:
/// `"future"`, `"ready"`, `{"inBlock": hash}`, `{"finalized": hash}`, `{"usurped": hash}`,
/// `"dropped"`, `"invalid"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExtrinsicStatus {
    Future,
    Ready,
    InBlock(H256),
    Finalized(H256),
    /// Replaced by another transaction with the same sender and nonce.
    Usurped(H256),
    Dropped,
    Invalid,
}

impl ExtrinsicStatus {
    /// No update follows a final status; the subscription ends after it.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            ExtrinsicStatus::Finalized(_)
                | ExtrinsicStatus::Usurped(_)
                | ExtrinsicStatus::Dropped
                | ExtrinsicStatus::Invalid
        )
    }
}

/// `author_removeExtrinsic` takes `[{"hash": "0x…"} | {"extrinsic": "0x…"}]`, as Substrate does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExtrinsicOrHash {
    Hash(HexString),
    Extrinsic(HexString),
}

/// `rpc_methods`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RpcMethods {
    pub methods: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn header() -> Header {
        Header {
            parent_hash: H256([1; 32]),
            number: 26,
            state_root: H256([2; 32]),
            extrinsics_root: H256([3; 32]),
            timestamp_ms: 1_700_000_000_123,
            proposer: AccountId([4; 32]),
            consensus: vec![9, 9],
            seal: vec![5; 3],
        }
    }

    #[test]
    fn header_json_matches_substrate_conventions_and_round_trips() {
        let h = header();
        let rpc = RpcHeader::from(&h);
        let v = serde_json::to_value(&rpc).unwrap();
        assert_eq!(v["number"], json!("0x1a"));
        assert_eq!(v["timestamp"], json!(1_700_000_000_123u64));
        assert_eq!(v["parentHash"], json!(H256([1; 32]).to_hex()));
        assert_eq!(v["consensus"], json!("0x0909"));
        assert_eq!(v["seal"], json!("0x050505"));
        assert_eq!(v["hash"], json!(h.hash().to_hex()));
        assert!(v["proposer"].as_str().unwrap().starts_with("hm1"));
        let back: RpcHeader = serde_json::from_value(v).unwrap();
        assert_eq!(Header::try_from(back).unwrap(), h);
    }

    #[test]
    fn tampered_header_is_refused() {
        let mut rpc = RpcHeader::from(&header());
        rpc.number += 1;
        assert!(matches!(
            Header::try_from(rpc),
            Err(ConversionError::HashMismatch { .. })
        ));
        let mut v = serde_json::to_value(RpcHeader::from(&header())).unwrap();
        v["number"] = json!(26);
        assert!(
            serde_json::from_value::<RpcHeader>(v).is_err(),
            "number must be a hex string"
        );
        let mut v = serde_json::to_value(RpcHeader::from(&header())).unwrap();
        v["extra"] = json!(1);
        assert!(
            serde_json::from_value::<RpcHeader>(v).is_err(),
            "unknown fields are refused"
        );
    }

    #[test]
    fn signed_block_round_trip_with_and_without_justification() {
        let mut b = SignedBlock {
            block: Block {
                header: header(),
                extrinsics: vec![vec![1, 2], vec![]],
            },
            justification: Some(Justification {
                engine_id: *b"dev0",
                data: vec![7],
            }),
        };
        let v = serde_json::to_value(RpcSignedBlock::from(&b)).unwrap();
        assert_eq!(v["justifications"], json!([["dev0", "0x07"]]));
        assert_eq!(v["block"]["extrinsics"], json!(["0x0102", "0x"]));
        let back: RpcSignedBlock = serde_json::from_value(v).unwrap();
        assert_eq!(SignedBlock::try_from(back).unwrap(), b);

        b.justification = Some(Justification {
            engine_id: [0, 1, 2, 0xff],
            data: vec![],
        });
        let v = serde_json::to_value(RpcSignedBlock::from(&b)).unwrap();
        assert_eq!(v["justifications"], json!([["0x000102ff", "0x"]]));
        let back: RpcSignedBlock = serde_json::from_value(v).unwrap();
        assert_eq!(SignedBlock::try_from(back).unwrap(), b);

        b.justification = None;
        let v = serde_json::to_value(RpcSignedBlock::from(&b)).unwrap();
        assert_eq!(v["justifications"], json!(null));
        let back: RpcSignedBlock = serde_json::from_value(v).unwrap();
        assert_eq!(SignedBlock::try_from(back).unwrap(), b);
    }

    #[test]
    fn hostile_block_json_is_refused() {
        let b = SignedBlock {
            block: Block {
                header: header(),
                extrinsics: vec![],
            },
            justification: None,
        };
        let mut v = serde_json::to_value(RpcSignedBlock::from(&b)).unwrap();
        v["justifications"] = json!([["dev0", "0x"], ["dev1", "0x"]]);
        let r: RpcSignedBlock = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(
            SignedBlock::try_from(r),
            Err(ConversionError::TooManyJustifications(2))
        );
        for bad_id in [json!("dev"), json!("dev00"), json!("0x0102"), json!(4)] {
            v["justifications"] = json!([[bad_id, "0x"]]);
            assert!(serde_json::from_value::<RpcSignedBlock>(v.clone()).is_err());
        }
    }

    #[test]
    fn statuses_use_substrate_shapes() {
        let h = H256([3; 32]);
        assert_eq!(
            serde_json::to_value(ExtrinsicStatus::Ready).unwrap(),
            json!("ready")
        );
        assert_eq!(
            serde_json::to_value(ExtrinsicStatus::Future).unwrap(),
            json!("future")
        );
        assert_eq!(
            serde_json::to_value(ExtrinsicStatus::InBlock(h)).unwrap(),
            json!({"inBlock": h.to_hex()})
        );
        assert_eq!(
            serde_json::to_value(ExtrinsicStatus::Finalized(h)).unwrap(),
            json!({"finalized": h.to_hex()})
        );
        assert_eq!(
            serde_json::to_value(ExtrinsicStatus::Dropped).unwrap(),
            json!("dropped")
        );
        assert_eq!(
            serde_json::to_value(ExtrinsicStatus::Invalid).unwrap(),
            json!("invalid")
        );
        assert!(
            ExtrinsicStatus::Finalized(h).is_final() && !ExtrinsicStatus::InBlock(h).is_final()
        );
    }

    #[test]
    fn balance_amounts_are_strings() {
        let b = AccountBalance {
            free: u128::MAX,
            reserved: 5,
            locked: 2,
            nonce: 3,
            address: "hm1x".into(),
        };
        let v = serde_json::to_value(&b).unwrap();
        assert_eq!(v["free"], json!(u128::MAX.to_string()));
        assert_eq!(v["reserved"], json!("5"));
        assert_eq!(serde_json::from_value::<AccountBalance>(v).unwrap(), b);
    }

    #[test]
    fn remove_extrinsic_param_shape() {
        let v: Vec<ExtrinsicOrHash> =
            serde_json::from_value(json!([{"hash": "0x01"}, {"extrinsic": "0x02"}])).unwrap();
        assert_eq!(v[0], ExtrinsicOrHash::Hash(HexString("0x01".into())));
        assert_eq!(v[1], ExtrinsicOrHash::Extrinsic(HexString("0x02".into())));
        assert!(serde_json::from_value::<Vec<ExtrinsicOrHash>>(json!(["0x01"])).is_err());
    }
}
