//! What a project configures: the `[lint]` table of `strata.toml`, plus the
//! schema list of `[migrations] schemas`.

use serde::Deserialize;

use crate::rules;

/// Linter settings for a whole migration set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Config {
    /// Rule ids switched off (`disable = ["non-idempotent"]`), e.g. for a legacy set.
    #[serde(default)]
    pub disable: Vec<String>,
    /// The project's schemas, overriding what the create_schemas migration creates.
    #[serde(default)]
    pub schemas: Option<Vec<String>>,
}

/// A configuration the linter cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("unknown lint rule `{rule}` in [lint] disable (known rules: {known})")]
    UnknownRule { rule: String, known: String },
}

impl Config {
    /// Checks that every disabled rule exists, so a typo does not silently keep a
    /// rule on.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for rule in &self.disable {
            if rules::find(rule).is_none() {
                let known = rules::all().iter().map(|r| r.id).collect::<Vec<_>>().join(", ");
                return Err(ConfigError::UnknownRule { rule: rule.clone(), known });
            }
        }
        Ok(())
    }

    /// Whether a rule is switched off.
    pub fn is_disabled(&self, rule: &str) -> bool {
        self.disable.iter().any(|d| d == rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_disabled_rule_is_refused() {
        let config = Config { disable: vec!["no-such-rule".into()], schemas: None };
        let err = config.validate().unwrap_err();
        assert!(err.to_string().starts_with("unknown lint rule `no-such-rule` in [lint] disable"));
        let config = Config { disable: vec!["non-idempotent".into()], schemas: None };
        assert_eq!(config.validate(), Ok(()));
    }
}
