fn main() {
    std::process::exit(cseval::cli::main());
}
