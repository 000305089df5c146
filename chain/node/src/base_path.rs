//! Base path layout, as in Substrate: `<base>/chains/<chain id>/{db,keystore}`.
use crate::cli::ChainArgs;
use std::path::PathBuf;

pub struct BasePath {
    path: PathBuf,
    /// Held for `--dev` without `--base-path`: removed when the node exits.
    _temp: Option<tempfile::TempDir>,
}

impl BasePath {
    pub fn resolve(args: &ChainArgs) -> anyhow::Result<Self> {
        if let Some(p) = &args.base_path {
            return Ok(BasePath {
                path: p.clone(),
                _temp: None,
            });
        }
        if args.dev {
            let temp = tempfile::Builder::new()
                .prefix("hypermesh-dev-")
                .tempdir()?;
            return Ok(BasePath {
                path: temp.path().to_owned(),
                _temp: Some(temp),
            });
        }
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("."));
        Ok(BasePath {
            path: home.join(".local/share/hypermesh"),
            _temp: None,
        })
    }

    pub fn chain(&self, chain_id: &str) -> PathBuf {
        self.path.join("chains").join(chain_id)
    }

    pub fn database(&self, chain_id: &str) -> PathBuf {
        self.chain(chain_id).join("db")
    }

    /// The libp2p identity (ed25519), created on first start.
    pub fn node_key(&self, chain_id: &str) -> PathBuf {
        self.chain(chain_id).join("network").join("secret_ed25519")
    }

    pub fn validator_key(&self, chain_id: &str) -> PathBuf {
        self.chain(chain_id).join("keystore").join("validator.json")
    }
}
