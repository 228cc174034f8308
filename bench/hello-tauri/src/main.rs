//! A hello-world Tauri window: one page, no commands, no plugins. The launch benchmark measures
//! it beside the app to tell what the app itself costs over Tauri and WebKit.

fn main() {
    if let Err(e) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("hello-tauri could not start: {e}");
        std::process::exit(1);
    }
}
