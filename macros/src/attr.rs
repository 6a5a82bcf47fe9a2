//! Parsing the arguments of `#[component(...)]`: `name = "..."`, `provides = Type`,
//! `requires = [Type, ...]` and `crate = path`.
//!
//! Parsing never stops at the first mistake: each `key = value` entry is cut out of the token
//! stream first, then parsed on its own, so that a bad value does not hide the next entry's errors.

use proc_macro2::{Delimiter, Spacing, Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Ident, Lit, LitStr, Path, Token, Type};

use crate::errors::Errors;

/// The keys `#[component]` accepts, in the order the messages list them.
const KEYS: &[&str] = &["name", "provides", "requires", "crate", "local"];

/// How a `requires` entry is injected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Need {
    /// `T`: into a field `Arc<T>`.
    One,
    /// `optional(T)`: into a field `Option<Arc<T>>`.
    Optional,
    /// `all_of(T)`: into a field `Vec<Arc<T>>`.
    All,
    /// `config(T)`: the configuration section `T`, into a field `Arc<T>`.
    Config,
    /// Not written in `requires`: the service a decorator (`provides = wraps(T)`) wraps, into a
    /// field `Arc<T>`.
    Wrapped,
}

/// How a `provides` entry is provided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Give {
    /// `T`: the one provider.
    One,
    /// `one_of(T)`: a member of the collection `T`.
    Member,
    /// `wraps(T)`: a decorator of `T`.
    Decorator,
}

/// One entry of `provides`.
pub(crate) struct Provided {
    pub(crate) ty: Type,
    pub(crate) give: Give,
}

/// The arguments of one `#[component(...)]`, each keeping the user's tokens for spans.
#[derive(Default)]
pub(crate) struct Args {
    /// `name = "..."`, already checked to be a valid component name.
    pub(crate) name: Option<LitStr>,
    /// `provides = Type`, `provides = [Type, ...]`, with `one_of(...)` or `wraps(...)`.
    pub(crate) provides: Vec<Provided>,
    /// The services injected: the entries of `requires = [...]` (without their wrappers),
    /// then the services wrapped by `provides = wraps(...)`.
    pub(crate) requires: Vec<Type>,
    /// How each entry of `requires` is injected, parallel to it.
    pub(crate) needs: Vec<Need>,
    /// `local`: not submitted to every platform; added with `Builder::with`.
    pub(crate) local: bool,
    /// `crate = path`: where to find weft when a crate re-exports it.
    pub(crate) krate: Option<Path>,
    /// Some entry could not be parsed (or had an unknown key that may be a misspelled
    /// `requires`), so checks that need every entry must not run.
    pub(crate) malformed: bool,
    /// An entry looked like a mistaken `name` (a misspelled key, a bare string), already
    /// reported, so a missing `name` is not reported again.
    name_attempted: bool,
}

/// Parses the attribute's arguments, recording every mistake in `errors`.
pub(crate) fn parse(tokens: TokenStream, errors: &mut Errors) -> Args {
    let mut args = Args::default();
    let mut seen: Vec<Ident> = Vec::new();
    let parser = |input: ParseStream<'_>| {
        while !input.is_empty() {
            parse_entry(input, &mut args, &mut seen, errors);
        }
        Ok(())
    };
    if let Err(error) = parser.parse2(tokens) {
        errors.push(error);
    }
    if args.name.is_none() && !args.name_attempted && !seen.iter().any(|key| key == "name") {
        errors.at(
            Span::call_site(),
            "missing `name`; declare the component as `#[component(name = \"my-component\")]`",
        );
    }
    args
}

