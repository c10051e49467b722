//! The position after the last item of a page, for keyset pagination.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The sort key `(created_at, id)` of the last item returned. Opaque to clients: 48 hex
/// digits, the microseconds since the epoch then the UUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// `created_at` of the last item (PostgreSQL keeps microseconds, so this is exact).
    pub created_at: DateTime<Utc>,
    /// `id` of the last item, the tie-breaker.
    pub id: Uuid,
}

impl Cursor {
    /// The cursor as sent to clients.
    pub fn encode(&self) -> String {
        let mut bytes = [0u8; 24];
        bytes[..8].copy_from_slice(&self.created_at.timestamp_micros().to_be_bytes());
        bytes[8..].copy_from_slice(self.id.as_bytes());
        hex::encode(bytes)
    }

    /// Reads a cursor sent back by a client.
    pub fn decode(s: &str) -> Option<Cursor> {
        let mut bytes = [0u8; 24];
        hex::decode_to_slice(s, &mut bytes).ok()?;
        let micros = i64::from_be_bytes(bytes[..8].try_into().ok()?);
        let created_at = DateTime::from_timestamp_micros(micros)?;
        let id = Uuid::from_slice(&bytes[8..]).ok()?;
        Some(Cursor { created_at, id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let cursor =
            Cursor { created_at: DateTime::from_timestamp_micros(1_764_000_000_123_456).unwrap(), id: Uuid::new_v4() };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(Cursor::decode("zz"), None);
        assert_eq!(Cursor::decode(""), None);
        assert_eq!(Cursor::decode(&"0".repeat(46)), None);
    }
}
