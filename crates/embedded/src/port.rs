//! Choosing the TCP port: the one used last time while it is free (so URLs saved in tools and
//! `.env` files keep working), else one the kernel hands out as free.

use std::io;
use std::net::{Ipv4Addr, TcpListener};

/// Whether nothing listens on `127.0.0.1:port`. std sets `SO_REUSEADDR` as postgres does, so
/// connections lingering in TIME_WAIT from the previous run do not count as taken.
pub(crate) fn is_free(port: u16) -> bool {
    port != 0 && TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok()
}

/// A port free right now on 127.0.0.1. Another program may take it before postgres binds it;
/// the start retries with a new one when that happens.
pub(crate) fn any_free() -> io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?.local_addr()?.port())
}

/// `previous` when still free, else a fresh one.
pub(crate) fn choose(previous: Option<u16>) -> io::Result<u16> {
    match previous {
        Some(port) if is_free(port) => Ok(port),
        _ => any_free(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_previous_port_is_reused() {
        let port = any_free().unwrap();
        assert_eq!(choose(Some(port)).unwrap(), port);
    }

    #[test]
    fn a_taken_previous_port_is_replaced() {
        let taken = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = taken.local_addr().unwrap().port();
        assert!(!is_free(port));
        let chosen = choose(Some(port)).unwrap();
        assert_ne!(chosen, port);
        assert!(is_free(chosen));
    }

    #[test]
    fn port_zero_is_never_free() {
        assert!(!is_free(0));
        assert_ne!(choose(Some(0)).unwrap(), 0);
    }
}
