//! Code generation for `#[component]`: the registration, the constructor and the compile-time
//! checks of `provides`.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, Item, Path, Type, TypeParamBound};

use crate::ast::{self, Component, Parsed};
use crate::attr::{self, Args, Give, Need};
use crate::check::{self, Injections};
use crate::errors::Errors;
use crate::names::{display, normalized};

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
    // Generated items cannot say `Self`: name the struct instead.
    let provides: Vec<(Type, Give)> = args
        .provides
        .iter()
        .map(|provided| {
            let ty = match &provided.ty {
                Type::Path(path) if path.qself.is_none() && path.path.is_ident("Self") => {
                    let ident = Ident::new(&type_name, provided.ty.span());
                    syn::parse_quote!(#ident)
                }
                other => other.clone(),
            };
            (ty, provided.give)
        })
        .collect();
    let keys: Vec<TokenStream> = provides
        .iter()
        .map(|(ty, give)| {
            let ty_name = display(ty);
            let role = match give {
                Give::One => quote!(),
                Give::Member => quote!(.one_of()),
                Give::Decorator => quote!(.wraps()),
            };
            quote!(__weft_p::ServiceKey::of::<#ty>(#ty_name) #role)
        })
        .collect();
    let (provides_key, provide) = match (keys.split_first(), provides.as_slice()) {
        (Some((first, [])), [(ty, _)]) => {
            let one = provide(ident, ty);
            (quote!(::core::option::Option::Some(#first)), quote!(__weft_p::Provide::from(#one)))
        }
        (Some((first, rest)), _) => {
            let each = provides.iter().map(|(ty, _)| provide(ident, ty));
            (
                quote!(::core::option::Option::Some(#first.and(&[#(#rest),*]))),
                quote! {{
                    fn __weft_provide_all(
                        component: ::std::sync::Arc<#ident>,
                    ) -> ::std::vec::Vec<__weft_p::Service> {
                        let mut all = ::std::vec::Vec::new();
                        #(
                            if let ::core::option::Option::Some(provide) = #each {
                                all.push(provide(::std::sync::Arc::clone(&component)));
                            }
                        )*
                        all
                    }
                    __weft_p::Provide::Many(__weft_provide_all)
                }},
            )
        }
        _ => (quote!(::core::option::Option::None), quote!(__weft_p::Provide::Nothing)),
    };
    let requires = args.requires.iter().zip(&args.needs).map(|(entry, need)| {
        let entry_name = display(entry);
        match need {
            Need::Optional => quote!(__weft_p::ServiceKey::of::<#entry>(#entry_name).optional()),
            Need::All => quote!(__weft_p::ServiceKey::of::<#entry>(#entry_name).all()),
            Need::Config => quote!(__weft_p::ServiceKey::config::<#entry>(#entry_name)),
            Need::One | Need::Wrapped => quote!(__weft_p::ServiceKey::of::<#entry>(#entry_name)),
        }
    });
    let checks = checks(args, &provides, component, injections);
    let submit = (!args.local).then(|| {
        quote! {
            __weft_p::inventory::submit! { __WEFT_REGISTRATION }
        }
    });
    // A struct that is not `Send + Sync` is reported once, by `assert_component`; so that nothing
    // else fails with it, the hooks and the erasure fall back (by autoref) to probe traits that
    // are never selected in a program that compiles.
    quote! {
        use #krate::__private as __weft_p;
        use __weft_p::probe::*;

        #checks

        fn __weft_build(
            __weft_injector: &__weft_p::Injector<'_>,
        ) -> ::core::result::Result<__weft_p::Erased, __weft_p::InjectError> {
            let __weft_component = #construct;
            let __weft_hooks = (&__weft_p::HookProbe::<#ident>::new()).hooks();
            ::core::result::Result::Ok(
                (&__weft_p::Probe::<#ident>::new())
                    .__weft_erase(__weft_component, __weft_hooks, #provide),
            )
        }

        const __WEFT_REGISTRATION: __weft_p::Registration = __weft_p::Registration {
            name: #name,
            type_name: #type_name,
            module_path: ::core::module_path!(),
            file: ::core::file!(),
            line: ::core::line!(),
            provides: #provides_key,
            requires: &[#(#requires),*],
            build: __weft_build,
        };

        impl #krate::Declared for #ident {
            fn registration() -> &'static __weft_p::Registration {
                &__WEFT_REGISTRATION
            }
        }

        #submit
    }
}

/// The component's constructor expression, of type `C` (it may return early with `?`).
///
/// A field spelled `Arc<T>` for an entry `T` of `requires` is injected directly. Any other field
/// asks the compiler, entry by entry, whether its type is `Arc<entry>` (`Pair`'s autoref probe),
/// and is injected if so, built with `Default` otherwise. A component that requires nothing and
/// implements `Default` (derived or its own) is built with it.
fn construct(args: &Args, component: &Component, injections: &Injections) -> TokenStream {
    let ident = &component.item.ident;
    let fields = component.fields.iter().zip(injections).map(|(field, injection)| {
        let member = &field.member;
        let ty = &field.named_ty;
        let span = field.ty.span();
        let default = quote_spanned!(span=> (&__weft_p::Probe::<#ty>::new()).__weft_default());
        let value = match injection {
            Some(index) => {
                let entry = &args.requires[*index];
                let entry_name = display(entry);
                // Spanned from the first to the last token of the entry.
                let (start, end) = span_range(entry);
                match args.needs[*index] {
                    Need::Optional => {
                        let get = quote_spanned!(start=> __weft_injector.get_optional::<#entry>);
                        quote_spanned!(end=> #get())
                    }
                    Need::All => {
                        let get = quote_spanned!(start=> __weft_injector.get_all::<#entry>);
                        quote_spanned!(end=> #get())
                    }
                    _ => {
                        let get = quote_spanned!(start=> __weft_injector.get::<#entry>);
                        quote_spanned!(end=> #get(#entry_name)?)
                    }
                }
            }
            None if args.requires.is_empty() => default,
            None => {
                let probes = args.requires.iter().zip(&args.needs).map(|(entry, need)| {
                    let entry_name = display(entry);
                    let marker = marker(entry, *need);
                    quote_spanned! {span=>
                        .or_else(|| (&__weft_p::Pair::<#ty, #marker>::new())
                            .__weft_inject(__weft_injector, #entry_name))
                    }
                });
                quote_spanned! {span=>
                    match ::core::option::Option::None #(#probes)* {
                        ::core::option::Option::Some(service) => service?,
                        ::core::option::Option::None => #default,
                    }
                }
            }
        };
        let cfgs = &field.cfgs;
        quote!(#(#cfgs)* #member: #value)
    });
    let fields = quote!(#ident { #(#fields),* });
    if args.requires.is_empty() {
        quote! {
            (&__weft_p::Probe::<#ident>::new()).__weft_construct(|| {
                ::core::result::Result::Ok(#fields)
            })?
        }
    } else {
        fields
    }
}

/// What a `Pair` probe compares a field with to inject `entry`: the service itself, or
/// `Optional<T>` / `All<T>` for the other ways of requiring it.
fn marker(entry: &Type, need: Need) -> TokenStream {
    match need {
        Need::Optional => quote!(__weft_p::Optional<#entry>),
        Need::All => quote!(__weft_p::All<#entry>),
        _ => quote!(#entry),
    }
}

/// The type of the field that stores `entry`: `Arc<T>`, `Option<Arc<T>>` or `Vec<Arc<T>>`.
fn stored(entry: &Type, need: Need) -> TokenStream {
    match need {
        Need::Optional => quote!(::core::option::Option<::std::sync::Arc<#entry>>),
        Need::All => quote!(::std::vec::Vec<::std::sync::Arc<#entry>>),
        _ => quote!(::std::sync::Arc<#entry>),
    }
}

/// The compile-time checks the compiler decides, in a function that is never called. Each
/// failing check is one error in weft's words, at the user's tokens.
fn checks(
    args: &Args,
    provides: &[(Type, Give)],
    component: &Component,
    injections: &Injections,
) -> TokenStream {
    let ident = &component.item.ident;
    let mut checks = Vec::new();
    // Every required service can be shared; a component holding one that cannot is reported
    // through the service only.
    let mut services = quote!(__weft_p::Yes);
    for entry in &args.requires {
        let probe = quote!((&__weft_p::Probe::<#entry>::new()).__weft_service());
        checks.push(assert_at(entry, "assert_service", &[entry], &probe));
        services = quote!(__weft_p::and(#services, #probe));
    }
    checks.push(quote_spanned! {ident.span()=>
        __weft_p::assert_component::<#ident, _>(#services);
    });
    for (provides, _) in provides.iter().filter(|(ty, _)| matches!(ty, Type::TraitObject(_))) {
        let probe = quote!((&__weft_p::Probe::<#provides>::new()).__weft_service());
        checks.push(assert_at(provides, "assert_service", &[provides], &probe));
    }
    for (index, (entry, need)) in args.requires.iter().zip(&args.needs).enumerate() {
        // A `config(T)` entry whose `T` is not a `Section` is reported once, by
        // `ServiceKey::config` in the registration.
        // A decorator requires the service it wraps; no other entry may name its own service.
        for (provides, _) in provides.iter().filter(|_| *need != Need::Wrapped) {
            let same = quote!((&__weft_p::Pair::<#entry, #provides>::new()).__weft_same());
            checks.push(assert_at(entry, "assert_not_own_service", &[entry], &same));
        }
        // Entries spelled alike are reported by the macro; the compiler compares the others.
        for earlier in &args.requires[..index] {
            if normalized(earlier) != normalized(entry) {
                let same = quote!((&__weft_p::Pair::<#entry, #earlier>::new()).__weft_same());
                checks.push(assert_at(entry, "assert_distinct_entry", &[entry], &same));
            }
        }
        // Stored in exactly one field: the ones spelled alike, plus those the compiler matches.
        let spelled = injections.iter().filter(|injection| **injection == Some(index)).count();
        let mut count = if spelled == 0 { quote!(__weft_p::Zero) } else { quote!(__weft_p::One) };
        let mut candidates = component
            .fields
            .iter()
            .zip(injections)
            .filter(|(field, injection)| injection.is_none() && field.cfgs.is_empty())
            .peekable();
        if spelled == 1 && candidates.peek().is_none() {
            // One field spelled alike and no other field to compare: the assertion would hold
            // by construction, so it is not emitted (every expansion is compiled again on every
            // build).
            continue;
        }
        for (field, _) in candidates {
            let ty = &field.named_ty;
            let stored = stored(entry, *need);
            count = quote!(__weft_p::add(#count,
                (&__weft_p::Pair::<#ty, #stored>::new()).__weft_same()));
        }
        let assert = match need {
            Need::Optional => "assert_optional_stored_once",
            Need::All => "assert_all_stored_once",
            _ => "assert_stored_once",
        };
        checks.push(assert_at(entry, assert, &[entry], &count));
    }
    // Every other field is injected or built; none is an `Option<Arc<T>>` left `None`.
    let struct_default = if args.requires.is_empty() {
        quote!((&__weft_p::Probe::<#ident>::new()).__weft_has_default())
    } else {
        quote!(__weft_p::No)
    };
    for (field, _) in component.fields.iter().zip(injections).filter(|(_, i)| i.is_none()) {
        let ty = &field.named_ty;
        let mut injected = quote!(__weft_p::No);
        for (entry, need) in args.requires.iter().zip(&args.needs) {
            let stored = stored(entry, *need);
            injected = quote!(__weft_p::or(#injected,
                (&__weft_p::Pair::<#ty, #stored>::new()).__weft_same()));
        }
        let built = quote! {
            __weft_p::or(
                __weft_p::or(#struct_default, #injected),
                (&__weft_p::Probe::<#ty>::new()).__weft_has_default(),
            )
        };
        let optional = quote!(__weft_p::or(
            #injected,
            __weft_p::not((&__weft_p::Probe::<#ty>::new()).__weft_optional()),
        ));
        let built = assert_at(&field.ty, "assert_field_built", &[ty], &built);
        let optional = assert_at(&field.ty, "assert_not_optional", &[ty], &optional);
        let cfgs = &field.cfgs;
        checks.push(quote! {
            #(#cfgs)* #built
            #(#cfgs)* #optional
        });
    }
    // A `Default` of the struct's own is never silently skipped.
    if !args.requires.is_empty() && !ast::derives_default(&component.item) {
        checks.push(quote_spanned! {ident.span()=>
            __weft_p::assert_no_own_default::<#ident>(
                (&__weft_p::Probe::<#ident>::new()).__weft_has_default(),
            );
        });
    }
    // Hooks written as inherent methods, outside `impl Lifecycle`, would never run.
    // The parameter keeps the call-site span, so that it resolves inside `macro_rules!` too.
    let this = quote!(__weft_component);
    checks.push(quote_spanned! {ident.span()=>
        let __weft_lifecycle = (&__weft_p::Probe::<#ident>::new()).__weft_lifecycle();
        __weft_p::assert_init_hook::<#ident, _>((__weft_lifecycle, #this.init()));
        __weft_p::assert_start_hook::<#ident, _>((
            __weft_lifecycle,
            (&*#this).start(),
        ));
        __weft_p::assert_stop_hook::<#ident, _>((
            __weft_lifecycle,
            (&*#this).stop(),
        ));
    });
    quote! {
        #[allow(dead_code, unused_variables, reason = "compile-time checks, never called")]
        fn __weft_check(__weft_component: &mut #ident) {
            #(#checks)*
        }
    }
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
    // `dyn Trait + Send + Sync` (and `+ Send`, `+ Sync`) answer `Platform::get` as `dyn Trait`.
    let service = match provides {
        Type::TraitObject(_) => {
            let send = quote!(::core::marker::Send);
            let sync = quote!(::core::marker::Sync);
            quote! {
                __weft_p::Service::of_dyn::<
                    __WeftC, #service, #service + #send + #sync, #service + #send, #service + #sync,
                >(component, |c| c, |c| c, |c| c, |c| c)
            }
        }
        _ => quote!(__weft_p::Service::of_component::<__WeftC, #service>(component, |c| c)),
    };
    // Coercing to the service only where the checks above pass keeps a missing impl down to the
    // one error those checks report; when they fail, this yields `None` (`ProvidesNothing`) and
    // nothing else breaks.
    let bounds = quote!(#(#traits +)* ::core::marker::Send + ::core::marker::Sync + 'static);
    let provide = quote_spanned! {provides.span()=>
        {
            trait __WeftProvides<__WeftC> {
                fn __weft_provide(&self) -> __weft_p::ProvideFn<__WeftC>;
            }
            impl<__WeftC: #bounds> __WeftProvides<__WeftC> for __weft_p::Probe<__WeftC> {
                fn __weft_provide(&self) -> __weft_p::ProvideFn<__WeftC> {
                    ::core::option::Option::Some(|component| #service)
                }
            }
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

/// `__weft_p::assert::<generics>(outcome);`, where the call and its argument span the user's
/// `tokens` from their first to their last token, so that the compiler reports a failed
/// assertion there. The outcome is bound first: an argument made of generated calls would be
/// blamed at their (call-site) span, the whole attribute.
fn assert_at(
    tokens: &impl ToTokens,
    assert: &str,
    generics: &[&dyn ToTokens],
    outcome: &TokenStream,
) -> TokenStream {
    let (start, end) = span_range(tokens);
    let assert = Ident::new(assert, start);
    let outcome_at_start = quote_spanned!(start=> __weft_outcome);
    let argument = quote_spanned!(end=> #outcome_at_start.__weft_at());
    quote_spanned! {start=> {
        let __weft_outcome = #outcome;
        __weft_p::#assert::<#(#generics),*>(#argument);
    }}
}

/// The spans of the first and last tokens of `tokens`: a stable stand-in for joining spans.
fn span_range(tokens: &impl ToTokens) -> (Span, Span) {
    let mut trees = tokens.to_token_stream().into_iter();
    let start = trees.next().map_or_else(Span::call_site, |tree| tree.span());
    let end = trees.last().map_or(start, |tree| tree.span());
    (start, end)
}
