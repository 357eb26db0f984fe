//! The policy: any text is a policy or a list of problems, never a panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(ps) = caredesk::policy::Policy::parse(&text, "policy.toml") {
        caredesk_fuzz::messages(&ps);
    }
});
