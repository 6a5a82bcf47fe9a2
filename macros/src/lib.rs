//! Procedural macros for weft. Use them through the `weft` crate.

use proc_macro::TokenStream;

/// Declares a platform component (placeholder until the macro lands).
#[proc_macro_attribute]
pub fn component(_attr: TokenStream, item: TokenStream) -> TokenStream {
    item
}

/// Generates `mod platform` (placeholder until the macro lands).
#[proc_macro]
pub fn platform(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}
