//! A mock runtime: account nonces, balances and the current block, with a
//! transaction format the tests build by hand.
use crate::{Clock, PoolConfig, TransactionPool};
use hm_client_api::{TransactionValidator, TxStatus};
use hm_primitives::{
    blake3_256, AccountId, Balance, BlockNumber, InvalidTransaction, Nonce, ValidTransaction, H256,
};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::mpsc::UnboundedReceiver;

const MAGIC: u8 = 0xA5;
const HEADER_LEN: usize = 28;
/// How far ahead of the account nonce the mock runtime accepts.
pub const FUTURE_WINDOW: Nonce = 32;

/// A test transaction, before encoding.
#[derive(Clone, Copy, Debug)]
pub struct Tx {
    pub sender: u8,
    pub nonce: Nonce,
    pub tip: u64,
    pub valid_until: BlockNumber,
    pub pad: usize,
    pub bad_signature: bool,
    /// Makes otherwise equal transactions distinct (Falcon signatures are randomized).
    pub salt: u8,
}

impl Tx {
    pub fn new(sender: u8, nonce: Nonce, tip: u64) -> Self {
        Self {
            sender,
            nonce,
            tip,
            valid_until: u64::MAX,
            pad: 0,
            bad_signature: false,
            salt: 0,
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![MAGIC, self.sender];
        out.extend_from_slice(&self.nonce.to_le_bytes());
        out.extend_from_slice(&self.tip.to_le_bytes());
        out.extend_from_slice(&self.valid_until.to_le_bytes());
        out.push(u8::from(self.bad_signature));
        out.push(self.salt);
        out.resize(HEADER_LEN + self.pad, 0);
        out
    }

    pub fn decode(bytes: &[u8]) -> Option<Self> {
        if bytes.len() < HEADER_LEN || bytes[0] != MAGIC {
            return None;
        }
        let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
        Some(Self {
            sender: bytes[1],
            nonce: word(2),
            tip: word(10),
            valid_until: word(18),
            bad_signature: bytes[26] != 0,
            salt: bytes[27],
            pad: bytes.len() - HEADER_LEN,
        })
    }
}

pub fn xt(sender: u8, nonce: Nonce, tip: u64) -> Vec<u8> {
    Tx::new(sender, nonce, tip).encode()
}

pub fn account(sender: u8) -> AccountId {
    AccountId([sender; 32])
}

#[derive(Default)]
struct ChainState {
    nonces: HashMap<AccountId, Nonce>,
    balances: HashMap<AccountId, Balance>,
    best: BlockNumber,
}

type Hook = Box<dyn FnOnce() + Send>;

#[derive(Default)]
pub struct MockChain {
    state: Mutex<ChainState>,
    validations: AtomicUsize,
    /// Runs once inside the next `validate`, after the verdict: simulates a block
    /// import racing with a submission.
    hook: Mutex<Option<Hook>>,
}

impl MockChain {
    pub fn nonce(&self, sender: u8) -> Nonce {
        self.state
            .lock()
            .nonces
            .get(&account(sender))
            .copied()
            .unwrap_or(0)
    }

    pub fn set_nonce(&self, sender: u8, nonce: Nonce) {
        self.state.lock().nonces.insert(account(sender), nonce);
    }

    pub fn set_balance(&self, sender: u8, balance: Balance) {
        self.state.lock().balances.insert(account(sender), balance);
    }

    pub fn best(&self) -> BlockNumber {
        self.state.lock().best
    }

    pub fn set_best(&self, best: BlockNumber) {
        self.state.lock().best = best;
    }

    pub fn validations(&self) -> usize {
        self.validations.load(Ordering::SeqCst)
    }

    pub fn on_next_validate(&self, hook: impl FnOnce() + Send + 'static) {
        *self.hook.lock() = Some(Box::new(hook));
    }

