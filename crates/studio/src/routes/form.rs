//! Reading form bodies and row keys. Forms are `application/x-www-form-urlencoded`
//! (the CSRF check has already read and verified this body); fields may repeat.

use crate::db::row::RowKey;
use crate::error::StudioError;

/// A form's fields in order.
#[derive(Debug, Clone, Default)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn parse(body: &[u8]) -> Fields {
        Fields(form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
    }

    pub fn query(query: Option<&str>) -> Fields {
        Fields::parse(query.unwrap_or("").as_bytes())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The row key in repeated `c` (column) and `v` (value) fields.
    pub fn row_key(&self) -> Result<RowKey, StudioError> {
        let columns: Vec<&str> = self.all("c").collect();
        let values: Vec<&str> = self.all("v").collect();
        if columns.is_empty() || columns.len() != values.len() {
            return Err(StudioError::BadRequest("a row is addressed by pairs of c (column) and v (value)".into()));
        }
        Ok(RowKey(columns.into_iter().zip(values).map(|(c, v)| (c.to_owned(), v.to_owned())).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_in_pairs() {
        let f = Fields::query(Some("c=a&v=1&c=b&v=x%20y"));
        assert_eq!(f.row_key().unwrap(), RowKey(vec![("a".into(), "1".into()), ("b".into(), "x y".into())]));
        assert!(Fields::query(Some("c=a")).row_key().is_err());
        assert!(Fields::query(None).row_key().is_err());
    }
}
