//! `#[weft::async_trait]`: forwards to `async_trait`, except on `impl Lifecycle`, whose hooks are
//! plain `async fn`s already.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::Item;

/// Expands `#[weft::async_trait(attr)] item`.
pub(crate) fn async_trait(attr: TokenStream, item: TokenStream) -> TokenStream {
    if let Ok(Item::Impl(imp)) = syn::parse2::<Item>(item.clone())
        && let Some((_, path, _)) = &imp.trait_
        && names_weft_lifecycle(path)
    {
        // The impl is kept as written: without the attribute it is correct, so this is the only
        // error.
        let error = syn::Error::new(
            Span::call_site(),
            "`Lifecycle` needs no `#[async_trait]`: its hooks are plain `async fn`s, so remove \
             this attribute",
        )
        .into_compile_error();
        return quote!(#error #item);
    }
    quote! {
        #[::weft::__async_trait(#attr)]
        #item
    }
}

/// `Lifecycle`, `weft::Lifecycle`, `weft::prelude::Lifecycle` (with or without a leading `::`).
/// A trait of the user's own named `Lifecycle` behind another path is left to `async_trait`.
fn names_weft_lifecycle(path: &syn::Path) -> bool {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    match segments.as_slice() {
        [name] => name == "Lifecycle",
        [weft, name] => weft == "weft" && name == "Lifecycle",
        [weft, prelude, name] => weft == "weft" && prelude == "prelude" && name == "Lifecycle",
        _ => false,
    }
}
