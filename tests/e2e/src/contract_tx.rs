//! Contract transactions for end-to-end tests, with only the chain's generic RPC:
//! `Call::Contracts` extrinsics signed with `hm_wallet`, submitted and followed to
//! finality, and what they did read back from the state of the block that included them
//! (the extrinsic's events and weight, the fee, balances, contract storage).
use anyhow::{bail, Context};
use hm_crypto::Keypair;
use hm_pallet_system::{DispatchErrorInfo, Event as SystemEvent};
use hm_primitives::{AccountId, Balance, H256};
use hm_rpc_api::{ChainApiClient, HexString, RpcHeader, StateApiClient};
use hm_runtime::pallet_contracts::{self as contracts, Call as ContractsCall};
use hm_runtime::{Call, EventRecord, Parameters, Phase, RuntimeEvent};
use hm_wallet::{RpcWallet, TxParams};
use parity_scale_codec::Decode;
use std::time::{Duration, Instant};

pub use contracts::Error as ContractsError;
pub use contracts::Event as ContractsEvent;

/// Blocks a test transaction stays valid for.
const MORTALITY: u64 = 64;

/// The message selector of the SDK: the first four bytes of `blake3(name)`.
pub fn selector(name: &str) -> Vec<u8> {
    hm_primitives::blake3_256(name.as_bytes()).0[..4].to_vec()
}

pub fn upload(code: Vec<u8>) -> Call {
    Call::Contracts(ContractsCall::UploadCode {
        code,
        storage_deposit_limit: None,
    })
}

pub fn instantiate(code_hash: H256, gas_limit: u64, input: Vec<u8>, salt: Vec<u8>) -> Call {
    Call::Contracts(ContractsCall::Instantiate {
        code_hash,
        value: 0,
        gas_limit,
        storage_deposit_limit: None,
        input,
        salt,
    })
}

pub fn call(dest: AccountId, gas_limit: u64, input: Vec<u8>) -> Call {
    Call::Contracts(ContractsCall::Call {
        dest,
        value: 0,
        gas_limit,
        storage_deposit_limit: None,
        input,
    })
}

/// Weight of `gas` gas, as the pallet charges it.
pub fn gas_weight(gas: u64) -> u64 {
    contracts::gas_to_weight(gas)
}

/// Weight charged for an upload the executor refused during validation: the
/// extrinsic base, the pallet's per-byte work and the validation charge.
pub fn refused_upload_weight(code_len: usize) -> u64 {
    let check_gas = hm_executor::GasSchedule::default().upload_cost(code_len);
    hm_runtime::weights::EXTRINSIC_BASE
        + contracts::weights::UPLOAD_CODE
        + contracts::weights::UPLOAD_CODE_PER_BYTE * code_len as u64
        + gas_weight(check_gas)
}

/// Weight charged for a contract call that used `gas` gas.
pub fn call_weight(gas: u64) -> u64 {
    hm_runtime::weights::EXTRINSIC_BASE + contracts::weights::CALL + gas_weight(gas)
}

/// A finalized extrinsic and what it did.
#[derive(Clone, Debug)]
pub struct Included {
    pub block_hash: H256,
    pub parent_hash: H256,
    pub block_number: u64,
    /// Position in the block.
    pub index: u32,
    /// Encoded length (the length fee's basis).
    pub len: usize,
    /// Events deposited while it was applied, in order.
    pub events: Vec<RuntimeEvent>,
    /// Weight charged (from `ExtrinsicSuccess`/`ExtrinsicFailed`).
    pub weight: u64,
    /// `None` when the call succeeded.
    pub error: Option<DispatchErrorInfo>,
    /// From submission until it (and the rest of its batch) was finalized.
    pub latency: Duration,
}

impl Included {
    /// Fails unless the call failed with `expected` of the contracts pallet.
    pub fn expect_contracts_error(&self, expected: ContractsError) -> anyhow::Result<()> {
        let want = DispatchErrorInfo {
            pallet: contracts::PALLET_INDEX,
            error: expected as u8,
        };
        match self.error {
            Some(e) if e == want => Ok(()),
            other => bail!(
                "expected {expected:?} ({}), got {other:?}; events: {:?}",
                expected.message(),
                self.events
            ),
        }
    }