/// Parses one `key = value` entry and the `,` after it.
fn parse_entry(
    input: ParseStream<'_>,
    args: &mut Args,
    seen: &mut Vec<Ident>,
    errors: &mut Errors,
) {
    if input.peek(Token![,]) {
        if let Ok(comma) = input.parse::<Token![,]>() {
            errors.spanned(comma, "empty entry; remove the extra `,`");
        }
        return;
    }
    if input.peek(LitStr) {
        // `#[component("channels")]`: the name without its key.
        let value = take_value(input);
        errors.spanned(&value, "expected `name = ...`; write the key before the name");
        args.name_attempted = true;
        return;
    }
    let Ok(key) = input.call(Ident::parse_any) else {
        let value = take_value(input);
        errors.spanned(&value, format!("expected `key = value`; the keys are {}", key_list()));
        args.malformed = true;
        return;
    };
    if !KEYS.iter().any(|known| key == known) {
        take_value(input);
        errors.spanned(&key, unknown_key(&key));
        // A misspelled `name` is reported here, not again as a missing `name`.
        args.name_attempted |= close_key(&key.to_string()) == Some("name");
        // The unknown key may be a misspelled `requires`: checks against it must not run.
        args.malformed = true;
        return;
    }
    if key == "local" {
        if seen.contains(&key) {
            errors.spanned(&key, "duplicate key `local`; each key may appear once");
        }
        seen.push(key.clone());
        args.local = true;
        if input.peek(Token![=]) {
            let value = take_value(input);
            errors.spanned(&value, "`local` takes no value; write `local` alone");
        } else if !input.is_empty() {
            let _ = input.parse::<Token![,]>();
        }
        return;
    }
    if seen.contains(&key) {
        take_value(input);
        errors.spanned(&key, format!("duplicate key `{key}`; each key may appear once"));
        return;
    }
    // From here on, a mistake in the value is reported once, never again as a missing key.
    seen.push(key.clone());
    let Ok(eq) = input.parse::<Token![=]>() else {
        let stray = take_value(input);
        let message = format!("expected `=` after `{key}`, as in `{}`", example(&key));
        if stray.is_empty() {
            errors.spanned(&key, message);
        } else {
            errors.spanned(&stray, message);
        }
        args.malformed = true;
        return;
    };
    let value = take_value(input);
    if value.is_empty() {
        errors.spanned(eq, format!("expected a value after `{key} =`, as in `{}`", example(&key)));
        args.malformed = true;
        return;
    }
    let parsed = match key.to_string().as_str() {
        "name" => {
            args.name = parse_name(value, errors);
            args.name.is_some()
        }
        "provides" => match parse_provides(value, errors) {
            Some(provides) => {
                for wrapped in provides.iter().filter(|p| p.give == Give::Decorator) {
                    args.requires.push(wrapped.ty.clone());
                    args.needs.push(Need::Wrapped);
                }
                args.provides = provides;
                true
            }
            None => false,
        },
        "requires" => match parse_requires(value, errors) {
            Some(requires) => {
                // Entries go before any wrapped service already recorded.
                let (tys, needs): (Vec<Type>, Vec<Need>) = requires.into_iter().unzip();
                args.requires.splice(0..0, tys);
                args.needs.splice(0..0, needs);
                true
            }
            None => false,
        },
        _ => {
            args.krate = parse_value(
                value,
                errors,
                |input| input.call(Path::parse_mod_style),
                || "`crate` must be the path to weft, as in `crate = ::my_app::weft`".to_owned(),
            );
            args.krate.is_some()
        }
    };
    args.malformed |= !parsed;
}

fn parse_name(value: TokenStream, errors: &mut Errors) -> Option<LitStr> {
    // A bare word was most likely meant as the name itself: suggest quoting it.
    let written = match syn::parse2::<Ident>(value.clone()) {
        Ok(word) => word.to_string(),
        Err(_) => "channels".to_owned(),
    };
    let expected = move || format!("`name` must be a string literal, as in `name = \"{written}\"`");
    let lit = parse_value(value, errors, |input| input.parse::<Lit>(), expected.clone())?;
    let Lit::Str(name) = lit else {
        errors.spanned(&lit, expected());
        return None;
    };
    let text = name.value();
    if text.is_empty() {
        errors
            .spanned(&name, "component name must not be empty; use something like `\"channels\"`");
        return None;
    }
    if !is_valid_name(&text) {
        errors.spanned(
            &name,
            format!(
                "invalid component name `{text}`; use only lowercase letters, digits, `_` and `-`, \
                 as in `\"{}\"`",
                suggest_name(&text)
            ),
        );
        return None;
    }
    Some(name)
}

