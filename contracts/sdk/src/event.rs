//! Contract events: up to four 32-byte topics plus SCALE data.
//!
//! Events declared with [`crate::event!`] have the signature topic `blake3(StructName)`
//! first, then one topic per `#[topic]` field (at most three), and the whole struct,
//! SCALE-encoded, as data. A field's topic is its SCALE encoding zero-padded to 32 bytes
//! when it fits, else `blake3` of the encoding. Padding is unambiguous because SCALE
//! encodings of one type never extend one another.

use parity_scale_codec::Encode;

use crate::Hash;

/// Most topics an event may carry (ABI limit).
pub const MAX_TOPICS: usize = 4;

/// A contract event.
pub trait Event: Encode {
    /// The event's topics, signature first.
    fn topics(&self) -> Topics;
}

/// Up to [`MAX_TOPICS`] topics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Topics {
    items: [Hash; MAX_TOPICS],
    len: usize,
}

impl Topics {
    /// Starts with the event's signature topic.
    pub const fn new(signature: Hash) -> Self {
        Self {
            items: [signature, [0; 32], [0; 32], [0; 32]],
            len: 1,
        }
    }

    /// Adds a topic; `false` (and no change) when all four slots are used.
    pub fn push(&mut self, topic: Hash) -> bool {
        match self.items.get_mut(self.len) {
            Some(slot) => {
                *slot = topic;
                self.len += 1;
                true
            }
            None => false,
        }
    }

    /// The topics in order.
    pub fn as_slice(&self) -> &[Hash] {
        self.items.get(..self.len).unwrap_or(&self.items)
    }
}

/// The topic of an encoded value: padded if ≤ 32 bytes, else `hash(encoded)`.
pub fn topic_from_encoded(encoded: &[u8], hash: impl FnOnce(&[u8]) -> Hash) -> Hash {
    if encoded.len() <= 32 {
        let mut topic = [0u8; 32];
        topic[..encoded.len()].copy_from_slice(encoded);
        topic
    } else {
        hash(encoded)
    }
}

/// The topic of `value` (hashing with the host's `blake3` when its encoding is long).
#[cfg(target_arch = "wasm32")]
pub fn topic_of<T: Encode + ?Sized>(value: &T) -> Hash {
    topic_from_encoded(&value.encode(), crate::env::blake3)
}

/// The topic of `value`; host tests hash with the reference implementation.
#[cfg(all(test, not(target_arch = "wasm32")))]
pub fn topic_of<T: Encode + ?Sized>(value: &T) -> Hash {
    topic_from_encoded(&value.encode(), |data| *blake3::hash(data).as_bytes())
}

/// Emits `event`: its topics and its SCALE encoding.
#[cfg(target_arch = "wasm32")]
pub fn emit<E: Event>(event: &E) {
    crate::env::deposit_event(event.topics().as_slice(), &event.encode());
}

