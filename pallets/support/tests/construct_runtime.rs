//! `construct_runtime!` over two small pallets: indices, dispatch with the weight
//! actually used, the root call, hooks in list order, genesis fan-out, `try_state`
//! and metadata.
extern crate alloc;

use frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed};
use hm_primitives::{AccountId, BlockNumber};
use hm_support::{
    get, put, DispatchError, DispatchErrorWithPostInfo, DispatchResultWithPostInfo, Externalities,
    MemoryExt, Origin, PostDispatchInfo, Weight,
};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

/// A counter pallet: `Add` reports half its declared weight as used.
mod counter {
    use super::*;

    pub const INDEX: u8 = 7;
    pub const DECLARED: Weight = 1_000;

    pub fn key() -> Vec<u8> {
        b"counter".to_vec()
    }
    pub fn hook_log() -> Vec<u8> {
        b"hooks".to_vec()
    }

    #[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
    pub enum Call {
        #[codec(index = 0)]
        Add { by: u32 },
        #[codec(index = 1)]
        Fail,
    }

    #[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
    pub enum Event {
        Added { total: u32 },
    }

    #[derive(Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
    #[repr(u8)]
    pub enum Error {
        Refused = 0,
    }

    pub struct Pallet;

    /// Appends `tag` to a log in state, so the order of hooks is visible.
    pub fn log_hook(ext: &mut dyn Externalities, tag: u8) {
        let mut log: Vec<u8> = get(ext, &hook_log()).unwrap_or_default();
        log.push(tag);
        put(ext, &hook_log(), &log);
    }

    impl hm_support::Pallet for Pallet {
        const INDEX: u8 = INDEX;
        const NAME: &'static str = "Counter";
        type Call = Call;
        type Event = Event;
        type Error = Error;
        type GenesisConfig = u32;

        fn call_weight(_call: &Call) -> Weight {
            DECLARED
        }
        fn dispatch(
            ext: &mut dyn Externalities,
            origin: Origin,
            call: Call,
        ) -> DispatchResultWithPostInfo {
            match (origin, call) {
                (_, Call::Add { by }) => {
                    let total = get::<u32>(ext, &key()).unwrap_or(0).saturating_add(by);
                    put(ext, &key(), &total);
                    Ok(PostDispatchInfo {
                        actual_weight: Some(DECLARED / 2),
                    })
                }
                (_, Call::Fail) => Err(DispatchErrorWithPostInfo {
                    post_info: PostDispatchInfo {
                        actual_weight: Some(DECLARED / 4),
                    },
                    error: DispatchError {
                        pallet: INDEX,
                        error: Error::Refused as u8,
                        message: "refused",
                    },
                }),
            }
        }
        fn on_initialize(ext: &mut dyn Externalities, _n: BlockNumber) -> Weight {
            log_hook(ext, 10 + INDEX);
            5
        }
        fn on_finalize(ext: &mut dyn Externalities, _n: BlockNumber) -> Weight {
            log_hook(ext, 20 + INDEX);
            3
        }
        fn build_genesis(ext: &mut dyn Externalities, start: &u32) -> Result<(), &'static str> {
            put(ext, &key(), start);
            Ok(())
        }
        fn try_state(ext: &dyn Externalities) -> Result<(), &'static str> {
            match get::<u32>(ext, &key()) {
                Some(n) if n >= 1_000_000 => Err("counter past a million"),
                _ => Ok(()),
            }
        }
        fn storage_metadata() -> Vec<frame_metadata::v15::StorageEntryMetadata> {
            vec![hm_support::metadata::storage_value::<u32>("Counter", &[])]
        }
    }
}

/// A pallet with the defaults: declared weight charged, no hooks.
mod plain {
    use super::*;

    #[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
    pub enum Call {
        Noop,
    }
    #[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
    pub enum Event {
        Nothing,
    }
    #[derive(TypeInfo)]
    pub enum Error {}

    pub struct Pallet;

