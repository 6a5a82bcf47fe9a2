//! Code generation for `#[component]`: the registration, the constructor and the compile-time
//! checks of `provides`.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, Item, Path, Type, TypeParamBound};

use crate::ast::{self, Component, Parsed};
use crate::attr::{self, Args};
use crate::check::{self, Injections};
use crate::errors::Errors;
use crate::names::display;

/// Expands `#[component(attr)] item`. On error, the caller emits the item beside the errors.
pub(crate) fn component(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let args = attr::parse(attr, &mut errors);
    let item: Item = syn::parse2(item)?;
    let component = match ast::parse(item, &mut errors) {
        Parsed::Struct(component) => component,
        Parsed::Other(_) => return errors.finish().map(|()| TokenStream::new()),
    };
    let injections = check::check(&args, &component, &mut errors);
    errors.finish()?;
    let Some(name) = &args.name else {
        // `attr::parse` reports a missing name, so `finish` returned it above.
        return Err(syn::Error::new(Span::call_site(), "missing `name`"));
    };
    let item = &component.item;
    let registration = registration(&args, &name.value(), &component, &injections);
    Ok(quote! {
        #item
        const _: () = { #registration };
    })
}

/// The item to emit beside errors: the user's item as written, minus any further
/// `#[component]` attributes (so that they do not report the same mistakes again).
pub(crate) fn item_on_error(item: TokenStream) -> TokenStream {
    let Ok(item) = syn::parse2::<Item>(item.clone()) else { return item };
    match ast::parse(item, &mut Errors::default()) {
        Parsed::Struct(component) => component.item.into_token_stream(),
        Parsed::Other(item) => item.into_token_stream(),
    }
}

fn registration(
    args: &Args,
    name: &str,
    component: &Component,
    injections: &Injections,
) -> TokenStream {
    let krate = args.krate.clone().unwrap_or_else(|| syn::parse_quote!(::weft));
    let ident = &component.item.ident;
    let type_name = ident.to_string();
    let construct = construct(args, component, injections);
    let provides = args.provides.as_ref().map(|provides| match provides {
        // Generated items cannot say `Self`: name the struct instead.
        Type::Path(path) if path.qself.is_none() && path.path.is_ident("Self") => {
            let ident = Ident::new(&type_name, provides.span());
            syn::parse_quote!(#ident)
        }
        other => other.clone(),
    });
    let (provides_key, provide) = match &provides {
        Some(provides) => {
            let provides_name = display(provides);
            (
                quote!(::core::option::Option::Some(
                    __weft_p::ServiceKey::of::<#provides>(#provides_name)
                )),
                provide(ident, provides),
            )
        }
        None => (quote!(::core::option::Option::None), quote!(::core::option::Option::None)),
    };
    let requires = args.requires.iter().map(|entry| {
        let entry_name = display(entry);
        quote!(__weft_p::ServiceKey::of::<#entry>(#entry_name))
    });
    let assert_component = quote_spanned! {ident.span()=>
        __weft_p::assert_component::<#ident>();
    };
    let (no_hooks, erase) = not_send_fallbacks(&type_name);
    quote! {
        use #krate::__private as __weft_p;

        const _: () = { #assert_component };

        fn __weft_build(
            __weft_injector: &__weft_p::Injector<'_>,
        ) -> ::core::result::Result<__weft_p::Erased, __weft_p::InjectError> {
            let __weft_component = #construct;
            let __weft_hooks = {
                use __weft_p::{HooksViaDefault as _, HooksViaLifecycle as _};
                #no_hooks
                (&__weft_p::HookProbe::<#ident>::new()).hooks()
            };
            #erase
            ::core::result::Result::Ok(
                (&__weft_p::Probe::<#ident>::new())
                    .__weft_erase(__weft_component, __weft_hooks, #provide),
            )
        }

        __weft_p::inventory::submit! {
            __weft_p::Registration {
                name: #name,
                type_name: #type_name,
                module_path: ::core::module_path!(),
                file: ::core::file!(),
                line: ::core::line!(),
                provides: #provides_key,
                requires: &[#(#requires),*],
                build: __weft_build,
            }
        }
    }
}

/// The traits that pick the hooks and erase the component when the struct is not `Send + Sync`.
///
/// Such a struct is reported once, by `assert_component`. So that nothing else fails with it, the
/// hooks and the erasure fall back (by autoref) to code that is never selected in a program that
/// compiles.
fn not_send_fallbacks(type_name: &str) -> (TokenStream, TokenStream) {
    let unreachable = quote! {
        ::core::unreachable!("`{}` is not `Send + Sync`, which fails to compile", #type_name)
    };
    let no_hooks = quote! {
        trait __WeftNoHooks<__WeftC> {
            fn hooks(&mut self) -> __weft_p::Hooks<__WeftC>;
        }
        impl<__WeftC> __WeftNoHooks<__WeftC> for &__weft_p::HookProbe<__WeftC> {
            fn hooks(&mut self) -> __weft_p::Hooks<__WeftC> {
                #unreachable
            }
        }
    };
    let erase_signature = quote! {
        fn __weft_erase(
            &self,
            component: __WeftC,
            hooks: __weft_p::Hooks<__WeftC>,
            provide: ::core::option::Option<fn(::std::sync::Arc<__WeftC>) -> __weft_p::Service>,
        ) -> __weft_p::Erased
    };
    let erase = quote! {
        trait __WeftErase<__WeftC> {
            #erase_signature;
        }
        impl<__WeftC: ::core::marker::Send + ::core::marker::Sync + 'static> __WeftErase<__WeftC>
            for __weft_p::Probe<__WeftC>
        {
            #erase_signature {
                __weft_p::erase(component, hooks, provide)
            }
        }
        trait __WeftCannotErase<__WeftC> {
            #erase_signature;
        }
        impl<__WeftC> __WeftCannotErase<__WeftC> for &__weft_p::Probe<__WeftC> {
            #[allow(unused_variables, reason = "never called: the struct fails to compile")]
            #erase_signature {
                #unreachable
            }
        }
    };
    (no_hooks, erase)
}

/// `Struct { field: injected, other: Default::default() }`; tuple fields are written `0: ...`.
fn construct(args: &Args, component: &Component, injections: &Injections) -> TokenStream {
    let ident = &component.item.ident;
    let fields = component.fields.iter().zip(injections).map(|(field, injection)| {
        let member = &field.member;
        let value = match injection {
            Some(entry) => {
                let entry = &args.requires[*entry];
                let entry_name = display(entry);
                // Spanned from the first to the last token of the entry, so that a service
                // that is not `Send + Sync` is reported there.
                let (start, end) = span_range(entry);
                let get = quote_spanned!(start=> __weft_injector.get::<#entry>);
                quote_spanned!(end=> #get(#entry_name)?)
            }
            None => {
                quote_spanned!(field.ty.span()=> ::core::default::Default::default())
            }
        };
        let cfgs = &field.cfgs;
        quote!(#(#cfgs)* #member: #value)
    });
    quote!(#ident { #(#fields),* })
}

/// The expression of type `Option<fn(Arc<C>) -> Service>` that turns the shared component into
/// its service, preceded by the checks that the component implements `provides`.
fn provide(ident: &Ident, provides: &Type) -> TokenStream {
    let (checks, traits, service) = match provides {
        Type::TraitObject(object) => {
            let traits: Vec<&Path> = object
                .bounds
                .iter()
                .filter_map(|bound| match bound {
                    TypeParamBound::Trait(bound) => Some(&bound.path),
                    _ => None,
                })
                .collect();
            let checks =
                traits.iter().map(|bound| implements_check(ident, provides, bound)).collect();
            (checks, traits, provides.to_token_stream())
        }
        // A concrete type: the component provides itself.
        _ => {
            let check = quote_spanned! {provides.span()=>
                __weft_p::assert_provides_own_type::<#ident, #provides>();
            };
            (vec![check], Vec::new(), quote!(__WeftC))
        }
    };
    // Coercing to the service only where the checks above pass keeps a missing impl down to the
    // one error those checks report; when they fail, this yields `None` and nothing else breaks.
    let bounds = quote!(#(#traits +)* ::core::marker::Send + ::core::marker::Sync + 'static);
    let provide = quote_spanned! {provides.span()=>
        {
            type __WeftProvide<__WeftC> = ::core::option::Option<
                fn(::std::sync::Arc<__WeftC>) -> __weft_p::Service
            >;
            trait __WeftProvides<__WeftC> {
                fn __weft_provide(&self) -> __WeftProvide<__WeftC>;
            }
            impl<__WeftC: #bounds> __WeftProvides<__WeftC> for __weft_p::Probe<__WeftC> {
                fn __weft_provide(&self) -> __WeftProvide<__WeftC> {
                    fn __weft_provide<__WeftC: #bounds>(
                        component: ::std::sync::Arc<__WeftC>,
                    ) -> __weft_p::Service {
                        __weft_p::Service::new::<#service>(component)
                    }
                    ::core::option::Option::Some(__weft_provide::<__WeftC>)
                }
            }
            trait __WeftProvidesNothing<__WeftC> {
                fn __weft_provide(&self) -> __WeftProvide<__WeftC> {
                    ::core::option::Option::None
                }
            }
            impl<__WeftC> __WeftProvidesNothing<__WeftC> for &__weft_p::Probe<__WeftC> {}
            (&__weft_p::Probe::<#ident>::new()).__weft_provide()
        }
    };
    quote! {{
        fn __weft_check_provides() { #(#checks)* }
        #provide
    }}
}

/// Checks that the component implements `bound`, one trait of its `provides`; the error points at
/// that trait, so that it names the one bound that is missing.
fn implements_check(ident: &Ident, provides: &Type, bound: &Path) -> TokenStream {
    let (start, end) = span_range(bound);
    // The error covers the call and its argument, which both run from `start` to `end`.
    let probe = quote_spanned!(start=> (&__weft_p::Probe::<#ident>::new()));
    let probe = quote_spanned!(end=> #probe.__weft_check());
    let assert = quote_spanned!(start=> __weft_p::assert_provides::<#ident, #provides);
    let assert = quote_spanned!(end=> #assert>(#probe));
    quote_spanned! {start=>
        {
            trait __WeftImplements {
                fn __weft_check(&self) -> __weft_p::Implemented {
                    __weft_p::Implemented
                }
            }
            impl<__WeftC: ?::core::marker::Sized + #bound> __WeftImplements
                for __weft_p::Probe<__WeftC> {}
            trait __WeftMissing {
                fn __weft_check(&self) -> __weft_p::NotImplemented {
                    __weft_p::NotImplemented
                }
            }
            impl<__WeftC: ?::core::marker::Sized> __WeftMissing for &__weft_p::Probe<__WeftC> {}
            #assert;
        }
    }
}

/// The spans of the first and last tokens of `tokens`: a stable stand-in for joining spans.
fn span_range(tokens: &impl ToTokens) -> (Span, Span) {
    let mut trees = tokens.to_token_stream().into_iter();
    let start = trees.next().map_or_else(Span::call_site, |tree| tree.span());
    let end = trees.last().map_or(start, |tree| tree.span());
    (start, end)
}
