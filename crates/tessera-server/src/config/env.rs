//! `${NAME}` substitution in configuration strings. It runs on parsed string values (never
//! on the raw file), so a secret containing `:` or `#` cannot change the YAML's structure.
//! `$$` stands for a literal `$`.

/// Looks a variable up; tests pass their own map instead of the process environment.
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;
}

pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl Env for std::collections::HashMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

pub fn substitute(raw: &str, env: &dyn Env) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(tail) = after.strip_prefix('{') {
            let end = tail
                .find('}')
                .ok_or_else(|| "unterminated ${…}: add the closing brace, or write $$ for a literal $".to_owned())?;
            let name = &tail[..end];
            let valid = !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit());
            if !valid {
                return Err(format!("${{{name}}} is not a valid environment variable name"));
            }
            let value = env
                .var(name)
                .ok_or_else(|| format!("environment variable {name} is not set (export it, or remove ${{{name}}})"))?;
            out.push_str(&value);
            rest = &tail[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn substitutes_and_escapes() {
        let env = HashMap::from([("A".to_string(), "x:#y".to_string())]);
        assert_eq!(substitute("pre-${A}-post", &env).unwrap(), "pre-x:#y-post");
        assert_eq!(substitute("cost $$5 and $ alone", &env).unwrap(), "cost $5 and $ alone");
        assert!(
            substitute("${MISSING}", &env)
                .unwrap_err()
                .contains("MISSING is not set")
        );
        assert!(substitute("${A", &env).unwrap_err().contains("unterminated"));
        assert!(substitute("${1A}", &env).unwrap_err().contains("not a valid"));
    }
}
