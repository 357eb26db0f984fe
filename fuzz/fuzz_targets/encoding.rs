//! Any bytes in any declared encoding: decoded to UTF-8 text with each break located, as
//! a whole (`log`'s view) and as a stream (a pipe), never a panic; a clean whole decode
//! is the stream's text.
#![no_main]

use std::io::Read;

use caredesk::load::encoding::{decode_all, Encoding, StreamText};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    for want in [Encoding::Auto, Encoding::Utf8, Encoding::Gb18030, Encoding::Utf16] {
        let whole = decode_all(data, want);
        let mut stream = StreamText::new(data, want).expect("reading memory");
        let mut text = Vec::new();
        stream.read_to_end(&mut text).expect("reading memory");
        if let Ok((decoded, _)) = whole {
            // A UTF-8 stream is passed on as it is, its byte order mark too.
            let bare = text.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&text);
            assert!(decoded.as_bytes() == text || decoded.as_bytes() == bare, "{want:?}");
        }
    }
});
