//! Ownership on Windows: the owner and the access list (DACL) from the Security API.
//!
//! Administrators, SYSTEM and TrustedInstaller are administrators; the account running the app is
//! trusted too (a file it planted affects only its own settings, never another account's). Access
//! entries that only apply to what is created inside (inherit-only) and the "creator owner" and
//! "owner rights" placeholders are not anyone's access to this object.
#![allow(unsafe_code)] // The Security API is C: each call is wrapped here, and nothing else is unsafe.

use std::ffi::c_void;
use std::io;
use std::os::windows::ffi::OsStrExt;
use std::path::Path;
use std::ptr::{addr_of, addr_of_mut, null, null_mut};

use windows_sys::Win32::Foundation::{
    CloseHandle, LocalFree, GENERIC_ALL, GENERIC_WRITE, HANDLE, HLOCAL,
};
use windows_sys::Win32::Security::Authorization::{
    ConvertSidToStringSidW, GetNamedSecurityInfoW, SE_FILE_OBJECT,
};
use windows_sys::Win32::Security::{
    AclSizeInformation, EqualSid, GetAce, GetAclInformation, GetTokenInformation, IsWellKnownSid,
    LookupAccountSidW, TokenUser, WinBuiltinAdministratorsSid, WinLocalSystemSid,
    ACCESS_ALLOWED_ACE, ACE_HEADER, ACL, ACL_SIZE_INFORMATION, DACL_SECURITY_INFORMATION,
    INHERIT_ONLY_ACE, OWNER_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR, PSID, SID_NAME_USE,
    TOKEN_QUERY, TOKEN_USER,
};
use windows_sys::Win32::Storage::FileSystem::{
    DELETE, FILE_ADD_FILE, FILE_ADD_SUBDIRECTORY, FILE_APPEND_DATA, FILE_DELETE_CHILD,
    FILE_WRITE_DATA, WRITE_DAC, WRITE_OWNER,
};
use windows_sys::Win32::System::SystemServices::ACCESS_ALLOWED_ACE_TYPE;
use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

use super::Guard;

const TRUSTED_INSTALLER: &str = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464";
/// CREATOR OWNER and OWNER RIGHTS: placeholders, not accounts.
const PLACEHOLDERS: [&str; 2] = ["S-1-3-0", "S-1-3-4"];

/// Rights that change a file, or a folder's entries, or either's permissions or owner.
const CHANGES_FILE: u32 = FILE_WRITE_DATA
    | FILE_APPEND_DATA
    | DELETE
    | WRITE_DAC
    | WRITE_OWNER
    | GENERIC_WRITE
    | GENERIC_ALL;
const CHANGES_FOLDER: u32 = FILE_DELETE_CHILD | DELETE | WRITE_DAC | WRITE_OWNER | GENERIC_ALL;
/// Rights that create entries in a folder.
const ADDS_TO_FOLDER: u32 = FILE_ADD_FILE | FILE_ADD_SUBDIRECTORY | GENERIC_WRITE | GENERIC_ALL;

/// Memory the Security API allocated, freed when dropped.
struct Local(*mut c_void);

impl Drop for Local {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: the pointer came from an API that allocates with LocalAlloc, once.
            unsafe { LocalFree(self.0 as HLOCAL) };
        }
    }
}

pub(super) fn guard(path: &Path) -> io::Result<Guard> {
    let is_folder = std::fs::metadata(path)?.is_dir();
    let wide: Vec<u16> = path.as_os_str().encode_wide().chain(Some(0)).collect();
    let mut owner: PSID = null_mut();
    let mut dacl: *mut ACL = null_mut();
    let mut descriptor: PSECURITY_DESCRIPTOR = null_mut();
    // SAFETY: `wide` is NUL-terminated; the out pointers are valid; the descriptor they point
    // into is freed by `_held` after the last use below.
    let status = unsafe {
        GetNamedSecurityInfoW(
            wide.as_ptr(),
            SE_FILE_OBJECT,
            OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
            &mut owner,
            null_mut(),
            &mut dacl,
            null_mut(),
            &mut descriptor,
        )
    };
    if status != 0 {
        return Err(io::Error::from_raw_os_error(status as i32));
    }
    let _held = Local(descriptor);
    let me = current_user()?;
    let trusted = |sid: PSID| is_admin(sid) || me.is(sid);
    let mut guard = Guard {
        trusted_owner: trusted(owner),
        ..Guard::default()
    };
    if dacl.is_null() {
        // No access list at all: everyone may do everything.
        guard
            .changed_by
            .push("Everyone (the object has no access list)".into());
        if is_folder {
            guard.added_to_by = guard.changed_by.clone();
        }
        return Ok(guard);
    }
    for (sid, mask) in allowed_entries(dacl)? {
        if trusted(sid) || is_placeholder(sid) {
            continue;
        }
        let name = account_name(sid);
        let changes = if is_folder {
            CHANGES_FOLDER
        } else {
            CHANGES_FILE
        };
        if mask & changes != 0 {
            guard.changed_by.push(name.clone());
        }
        if is_folder && mask & ADDS_TO_FOLDER != 0 {
            guard.added_to_by.push(name);
        }
    }
    Ok(guard)
}

