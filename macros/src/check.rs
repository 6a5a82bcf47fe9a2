//! Checks that look at the arguments and the struct together: generics, spellings that are
//! refused, and which field stores each `requires` entry when the spellings agree.

use quote::ToTokens;

use crate::ast::Component;
use crate::attr::{Args, Need};
use crate::errors::Errors;
use crate::names::{display, normalized};

/// For each field of the component, the index of the `requires` entry injected into it, or `None`
/// when the field is built with `Default`.
pub(crate) type Injections = Vec<Option<usize>>;

/// Runs every check, recording the mistakes in `errors`; returns which field stores which entry.
pub(crate) fn check(args: &Args, component: &Component, errors: &mut Errors) -> Injections {
    check_generics(component, errors);
    check_duplicate_requires(args, errors);
    check_auto_traits(args, component, errors);
    check_optional_fields(args, component, errors);
    match_fields(args, component, errors)
}

fn check_generics(component: &Component, errors: &mut Errors) {
    let generics = &component.item.generics;
    if let (Some(lt), Some(gt)) = (&generics.lt_token, &generics.gt_token) {
        let mut params = lt.to_token_stream();
        generics.params.to_tokens(&mut params);
        gt.to_tokens(&mut params);
        let only_lifetimes = generics.lifetimes().count() == generics.params.len();
        if only_lifetimes {
            errors.spanned(
                params,
                "a component cannot borrow: it lives as long as the platform, so remove the \
                 lifetime parameters and own the data (or share it with `Arc`)",
            );
        } else {
            errors.spanned(
                params,
                "a component cannot be generic; `#[component]` registers one concrete struct, \
                 so remove the generic parameters (or wrap a concrete instantiation in a struct \
                 of its own)",
            );
        }
    }
    if let Some(where_clause) = &generics.where_clause {
        errors.spanned(
            where_clause,
            "a component cannot have a `where` clause; `#[component]` registers one concrete \
             struct",
        );
    }
}

fn check_duplicate_requires(args: &Args, errors: &mut Errors) {
    for (index, entry) in args.requires.iter().enumerate() {
        let key = normalized(entry);
        let Some(earlier) =
            args.requires[..index].iter().find(|earlier| normalized(earlier) == key)
        else {
            continue;
        };
        if args.needs.get(index) == Some(&Need::Wrapped) {
            errors.spanned(
                earlier,
                format!(
                    "`{}` is the service this decorator wraps: it is injected without a \
                     `requires` entry, so remove this one",
                    display(entry)
                ),
            );
        } else {
            errors.spanned(
                entry,
                format!("duplicate `requires` entry `{}`; list each service once", display(entry)),
            );
        }
    }
}

/// Pairs each `requires` entry with the `Arc<entry>` field spelled exactly like it.
///
/// Spelled alike in one scope means one type, so these pairs need no check by the compiler.
/// Every other field is compared with every entry by the compiler (see `expand::checks`): that
/// is how `dyn crate::Db`, aliases and renamed imports pair up, and how a missing or second field
/// is found when the spellings differ.
fn match_fields(args: &Args, component: &Component, errors: &mut Errors) -> Injections {
    let entries: Vec<Vec<String>> = args.requires.iter().map(normalized).collect();
    let mut injections: Injections = vec![None; component.fields.len()];
    for (field_index, field) in component.fields.iter().enumerate() {
        let candidates = [
            (field.arc_of.as_ref(), false, false),
            (field.optional_of.as_ref(), true, false),
            (field.all_of.as_ref(), false, true),
        ];
        for (inner, optional, all) in candidates {
            let Some(inner) = inner else { continue };
            let key = normalized(inner);
            let found = entries.iter().zip(&args.needs).position(|(entry, need)| {
                *entry == key
                    && match need {
                        Need::Optional => optional,
                        Need::All => all,
                        _ => !optional && !all,
                    }
            });
            if found.is_some() {
                injections[field_index] = found;
            }
        }
    }
    for (entry_index, entry) in args.requires.iter().enumerate() {
        if entries[..entry_index].contains(&entries[entry_index]) {
            continue; // reported as a duplicate entry
        }
        let stored_in: Vec<usize> = (0..component.fields.len())
            .filter(|&field| injections[field] == Some(entry_index))
            .collect();
        if let [first, rest @ ..] = stored_in.as_slice() {
            let first_name = member_name(&component.fields[*first].member);
            for &other in rest {
                let field = &component.fields[other];
                errors.spanned(
                    &field.ty,
                    format!(
                        "`{}` is already stored in field `{first_name}`; a required service \
                         is injected into exactly one field, so remove field `{}`",
                        display(entry),
                        member_name(&field.member),
                    ),
                );
                injections[other] = None;
            }
        }
    }
    injections
}

