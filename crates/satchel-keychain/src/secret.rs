//! The one type a credential travels in, so that it cannot be printed, logged or serialized by
//! accident.
//!
//! `Secret` deliberately implements neither `Serialize` nor a revealing `Debug`/`Display`: a
//! secret that ends up in a log line, a crash report, a DTO or a SQLite column is exactly the
//! leak issue #6 exists to prevent. The bytes are wiped when the value is dropped, so a freed
//! heap block does not keep the API key around for a later core dump to find.

use std::fmt;

use zeroize::Zeroizing;

/// A credential (API key, token, account key) held in memory only as long as it is needed.
///
/// Reading it takes an explicit [`Secret::expose`], which makes every place that handles the
/// plain text easy to find in review.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps `value`, taking ownership so no unzeroized copy is left with the caller.
    pub fn new(value: String) -> Self {
        Secret(Zeroizing::new(value))
    }

    /// The plain text. Use it at the last moment (building a request header), and do not keep
    /// the returned `&str` in a longer-lived `String`.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True for an empty value, which the keychain refuses to store (an empty API key is a
    /// mistake in a form, not a credential).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_never_shows_the_value() {
        let secret = Secret::from("hunter2-api-key");
        assert_eq!(format!("{secret}"), "<redacted>");
        assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
        assert_eq!(format!("{secret:#?}"), "Secret(<redacted>)");
        assert_eq!(secret.expose(), "hunter2-api-key");
    }
}
