//! A typed model of the item under `#[component]`, keeping the user's tokens for spans.

use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Attribute, GenericArgument, Item, ItemStruct, Member, PathArguments, Type};

use crate::errors::Errors;

/// The struct a component is declared on.
pub(crate) struct Component {
    /// The struct as the user wrote it, minus any second `#[component]` attribute.
    pub(crate) item: ItemStruct,
    /// Its fields, in declaration order.
    pub(crate) fields: Vec<Field>,
}

/// One field of the component struct.
pub(crate) struct Field {
    /// `name` for a named field, `0` for a tuple field.
    pub(crate) member: Member,
    /// The field's type as written.
    pub(crate) ty: Type,
    /// The field's type as generated code names it: `Self` replaced by the struct's name.
    pub(crate) named_ty: Type,
    /// `T` when the field's type is `Arc<T>` (written `Arc`, `std::sync::Arc` or
    /// `::std::sync::Arc`).
    pub(crate) arc_of: Option<Type>,
    /// `T` when the field's type is written `Option<Arc<T>>`: an optional dependency.
    pub(crate) optional_of: Option<Type>,
    /// `T` when the field's type is written `Vec<Arc<T>>`: a collection.
    pub(crate) all_of: Option<Type>,
    /// The field's `#[cfg(...)]` attributes, which its initializer must carry too.
    pub(crate) cfgs: Vec<Attribute>,
}

/// The item under the attribute: a component struct, or the item as it was when it is not one
/// (reported in `errors`).
pub(crate) enum Parsed {
    /// A struct, possibly still with mistakes that `check` finds.
    Struct(Component),
    /// Anything else; emitted unchanged beside the errors.
    Other(Item),
}

/// Builds the model of `item`, recording in `errors` an item that is not a struct and any second
/// `#[component]` attribute (which is removed, so that it does not expand again).
pub(crate) fn parse(mut item: Item, errors: &mut Errors) -> Parsed {
    if let Some(attrs) = attrs_mut(&mut item) {
        strip_component_attrs(attrs, errors);
    }
    let Item::Struct(item) = item else {
        report_not_a_struct(&item, errors);
        return Parsed::Other(item);
    };
    let fields = item
        .fields
        .iter()
        .enumerate()
        .map(|(index, field)| Field {
            member: match &field.ident {
                Some(ident) => Member::Named(ident.clone()),
                None => Member::Unnamed(syn::Index { index: index as u32, span: field.ty.span() }),
            },
            ty: field.ty.clone(),
            named_ty: replace_self(&field.ty, &item.ident),
            arc_of: arc_of(&field.ty).cloned(),
            optional_of: option_of(&field.ty).and_then(arc_of).cloned(),
            all_of: generic_arg_of(&field.ty, "Vec", "vec").and_then(arc_of).cloned(),
            cfgs: field.attrs.iter().filter(|attr| attr.path().is_ident("cfg")).cloned().collect(),
        })
        .collect();
    Parsed::Struct(Component { item, fields })
}

/// `T` when `ty` is `Arc<T>`, `std::sync::Arc<T>` or `::std::sync::Arc<T>`.
///
/// Only a spelling: a field is injected when the compiler finds its type equal to `Arc<T>` for
/// an entry `T` of `requires`, however either is written. The spelling lets the common case skip
/// those checks, and chooses the wording of messages.
pub(crate) fn arc_of(ty: &Type) -> Option<&Type> {
    generic_arg_of(ty, "Arc", "sync")
}

/// `T` when `ty` is `Option<T>`, `std::option::Option<T>` or `core::option::Option<T>`.
pub(crate) fn option_of(ty: &Type) -> Option<&Type> {
    generic_arg_of(ty, "Option", "option")
}

/// `T` when `ty` is `name<T>` or `{std,core,alloc}::module::name<T>`.
fn generic_arg_of<'a>(ty: &'a Type, name: &str, module: &str) -> Option<&'a Type> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let segments: Vec<String> = path.path.segments.iter().map(|s| s.ident.to_string()).collect();
    let matches = match segments.as_slice() {
        [last] => last == name,
        [krate, middle, last] => {
            matches!(krate.as_str(), "std" | "core" | "alloc") && middle == module && last == name
        }
        _ => false,
    };
    if !matches || path.path.segments.iter().rev().skip(1).any(|s| !s.arguments.is_none()) {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &path.path.segments.last()?.arguments else {
        return None;
    };
    match args.args.iter().collect::<Vec<_>>().as_slice() {
        [GenericArgument::Type(inner)] => Some(inner),
        _ => None,
    }
}

