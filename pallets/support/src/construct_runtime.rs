//! `construct_runtime!`: the one list of a runtime's pallets.
//!
//! ```ignore
//! hm_support::construct_runtime! {
//!     root_call: Root = 255, weight: weights::ROOT_DISPATCH, dispatch: dispatch_as_root;
//!     pallets: {
//!         System(system): hm_pallet_system::Pallet = 0,
//!         Caesar(caesar): hm_pallet_caesar::Pallet = 1,
//!     }
//! }
//! ```
//!
//! Each line names the pallet's variant in the outer enums, its field in
//! [`PalletGenesis`](#), the type implementing [`crate::Pallet`], and its index.
//! The macro generates:
//! - `Call` (one variant per pallet, plus the root call wrapping another `Call`),
//!   `RuntimeEvent` and `RuntimeError`, with the pallets' indices as codec indices;
//! - `Call::weight`, `Call::pallet_name` and `dispatch_call`;
//! - `on_initialize_pallets`, `on_finalize_pallets`, `on_runtime_upgrade_pallets`
//!   and `try_state_pallets`, in list order;
//! - `PalletGenesis` and `build_pallets_genesis`;
//! - `pallets_metadata` (FRAME metadata V15) and `PALLETS` (names and indices);
//! - a compile-time check that every index in the list is the pallet's `INDEX`.
//!
//! The invoking module must have `parity_scale_codec`, `scale_info` and `alloc` in
//! scope, and define `dispatch_as_root(ext, origin, call: Call) -> DispatchResultWithPostInfo`
//! (whoever may act as root is the runtime's business, not the list's).
#[macro_export]
macro_rules! construct_runtime {
    (
        root_call: $root:ident = $root_index:literal,
        weight: $root_weight:expr,
        dispatch: $root_dispatch:path;
        pallets: {
            $( $name:ident ($field:ident) : $pallet:ty = $index:literal ),+ $(,)?
        }
    ) => {
        $( const _: () = assert!(
            <$pallet as $crate::Pallet>::INDEX == $index,
            "the index in construct_runtime! differs from the pallet's INDEX",
        ); )+

        /// Every call the runtime dispatches; the first byte is the pallet's index.
        #[derive(
            Clone, PartialEq, Eq, Debug,
            parity_scale_codec::Encode, parity_scale_codec::Decode, scale_info::TypeInfo,
        )]
        pub enum Call {
            $(
                #[codec(index = $index)]
                $name(<$pallet as $crate::Pallet>::Call),
            )+
            /// Dispatch the inner call with the root origin.
            #[codec(index = $root_index)]
            $root(alloc::boxed::Box<Call>),
        }

        impl Call {
            /// Weight charged up front for this call (the per-extrinsic base is separate).
            pub fn weight(&self) -> $crate::Weight {
                match self {
                    $( Call::$name(call) => <$pallet as $crate::Pallet>::call_weight(call), )+
                    Call::$root(inner) => ($root_weight).saturating_add(inner.weight()),
                }
            }

            /// Name of the pallet this call belongs to (`Root` for the root wrapper).
            pub fn pallet_name(&self) -> &'static str {
                match self {
                    $( Call::$name(_) => <$pallet as $crate::Pallet>::NAME, )+
                    Call::$root(_) => stringify!($root),
                }
            }
        }

        /// Run `call` as `origin`, reporting the weight it used. The caller rolls
        /// its state changes back on `Err`.
        pub fn dispatch_call(
            ext: &mut dyn $crate::Externalities,
            origin: $crate::Origin,
            call: Call,
        ) -> $crate::DispatchResultWithPostInfo {
            match call {
                $( Call::$name(call) => <$pallet as $crate::Pallet>::dispatch(ext, origin, call), )+
                Call::$root(inner) => {
                    let declared = inner.weight();
                    match $root_dispatch(ext, origin, *inner) {
                        Ok(post) => Ok($crate::PostDispatchInfo {
                            actual_weight: post.actual_weight
                                .map(|w| w.min(declared).saturating_add($root_weight)),
                        }),
                        Err(mut e) => {
                            e.post_info.actual_weight = e.post_info.actual_weight
                                .map(|w| w.min(declared).saturating_add($root_weight));
                            Err(e)
                        }
                    }
                }
            }
        }

        /// Events of all pallets; the variant index is the pallet's index.
        #[derive(
            Clone, PartialEq, Eq, Debug,
            parity_scale_codec::Encode, parity_scale_codec::Decode, scale_info::TypeInfo,
        )]
        pub enum RuntimeEvent {
            $(
                #[codec(index = $index)]
                $name(<$pallet as $crate::Pallet>::Event),
            )+
        }

        /// Errors of all pallets, for metadata: a `DispatchError { pallet, error }`
        /// reads as variant `pallet`, then the pallet's error `error`.
        #[derive(scale_info::TypeInfo)]
        pub enum RuntimeError {
            $(
                #[codec(index = $index)]
                $name(<$pallet as $crate::Pallet>::Error),
            )+
        }

        /// Names and indices of the pallets, in list order.
        pub const PALLETS: &[(&str, u8)] = &[
            $( (<$pallet as $crate::Pallet>::NAME, $index), )+
        ];

        /// Every pallet's `on_initialize` for block `number`; the total weight.
        pub fn on_initialize_pallets(
            ext: &mut dyn $crate::Externalities,
            number: hm_primitives::BlockNumber,
        ) -> $crate::Weight {
            let mut weight: $crate::Weight = 0;
            $( weight = weight.saturating_add(
                <$pallet as $crate::Pallet>::on_initialize(ext, number)); )+
            weight
        }

        /// Every pallet's `on_finalize` for block `number`; the total weight.
        pub fn on_finalize_pallets(
            ext: &mut dyn $crate::Externalities,
            number: hm_primitives::BlockNumber,
        ) -> $crate::Weight {
            let mut weight: $crate::Weight = 0;
            $( weight = weight.saturating_add(
                <$pallet as $crate::Pallet>::on_finalize(ext, number)); )+
            weight
        }

        /// Every pallet's storage migration, in list order; the total weight.
        pub fn on_runtime_upgrade_pallets(ext: &mut dyn $crate::Externalities) -> $crate::Weight {
            let mut weight: $crate::Weight = 0;
            $( weight = weight.saturating_add(
                <$pallet as $crate::Pallet>::on_runtime_upgrade(ext)); )+
            weight
        }

        /// Every pallet's invariants; the first that fails, with its pallet's name.
        pub fn try_state_pallets(
            ext: &dyn $crate::Externalities,
        ) -> Result<(), (&'static str, &'static str)> {
            $( <$pallet as $crate::Pallet>::try_state(ext)
                .map_err(|e| (<$pallet as $crate::Pallet>::NAME, e))?; )+
            Ok(())
        }

        /// Every pallet's genesis configuration.
        pub struct PalletGenesis {
            $( pub $field: <$pallet as $crate::Pallet>::GenesisConfig, )+
        }

        /// Write every pallet's genesis state, in list order.
        pub fn build_pallets_genesis(
            ext: &mut dyn $crate::Externalities,
            config: &PalletGenesis,
        ) -> Result<(), &'static str> {
            $( <$pallet as $crate::Pallet>::build_genesis(ext, &config.$field)?; )+
            Ok(())
        }

        /// FRAME metadata (V15) of every pallet.
        pub fn pallets_metadata() -> alloc::vec::Vec<frame_metadata::v15::PalletMetadata> {
            use frame_metadata::v15::{
                PalletCallMetadata, PalletErrorMetadata, PalletEventMetadata, PalletMetadata,
                PalletStorageMetadata,
            };
            use scale_info::meta_type;
            alloc::vec![$(
                {
                    let storage = <$pallet as $crate::Pallet>::storage_metadata();
                    PalletMetadata {
                        name: <$pallet as $crate::Pallet>::NAME,
                        storage: (!storage.is_empty()).then(|| PalletStorageMetadata {
                            prefix: <$pallet as $crate::Pallet>::NAME,
                            entries: storage,
                        }),
                        calls: Some(PalletCallMetadata {
                            ty: meta_type::<<$pallet as $crate::Pallet>::Call>(),
                        }),
                        event: Some(PalletEventMetadata {
                            ty: meta_type::<<$pallet as $crate::Pallet>::Event>(),
                        }),
                        constants: <$pallet as $crate::Pallet>::constants_metadata(),
                        error: Some(PalletErrorMetadata {
                            ty: meta_type::<<$pallet as $crate::Pallet>::Error>(),
                        }),
                        index: $index,
                        docs: alloc::vec::Vec::new(),
                    }
                },
            )+]
        }
    };
}
