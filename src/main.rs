fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(docspace_links::cli::main())
}
