//! Request parameter lookup shared by the authorization and token
//! endpoints.
//!
//! Two OAuth rules apply to both (RFC 6749 §3.1 and §3.2): a parameter sent
//! without a value is treated as if it were omitted, and a parameter MUST
//! NOT be included more than once.

/// The parameters of one request, with empty values dropped.
pub(crate) struct Params<'a> {
    pairs: Vec<(&'a str, &'a str)>,
}

/// A parameter appeared more than once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Duplicate;

impl<'a> Params<'a> {
    pub(crate) fn new(params: &'a [(String, String)]) -> Self {
        Params {
            pairs: params
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
        }
    }

    /// The single value of `name`, `None` when absent.
    pub(crate) fn one(&self, name: &str) -> Result<Option<&'a str>, Duplicate> {
        let mut values = self.pairs.iter().filter(|(k, _)| *k == name).map(|(_, v)| *v);
        match (values.next(), values.next()) {
            (first, None) => Ok(first),
            (Some(_), Some(_)) | (None, Some(_)) => Err(Duplicate),
        }
    }

    /// Like [`Params::one`] for a parameter already checked for duplicates.
    pub(crate) fn get(&self, name: &str) -> Option<&'a str> {
        self.one(name).ok().flatten()
    }

    /// Whether `name` is present (with a value).
    pub(crate) fn has(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| *k == name)
    }

    /// The first of `names` that appears more than once. Parameters not in
    /// `names` are ignored, duplicated or not: unknown parameters MUST be
    /// ignored (RFC 6749 §3.1, §3.2).
    pub(crate) fn first_duplicate(&self, names: &[&'static str]) -> Option<&'static str> {
        names.iter().copied().find(|n| self.one(n).is_err())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn empty_values_are_absent_and_duplicates_are_found() {
        let f = form(&[("a", "1"), ("b", ""), ("c", "x"), ("c", "y"), ("d", ""), ("d", "2")]);
        let p = Params::new(&f);
        assert_eq!(p.one("a"), Ok(Some("1")));
        assert_eq!(p.one("b"), Ok(None));
        assert!(!p.has("b"));
        assert_eq!(p.one("c"), Err(Duplicate));
        assert_eq!(p.get("c"), None);
        assert_eq!(p.one("d"), Ok(Some("2")));
        assert_eq!(p.one("zz"), Ok(None));
        assert_eq!(p.first_duplicate(&["a", "b", "c"]), Some("c"));
        assert_eq!(p.first_duplicate(&["a", "d"]), None);
    }
}