/// `name(inner)` for a known wrapper `name` (as `(name, inner)`); reports an unknown lowercase
/// one, as in `opt(dyn Db)`.
fn unwrap_entry<'a>(
    value: &TokenStream,
    known: &[&'a str],
    errors: &mut Errors,
) -> Result<Option<(&'a str, TokenStream)>, ()> {
    let mut trees = value.clone().into_iter();
    let (Some(TokenTree::Ident(word)), Some(TokenTree::Group(group)), None) =
        (trees.next(), trees.next(), trees.next())
    else {
        return Ok(None);
    };
    if group.delimiter() != Delimiter::Parenthesis {
        return Ok(None);
    }
    let text = word.to_string();
    if let Some(name) = known.iter().find(|name| **name == text) {
        return Ok(Some((name, group.stream())));
    }
    if text.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
        let expected = known.iter().map(|k| format!("`{k}(...)`")).collect::<Vec<_>>();
        errors.spanned(
            &word,
            format!("unknown `{text}(...)`; expected a service type, or {}", expected.join(", ")),
        );
        return Err(());
    }
    Ok(None)
}

fn parse_provides(value: TokenStream, errors: &mut Errors) -> Option<Vec<Provided>> {
    let mut trees = value.clone().into_iter();
    if let (Some(TokenTree::Group(list)), None) = (trees.next(), trees.next())
        && list.delimiter() == Delimiter::Bracket
    {
        let mut entries = Vec::new();
        let mut sound = true;
        let parser = |input: ParseStream<'_>| {
            while !input.is_empty() {
                if input.peek(Token![,]) {
                    let comma: Token![,] = input.parse()?;
                    errors.spanned(comma, "empty `provides` entry; remove the extra `,`");
                    continue;
                }
                let parsed = parse_provided(take_value(input), errors);
                sound &= parsed.is_some();
                entries.extend(parsed);
            }
            Ok(())
        };
        if let Err(error) = parser.parse2(list.stream()) {
            errors.push(error);
            return None;
        }
        if sound && entries.is_empty() {
            errors.spanned(&value, "`provides = []` provides nothing; remove `provides`");
            return None;
        }
        return sound.then_some(entries);
    }
    parse_provided(value, errors).map(|provided| vec![provided])
}

fn parse_provided(value: TokenStream, errors: &mut Errors) -> Option<Provided> {
    let (give, value) = match unwrap_entry(&value, &["one_of", "wraps"], errors).ok()? {
        Some(("one_of", inner)) => (Give::Member, inner),
        Some((_, inner)) => (Give::Decorator, inner),
        None => (Give::One, value),
    };
    let ty = parse_value(
        value,
        errors,
        |input| input.parse::<Type>(),
        || "`provides` must be one service type, as in `provides = dyn ChannelService`".to_owned(),
    )?;
    match &ty {
        Type::Slice(_) => {
            errors.spanned(&ty, "a `provides` entry names one service type; remove the brackets");
            None
        }
        Type::ImplTrait(imp) => {
            errors.spanned(imp.impl_token, "`provides` cannot be `impl Trait`; write `dyn Trait`");
            None
        }
        _ => Some(Provided { ty, give }),
    }
}

fn parse_requires(value: TokenStream, errors: &mut Errors) -> Option<Vec<(Type, Need)>> {
    let mut trees = value.clone().into_iter();
    let list = match (trees.next(), trees.next()) {
        (Some(TokenTree::Group(list)), None) if list.delimiter() == Delimiter::Bracket => list,
        _ => {
            errors.spanned(
                &value,
                "`requires` takes a list in brackets, as in `requires = [dyn Database]`",
            );
            return None;
        }
    };
    let mut entries = Vec::new();
    let mut sound = true;
    let parser = |input: ParseStream<'_>| {
        while !input.is_empty() {
            if input.peek(Token![,]) {
                let comma: Token![,] = input.parse()?;
                errors.spanned(comma, "empty `requires` entry; remove the extra `,`");
                continue;
            }
            let entry = take_value(input);
            let (need, entry) =
                match unwrap_entry(&entry, &["optional", "all_of", "config"], errors) {
                    Err(()) => {
                        sound = false;
                        continue;
                    }
                    Ok(Some(("optional", inner))) => (Need::Optional, inner),
                    Ok(Some(("all_of", inner))) => (Need::All, inner),
                    Ok(Some((_, inner))) => (Need::Config, inner),
                    Ok(None) => (Need::One, entry),
                };
            let parsed = parse_value(
                entry,
                errors,
                |input| input.parse::<Type>(),
                || {
                    "`requires` entries must be service types, as in `requires = [dyn Database]`"
                        .to_owned()
                },
            );
            if let Some(hint) = parsed.as_ref().and_then(container_hint) {
                errors.spanned(parsed.as_ref(), hint);
                sound = false;
                continue;
            }
            sound &= parsed.is_some();
            entries.extend(parsed.map(|ty| (ty, need)));
        }
        Ok(())
    };
    if let Err(error) = parser.parse2(list.stream()) {
        errors.push(error);
        return None;
    }
    sound.then_some(entries)
}