    impl hm_support::Pallet for Pallet {
        const INDEX: u8 = 0;
        const NAME: &'static str = "Plain";
        type Call = Call;
        type Event = Event;
        type Error = Error;
        type GenesisConfig = ();
        fn call_weight(_call: &Call) -> Weight {
            70
        }
        fn dispatch(
            ext: &mut dyn Externalities,
            _origin: Origin,
            _call: Call,
        ) -> DispatchResultWithPostInfo {
            counter::log_hook(ext, 99);
            Ok(PostDispatchInfo::default())
        }
        fn on_finalize(ext: &mut dyn Externalities, _n: BlockNumber) -> Weight {
            counter::log_hook(ext, 20);
            0
        }
        fn build_genesis(_ext: &mut dyn Externalities, _config: &()) -> Result<(), &'static str> {
            Ok(())
        }
    }
}

const ROOT_WEIGHT: Weight = 11;
const ROOT: AccountId = AccountId([9; 32]);

fn dispatch_as_root(
    ext: &mut dyn Externalities,
    origin: Origin,
    call: Call,
) -> DispatchResultWithPostInfo {
    if origin != Origin::Signed(ROOT) && origin != Origin::Root {
        return Err(DispatchError {
            pallet: 0,
            error: 0,
            message: "bad origin",
        }
        .into());
    }
    dispatch_call(ext, Origin::Root, call)
}

hm_support::construct_runtime! {
    root_call: Root = 255,
    weight: ROOT_WEIGHT,
    dispatch: dispatch_as_root;
    pallets: {
        Plain(plain): plain::Pallet = 0,
        Counter(counter): counter::Pallet = 7,
    }
}

fn genesis() -> MemoryExt {
    let mut ext = MemoryExt::default();
    build_pallets_genesis(
        &mut ext,
        &PalletGenesis {
            plain: (),
            counter: 40,
        },
    )
    .unwrap();
    ext
}

#[test]
fn the_list_gives_each_pallet_its_index_in_calls_and_events() {
    assert_eq!(PALLETS, &[("Plain", 0), ("Counter", 7)]);
    let call = Call::Counter(counter::Call::Add { by: 3 });
    assert_eq!(call.encode(), vec![7, 0, 3, 0, 0, 0]);
    assert_eq!(Call::decode(&mut &call.encode()[..]).unwrap(), call);
    assert_eq!(Call::Plain(plain::Call::Noop).encode(), vec![0, 0]);
    let root = Call::Root(Box::new(call.clone()));
    assert_eq!(root.encode()[..2], [255, 7]);
    let event = RuntimeEvent::Counter(counter::Event::Added { total: 1 });
    assert_eq!(event.encode()[0], 7);
    assert_eq!(call.pallet_name(), "Counter");
}

#[test]
fn dispatch_reports_the_weight_actually_used() {
    let mut ext = genesis();
    let call = Call::Counter(counter::Call::Add { by: 2 });
    assert_eq!(call.weight(), counter::DECLARED);
    let post = dispatch_call(&mut ext, Origin::Signed(ROOT), call).unwrap();
    assert_eq!(post.actual_weight, Some(counter::DECLARED / 2));
    assert_eq!(
        post.charged_weight(counter::DECLARED),
        counter::DECLARED / 2
    );
    assert_eq!(get::<u32>(&ext, &counter::key()), Some(42));

    let failed = dispatch_call(
        &mut ext,
        Origin::Signed(ROOT),
        Call::Counter(counter::Call::Fail),
    )
    .unwrap_err();
    assert_eq!(failed.error.pallet, counter::INDEX);
    assert_eq!(failed.post_info.actual_weight, Some(counter::DECLARED / 4));

    // A pallet that reports nothing is charged what it declared.
    let post = dispatch_call(&mut ext, Origin::Root, Call::Plain(plain::Call::Noop)).unwrap();
    assert_eq!(post.charged_weight(70), 70);
}

