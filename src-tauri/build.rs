//! Generates the app's context and its permission manifest. Each app command is listed here so
//! that it gets its own `allow-*` permission, which the capability file then grants one by one.

const COMMANDS: &[&str] = &[
    "app_info",
    "window_ready",
    "get_settings",
    "save_settings",
    "test_connection",
    "sign_out",
    "choose_inbox_folder",
    "clear_inbox_folder",
    "search_patients",
    "get_patient",
    "patient_policy",
    "list_notes",
    "list_queue",
    "pick_files",
    "remove_file",
    "edit_file",
    "clear_uploaded",
    "send_anyway",
    "list_history",
    "prepare_move",
    "move_upload",
    "preview",
    "scan_preview",
    "suggest_patient",
    "scanner",
    "save_scanner",
    "find_scanners",
    "scan_paper",
    "cancel_scan",
    "scan_page",
    "keep_scan",
    "discard_scan",
    "print_cover_sheet",
    "thumbnail",
    "open_link",
    "start_upload",
    "cancel_upload",
    "copy_diagnostics",
    "close_anyway",
];

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let mut commands = COMMANDS.to_vec();
    // The test-only drop command exists (and gets a permission) only in `e2e` builds.
    if std::env::var_os("CARGO_FEATURE_E2E").is_some() {
        commands.push("e2e_drop_paths");
    }
    // A build script runs once; leaking the list gives the `'static` slice the manifest wants.
    let manifest = tauri_build::AppManifest::new().commands(Box::leak(commands.into_boxed_slice()));
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/*.json")
        .app_manifest(manifest);
    if let Err(e) = tauri_build::try_build(attributes) {
        println!("cargo:warning=tauri build step failed: {e:#}");
        std::process::exit(1);
    }
}