/// For an entry written as the field's type (`Option<dyn Db>`, `Vec<dyn Plugin>`), how to
/// write it instead.
fn container_hint(ty: &Type) -> Option<String> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    let [syn::GenericArgument::Type(inner)] = args.args.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    // Only a trait object (or an `Arc`) inside: `Vec<u8>` may well be a service of its own.
    let inner = match crate::ast::arc_of(inner) {
        Some(arc_of) => arc_of,
        None if matches!(inner, Type::TraitObject(_)) => inner,
        None => return None,
    };
    let inner = crate::names::display(inner);
    match last.ident.to_string().as_str() {
        "Option" => Some(format!(
            "an optional service is written `optional({inner})`, and stored in a field \
             `Option<Arc<{inner}>>`"
        )),
        "Vec" => Some(format!(
            "a collection is written `all_of({inner})`, and stored in a field \
             `Vec<Arc<{inner}>>`"
        )),
        _ => None,
    }
}

/// Parses `value` with `parse`, requiring it to use every token. On failure records the message
/// `expected` over the whole value, or points at the first token left over.
fn parse_value<T>(
    value: TokenStream,
    errors: &mut Errors,
    parse: impl FnOnce(ParseStream<'_>) -> syn::Result<T>,
    expected: impl FnOnce() -> String,
) -> Option<T> {
    let all = value.clone();
    let parser = |input: ParseStream<'_>| {
        let parsed = parse(input).ok();
        let rest: TokenStream = input.parse()?;
        Ok((parsed, rest))
    };
    match parser.parse2(value) {
        Ok((Some(parsed), rest)) if rest.is_empty() => Some(parsed),
        Ok((Some(_), rest)) => {
            if let Some(first) = rest.into_iter().next() {
                errors.spanned(&first, format!("unexpected `{first}`; separate keys with `,`"));
            }
            None
        }
        _ => {
            errors.spanned(&all, expected());
            None
        }
    }
}

/// Takes the tokens up to the next top-level `,` (which it consumes), tracking `<...>` so that
/// `HashMap<K, V>` stays whole.
fn take_value(input: ParseStream<'_>) -> TokenStream {
    input
        .step(|cursor| {
            let mut rest = *cursor;
            let mut taken = TokenStream::new();
            let mut depth = 0usize;
            let mut after_dash = false;
            while let Some((tree, next)) = rest.token_tree() {
                if let TokenTree::Punct(punct) = &tree {
                    match punct.as_char() {
                        ',' if depth == 0 => return Ok((taken, next)),
                        '<' => depth += 1,
                        '>' if !after_dash => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                    after_dash = punct.as_char() == '-' && punct.spacing() == Spacing::Joint;
                } else {
                    after_dash = false;
                }
                taken.extend([tree]);
                rest = next;
            }
            Ok((taken, rest))
        })
        .unwrap_or_default()
}

fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// `name` turned into a valid component name: `My Service` → `my-service`.
fn suggest_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        match c {
            'a'..='z' | '0'..='9' | '_' | '-' => out.push(c),
            'A'..='Z' => out.push(c.to_ascii_lowercase()),
            _ if !out.ends_with('-') => out.push('-'),
            _ => {}
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() { "my-component".to_owned() } else { trimmed.to_owned() }
}

fn key_list() -> String {
    KEYS.iter().map(|key| format!("`{key}`")).collect::<Vec<_>>().join(", ")
}

fn example(key: &Ident) -> &'static str {
    match key.to_string().as_str() {
        "name" => "name = \"channels\"",
        "provides" => "provides = dyn ChannelService",
        "requires" => "requires = [dyn Database]",
        "crate" => "crate = ::my_app::weft",
        "local" => "local",
        _ => "name = \"channels\"",
    }
}

