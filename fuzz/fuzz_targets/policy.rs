//! The policy: any bytes are a policy or a list of problems (bytes that are not UTF-8
//! among them), never a panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(ps) = caredesk::policy::Policy::parse_bytes(data, "policy.toml") {
        caredesk_fuzz::messages(&ps);
    }
});
