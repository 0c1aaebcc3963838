// Built exactly as Wasmtime's README builds its Rust example (see build.sh).
fn main() {
    println!("Hello, world!");
}