fn unknown_key(key: &Ident) -> String {
    let key = key.to_string();
    let mut message = format!("unknown key `{key}`; expected one of {}", key_list());
    if let Some(close) = close_key(&key) {
        message.push_str(&format!("; did you mean `{close}`?"));
    }
    message
}

/// The known key that `key` is probably a typo of.
fn close_key(key: &str) -> Option<&'static str> {
    weft_suggest::suggest(key, KEYS.iter().copied())
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    fn parse_ok(tokens: TokenStream) -> Args {
        let mut errors = Errors::default();
        let args = parse(tokens, &mut errors);
        assert!(errors.finish().is_ok(), "unexpected errors");
        args
    }

    fn messages(tokens: TokenStream) -> Vec<String> {
        let mut errors = Errors::default();
        parse(tokens, &mut errors);
        errors
            .finish()
            .err()
            .map(|e| e.into_iter().map(|e| e.to_string()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn parses_every_key() {
        let args = parse_ok(quote!(
            name = "channels",
            provides = dyn ChannelService + Send,
            requires = [dyn Database, HashMap<String, u8>],
            crate = ::my_app::weft,
        ));
        assert_eq!(args.name.map(|n| n.value()).as_deref(), Some("channels"));
        assert_eq!(args.provides.len(), 1);
        assert_eq!(args.requires.len(), 2);
        assert!(args.krate.is_some());
    }

    #[test]
    fn commas_inside_angle_brackets_stay_in_the_type() {
        let args = parse_ok(quote!(
            provides = HashMap<fn() -> u8, Box<dyn Fn(u8, u16) -> u8>>,
            name = "x",
            requires = [Result<u8, ()>, Vec<fn() -> ()>],
        ));
        assert_eq!(args.name.map(|n| n.value()).as_deref(), Some("x"));
        assert_eq!(args.requires.len(), 2);
    }

    #[test]
    fn reports_every_mistake_at_once() {
        let found = messages(quote!(nmae = "x", provides = 3, requires = dyn Db, name = "A b"));
        assert_eq!(found.len(), 4, "{found:#?}");
        assert!(found[0].starts_with("unknown key `nmae`"));
        assert!(found[0].ends_with("did you mean `name`?"));
        assert!(found[1].starts_with("`provides` must be one service type"));
        assert!(found[2].starts_with("`requires` takes a list in brackets"));
        assert!(found[3].contains("as in `\"a-b\"`"), "{}", found[3]);
    }

    #[test]
    fn parses_roles_around_types() {
        let args = parse_ok(quote!(
            name = "x",
            provides = [dyn A, one_of(dyn B), wraps(dyn C)],
            requires = [optional(dyn D), all_of(dyn E), config(F), dyn G],
            local,
        ));
        let gives: Vec<Give> = args.provides.iter().map(|p| p.give).collect();
        assert_eq!(gives, [Give::One, Give::Member, Give::Decorator]);
        // The wrapped service comes last, after the written entries.
        assert_eq!(args.needs, [Need::Optional, Need::All, Need::Config, Need::One, Need::Wrapped]);
        assert!(args.local);
    }

    #[test]
    fn container_types_in_requires_get_the_wrapper_to_write() {
        let found = messages(quote!(name = "x", requires = [Option<Arc<dyn Db>>, Vec<dyn P>]));
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[0].starts_with("an optional service is written `optional(dyn Db)`"));
        assert!(found[1].starts_with("a collection is written `all_of(dyn P)`"));
    }

    #[test]
    fn missing_name_is_reported_once() {
        assert_eq!(messages(quote!(provides = Foo)).len(), 1);
        // A bad name is reported as bad, not as missing.
        assert_eq!(messages(quote!(name = "")).len(), 1);
    }

    #[test]
    fn names_must_be_lowercase_words() {
        assert!(is_valid_name("hello-greeter_2"));
        assert!(!is_valid_name("Hello"));
        assert!(!is_valid_name("a b"));
        assert!(!is_valid_name(""));
        assert_eq!(suggest_name("My Great.Service"), "my-great-service");
    }

    #[test]
    fn suggests_close_keys_only() {
        assert!(unknown_key(&Ident::new("provide", Span::call_site())).contains("`provides`?"));
        assert!(!unknown_key(&Ident::new("timeout", Span::call_site())).contains("did you mean"));
    }
}
