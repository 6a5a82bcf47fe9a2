//! How types are compared and shown: by their tokens, the way the user wrote them.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use quote::ToTokens;

/// The tokens of `tokens`, flattened to strings, so that two types compare equal whatever their
/// spacing or spans.
pub(crate) fn normalized(tokens: &impl ToTokens) -> Vec<String> {
    let mut out = Vec::new();
    flatten(tokens.to_token_stream(), &mut out);
    out
}

fn flatten(tokens: TokenStream, out: &mut Vec<String>) {
    // A joint punctuation glues to the next one: `::` and `->` are one token each.
    let mut glue = false;
    for tree in tokens {
        let glue_this = std::mem::take(&mut glue);
        match tree {
            TokenTree::Punct(punct) => {
                match out.last_mut() {
                    Some(last) if glue_this => last.push(punct.as_char()),
                    _ => out.push(punct.as_char().to_string()),
                }
                glue = punct.spacing() == Spacing::Joint && punct.as_char() != '\'';
            }
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::None => ("", ""),
                };
                out.push(open.to_owned());
                flatten(group.stream(), out);
                out.push(close.to_owned());
            }
            other => out.push(other.to_string()),
        }
    }
}

/// `tokens` as a user would write them: `dyn Repo<User> + Send`, not `dyn Repo < User > + Send`.
pub(crate) fn display(tokens: &impl ToTokens) -> String {
    let mut out = String::new();
    let mut previous = String::new();
    for token in normalized(tokens).into_iter().filter(|t| !t.is_empty()) {
        let glued = previous.is_empty()
            || matches!(token.as_str(), "<" | ">" | "," | "::" | ")" | "]" | ";")
            || matches!(previous.as_str(), "<" | "::" | "&" | "(" | "[" | "'")
            || (matches!(token.as_str(), "(" | "[") && is_word(&previous));
        if !glued {
            out.push(' ');
        }
        out.push_str(&token);
        previous = token;
    }
    out
}

fn is_word(token: &str) -> bool {
    token.starts_with(|c: char| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_types_as_written() {
        let ty: syn::Type = syn::parse_quote!(dyn Repo<User, Vec<u8>> + Send + 'static);
        assert_eq!(display(&ty), "dyn Repo<User, Vec<u8>> + Send + 'static");
        let ty: syn::Type = syn::parse_quote!(::std::sync::Arc<[&'static str]>);
        assert_eq!(display(&ty), "::std::sync::Arc<[&'static str]>");
        let ty: syn::Type = syn::parse_quote!(fn(u8, u16) -> (u32,));
        assert_eq!(display(&ty), "fn(u8, u16) -> (u32,)");
    }

    #[test]
    fn compares_types_by_tokens() {
        let a: syn::Type = syn::parse_quote!(dyn Repo<User>);
        let b: syn::Type = syn::parse_quote!(dyn Repo<User>);
        let c: syn::Type = syn::parse_quote!(dyn Repo<Admin>);
        assert_eq!(normalized(&a), normalized(&b));
        assert_ne!(normalized(&a), normalized(&c));
    }
}