/// The "allow" entries that apply to the object itself: each account and its rights.
fn allowed_entries(dacl: *mut ACL) -> io::Result<Vec<(PSID, u32)>> {
    let mut info = ACL_SIZE_INFORMATION::default();
    // SAFETY: `dacl` points into a live security descriptor; `info` is the size given.
    let ok = unsafe {
        GetAclInformation(
            dacl,
            addr_of_mut!(info).cast::<c_void>(),
            std::mem::size_of::<ACL_SIZE_INFORMATION>() as u32,
            AclSizeInformation,
        )
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    let mut entries = Vec::new();
    for index in 0..info.AceCount {
        let mut ace: *mut c_void = null_mut();
        // SAFETY: `index` is below the entry count the list reported.
        if unsafe { GetAce(dacl, index, &mut ace) } == 0 || ace.is_null() {
            continue;
        }
        // SAFETY: every entry starts with a header; an "allow" entry is an ACCESS_ALLOWED_ACE,
        // whose SID starts at `SidStart`.
        let header = unsafe { *(ace as *const ACE_HEADER) };
        if u32::from(header.AceType) != ACCESS_ALLOWED_ACE_TYPE
            || u32::from(header.AceFlags) & INHERIT_ONLY_ACE != 0
        {
            continue;
        }
        let allowed = ace as *const ACCESS_ALLOWED_ACE;
        // SAFETY: as above.
        let (mask, sid) = unsafe { ((*allowed).Mask, addr_of!((*allowed).SidStart) as PSID) };
        entries.push((sid, mask));
    }
    Ok(entries)
}

fn is_admin(sid: PSID) -> bool {
    // SAFETY: `sid` points at a valid SID inside a live descriptor or token buffer.
    let well_known = |kind| unsafe { IsWellKnownSid(sid, kind) } != 0;
    well_known(WinBuiltinAdministratorsSid)
        || well_known(WinLocalSystemSid)
        || sid_string(sid).as_deref() == Some(TRUSTED_INSTALLER)
}

fn is_placeholder(sid: PSID) -> bool {
    sid_string(sid).is_some_and(|s| PLACEHOLDERS.contains(&s.as_str()))
}

/// The SID as text ("S-1-5-32-545").
fn sid_string(sid: PSID) -> Option<String> {
    let mut text: *mut u16 = null_mut();
    // SAFETY: `sid` is valid; the string is allocated by the call and freed by `_held`.
    if unsafe { ConvertSidToStringSidW(sid, &mut text) } == 0 || text.is_null() {
        return None;
    }
    let _held = Local(text.cast());
    Some(from_wide(text))
}

/// "DOMAIN\name" for the message, or the SID when the account cannot be looked up.
fn account_name(sid: PSID) -> String {
    let mut name = [0_u16; 256];
    let mut domain = [0_u16; 256];
    let (mut name_len, mut domain_len) = (name.len() as u32, domain.len() as u32);
    let mut kind: SID_NAME_USE = 0;
    // SAFETY: the buffers and their lengths match; `sid` is valid.
    let found = unsafe {
        LookupAccountSidW(
            null(),
            sid,
            name.as_mut_ptr(),
            &mut name_len,
            domain.as_mut_ptr(),
            &mut domain_len,
            &mut kind,
        )
    } != 0;
    if !found {
        return sid_string(sid).unwrap_or_else(|| "an account that cannot be named".into());
    }
    let name = String::from_utf16_lossy(&name[..name_len as usize]);
    let domain = String::from_utf16_lossy(&domain[..domain_len as usize]);
    if domain.is_empty() {
        name
    } else {
        format!("{domain}\\{name}")
    }
}

fn from_wide(text: *const u16) -> String {
    let mut len = 0;
    // SAFETY: `text` is NUL-terminated (the API's promise).
    while unsafe { *text.add(len) } != 0 {
        len += 1;
    }
    // SAFETY: `len` units were just read.
    String::from_utf16_lossy(unsafe { std::slice::from_raw_parts(text, len) })
}

/// The account running the app, from its process token.
struct CurrentUser {
    /// The token's `TOKEN_USER`, in a buffer of 8-byte words so that it is aligned for the
    /// pointer it starts with.
    token_user: Vec<u64>,
}

impl CurrentUser {
    fn is(&self, sid: PSID) -> bool {
        let user = self.token_user.as_ptr() as *const TOKEN_USER;
        // SAFETY: the buffer holds a TOKEN_USER filled by GetTokenInformation; both SIDs are valid.
        unsafe { EqualSid((*user).User.Sid, sid) != 0 }
    }
}

/// The account running the app, read from the process token once: the check asks for it for the
/// file and every folder above it, and it does not change while the app runs.
fn current_user() -> io::Result<&'static CurrentUser> {
    static USER: std::sync::OnceLock<CurrentUser> = std::sync::OnceLock::new();
    if let Some(user) = USER.get() {
        return Ok(user);
    }
    let user = read_current_user()?;
    Ok(USER.get_or_init(|| user))
}

fn read_current_user() -> io::Result<CurrentUser> {
    let mut token: HANDLE = null_mut();
    // SAFETY: the pseudo-handle of the current process needs no closing; `token` is closed below.
    if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
        return Err(io::Error::last_os_error());
    }
    let mut needed = 0_u32;
    // SAFETY: a first call with no buffer asks for the size.
    unsafe { GetTokenInformation(token, TokenUser, null_mut(), 0, &mut needed) };
    let mut token_user = vec![0_u64; (needed as usize).div_ceil(8)];
    // SAFETY: the buffer has at least the size the first call asked for, and is aligned.
    let ok = unsafe {
        GetTokenInformation(
            token,
            TokenUser,
            token_user.as_mut_ptr().cast(),
            needed,
            &mut needed,
        )
    };
    // SAFETY: `token` was opened above.
    unsafe { CloseHandle(token) };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(CurrentUser { token_user })
}