#[test]
fn the_root_call_adds_its_own_weight_and_checks_the_origin() {
    let mut ext = genesis();
    let inner = Call::Counter(counter::Call::Add { by: 1 });
    let root = Call::Root(Box::new(inner));
    assert_eq!(root.weight(), ROOT_WEIGHT + counter::DECLARED);
    let post = dispatch_call(&mut ext, Origin::Signed(ROOT), root.clone()).unwrap();
    assert_eq!(
        post.actual_weight,
        Some(counter::DECLARED / 2 + ROOT_WEIGHT)
    );
    let refused = dispatch_call(&mut ext, Origin::Signed(AccountId([1; 32])), root).unwrap_err();
    assert_eq!(refused.error.message, "bad origin");
    assert_eq!(get::<u32>(&ext, &counter::key()), Some(41));
}

#[test]
fn hooks_run_in_list_order_and_sum_their_weights() {
    let mut ext = genesis();
    assert_eq!(on_initialize_pallets(&mut ext, 1), 5);
    assert_eq!(on_finalize_pallets(&mut ext, 1), 3);
    assert_eq!(on_runtime_upgrade_pallets(&mut ext), 0);
    let log: Vec<u8> = get(&ext, &counter::hook_log()).unwrap();
    assert_eq!(log, vec![17, 20, 27]);
}

#[test]
fn genesis_fans_out_and_try_state_names_the_failing_pallet() {
    let mut ext = genesis();
    assert_eq!(get::<u32>(&ext, &counter::key()), Some(40));
    assert_eq!(try_state_pallets(&ext), Ok(()));
    put(&mut ext, &counter::key(), &1_000_000u32);
    assert_eq!(
        try_state_pallets(&ext),
        Err(("Counter", "counter past a million"))
    );
}

#[test]
fn metadata_describes_every_pallet_and_round_trips() {
    let v15 = frame_metadata::v15::RuntimeMetadataV15::new(
        pallets_metadata(),
        frame_metadata::v15::ExtrinsicMetadata {
            version: 1,
            address_ty: scale_info::meta_type::<AccountId>(),
            call_ty: scale_info::meta_type::<Call>(),
            signature_ty: scale_info::meta_type::<()>(),
            extra_ty: scale_info::meta_type::<()>(),
            signed_extensions: vec![],
        },
        scale_info::meta_type::<()>(),
        vec![],
        frame_metadata::v15::OuterEnums {
            call_enum_ty: scale_info::meta_type::<Call>(),
            event_enum_ty: scale_info::meta_type::<RuntimeEvent>(),
            error_enum_ty: scale_info::meta_type::<RuntimeError>(),
        },
        frame_metadata::v15::CustomMetadata {
            map: Default::default(),
        },
    );
    let bytes = RuntimeMetadataPrefixed::from(v15).encode();
    assert_eq!(&bytes[..4], b"meta");
    let decoded = RuntimeMetadataPrefixed::decode(&mut &bytes[..]).unwrap();
    let RuntimeMetadata::V15(meta) = decoded.1 else {
        panic!("not V15")
    };
    let names: Vec<(&str, u8)> = meta
        .pallets
        .iter()
        .map(|p| (p.name.as_str(), p.index))
        .collect();
    assert_eq!(names, vec![("Plain", 0), ("Counter", 7)]);
    let counter = &meta.pallets[1];
    let calls = meta
        .types
        .resolve(counter.calls.as_ref().unwrap().ty.id)
        .unwrap();
    let scale_info::TypeDef::Variant(variants) = &calls.type_def else {
        panic!("calls are not an enum")
    };
    let add = &variants.variants[0];
    assert_eq!((add.name.as_str(), add.index), ("Add", 0));
    assert_eq!(add.fields[0].name.as_deref(), Some("by"));
    let storage = counter.storage.as_ref().unwrap();
    assert_eq!(storage.entries[0].name, "Counter");
    let errors = meta
        .types
        .resolve(counter.error.as_ref().unwrap().ty.id)
        .unwrap();
    let scale_info::TypeDef::Variant(errors) = &errors.type_def else {
        panic!("errors are not an enum")
    };
    assert_eq!(errors.variants[0].name, "Refused");
}
