//! Column families, their key layouts and the RocksDB tuning.
//!
//! Every integer in a key is big-endian so RocksDB's byte order is numeric order:
//! that lets consistency checks find the highest indexed block with one seek and
//! lets a rollback drop all tree nodes above a version with one range delete.
use rocksdb::{BlockBasedOptions, Cache, ColumnFamilyDescriptor, DBCompressionType, Options};

/// Block hash -> SCALE(Header).
pub const HEADERS: &str = "headers";
/// Block hash -> SCALE(Vec<Vec<u8>>), the extrinsics.
pub const BODIES: &str = "bodies";
/// Block hash -> SCALE(Justification).
pub const JUSTIFICATIONS: &str = "justifications";
/// Block number (u64 BE) -> block hash (32 bytes).
pub const NUMBER_TO_HASH: &str = "number_to_hash";
/// blake3(extrinsic bytes) -> SCALE((block hash, u32 index)).
pub const TX_INDEX: &str = "tx_index";
/// version (u64 BE) ‖ borsh(NibblePath) -> borsh(jmt Node).
pub const JMT_NODES: &str = "jmt_nodes";
/// key hash (32) ‖ version (u64 BE) -> 0x00 (deleted) | 0x01 ‖ value.
pub const JMT_VALUES: &str = "jmt_values";
/// Raw storage key -> value, the latest committed state only.
pub const STATE_FLAT: &str = "state_flat";
/// version (u64 BE) -> SCALE(Vec<Vec<u8>>): the raw keys that version changed.
/// Lets a consistency heal revert `state_flat` to an earlier version.
pub const STATE_JOURNAL: &str = "state_journal";
/// Named pointers, see the `META_*` keys.
pub const META: &str = "meta";
/// stale-since version (u64 BE) ‖ 0x00 ‖ node key, or ‖ 0x01 ‖ value key -> empty:
/// tree nodes and values no version from then on reaches (see `pruning.rs`).
pub const JMT_STALE: &str = "jmt_stale";

pub const ALL: [&str; 11] = [
    HEADERS,
    BODIES,
    JUSTIFICATIONS,
    NUMBER_TO_HASH,
    TX_INDEX,
    JMT_NODES,
    JMT_VALUES,
    STATE_FLAT,
    STATE_JOURNAL,
    META,
    JMT_STALE,
];

/// SCALE((u64, H256)) of the best (last committed) block.
pub const META_BEST: &[u8] = b"best";
/// SCALE((u64, H256)) of the highest finalized block.
pub const META_FINALIZED: &[u8] = b"finalized";
/// The genesis hash (32 bytes).
pub const META_GENESIS: &[u8] = b"genesis";
/// u64 BE: the version `state_flat` reflects. Always equal to the best number
/// unless the database was edited by hand.
pub const META_STATE_VERSION: &[u8] = b"state_version";
/// u64 BE: the oldest state version still stored; older ones were pruned. Absent
/// until the first prune.
pub const META_OLDEST_STATE: &[u8] = b"oldest_state";
/// u32 BE layout version of this database.
pub const META_SCHEMA: &[u8] = b"schema_version";

/// Bump when a key or value layout changes; `open` refuses other versions.
pub const SCHEMA_VERSION: u32 = 1;

pub fn number_key(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

/// Tuning knobs for [`crate::ChainDb::open_with`].
#[derive(Clone, Debug)]
pub struct DbConfig {
    /// Shared LRU block cache for all column families, in bytes.
    pub block_cache_bytes: usize,
    /// Upper bound on open SST files (the node also holds sockets).
    pub max_open_files: i32,
    /// Memtable size per column family, in bytes.
    pub write_buffer_bytes: usize,
    /// Background flush and compaction threads.
    pub background_jobs: i32,
    /// How many states to keep (`--state-pruning`).
    pub state_pruning: crate::StatePruning,
}

impl Default for DbConfig {
    fn default() -> Self {
        DbConfig {
            block_cache_bytes: 128 * 1024 * 1024,
            max_open_files: 512,
            write_buffer_bytes: 32 * 1024 * 1024,
            background_jobs: 2,
            state_pruning: crate::StatePruning::default(),
        }
    }
}

pub(crate) fn db_options(config: &DbConfig) -> Options {
    let mut opts = Options::default();
    opts.create_if_missing(true);
    opts.create_missing_column_families(true);
    opts.set_max_open_files(config.max_open_files);
    opts.set_max_background_jobs(config.background_jobs);
    opts.set_keep_log_file_num(4);
    // Bound the WAL so rarely written families (meta) don't pin old logs forever.
    opts.set_max_total_wal_size(512 * 1024 * 1024);
    opts.set_bytes_per_sync(1024 * 1024);
    opts
}

pub(crate) fn cf_descriptors(config: &DbConfig) -> Vec<ColumnFamilyDescriptor> {
    let cache = Cache::new_lru_cache(config.block_cache_bytes);
    ALL.iter()
        .map(|name| ColumnFamilyDescriptor::new(*name, cf_options(name, config, &cache)))
        .collect()
}

fn cf_options(name: &str, config: &DbConfig, cache: &Cache) -> Options {
    let mut table = BlockBasedOptions::default();
    table.set_block_cache(cache);
    table.set_format_version(5);
    table.set_cache_index_and_filter_blocks(true);
    table.set_pin_l0_filter_and_index_blocks_in_cache(true);
    // Point lookups dominate (nodes, flat state, headers by hash), and many of
    // them miss (absent keys, the empty tree): a bloom filter saves disk reads.
    table.set_bloom_filter(10.0, false);
    // Small blocks for point lookups; bodies are read whole, so larger blocks.
    table.set_block_size(if name == BODIES { 16 * 1024 } else { 4 * 1024 });

    let mut opts = Options::default();
    opts.set_block_based_table_factory(&table);
    // Tree nodes are mostly 32-byte hashes, which do not compress: LZ4 would
    // only burn CPU on every flush, compaction and cache miss.
    let compression = if name == JMT_NODES {
        DBCompressionType::None
    } else {
        DBCompressionType::Lz4
    };
    opts.set_compression_type(compression);
    opts.set_bottommost_compression_type(compression);
    opts.set_level_compaction_dynamic_level_bytes(true);
    let write_buffer = match name {
        // Small, rarely written families need no large memtable.
        META | NUMBER_TO_HASH | JUSTIFICATIONS | STATE_JOURNAL | JMT_STALE => 4 * 1024 * 1024,
        _ => config.write_buffer_bytes,
    };
    opts.set_write_buffer_size(write_buffer);
    opts
}