/// `ty` with every `Self` replaced by `ident`, for generated items outside the struct's impls.
fn replace_self(ty: &Type, ident: &syn::Ident) -> Type {
    struct ReplaceSelf<'a>(&'a syn::Ident);
    impl syn::visit_mut::VisitMut for ReplaceSelf<'_> {
        fn visit_path_mut(&mut self, path: &mut syn::Path) {
            if let Some(first) = path.segments.first_mut()
                && first.ident == "Self"
            {
                first.ident = syn::Ident::new(&self.0.to_string(), first.ident.span());
            }
            syn::visit_mut::visit_path_mut(self, path);
        }
    }
    let mut ty = ty.clone();
    syn::visit_mut::VisitMut::visit_type_mut(&mut ReplaceSelf(ident), &mut ty);
    ty
}

/// Whether the struct derives `Default` (which builds it field by field, as weft does).
pub(crate) fn derives_default(item: &ItemStruct) -> bool {
    item.attrs.iter().any(|attr| {
        attr.path().is_ident("derive")
            && attr
                .parse_args_with(
                    syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
                )
                .is_ok_and(|paths| {
                    paths
                        .iter()
                        .any(|path| path.segments.last().is_some_and(|s| s.ident == "Default"))
                })
    })
}

fn is_component_attr(attr: &Attribute) -> bool {
    attr.path().segments.last().is_some_and(|segment| segment.ident == "component")
}

fn strip_component_attrs(attrs: &mut Vec<Attribute>, errors: &mut Errors) {
    attrs.retain(|attr| {
        if is_component_attr(attr) {
            errors.spanned(
                attr,
                "duplicate `#[component]` attribute; a struct declares one component, \
                 so remove this one",
            );
        }
        !is_component_attr(attr)
    });
}

fn attrs_mut(item: &mut Item) -> Option<&mut Vec<Attribute>> {
    Some(match item {
        Item::Struct(item) => &mut item.attrs,
        Item::Enum(item) => &mut item.attrs,
        Item::Union(item) => &mut item.attrs,
        Item::Fn(item) => &mut item.attrs,
        Item::Trait(item) => &mut item.attrs,
        Item::Impl(item) => &mut item.attrs,
        Item::Mod(item) => &mut item.attrs,
        Item::Type(item) => &mut item.attrs,
        Item::Const(item) => &mut item.attrs,
        Item::Static(item) => &mut item.attrs,
        _ => return None,
    })
}

/// Points at the keyword that makes `item` something other than a struct.
fn report_not_a_struct(item: &Item, errors: &mut Errors) {
    let hint = "`#[component]` goes on a struct";
    match item {
        Item::Enum(item) => errors.spanned(
            item.enum_token,
            format!("{hint}, not an enum; wrap the enum in a struct field"),
        ),
        Item::Union(item) => errors.spanned(item.union_token, format!("{hint}, not a union")),
        Item::Fn(item) => errors.spanned(
            item.sig.fn_token,
            format!("{hint}, not a function; put the function in a component's hooks"),
        ),
        Item::Trait(item) => errors.spanned(
            item.trait_token,
            format!("{hint}, not a trait; use the trait in `provides = dyn Trait`"),
        ),
        Item::Impl(item) => errors.spanned(
            item.impl_token,
            format!("{hint}, not an `impl` block; put it on the struct itself"),
        ),
        Item::Mod(item) => errors.spanned(item.mod_token, format!("{hint}, not a module")),
        Item::Type(item) => errors.spanned(item.type_token, format!("{hint}, not a type alias")),
        Item::Const(item) => errors.spanned(item.const_token, format!("{hint}, not a constant")),
        Item::Static(item) => errors.spanned(item.static_token, format!("{hint}, not a static")),
        other => errors.spanned(other.to_token_stream(), format!("{hint}, not this item")),
    }
}

#[cfg(test)]
mod tests {
    use syn::parse_quote;

    use super::*;

    #[test]
    fn finds_arc_under_each_accepted_path() {
        for ty in [
            parse_quote!(Arc<dyn Database>),
            parse_quote!(std::sync::Arc<dyn Database>),
            parse_quote!(::std::sync::Arc<dyn Database>),
        ] {
            let inner = arc_of(&ty).map(|t| t.to_token_stream().to_string());
            assert_eq!(inner.as_deref(), Some("dyn Database"));
        }
        for ty in [
            parse_quote!(Rc<dyn Database>),
            parse_quote!(Option<Arc<dyn Database>>),
            parse_quote!(my::Arc<dyn Database>),
            parse_quote!(Arc),
        ] {
            assert!(arc_of(&ty).is_none(), "{}", ty.to_token_stream());
        }
    }

    #[test]
    fn second_component_attribute_is_removed_and_reported() {
        let item: Item = parse_quote! {
            #[derive(Default)]
            #[weft::component(name = "b")]
            struct A;
        };
        let mut errors = Errors::default();
        let Parsed::Struct(component) = parse(item, &mut errors) else { panic!("a struct") };
        assert_eq!(component.item.attrs.len(), 1);
        assert!(errors.finish().is_err());
    }
}
