//! The panic handler: a panic reverts the frame with `hm:panic`, so the caller sees status
//! 1 (reverted) rather than a trap, which it could not tell apart from running out of gas.

#[cfg(feature = "panic-message")]
struct LogBuffer {
    bytes: [u8; 256],
    len: usize,
}

#[cfg(feature = "panic-message")]
impl core::fmt::Write for LogBuffer {
    fn write_str(&mut self, text: &str) -> core::fmt::Result {
        // Truncates at a char boundary so the log stays valid UTF-8.
        for ch in text.chars() {
            let mut utf8 = [0u8; 4];
            let encoded = ch.encode_utf8(&mut utf8).as_bytes();
            let Some(slot) = self.bytes.get_mut(self.len..self.len + encoded.len()) else {
                return Err(core::fmt::Error);
            };
            slot.copy_from_slice(encoded);
            self.len += encoded.len();
        }
        Ok(())
    }
}

#[panic_handler]
fn on_panic(_info: &core::panic::PanicInfo) -> ! {
    #[cfg(feature = "panic-message")]
    {
        use core::fmt::Write;
        let mut log = LogBuffer {
            bytes: [0; 256],
            len: 0,
        };
        let _ = write!(log, "{_info}");
        if let Ok(text) = core::str::from_utf8(log.bytes.get(..log.len).unwrap_or(&[])) {
            crate::env::debug_log(text);
        }
    }
    crate::env::revert(crate::dispatch::REVERT_PANIC)
}
