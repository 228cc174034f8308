//! A hello-world Tauri window: one page, no plugins, and one command through which the page says
//! when it first painted. The launch benchmark measures it beside the app to tell what the app
//! itself costs over Tauri and WebKit.

/// Prints the moment of the page's first paint on the computer's clock (milliseconds since 1970),
/// as the app logs its own (`window_ready`), so that both are measured the same way.
#[tauri::command]
fn painted(first_paint_ago_ms: f64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    println!(
        "first paint at {:.0} (ms since 1970)",
        now - first_paint_ago_ms.clamp(0.0, now)
    );
}

fn main() {
    if let Err(e) = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![painted])
        .run(tauri::generate_context!())
    {
        eprintln!("hello-tauri could not start: {e}");
        std::process::exit(1);
    }
}
