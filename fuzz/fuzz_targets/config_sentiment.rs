//! The sentiment plugin's config (`Plugin::configure` on JSON text): see
//! `vigie_fuzz::plugin_config` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    vigie_fuzz::plugin_config::<sentiment::Sentiment>(data);
});