/// Declares an event struct and implements [`Event`] for it. Fields may carry doc comments
/// and, after them, `#[topic]` (at most three fields).
///
/// ```ignore
/// hm_contract_sdk::event! {
///     /// Tokens moved.
///     pub struct Transfer {
///         #[topic] pub from: Option<AccountId>,
///         #[topic] pub to: Option<AccountId>,
///         pub value: Balance,
///     }
/// }
/// ```
#[macro_export]
macro_rules! event {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident { $($body:tt)* }
    ) => {
        $crate::__event_fields! {
            head [$(#[$meta])* $vis struct $name]
            fields []
            topics []
            docs []
            topic []
            rest [$($body)*]
        }
    };
}

/// Internal to [`event!`]: reads the fields one at a time, collecting `#[topic]` ones.
#[doc(hidden)]
#[macro_export]
macro_rules! __event_fields {
    (head [$($head:tt)*] fields [$($fields:tt)*] topics [$($topics:tt)*]
     docs [$($docs:tt)*] topic [] rest [#[topic] $($rest:tt)*]) => {
        $crate::__event_fields! {
            head [$($head)*] fields [$($fields)*] topics [$($topics)*]
            docs [$($docs)*] topic [yes] rest [$($rest)*]
        }
    };
    (head [$($head:tt)*] fields [$($fields:tt)*] topics [$($topics:tt)*]
     docs [$($docs:tt)*] topic [] rest [#[doc = $doc:literal] $($rest:tt)*]) => {
        $crate::__event_fields! {
            head [$($head)*] fields [$($fields)*] topics [$($topics)*]
            docs [$($docs)* #[doc = $doc]] topic [] rest [$($rest)*]
        }
    };
    (head [$($head:tt)*] fields [$($fields:tt)*] topics [$($topics:tt)*]
     docs [$($docs:tt)*] topic [$($topic:ident)?]
     rest [$field_vis:vis $field:ident : $field_ty:ty $(, $($rest:tt)*)?]) => {
        $crate::__event_fields! {
            head [$($head)*]
            fields [$($fields)* $($docs)* $field_vis $field : $field_ty,]
            topics [$($topics)* $($topic $field)?]
            docs [] topic [] rest [$($($rest)*)?]
        }
    };
    (head [$(#[$meta:meta])* $vis:vis struct $name:ident] fields [$($fields:tt)*]
     topics [$(yes $topic_field:ident)*] docs [] topic [] rest []) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Debug, $crate::scale::Encode, $crate::scale::Decode)]
        #[codec(crate = $crate::scale)]
        $vis struct $name { $($fields)* }

        const _: () = ::core::assert!(
            <[&str]>::len(&[$(::core::stringify!($topic_field)),*]) < $crate::event::MAX_TOPICS,
            "an event has at most 3 #[topic] fields (the signature is the first topic)"
        );

        impl $crate::event::Event for $name {
            fn topics(&self) -> $crate::event::Topics {
                const SIGNATURE: $crate::Hash =
                    $crate::selector::event_signature(::core::stringify!($name));
                #[allow(unused_mut)]
                let mut topics = $crate::event::Topics::new(SIGNATURE);
                $( topics.push($crate::event::topic_of(&self.$topic_field)); )*
                topics
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selector::event_signature;
    use crate::AccountId;
    use alloc::vec;
    use alloc::vec::Vec;

    crate::event! {
        /// Test event with every topic slot used.
        pub struct Transfer {
            #[topic] pub from: Option<AccountId>,
            #[topic] pub to: Option<AccountId>,
            #[topic] pub memo: Vec<u8>,
            pub value: u128,
        }
    }

    crate::event! {
        struct Ping {}
    }

    #[test]
    fn event_topics_are_signature_then_topic_fields() {
        let event = Transfer {
            from: None,
            to: Some(AccountId([5; 32])),
            memo: vec![1, 2],
            value: 10,
        };
        let topics = event.topics();
        let topics = topics.as_slice();
        assert_eq!(topics.len(), 4);
        assert_eq!(topics[0], event_signature("Transfer"));
        assert_eq!(topics[1], [0; 32]); // None encodes as [0], padded
                                        // Some(account) is 33 bytes, so it is hashed.
        let mut some = vec![1u8];
        some.extend_from_slice(&[5; 32]);
        assert_eq!(topics[2], *blake3::hash(&some).as_bytes());
        let mut memo = [0u8; 32];
        memo[..3].copy_from_slice(&[8, 1, 2]);
        assert_eq!(topics[3], memo);
        // Data is the whole struct.
        assert_eq!(event.encode().len(), 1 + 33 + 3 + 16);
    }

    #[test]
    fn event_without_topic_fields_has_only_its_signature() {
        assert_eq!(Ping {}.topics().as_slice(), &[event_signature("Ping")]);
    }

    #[test]
    fn topics_hold_at_most_four() {
        let mut topics = Topics::new([1; 32]);
        assert!(topics.push([2; 32]));
        assert!(topics.push([3; 32]));
        assert!(topics.push([4; 32]));
        assert!(!topics.push([5; 32]));
        assert_eq!(topics.as_slice(), &[[1; 32], [2; 32], [3; 32], [4; 32]]);
    }

    #[test]
    fn short_encodings_are_padded_and_long_ones_hashed() {
        let exact = [7u8; 32];
        assert_eq!(topic_from_encoded(&exact, |_| unreachable!()), exact);
        assert_eq!(topic_from_encoded(&[], |_| unreachable!()), [0; 32]);
        assert_eq!(topic_from_encoded(&[1; 33], |_| [9; 32]), [9; 32]);
    }
}
