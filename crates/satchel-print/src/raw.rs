//! Raw ZPL straight to a thermal printer's TCP port 9100 ("JetDirect"/"raw" printing).
//!
//! Zebra-style printers print whatever ZPL arrives on that port and answer nothing, so the
//! only useful guarantees are "connected", "all bytes written" and "closed cleanly", each
//! within a timeout: a printer that is off or asleep must not hang the app.

use std::io::Write;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

use crate::PrintError;

/// Sends `zpl` to a raw printer port (usually `:9100`) and closes the connection.
///
/// `timeout` bounds the connect and each write separately. Returns once the bytes are handed
/// to the network and the write side is shut down; the printer gives no acknowledgement.
pub fn send_raw_zpl(addr: SocketAddr, zpl: &[u8], timeout: Duration) -> Result<(), PrintError> {
    if timeout.is_zero() {
        // std refuses a zero timeout with a confusing error; say which argument is wrong.
        return Err(PrintError::InvalidOption {
            field: "timeout",
            reason: "must be greater than zero".to_owned(),
        });
    }
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| timed(e, timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.write_all(zpl).map_err(|e| timed(e, timeout))?;
    stream.flush()?;
    // Shutting down the write side sends FIN, which is how the printer (and CUPS's socket
    // backend) knows the job is complete.
    stream.shutdown(Shutdown::Write)?;
    Ok(())
}

fn timed(e: std::io::Error, after: Duration) -> PrintError {
    match e.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => PrintError::Timeout {
            what: "sending to the raw printer port",
            after,
        },
        _ => PrintError::Io(e),
    }
}
