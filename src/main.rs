#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    conform::cli::main()
}
