//! `ChainApi` for RPC and tools.
use crate::Client;
use hm_client_api::{
    AccountSummary, BlockEvent, ChainApi, ChainInfo, ClientError, ContractCallRequest,
    ContractCode, ContractExecResult, ContractInstance, ContractInstantiateRequest,
    ContractUploadRequest, ContractUploadResult, DryRun, ReadProof, RuntimeVersion,
};
use hm_primitives::{AccountId, BlockId, BlockNumber, Header, SignedBlock, H256};
use tokio::sync::broadcast;

pub(crate) fn storage_err(e: hm_storage::StorageError) -> ClientError {
    match e {
        pruned @ hm_storage::StorageError::StatePruned { .. } => {
            ClientError::StatePruned(pruned.to_string())
        }
        other => ClientError::Storage(other.to_string()),
    }
}

impl Client {
    fn resolve(&self, id: BlockId) -> Result<Option<H256>, ClientError> {
        match id {
            BlockId::Hash(h) => Ok(Some(h)),
            BlockId::Number(n) => self.db.hash_by_number(n).map_err(storage_err),
        }
    }

    /// State version (block number) of `at`, best when `None`.
    pub(crate) fn version_at(&self, at: Option<H256>) -> Result<(H256, u64), ClientError> {
        let info = self.chain_info();
        let hash = at.unwrap_or(info.best_hash);
        let header = self
            .db
            .header(&hash)
            .map_err(storage_err)?
            .ok_or_else(|| ClientError::UnknownBlock(format!("{hash:?}")))?;
        Ok((hash, header.number))
    }
}

impl ChainApi for Client {
    fn info(&self) -> ChainInfo {
        self.chain_info()
    }

    fn header(&self, id: BlockId) -> Result<Option<Header>, ClientError> {
        match self.resolve(id)? {
            Some(h) => self.db.header(&h).map_err(storage_err),
            None => Ok(None),
        }
    }

    fn block(&self, id: BlockId) -> Result<Option<SignedBlock>, ClientError> {
        match self.resolve(id)? {
            Some(h) => self.db.signed_block(&h).map_err(storage_err),
            None => Ok(None),
        }
    }

    fn block_hash(&self, number: BlockNumber) -> Result<Option<H256>, ClientError> {
        self.db.hash_by_number(number).map_err(storage_err)
    }

    fn storage(&self, key: &[u8], at: Option<H256>) -> Result<Option<Vec<u8>>, ClientError> {
        let (_, version) = self.version_at(at)?;
        if version == self.chain_info().best_number {
            return self.db.state_get(key).map_err(storage_err);
        }
        self.db.state_get_at(key, version).map_err(storage_err)
    }

    fn read_proof(&self, keys: &[Vec<u8>], at: Option<H256>) -> Result<ReadProof, ClientError> {
        let (hash, version) = self.version_at(at)?;
        let proof = keys
            .iter()
            .map(|k| self.db.read_proof(k, version).map_err(storage_err))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ReadProof { at: hash, proof })
    }

    fn runtime_version(&self) -> RuntimeVersion {
        let v = &hm_runtime::VERSION;
        RuntimeVersion {
            spec_name: v.spec_name.into(),
            impl_name: v.impl_name.into(),
            authoring_version: v.authoring_version,
            spec_version: v.spec_version,
            impl_version: v.impl_version,
            transaction_version: v.transaction_version,
        }
    }

    fn account(&self, who: &AccountId) -> Result<AccountSummary, ClientError> {
        let overlay = self.overlay();
        let (free, reserved, nonce) = hm_runtime::account_summary(&overlay, who);
        let locked = hm_runtime::locked_balance(&overlay, who);
        if let Some(e) = overlay.read_error() {
            return Err(ClientError::Storage(e));
        }
        Ok(AccountSummary {
            free,
            reserved,
            locked,
            nonce,
        })
    }

    fn import_notifications(&self) -> broadcast::Receiver<Header> {
        self.imported_tx.subscribe()
    }

    fn finality_notifications(&self) -> broadcast::Receiver<Header> {
        self.finalized_tx.subscribe()
    }

    fn block_events(&self, at: Option<H256>) -> Result<Vec<BlockEvent>, ClientError> {
        self.read_block_events(at)
    }

    fn dry_run_extrinsic(&self, xt: &[u8]) -> Result<DryRun, ClientError> {
        self.dry_run(xt)
    }

    // Contracts: implemented in `contracts.rs`.

    fn contracts_call(
        &self,
        request: ContractCallRequest,
        at: Option<H256>,
    ) -> Result<ContractExecResult, ClientError> {
        self.dry_run_call(request, at)
    }

    fn contracts_instantiate(
        &self,
        request: ContractInstantiateRequest,
        at: Option<H256>,
    ) -> Result<ContractExecResult, ClientError> {
        self.dry_run_instantiate(request, at)
    }

    fn contracts_upload(
        &self,
        request: ContractUploadRequest,
        at: Option<H256>,
    ) -> Result<ContractUploadResult, ClientError> {
        self.dry_run_upload(request, at)
    }

    fn contract_instance(
        &self,
        address: &AccountId,
        at: Option<H256>,
    ) -> Result<Option<ContractInstance>, ClientError> {
        self.read_contract_instance(address, at)
    }

    fn contract_code(
        &self,
        code_hash: &H256,
        at: Option<H256>,
    ) -> Result<Option<ContractCode>, ClientError> {
        self.read_contract_code(code_hash, at)
    }

    fn contract_storage(
        &self,
        address: &AccountId,
        key: &[u8],
        at: Option<H256>,
    ) -> Result<Option<Vec<u8>>, ClientError> {
        self.read_contract_storage(address, key, at)
    }
}

impl hm_client_api::MetadataProvider for Client {
    /// Every block runs the runtime built into this node, so metadata depends on
    /// `at` only through its existence; it is built once and kept.
    fn metadata(&self, at: Option<H256>) -> Result<Vec<u8>, ClientError> {
        static METADATA: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        if let Some(at) = at {
            if self.header(BlockId::Hash(at))?.is_none() {
                return Err(ClientError::UnknownBlock(at.to_hex()));
            }
        }
        Ok(METADATA.get_or_init(hm_runtime::metadata).clone())
    }
}
