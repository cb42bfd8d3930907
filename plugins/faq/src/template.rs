//! Answer templates: `{user}` (the author's display name), `{channel}`, and
//! `{name}` for each key of the config's `vars`; `{{` and `}}` are literal
//! braces.

use std::collections::BTreeMap;

enum Piece<'a> {
    Text(&'a str),
    Var(&'a str),
}

fn pieces(template: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        let Some(i) = rest.find(['{', '}']) else {
            out.push(Piece::Text(rest));
            break;
        };
        out.push(Piece::Text(&rest[..i]));
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("{{") {
            out.push(Piece::Text("{"));
            rest = after;
        } else if let Some(after) = tail.strip_prefix("}}") {
            out.push(Piece::Text("}"));
            rest = after;
        } else if tail.starts_with('}') {
            return Err("a lone `}` (write `}}` for a brace)".to_string());
        } else {
            let Some(end) = tail.find('}') else {
                return Err("a `{` is never closed (write `{{` for a brace)".to_string());
            };
            let name = &tail[1..end];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!(
                    "`{{{name}}}` is not a placeholder (write `{{{{` for a brace)"
                ));
            }
            out.push(Piece::Var(name));
            rest = &tail[end + 1..];
        }
    }
    Ok(out)
}

/// Checks that every placeholder of `template` is `{user}`, `{channel}` or
/// a key of `vars`.
pub fn check(template: &str, vars: &BTreeMap<String, String>) -> Result<(), String> {
    for piece in pieces(template)? {
        if let Piece::Var(name) = piece {
            if name != "user" && name != "channel" && !vars.contains_key(name) {
                return Err(format!(
                    "uses {{{name}}}, which is neither {{user}}, {{channel}} nor a key of `vars`"
                ));
            }
        }
    }
    Ok(())
}

/// Fills `template` (already checked by [`check`]).
pub fn render(
    template: &str,
    vars: &BTreeMap<String, String>,
    user: &str,
    channel: &str,
) -> String {
    let Ok(pieces) = pieces(template) else {
        return template.to_string();
    };
    let mut out = String::with_capacity(template.len() + 32);
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Var("user") => out.push_str(user),
            Piece::Var("channel") => out.push_str(channel),
            Piece::Var(name) => out.push_str(vars.get(name).map(String::as_str).unwrap_or("")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_placeholders_and_braces() {
        let vars = BTreeMap::from([("url".to_string(), "https://acme.example".to_string())]);
        let t = "Bonjour {user} ! Voir {url} ({{pas un placeholder}}) dans #{channel}";
        check(t, &vars).unwrap();
        assert_eq!(
            render(t, &vars, "Chloé", "support"),
            "Bonjour Chloé ! Voir https://acme.example ({pas un placeholder}) dans #support"
        );
    }

    #[test]
    fn refuses_unknown_and_broken_placeholders() {
        let vars = BTreeMap::new();
        assert!(check("{url}", &vars).unwrap_err().contains("{url}"));
        assert!(check("a { b", &vars).is_err());
        assert!(check("a } b", &vars).is_err());
        assert!(check("{two words}", &vars).is_err());
    }
}
