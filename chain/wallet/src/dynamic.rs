//! Calls and events built and read from the runtime's metadata alone.
//!
//! `hypermesh tx call <Pallet> <call> --arg NAME=VALUE …` needs no code per
//! call: the pallet, the call and the type of every argument come from
//! `state_getMetadata` (FRAME metadata V15), values are parsed with
//! `scale-value`'s syntax and encoded against the registry, and the events a
//! block recorded are decoded the same way.
use anyhow::{anyhow, bail, Context};
use frame_metadata::{v15::RuntimeMetadataV15, RuntimeMetadata, RuntimeMetadataPrefixed};
use hm_primitives::AccountId;
use parity_scale_codec::{Decode, Encode, Output};
use scale_info::{form::PortableForm, PortableRegistry, TypeDef, Variant};
use scale_value::{Composite, Value, ValueDef};

/// A call's SCALE encoding, signed as it is (no length prefix).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedCall(pub Vec<u8>);

impl Encode for EncodedCall {
    fn size_hint(&self) -> usize {
        self.0.len()
    }
    fn encode_to<T: Output + ?Sized>(&self, dest: &mut T) {
        dest.write(&self.0)
    }
}

/// An event, decoded against the metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodedEvent {
    pub pallet: String,
    pub name: String,
    pub fields: Composite<u32>,
}

impl std::fmt::Display for DecodedEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}::{} {}", self.pallet, self.name, self.fields)
    }
}

/// A call argument: its name and its type's name.
pub type CallArg = (String, String);

/// Decoded runtime metadata.
pub struct Metadata {
    meta: RuntimeMetadataV15,
}

/// Names match without regard to case or underscores: `transfer_keep_alive`,
/// `TransferKeepAlive` and `transferKeepAlive` are one call.
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.chars()
            .filter(|c| *c != '_')
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    norm(a) == norm(b)
}

impl Metadata {
    /// Decode `state_getMetadata`'s bytes; only V15 is served.
    pub fn decode(bytes: &[u8]) -> anyhow::Result<Self> {
        let prefixed = RuntimeMetadataPrefixed::decode(&mut &bytes[..])
            .context("the node's metadata does not decode")?;
        if prefixed.0 != frame_metadata::META_RESERVED {
            bail!("the node's metadata lacks the \"meta\" prefix");
        }
        match prefixed.1 {
            RuntimeMetadata::V15(meta) => Ok(Metadata { meta }),
            other => bail!("metadata version {} is not V15", other.version()),
        }
    }

    pub fn types(&self) -> &PortableRegistry {
        &self.meta.types
    }

    /// `(name, index)` of every pallet.
    pub fn pallets(&self) -> Vec<(String, u8)> {
        self.meta
            .pallets
            .iter()
            .map(|p| (p.name.clone(), p.index))
            .collect()
    }

    fn variants(&self, ty: u32) -> anyhow::Result<&[Variant<PortableForm>]> {
        let ty = self
            .meta
            .types
            .resolve(ty)
            .ok_or_else(|| anyhow!("type {ty} is missing from the metadata"))?;
        match &ty.type_def {
            TypeDef::Variant(v) => Ok(&v.variants),
            _ => bail!("type {} is not an enum", ty.path),
        }
    }

    /// The calls of `pallet`: `(name, [(argument, type name)])`.
    pub fn calls(&self, pallet: &str) -> anyhow::Result<Vec<(String, Vec<CallArg>)>> {
        let p = self.pallet(pallet)?;
        let calls = p
            .calls
            .as_ref()
            .ok_or_else(|| anyhow!("pallet {} has no calls", p.name))?;
        Ok(self
            .variants(calls.ty.id)?
            .iter()
            .map(|v| {
                let args = v
                    .fields
                    .iter()
                    .map(|f| {
                        let name = f.name.clone().unwrap_or_default();
                        (name, f.type_name.clone().unwrap_or_default())
                    })
                    .collect();
                (v.name.clone(), args)
            })
            .collect())
    }

    fn pallet(
        &self,
        name: &str,
    ) -> anyhow::Result<&frame_metadata::v15::PalletMetadata<PortableForm>> {
        self.meta
            .pallets
            .iter()
            .find(|p| same_name(&p.name, name))
            .ok_or_else(|| {
                let known: Vec<&str> = self.meta.pallets.iter().map(|p| p.name.as_str()).collect();
                anyhow!("no pallet `{name}`; the runtime has {}", known.join(", "))
            })
    }

