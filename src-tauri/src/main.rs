//! The desktop app's entry point; everything lives in the library so tests can drive it.

// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    decoda_uploader_lib::run();
}