    fn judge(&self, xt: &[u8]) -> Result<ValidTransaction, InvalidTransaction> {
        let tx = Tx::decode(xt).ok_or(InvalidTransaction::Malformed)?;
        if tx.bad_signature {
            return Err(InvalidTransaction::BadSignature);
        }
        let state = self.state.lock();
        let sender = account(tx.sender);
        let account_nonce = state.nonces.get(&sender).copied().unwrap_or(0);
        if tx.nonce < account_nonce {
            return Err(InvalidTransaction::Stale {
                expected: account_nonce,
                got: tx.nonce,
            });
        }
        if tx.nonce > account_nonce + FUTURE_WINDOW {
            return Err(InvalidTransaction::FutureTooFar {
                expected: account_nonce,
                got: tx.nonce,
            });
        }
        if tx.valid_until <= state.best {
            return Err(InvalidTransaction::Expired {
                valid_until: tx.valid_until,
                current: state.best,
            });
        }
        let fee = Balance::from(tx.tip) + xt.len() as Balance;
        let free = state.balances.get(&sender).copied().unwrap_or(Balance::MAX);
        if free < fee {
            return Err(InvalidTransaction::CannotPayFees { fee, free });
        }
        Ok(ValidTransaction {
            sender,
            nonce: tx.nonce,
            account_nonce,
            priority: tx.tip,
            valid_until: tx.valid_until,
            fee,
        })
    }
}

impl TransactionValidator for MockChain {
    fn validate(&self, xt: &[u8]) -> Result<ValidTransaction, InvalidTransaction> {
        self.validations.fetch_add(1, Ordering::SeqCst);
        let verdict = self.judge(xt);
        let hook = self.hook.lock().take();
        if let Some(hook) = hook {
            hook();
        }
        verdict
    }

    fn account_nonce(&self, who: &AccountId) -> Nonce {
        self.state.lock().nonces.get(who).copied().unwrap_or(0)
    }

    fn best_number(&self) -> BlockNumber {
        self.state.lock().best
    }
}

/// A clock tests move by hand.
pub struct ManualClock(Mutex<Instant>);

impl ManualClock {
    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock();
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        *self.0.lock()
    }
}

pub struct Harness {
    pub pool: Arc<TransactionPool>,
    pub chain: Arc<MockChain>,
    pub clock: Arc<ManualClock>,
}

pub fn small_config() -> PoolConfig {
    PoolConfig {
        max_count: 16,
        max_bytes: 1 << 20,
        max_per_sender: 8,
        max_tx_bytes: 4096,
        ban_time: Duration::from_secs(60),
        max_future_per_sender: 4,
    }
}

impl Harness {
    pub fn new(config: PoolConfig) -> Self {
        let chain = Arc::new(MockChain::default());
        let clock = Arc::new(ManualClock(Mutex::new(Instant::now())));
        let pool = Arc::new(TransactionPool::with_clock(
            config,
            chain.clone(),
            clock.clone(),
        ));
        Self { pool, chain, clock }
    }

    pub fn small() -> Self {
        Self::new(small_config())
    }

    pub fn check(&self) {
        self.pool.state.lock().assert_consistent();
    }

    /// Ready transactions in block order, as (sender, nonce).
    pub fn ready_order(&self) -> Vec<(u8, Nonce)> {
        self.pool
            .ready_for_block(usize::MAX, usize::MAX)
            .iter()
            .map(|(_, b)| decoded(b))
            .collect()
    }

    /// Apply `txs` on the mock chain as block `best + 1` and tell the pool.
    pub fn import_block(&self, txs: &[(H256, Vec<u8>)]) -> H256 {
        let number = {
            let mut state = self.chain.state.lock();
            for (_, bytes) in txs {
                let tx = Tx::decode(bytes).expect("pool holds only mock transactions");
                state.nonces.insert(account(tx.sender), tx.nonce + 1);
            }
            state.best += 1;
            state.best
        };
        let block_hash = blake3_256(&number.to_le_bytes());
        let hashes: Vec<H256> = txs.iter().map(|(h, _)| *h).collect();
        self.pool.on_block_imported(block_hash, &hashes);
        self.check();
        block_hash
    }

    /// Author a block from the pool's ready set and import it.
    pub fn author_block(&self, max_count: usize) -> (H256, Vec<H256>) {
        let txs = self.pool.ready_for_block(max_count, usize::MAX);
        let hashes = txs.iter().map(|(h, _)| *h).collect();
        (self.import_block(&txs), hashes)
    }
}

pub fn decoded(bytes: &[u8]) -> (u8, Nonce) {
    let tx = Tx::decode(bytes).expect("mock transaction");
    (tx.sender, tx.nonce)
}

/// Every status received so far, and whether the channel is closed.
pub fn drain(rx: &mut UnboundedReceiver<TxStatus>) -> (Vec<TxStatus>, bool) {
    let mut seen = Vec::new();
    loop {
        match rx.try_recv() {
            Ok(status) => seen.push(status),
            Err(TryRecvError::Empty) => return (seen, false),
            Err(TryRecvError::Disconnected) => return (seen, true),
        }
    }
}

impl ManualClock {
    pub fn now_for_test(&self) -> Instant {
        *self.0.lock()
    }
}