    pub fn expect_success(&self) -> anyhow::Result<()> {
        match self.error {
            None => Ok(()),
            Some(e) => bail!("the call failed with {e:?}; events: {:?}", self.events),
        }
    }

    pub fn contracts_events(&self) -> impl Iterator<Item = &ContractsEvent> {
        self.events.iter().filter_map(|e| match e {
            RuntimeEvent::Contracts(e) => Some(e),
            _ => None,
        })
    }

    /// The code hash an upload stored.
    pub fn code_stored(&self) -> anyhow::Result<H256> {
        self.contracts_events()
            .find_map(|e| match e {
                ContractsEvent::CodeStored { code_hash, .. } => Some(*code_hash),
                _ => None,
            })
            .with_context(|| format!("no CodeStored event in {:?}", self.events))
    }

    /// The contract an instantiation created.
    pub fn instantiated(&self) -> anyhow::Result<AccountId> {
        self.contracts_events()
            .find_map(|e| match e {
                ContractsEvent::Instantiated { contract, .. } => Some(*contract),
                _ => None,
            })
            .with_context(|| format!("no Instantiated event in {:?}", self.events))
    }
}

/// A wallet plus the reads the tests need, all through the generic RPC.
pub struct ContractClient {
    pub wallet: RpcWallet,
}

