//! The `contract!` macro: turns plain functions into the `deploy` and `call` exports.

/// Declares a contract's entry points and generates the exported `deploy` and `call`.
///
/// ```ignore
/// hm_contract_sdk::contract! {
///     /// Runs once, at instantiation. Input: SCALE(args), no selector.
///     #[deploy]
///     fn new(initial_supply: Balance) -> Result<(), Error> { ... }
///
///     /// Input: blake3("transfer")[..4] ‖ SCALE((to, value)).
///     #[message]
///     fn transfer(to: AccountId, value: Balance) -> Result<(), Error> { ... }
///
///     #[message]
///     fn balance_of(owner: AccountId) -> Balance { ... }
///
///     #[message(payable)]
///     fn deposit() { ... }
/// }
/// ```
///
/// * Exactly one `#[deploy]` function; any number of `#[message]` functions. Doc comments
///   go before the marker attribute. Parameters are plain `name: Type` (types implement
///   `Decode`).
/// * A message's selector is `blake3(function name)[..4]`; two messages with the same
///   selector fail to compile.
/// * Return types: `Result<T, E>` written literally returns SCALE(T) on `Ok` and reverts
///   with SCALE(E) on `Err`; any other type is returned SCALE-encoded; no return type
///   means empty output. (A `Result` alias with another name is an ordinary value.)
/// * Entry points refuse value (revert `hm:non-payable`) unless marked `payable`.
/// * Undecodable arguments revert with `hm:invalid-input`; an unknown selector with
///   `hm:unknown-selector`.
#[macro_export]
macro_rules! contract {
    ($($items:tt)*) => {
        $crate::__contract_items! { deploy [] messages [] docs [] rest [$($items)*] }
    };
}

