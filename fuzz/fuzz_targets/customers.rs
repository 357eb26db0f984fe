//! customers.csv: the plain and the chunked readers agree on any bytes, and neither panics.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| caredesk_fuzz::customers_agree(data));