impl ContractClient {
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        Ok(ContractClient {
            wallet: RpcWallet::connect(url).await?,
        })
    }

    /// Sign `call` with the sender's next nonce, submit it and wait for finality.
    pub async fn submit(&self, kp: &Keypair, call: Call) -> anyhow::Result<Included> {
        let mut all = self.submit_all(kp, vec![call]).await?;
        Ok(all.remove(0))
    }

    /// Sign `calls` with consecutive nonces, submit them together and wait until all
    /// are finalized; results in the order of `calls`.
    pub async fn submit_all(
        &self,
        kp: &Keypair,
        calls: Vec<Call>,
    ) -> anyhow::Result<Vec<Included>> {
        let ctx = self.wallet.chain_context().await?;
        let first = self.wallet.next_nonce(&kp.account_id()).await?;
        let signed: Vec<Vec<u8>> = calls
            .into_iter()
            .enumerate()
            .map(|(i, call)| {
                let params = TxParams {
                    genesis_hash: ctx.genesis_hash,
                    spec_version: ctx.spec_version,
                    nonce: first + i as u64,
                    tip: 0,
                    valid_until: ctx.best_number + MORTALITY,
                };
                hm_wallet::sign(kp, call, &params)
            })
            .collect();
        let started = Instant::now();
        let finalized =
            futures::future::join_all(signed.iter().map(|xt| self.wallet.submit_and_wait(xt)))
                .await;
        let latency = started.elapsed();
        let mut out = Vec::with_capacity(signed.len());
        for (xt, finalized) in signed.iter().zip(finalized) {
            let finalized = finalized?;
            out.push(self.included(xt, finalized.block_hash, latency).await?);
        }
        Ok(out)
    }

    /// Submit without waiting (for extrinsics the pool is expected to refuse).
    pub async fn submit_only(&self, kp: &Keypair, call: Call) -> anyhow::Result<H256> {
        let xt = self
            .wallet
            .sign_with_context(kp, call, 0, MORTALITY)
            .await?;
        self.wallet.submit(&xt).await
    }

    async fn included(
        &self,
        xt: &[u8],
        block_hash: H256,
        latency: Duration,
    ) -> anyhow::Result<Included> {
        let client = self.wallet.client();
        let block = ChainApiClient::block(client, Some(HexString::from(block_hash)))
            .await?
            .with_context(|| format!("block {block_hash:?} is unknown"))?;
        let index = block
            .block
            .extrinsics
            .iter()
            .position(|b| b.0 == xt)
            .with_context(|| format!("the extrinsic is not in block {block_hash:?}"))?;
        let index = u32::try_from(index)?;
        let mut events = Vec::new();
        let mut outcome = None;
        for record in self.events_at(block_hash).await? {
            if record.phase != Phase::ApplyExtrinsic(index) {
                continue;
            }
            match &record.event {
                RuntimeEvent::System(SystemEvent::ExtrinsicSuccess { weight }) => {
                    outcome = Some((*weight, None))
                }
                RuntimeEvent::System(SystemEvent::ExtrinsicFailed { error, weight }) => {
                    outcome = Some((*weight, Some(*error)))
                }
                _ => {}
            }
            events.push(record.event);
        }
        let (weight, error) = outcome.context("no ExtrinsicSuccess/ExtrinsicFailed event")?;
        Ok(Included {
            block_hash,
            parent_hash: block.block.header.parent_hash,
            block_number: block.block.header.number,
            index,
            len: xt.len(),
            events,
            weight,
            error,
            latency,
        })
    }

    /// Raw storage under `key` at block `at`.
    pub async fn storage_at(&self, key: &[u8], at: H256) -> anyhow::Result<Option<Vec<u8>>> {
        let value = StateApiClient::storage(
            self.wallet.client(),
            HexString::from(key),
            Some(HexString::from(at)),
        )
        .await?;
        Ok(value.map(|b| b.0))
    }

    async fn decoded_at<T: Decode>(&self, key: &[u8], at: H256) -> anyhow::Result<Option<T>> {
        match self.storage_at(key, at).await? {
            Some(raw) => Ok(Some(T::decode(&mut &raw[..])?)),
            None => Ok(None),
        }
    }

    /// Every event record of block `at`.
    pub async fn events_at(&self, at: H256) -> anyhow::Result<Vec<EventRecord>> {
        let storage = hm_pallet_system::storage::event_count();
        let count: u32 = self.decoded_at(&storage, at).await?.unwrap_or(0);
        let mut records = Vec::with_capacity(count as usize);
        for i in 0..count {
            let key = hm_pallet_system::storage::event(i);
            let record = self
                .decoded_at(&key, at)
                .await?
                .with_context(|| format!("event {i} of {count} missing at {at:?}"))?;
            records.push(record);
        }
        Ok(records)
    }

    pub async fn free_balance_at(&self, who: &AccountId, at: H256) -> anyhow::Result<Balance> {
        let key = hm_runtime::account_storage_key(who);
        let data: Option<hm_pallet_caesar::AccountData> = self.decoded_at(&key, at).await?;
        Ok(data.map(|d| d.free).unwrap_or(0))
    }

    pub async fn parameters_at(&self, at: H256) -> anyhow::Result<Parameters> {
        let key = hm_pallet_system::storage::parameters();
        Ok(self.decoded_at(&key, at).await?.unwrap_or_default())
    }

    /// The fee the chain's parameters ask for `included` (no tip): length fee plus the
    /// fee of the weight it was charged.
    pub async fn expected_fee(&self, included: &Included) -> anyhow::Result<Balance> {
        let params = self.parameters_at(included.block_hash).await?;
        params
            .fees
            .fee(included.len, included.weight, 0)
            .context("fee overflow")
    }

    /// What `who` lost in the block of `included` (its balance before minus after).
    pub async fn spent_in(&self, who: &AccountId, included: &Included) -> anyhow::Result<Balance> {
        let before = self.free_balance_at(who, included.parent_hash).await?;
        let after = self.free_balance_at(who, included.block_hash).await?;
        before
            .checked_sub(after)
            .with_context(|| format!("{who} gained {} in the block", after - before))
    }

    /// Fails unless `who` paid exactly the fee of `included` and nothing else.
    pub async fn expect_paid_only_the_fee(
        &self,
        who: &AccountId,
        included: &Included,
    ) -> anyhow::Result<Balance> {
        let fee = self.expected_fee(included).await?;
        let spent = self.spent_in(who, included).await?;
        anyhow::ensure!(
            spent == fee,
            "{who} spent {spent} in block #{}, the fee of {} weight and {} bytes is {fee}",
            included.block_number,
            included.weight,
            included.len
        );
        Ok(fee)
    }

    /// A contract's storage value under `key` at block `at`.
    pub async fn contract_storage_at(
        &self,
        contract: &AccountId,
        key: &[u8],
        at: H256,
    ) -> anyhow::Result<Option<Vec<u8>>> {
        self.storage_at(&hm_runtime::contracts_storage_key(contract, key), at)
            .await
    }

    pub async fn header(&self, at: H256) -> anyhow::Result<RpcHeader> {
        ChainApiClient::header(self.wallet.client(), Some(HexString::from(at)))
            .await?
            .with_context(|| format!("no header {at:?}"))
    }
}