    /// Encode `pallet::call` with `args` (`NAME=VALUE`). A value is parsed for the
    /// argument's type: an account (`AccountId`) by `account`, bytes (`Vec<u8>`)
    /// as `0x`-hex or text, anything else in `scale-value` syntax (`42`,
    /// `"text"`, `(1, 2)`, `{ field: 1 }`, `Some(3)`, `Variant { .. }`).
    pub fn encode_call(
        &self,
        pallet: &str,
        call: &str,
        args: &[(String, String)],
        account: &dyn Fn(&str) -> anyhow::Result<AccountId>,
    ) -> anyhow::Result<EncodedCall> {
        let p = self.pallet(pallet)?;
        let calls = p
            .calls
            .as_ref()
            .ok_or_else(|| anyhow!("pallet {} has no calls", p.name))?;
        let variants = self.variants(calls.ty.id)?;
        let variant = variants
            .iter()
            .find(|v| same_name(&v.name, call))
            .ok_or_else(|| {
                let known: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
                anyhow!(
                    "pallet {} has no call `{call}`; it has {}",
                    p.name,
                    known.join(", ")
                )
            })?;
        for (name, _) in args {
            if !variant
                .fields
                .iter()
                .any(|f| f.name.as_deref() == Some(name.as_str()))
            {
                bail!("{}::{} takes no argument `{name}`", p.name, variant.name);
            }
        }
        let mut out = vec![p.index, variant.index];
        for field in &variant.fields {
            let name = field.name.as_deref().unwrap_or_default();
            let raw = args
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .ok_or_else(|| {
                    anyhow!(
                        "{}::{} needs --arg {name}=… ({})",
                        p.name,
                        variant.name,
                        field.type_name.as_deref().unwrap_or("?")
                    )
                })?;
            let value = self
                .parse_value(field.ty.id, raw, account)
                .with_context(|| format!("--arg {name}"))?;
            scale_value::scale::encode_as_type(&value, field.ty.id, &self.meta.types, &mut out)
                .map_err(|e| anyhow!("--arg {name}={raw}: {e}"))?;
        }
        Ok(EncodedCall(out))
    }

    fn parse_value(
        &self,
        ty: u32,
        raw: &str,
        account: &dyn Fn(&str) -> anyhow::Result<AccountId>,
    ) -> anyhow::Result<Value<()>> {
        let resolved = self
            .meta
            .types
            .resolve(ty)
            .ok_or_else(|| anyhow!("type {ty} is missing"))?;
        let path = resolved.path.segments.last().map(String::as_str);
        if path == Some("AccountId") {
            let who = account(raw)?;
            return Ok(Value::unnamed_composite([Value::from_bytes(who.0)]));
        }
        if path == Some("Option") {
            if let TypeDef::Variant(v) = &resolved.type_def {
                let some = v.variants.iter().find(|v| v.name == "Some");
                if raw.trim() == "None" {
                    return Ok(Value::unnamed_variant("None", []));
                }
                if let (Some(some), Some(inner)) = (
                    some,
                    raw.trim()
                        .strip_prefix("Some(")
                        .and_then(|r| r.strip_suffix(')')),
                ) {
                    let inner_ty = some.fields.first().map(|f| f.ty.id).context("Some()")?;
                    let inner = self.parse_value(inner_ty, inner, account)?;
                    return Ok(Value::unnamed_variant("Some", [inner]));
                }
            }
        }
        if let TypeDef::Sequence(seq) = &resolved.type_def {
            let is_bytes = matches!(
                self.meta
                    .types
                    .resolve(seq.type_param.id)
                    .map(|t| &t.type_def),
                Some(TypeDef::Primitive(scale_info::TypeDefPrimitive::U8))
            );
            if is_bytes {
                let bytes = match raw.strip_prefix("0x") {
                    Some(digits) => hex::decode(digits).context("bad hex")?,
                    None => raw.as_bytes().to_vec(),
                };
                return Ok(Value::from_bytes(bytes));
            }
        }
        let (parsed, rest) = scale_value::stringify::from_str(raw);
        let value = parsed.map_err(|e| anyhow!("cannot parse `{raw}`: {e}"))?;
        if !rest.trim().is_empty() {
            bail!("unexpected `{rest}` after the value");
        }
        Ok(value)
    }

    /// Decode one event (the runtime's outer event enum) from `bytes`.
    pub fn decode_event(&self, bytes: &mut &[u8]) -> anyhow::Result<DecodedEvent> {
        let outer = self.meta.outer_enums.event_enum_ty.id;
        let value = scale_value::scale::decode_as_type(bytes, outer, &self.meta.types)
            .map_err(|e| anyhow!("event does not decode: {e}"))?;
        let ValueDef::Variant(pallet) = value.value else {
            bail!("the outer event is not an enum");
        };
        let inner = pallet
            .values
            .into_values()
            .next()
            .ok_or_else(|| anyhow!("event of {} carries no value", pallet.name))?;
        let ValueDef::Variant(event) = inner.value else {
            bail!("{}'s event is not an enum", pallet.name);
        };
        Ok(DecodedEvent {
            pallet: pallet.name,
            name: event.name,
            fields: event.values,
        })
    }
}
