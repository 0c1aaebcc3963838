// Panics with an index out of bounds: Rust prints the panic message to stderr and aborts with `unreachable`,
// so the trap report shows demangled Rust frames (panic::main, std::panicking::...).
fn pick(values: &[i32], index: usize) -> i32 {
    values[index]
}

fn main() {
    let values = vec![1, 2, 3];
    println!("picking");
    println!("{}", pick(&values, std::env::args().count() + 5));
}
