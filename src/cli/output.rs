//! Writing to stdout and stderr where a closed pipe is not a crash. `conform lint | head` closes
//! conform's stdout once `head` has its lines; `print!` would then panic (exit 101). Here a
//! closed pipe (`BrokenPipe`) ends that stream's output quietly, as other command-line tools
//! do, and the command's exit code stays what its work decided. Every printing path of the
//! command line goes through [`out`] and [`err`] (or the [`outln!`] and [`errln!`] macros).

use std::io::{self, Write};

/// Writes `text` to stdout and flushes it. A closed pipe is not an error: the reader has all it
/// wanted. Any other failure (a full disk behind a redirection) is returned.
pub fn out(text: &str) -> io::Result<()> {
    quiet_when_closed(write_to(io::stdout().lock(), text))
}

/// Writes `text` to stderr. Nothing is left to tell when stderr itself fails, so every failure
/// is ignored.
pub fn err(text: &str) {
    let _ = write_to(io::stderr().lock(), text);
}

/// `text` written whole to `sink`, then flushed.
pub fn write_to(mut sink: impl Write, text: &str) -> io::Result<()> {
    sink.write_all(text.as_bytes())?;
    sink.flush()
}

/// `Ok` for a closed pipe, the result as it is otherwise.
pub fn quiet_when_closed(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// `println!` to stdout through [`out`]: a closed pipe is ignored; another failure is said on
/// stderr.
macro_rules! outln {
    ($($arg:tt)*) => {
        if let Err(e) = $crate::cli::output::out(&format!("{}\n", format_args!($($arg)*))) {
            $crate::cli::output::err(&format!("error: cannot print: {e}\n"));
        }
    };
}

/// `eprintln!` through [`err`]: never panics.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::cli::output::err(&format!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {errln, outln};

#[cfg(test)]
mod tests {
    use super::*;

    /// A sink whose reader has gone.
    struct Closed;

    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_is_quiet_and_other_failures_are_not() {
        assert!(write_to(Closed, "x").is_err());
        assert!(quiet_when_closed(write_to(Closed, "x")).is_ok());
        let full = Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"));
        assert_eq!(quiet_when_closed(full).unwrap_err().kind(), io::ErrorKind::StorageFull);
        let mut kept = Vec::new();
        write_to(&mut kept, "line\n").unwrap();
        assert_eq!(kept, b"line\n");
    }
}