/// Refuses `dyn Trait + Send + Sync` wherever a service is named: it is another type than
/// `dyn Trait`, so a provider of one would never serve a consumer of the other.
fn check_auto_traits(args: &Args, component: &Component, errors: &mut Errors) {
    let named = args.provides.iter().map(|provided| &provided.ty).chain(&args.requires);
    let stored = component.fields.iter().filter_map(|field| field.arc_of.as_ref());
    for ty in named.chain(stored) {
        let syn::Type::TraitObject(object) = ty else { continue };
        let (auto, traits): (Vec<&syn::TypeParamBound>, Vec<&syn::TypeParamBound>) = object
            .bounds
            .iter()
            .filter(|bound| matches!(bound, syn::TypeParamBound::Trait(_)))
            .partition(|bound| is_auto_trait(bound));
        let (Some(first), Some(service)) = (auto.first(), traits.first()) else { continue };
        let mut spelled = quote::quote!(#first);
        for bound in &auto[1..] {
            spelled.extend(quote::quote!(+ #bound));
        }
        let written = auto.iter().map(display).collect::<Vec<_>>().join(" + ");
        let service = display(service);
        errors.spanned(
            spelled,
            format!(
                "a service is named by its trait alone: write `dyn {service}`, and put \
                 `{written}` on the trait instead, as in `trait {service}: Send + Sync`"
            ),
        );
    }
}

/// `Send` or `Sync`, as `Send`, `std::marker::Send` or `core::marker::Send`.
fn is_auto_trait(bound: &syn::TypeParamBound) -> bool {
    let syn::TypeParamBound::Trait(bound) = bound else { return false };
    let segments: Vec<String> =
        bound.path.segments.iter().map(|segment| segment.ident.to_string()).collect();
    match segments.as_slice() {
        [name] => name == "Send" || name == "Sync",
        [krate, marker, name] => {
            matches!(krate.as_str(), "std" | "core")
                && marker == "marker"
                && (name == "Send" || name == "Sync")
        }
        _ => false,
    }
}

/// Refuses fields written `Option<Arc<T>>` when `requires` has no `optional(...)` entry: they
/// would stay `None`. With such entries, the compiler decides which fields they fill, and
/// refuses the others (see `expand::checks`), as it does for aliases.
fn check_optional_fields(args: &Args, component: &Component, errors: &mut Errors) {
    if args.needs.contains(&Need::Optional) {
        return;
    }
    for field in component.fields.iter() {
        let Some(inner) = &field.optional_of else { continue };
        errors.spanned(
            &field.ty,
            format!(
                "field `{}` would stay `None`: weft injects an `Option<Arc<...>>` field only for an \
                 optional dependency; add `optional({})` to `requires`, or use another type for \
                 data of the component's own",
                member_name(&field.member),
                display(inner),
            ),
        );
    }
}

pub(crate) fn member_name(member: &syn::Member) -> String {
    match member {
        syn::Member::Named(ident) => ident.to_string(),
        syn::Member::Unnamed(index) => index.index.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use syn::parse_quote;

    use super::*;

    #[test]
    fn send_and_sync_are_auto_traits_under_each_path() {
        for bound in [
            parse_quote!(Send),
            parse_quote!(Sync),
            parse_quote!(std::marker::Send),
            parse_quote!(::core::marker::Sync),
        ] {
            assert!(is_auto_trait(&bound), "{}", display(&bound));
        }
        for bound in [parse_quote!(Database), parse_quote!(my::Send), parse_quote!('static)] {
            assert!(!is_auto_trait(&bound), "{}", display(&bound));
        }
    }
}
