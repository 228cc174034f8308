//! Generates the hello-world window's context.

fn main() {
    tauri_build::build();
}
