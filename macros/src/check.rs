//! Checks that look at the arguments and the struct together: generics, and which field stores
//! each `requires` entry.

use quote::ToTokens;

use crate::ast::Component;
use crate::attr::Args;
use crate::errors::Errors;
use crate::names::{display, normalized};

/// For each field of the component, the index of the `requires` entry injected into it, or `None`
/// when the field is built with `Default`.
pub(crate) type Injections = Vec<Option<usize>>;

/// Runs every check, recording the mistakes in `errors`; returns which field stores which entry.
pub(crate) fn check(args: &Args, component: &Component, errors: &mut Errors) -> Injections {
    check_generics(component, errors);
    check_duplicate_requires(args, errors);
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
        if args.requires[..index].iter().any(|earlier| normalized(earlier) == key) {
            errors.spanned(
                entry,
                format!("duplicate `requires` entry `{}`; list each service once", display(entry)),
            );
        }
    }
}

/// Pairs each `requires` entry with the one `Arc<entry>` field that stores it.
fn match_fields(args: &Args, component: &Component, errors: &mut Errors) -> Injections {
    let entries: Vec<Vec<String>> = args.requires.iter().map(normalized).collect();
    let mut injections: Injections = vec![None; component.fields.len()];
    for (field_index, field) in component.fields.iter().enumerate() {
        let Some(inner) = &field.arc_of else { continue };
        let key = normalized(inner);
        match entries.iter().position(|entry| *entry == key) {
            Some(entry) => injections[field_index] = Some(entry),
            // With a malformed argument list, `requires` may be the entry that failed.
            None if args.malformed => {}
            None if matches!(inner, syn::Type::TraitObject(_)) => errors.spanned(
                &field.ty,
                format!(
                    "field `{}` holds `{}`, which is not in `requires`; add it, as in \
                     `requires = [{}]`, so that the platform injects it",
                    member_name(&field.member),
                    display(&field.ty),
                    display(inner),
                ),
            ),
            // An `Arc` of a concrete type may be the component's own shared data, built with
            // `Default` like any other field.
            None => {}
        }
    }
    for (entry_index, entry) in args.requires.iter().enumerate() {
        if entries[..entry_index].contains(&entries[entry_index]) {
            continue; // reported as a duplicate entry
        }
        let stored_in: Vec<usize> = (0..component.fields.len())
            .filter(|&field| injections[field] == Some(entry_index))
            .collect();
        match stored_in.as_slice() {
            [] => errors.spanned(
                entry,
                format!(
                    "no field stores the required service `{0}`; add a field of type `Arc<{0}>`",
                    display(entry)
                ),
            ),
            [_] => {}
            [first, rest @ ..] => {
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
    }
    injections
}

fn member_name(member: &syn::Member) -> String {
    match member {
        syn::Member::Named(ident) => ident.to_string(),
        syn::Member::Unnamed(index) => index.index.to_string(),
    }
}