/// Internal to [`contract!`]: reads the entry points one at a time.
#[doc(hidden)]
#[macro_export]
macro_rules! __contract_items {
    // A doc comment for the next entry point.
    (deploy [$($deploy:tt)*] messages [$($messages:tt)*] docs [$($docs:tt)*]
     rest [#[doc = $doc:literal] $($rest:tt)*]) => {
        $crate::__contract_items! {
            deploy [$($deploy)*] messages [$($messages)*] docs [$($docs)* #[doc = $doc]]
            rest [$($rest)*]
        }
    };
    // The deploy function.
    (deploy [] messages [$($messages:tt)*] docs [$($docs:tt)*]
     rest [#[deploy $(($($option:ident)*))?]
           fn $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) $($rest:tt)*]) => {
        $crate::__contract_signature! {
            deploy [] messages [$($messages)*]
            entry [deploy [$($docs)*] $name [$($arg : $ty),*] [$($($option)*)?]]
            rest [$($rest)*]
        }
    };
    (deploy [$($deploy:tt)+] messages [$($messages:tt)*] docs [$($docs:tt)*]
     rest [#[deploy $($option:tt)*] $($rest:tt)*]) => {
        ::core::compile_error!("a contract has exactly one #[deploy] function");
    };
    // A message.
    (deploy [$($deploy:tt)*] messages [$($messages:tt)*] docs [$($docs:tt)*]
     rest [#[message $(($($option:ident)*))?]
           fn $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) $($rest:tt)*]) => {
        $crate::__contract_signature! {
            deploy [$($deploy)*] messages [$($messages)*]
            entry [message [$($docs)*] $name [$($arg : $ty),*] [$($($option)*)?]]
            rest [$($rest)*]
        }
    };
    // Everything read: generate.
    (deploy [$($deploy:tt)+] messages [$($messages:tt)*] docs [] rest []) => {
        $crate::__contract_expand! { deploy [$($deploy)+] messages [$($messages)*] }
    };
    (deploy [] messages [$($messages:tt)*] docs [] rest []) => {
        ::core::compile_error!("a contract needs one #[deploy] function");
    };
    (deploy [$($deploy:tt)*] messages [$($messages:tt)*] docs [$($docs:tt)*]
     rest [$($rest:tt)*]) => {
        ::core::compile_error!(::core::concat!(
            "contract!: expected `#[deploy]` or `#[message]` followed by `fn name(args) [-> Type] { ... }`, found: ",
            ::core::stringify!($($rest)*)
        ));
    };
}

/// Internal to [`contract!`]: reads an entry point's return type and body.
#[doc(hidden)]
#[macro_export]
macro_rules! __contract_signature {
    (deploy [$($deploy:tt)*] messages [$($messages:tt)*] entry [$($entry:tt)*]
     rest [-> Result<$ok:ty, $err:ty> $body:block $($rest:tt)*]) => {
        $crate::__contract_signature! { @push deploy [$($deploy)*] messages [$($messages)*]
            entry [$($entry)* [result [-> Result<$ok, $err>]] $body] rest [$($rest)*] }
    };
    (deploy [$($deploy:tt)*] messages [$($messages:tt)*] entry [$($entry:tt)*]
     rest [-> Result<$ok:ty> $body:block $($rest:tt)*]) => {
        ::core::compile_error!(
            "write the return type as `Result<T, E>` so `Err` reverts (a one-parameter alias would be returned as a value)"
        );
    };
    (deploy [$($deploy:tt)*] messages [$($messages:tt)*] entry [$($entry:tt)*]
     rest [-> $ret:ty $body:block $($rest:tt)*]) => {
        $crate::__contract_signature! { @push deploy [$($deploy)*] messages [$($messages)*]
            entry [$($entry)* [value [-> $ret]] $body] rest [$($rest)*] }
    };
    (deploy [$($deploy:tt)*] messages [$($messages:tt)*] entry [$($entry:tt)*]
     rest [$body:block $($rest:tt)*]) => {
        $crate::__contract_signature! { @push deploy [$($deploy)*] messages [$($messages)*]
            entry [$($entry)* [unit []] $body] rest [$($rest)*] }
    };
    (@push deploy [$($deploy:tt)*] messages [$($messages:tt)*]
     entry [deploy $($entry:tt)*] rest [$($rest:tt)*]) => {
        $crate::__contract_items! {
            deploy [$($entry)*] messages [$($messages)*] docs [] rest [$($rest)*]
        }
    };
    (@push deploy [$($deploy:tt)*] messages [$($messages:tt)*]
     entry [message $($entry:tt)*] rest [$($rest:tt)*]) => {
        $crate::__contract_items! {
            deploy [$($deploy)*] messages [$($messages)* {$($entry)*}] docs [] rest [$($rest)*]
        }
    };
}

/// Internal to [`contract!`]: emits the functions and the `deploy`/`call` exports.
#[doc(hidden)]
#[macro_export]
macro_rules! __contract_expand {
    (
        deploy [[$($ddoc:tt)*] $dname:ident [$($darg:ident : $dty:ty),*] [$($dopt:ident)*]
                [$dkind:ident [$($dret:tt)*]] $dbody:block]
        messages [$({[$($mdoc:tt)*] $mname:ident [$($marg:ident : $mty:ty),*] [$($mopt:ident)*]
                     [$mkind:ident [$($mret:tt)*]] $mbody:block})*]
    ) => {
        $($ddoc)*
        fn $dname($($darg : $dty),*) $($dret)* $dbody

        $(
            $($mdoc)*
            fn $mname($($marg : $mty),*) $($mret)* $mbody
        )*

        const _: () = $crate::selector::assert_distinct_selectors(&[$(::core::stringify!($mname)),*]);

        /// The `deploy` export: decodes SCALE(args) and runs the `#[deploy]` function.
        #[cfg(target_arch = "wasm32")]
        #[export_name = "deploy"]
        pub extern "C" fn __hm_contract_deploy() {
            $crate::__contract_payable!($($dopt)*);
            let input = $crate::env::input();
            let ($($darg,)*): ($($dty,)*) = $crate::dispatch::decode_args(&input);
            let output = $dname($($darg),*);
            $crate::__contract_output!($dkind output);
        }

        /// The `call` export: dispatches on the selector to a `#[message]` function.
        #[cfg(target_arch = "wasm32")]
        #[export_name = "call"]
        pub extern "C" fn __hm_contract_call() {
            let input = $crate::env::input();
            let (selector, args) = $crate::dispatch::message_input(&input);
            $(
                if selector == $crate::selector!(::core::stringify!($mname)) {
                    $crate::__contract_payable!($($mopt)*);
                    let ($($marg,)*): ($($mty,)*) = $crate::dispatch::decode_args(args);
                    let output = $mname($($marg),*);
                    $crate::__contract_output!($mkind output);
                }
            )*
            let _ = args;
            $crate::dispatch::unknown_selector()
        }
    };
}

/// Internal to [`contract!`]: the value check for an entry point's options.
#[doc(hidden)]
#[macro_export]
macro_rules! __contract_payable {
    () => {
        $crate::dispatch::reject_value()
    };
    (payable) => {};
    ($($other:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "unknown entry point option `", ::core::stringify!($($other)*), "` (only `payable`)"
        ));
    };
}

/// Internal to [`contract!`]: turns an entry point's return value into the frame's output.
/// Every arm leaves the export function (the call dispatcher relies on it).
#[doc(hidden)]
#[macro_export]
macro_rules! __contract_output {
    (result $output:ident) => {
        $crate::dispatch::return_result($output)
    };
    (value $output:ident) => {
        $crate::dispatch::return_encoded(&$output)
    };
    (unit $output:ident) => {{
        let () = $output;
        return;
    }};
}
