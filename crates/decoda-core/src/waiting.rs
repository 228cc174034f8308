//! The files waiting to be sent, as a front end lists them: what each may do while a patient is
//! (or is not) chosen, which of them an upload takes, and what became of them.
//!
//! Adding is idempotent (the same file dropped twice, which Tauri can report, is listed once), and
//! every file the engine would refuse is marked with the reason as soon as it is added. Files that
//! fail to upload stay, with the reason, until they are sent or removed; a file that went through
//! an upload and is not in the chart is bound to that patient and goes to no one else. The window
//! shows what [`Queue::views`] decides and keeps no rule of its own.

use crate::{scans::ScanRecord, Outcome, Removed, Selected};
use decoda_engine::{api::models::Attachment, FileProblem, FileSpec, FileStatus, IntakeItem};
use serde::Serialize;
use std::{
    collections::{HashMap, HashSet},
    path::{Path, PathBuf},
    time::SystemTime,
};

/// Where a queued file stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum ItemState {
    /// Can be sent.
    Ready,
    /// The engine refuses it; the reason says why.
    Refused {
        /// Why.
        reason: String,
    },
    /// Being sent.
    Sending,
    /// In the chart.
    Uploaded {
        /// The attachment's id.
        #[serde(rename = "attachmentId")]
        attachment_id: String,
    },
    /// Sending failed; it can be retried.
    Failed {
        /// Why.
        reason: String,
    },
    /// Not sent: the same content is already in this patient's chart, or listed twice. "Send
    /// anyway" makes it ready again.
    Skipped {
        /// Why, with the earlier upload.
        reason: String,
        /// The attachment already holding this content, when it is in the chart (not when the
        /// file was merely listed twice).
        #[serde(rename = "attachmentId", skip_serializing_if = "Option::is_none")]
        attachment_id: Option<String>,
    },
}

/// One queued file, as the window shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueItem {
    /// Stable id within this run of the app.
    pub id: u64,
    /// Where the file is.
    pub path: PathBuf,
    /// The file's own name.
    pub file_name: String,
    /// The display name it will get in the chart.
    pub name: String,
    /// The external id it will get, if any.
    pub external_id: Option<String>,
    /// Size in bytes, when known.
    pub size: Option<u64>,
    /// The sniffed content type, when known.
    pub content_type: Option<String>,
    /// Where it stands.
    #[serde(flatten)]
    pub state: ItemState,
    /// Notes about it (a repaired name, an external id that came back wrong).
    pub notes: Vec<String>,
    /// The patient it must go to, for a file resumed from an interrupted upload: it is sent only
    /// when that patient is the one chosen.
    pub patient_id: Option<String>,
    /// Sent even if the same content is already in the chart (the user said "Send anyway").
    #[serde(skip)]
    pub force: bool,
    /// Held because it could not be checked against the upload history: "Send anyway" then
    /// releases it to the usual checks instead of forcing it past them.
    #[serde(skip)]
    pub unchecked: bool,
    /// Whether the scanner inbox added it (it may then be moved to the sent folder once in the
    /// chart).
    pub from_inbox: bool,
    /// A scan that waits for a person to give it its own patient ([`Queue::assign`]): a stack
    /// from the scanner holds papers of many patients, so a scan never goes to whoever happens
    /// to be chosen in the window.
    pub needs_patient: bool,
    /// What the cover sheet in front of this scanned part said, when its stack had cover sheets:
    /// the patient it names is only proposed (the sorter looks them up; a person chooses).
    pub cover: Option<CoverProposal>,
    /// When the app tries by itself to send it again (milliseconds since 1970): it could not be
    /// sent because the server could not be reached, and it goes once the server answers
    /// ([`Queue::wait_for_network`]).
    pub retry_at: Option<u64>,
    /// Its row in the persistent queue, for a resumed file.
    #[serde(skip)]
    pub row_id: Option<i64>,
    /// Its content hash when it was listed, if one was taken (scans from the inbox, files
    /// resumed from an interrupted upload): it is sent only if its content is still that.
    #[serde(skip)]
    pub listed_hash: Option<decoda_store::ContentHash>,
    #[serde(skip)]
    identity: Option<(PathBuf, u64, Option<SystemTime>)>,
}

/// What a cover sheet said about the pages after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CoverProposal {
    /// The patient the sheet names, for a person to look up and confirm.
    pub patient_id: Option<String>,
    /// Why the sheet names no one (another account, a damaged code, no sheet before these pages).
    pub no_patient: Option<String>,
    /// Whether a cover sheet starts these pages: not so for pages before a stack's first sheet,
    /// which the window says in its own words.
    pub sheet: bool,
}

/// One queued file as the window shows it while a patient is (or is not) chosen: the file, and
/// what the window may do with it, decided here so that the page keeps no rule of its own.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueView {
    /// The file.
    #[serde(flatten)]
    pub item: QueueItem,
    /// It goes to the chosen patient if Upload is pressed now.
    pub sendable: bool,
    /// Its name and external id may still be changed.
    pub editable: bool,
    /// "Send anyway" is offered: it was not sent on purpose (already in the chart, listed twice,
    /// or held because the history could not be read).
    pub can_send_anyway: bool,
    /// "Remove" is offered: it is not being sent.
    pub removable: bool,
    /// The patient it waits for (it failed, or was interrupted, on the way to them) while
    /// another patient or none is chosen: it goes to no one else.
    pub waiting_for: Option<String>,
    /// That patient named with name, date of birth and id, once the window knows them: a file
    /// held for someone is never shown with an id alone when the name can be had.
    pub waiting_for_name: Option<String>,
    /// Where it stands, as the sentence the window shows.
    pub status: String,
}

/// The queue as the window lists it while a patient is (or is not) chosen: every file, and what
/// the Upload button does.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueList {
    /// Every file, in the order added.
    pub items: Vec<QueueView>,
    /// What pressing Upload would do now.
    pub upload: UploadAction,
    /// The scans waiting for a person to choose their patient, oldest first ([`Queue::to_sort`]).
    pub to_sort: Vec<u64>,
}

/// What the Upload button does for the chosen patient, decided with the list: the window shows
/// its label and hint from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "action",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum UploadAction {
    /// No patient is chosen: nothing can go yet.
    ChoosePatient,
    /// Nothing listed goes to the chosen patient.
    AddFiles,
    /// Nothing listed goes to the chosen patient, and files listed are in the chart: everything
    /// listed has been sent.
    AllSent,
    /// Upload sends `files` files to the chosen patient.
    Upload {
        /// How many go.
        files: usize,
        /// Some of them failed before: Upload retries them.
        retry: bool,
    },
}

/// What an upload's outcomes did to the queue ([`Queue::record`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// The files now in the chart.
    pub uploaded: Vec<UploadedView>,
    /// How many of this upload's files were not sent on purpose: the same content was already in
    /// the chart, or listed twice.
    pub skipped: usize,
}

/// One file an upload put in the chart, as the results grid shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadedView {
    /// Queue id.
    pub id: u64,
    /// Display name in the chart.
    pub name: String,
    /// Attachment id.
    pub attachment_id: String,
    /// Temporary link to the file (shown, never stored).
    pub signed_url: String,
    /// Temporary link to the thumbnail, if the server made one.
    pub thumbnail_url: Option<String>,
    /// The file's content type as sent.
    pub content_type: Option<String>,
}

impl QueueItem {
    /// Whether Upload for `patient` sends it: ready or failed, bound to no other patient, and not
    /// a scan still waiting for its own patient.
    fn goes_to(&self, patient: &str) -> bool {
        !self.needs_patient
            && matches!(self.state, ItemState::Ready | ItemState::Failed { .. })
            && self.patient_id.as_deref().is_none_or(|p| p == patient)
    }

    /// Whether "Send anyway" applies: it was not sent on purpose ([`Queue::force`]).
    fn can_send_anyway(&self) -> bool {
        matches!(self.state, ItemState::Skipped { .. })
    }

    /// Whether it may be removed from the list: not while it is being sent ([`Queue::remove`]).
    fn removable(&self) -> bool {
        self.state != ItemState::Sending
    }

    /// The patient it waits for, when `chosen` is another (or none).
    fn waiting_for(&self, chosen: Option<&str>) -> Option<String> {
        let bound = self.patient_id.as_deref()?;
        let waits = matches!(self.state, ItemState::Ready | ItemState::Failed { .. });
        (waits && chosen != Some(bound)).then(|| bound.to_owned())
    }

    /// The item as the window shows it with `chosen` as the chosen patient.
    pub fn view(&self, chosen: Option<&str>) -> QueueView {
        self.view_named(chosen, None)
    }

    /// [`QueueItem::view`], naming the patient it waits for with `name` when known.
    fn view_named(&self, chosen: Option<&str>, name: Option<&str>) -> QueueView {
        let waiting_for = self.waiting_for(chosen);
        let waiting_for_name = waiting_for.as_ref().and(name).map(str::to_owned);
        let whom = |patient: &str| name.map_or_else(|| format!("patient {patient}"), str::to_owned);
        let status = match (&self.state, &waiting_for) {
            (ItemState::Failed { .. }, _) if self.retry_at.is_some() => match name {
                Some(name) => format!("{NETWORK_WAIT} to {name}"),
                None => NETWORK_WAIT.to_owned(),
            },
            (ItemState::Failed { reason }, Some(patient)) => {
                format!("Waiting for {}: {reason}", whom(patient))
            }
            (ItemState::Ready, Some(patient)) => format!("Waiting for {}", whom(patient)),
            (ItemState::Ready, None) if self.needs_patient => NEEDS_PATIENT.to_owned(),
            (ItemState::Ready, None) => "Ready".to_owned(),
            (ItemState::Sending, _) => "Sending…".to_owned(),
            (ItemState::Uploaded { .. }, _) => "Uploaded".to_owned(),
            (ItemState::Refused { reason }, _) => format!("Cannot send: {reason}"),
            (ItemState::Failed { reason }, None) => {
                format!("Not sent: {reason} (it will be retried)")
            }
            (ItemState::Skipped { reason, .. }, _) => format!("Not sent: {reason}"),
        };
        QueueView {
            item: self.clone(),
            sendable: chosen.is_some_and(|p| self.goes_to(p)),
            editable: matches!(
                self.state,
                ItemState::Ready | ItemState::Failed { .. } | ItemState::Skipped { .. }
            ),
            can_send_anyway: self.can_send_anyway(),
            removable: self.removable(),
            waiting_for,
            waiting_for_name,
            status,
        }
    }

    /// What the persistent queue may keep of this file once the person removed it from the list
    /// (see [`crate::forget_removed`]); `None` when it keeps nothing: the file was never resumed
    /// from, nor failed on the way to, a patient.
    pub fn removed(&self) -> Option<Removed<'_>> {
        if self.row_id.is_none() && self.patient_id.is_none() {
            return None;
        }
        Some(Removed {
            row: self.row_id,
            patient: self.patient_id.as_deref(),
            path: &self.path,
            listed_hash: self.listed_hash.as_ref(),
        })
    }

    /// In the chart: uploaded now, found there after an interruption, or skipped because the same
    /// content was uploaded to this patient before (the history holds its attachment).
    fn in_chart(&self) -> bool {
        match &self.state {
            ItemState::Uploaded { .. } => true,
            ItemState::Skipped { attachment_id, .. } => attachment_id.is_some(),
            _ => false,
        }
    }
}

/// The status of a file that waits for the network and then goes by itself.
pub const NETWORK_WAIT: &str = "Waiting for the network, sends by itself";

/// Why a file waits for the network when it was not even started.
pub const SERVER_UNREACHABLE: &str = "Decoda could not be reached";

/// The status of a scan that waits for its own patient.
pub const NEEDS_PATIENT: &str = "Waiting for its own patient: press Sort scans";

/// Why a file that changed after it was listed is not sent.
pub const CHANGED_SINCE_LISTED: &str = "the file changed on disk after it was listed (a scanner may have reused its name), so it was not sent: remove it and add it again";

/// Why a file is given back when its upload ended without an outcome (a fault in the app, not
/// an answer from the server). The persistent queue still holds its row, so the next try looks
/// in the chart before sending it again.
pub const UPLOAD_STOPPED: &str =
    "the upload stopped unexpectedly; press Upload to check the chart and send it again";

/// Why a scan in the chart is not moved to the sent folder when it changed since it was listed.
const CHANGED_NOT_MOVED: &str =
    "it changed after it was listed, so it may not be the file that was uploaded";

/// The reason a scan uploaded before is listed as not sent.
fn already_uploaded(entry: &decoda_store::HistoryEntry) -> String {
    format!(
        "already uploaded from this computer on {} to patient {} as attachment {}; it was not sent again",
        entry.uploaded_at.get(..10).unwrap_or(&entry.uploaded_at),
        entry.patient_id,
        entry.attachment_id
    )
}

/// The queue.
#[derive(Debug, Default)]
pub struct Queue {
    items: Vec<QueueItem>,
    next_id: u64,
    /// The patients files are bound to, named (`PatientCard::label`), once known.
    names: std::collections::HashMap<String, String>,
    /// Patients whose names were asked for once ([`Queue::patients_to_name`]).
    asked: std::collections::HashSet<String>,
    /// Stacks from the scanner inbox listed as their parts ([`Queue::split_from_inbox`]).
    stacks: Vec<SplitStack>,
}

/// A scanned stack from the scanner inbox that was split at its cover sheets: its parts are
/// listed instead of it, and it is filed like a scan once every part is in the chart.
#[derive(Debug)]
struct SplitStack {
    path: PathBuf,
    identity: Option<(PathBuf, u64, Option<SystemTime>)>,
    parts: Vec<u64>,
}

impl Queue {
    /// Adds checked files; returns the ids of those that were new.
    pub fn add(&mut self, checked: Vec<IntakeItem>, from_inbox: bool) -> Vec<u64> {
        let mut added = Vec::new();
        for item in checked {
            let identity = identity(&item.path);
            if self.lists(&identity) {
                continue;
            }
            self.next_id += 1;
            let file_name = own_name(&item.path);
            let (name, size, content_type, state) = match item.result {
                Ok(f) => (
                    f.display_name,
                    Some(f.size),
                    Some(f.content_type),
                    ItemState::Ready,
                ),
                Err(problem) => (file_name.clone(), None, None, refused(&problem)),
            };
            self.items.push(QueueItem {
                id: self.next_id,
                path: item.path,
                file_name,
                name,
                external_id: None,
                size,
                content_type,
                state,
                notes: Vec::new(),
                patient_id: None,
                force: false,
                unchecked: false,
                from_inbox,
                needs_patient: false,
                cover: None,
                retry_at: None,
                row_id: None,
                listed_hash: None,
                identity,
            });
            added.push(self.next_id);
        }
        added
    }

    /// Adds checked scans from the scanner inbox, each listed with what the records say of it
    /// (`records`, by path; see [`crate::scans`]) in the same step, so that a scan uploaded before
    /// is never listed as ready. A scan not bound to the patient of an earlier upload waits for a
    /// person to choose its own patient ([`Queue::assign`]). Returns the ids of those that were
    /// new.
    pub fn add_scans(
        &mut self,
        checked: Vec<IntakeItem>,
        records: &HashMap<PathBuf, ScanRecord>,
    ) -> Vec<u64> {
        let ids = self.add(checked, true);
        for id in &ids {
            if let Some(record) = self.get(*id).and_then(|item| records.get(&item.path)) {
                self.list_scan(*id, record.clone());
            }
            if let Some(item) = self.items.iter_mut().find(|i| i.id == *id) {
                item.needs_patient = item.patient_id.is_none();
            }
        }
        ids
    }

    /// Adds documents scanned in this app (from a network scanner): new by construction, each
    /// waits for a person to choose its own patient, as an inbox scan does. Returns their ids.
    pub fn add_scanned(&mut self, checked: Vec<IntakeItem>) -> Vec<u64> {
        let ids = self.add(checked, false);
        for item in self.items.iter_mut().filter(|i| ids.contains(&i.id)) {
            item.needs_patient = true;
        }
        ids
    }

    /// Adds the documents a scanned stack was split into (or one scanned in this app), each with
    /// what its cover sheet said: each waits for a person to choose its own patient, as
    /// [`Queue::add_scanned`] does. A document `records` has (by path; see [`crate::scans`]) is
    /// listed with what they say, as [`Queue::add_scans`] does, so that a part uploaded before is
    /// never ready again. Returns the ids of those that were new.
    pub fn add_parts(
        &mut self,
        parts: Vec<(IntakeItem, Option<CoverProposal>)>,
        records: &HashMap<PathBuf, ScanRecord>,
    ) -> Vec<u64> {
        let mut ids = Vec::new();
        for (checked, cover) in parts {
            for id in self.add_scanned(vec![checked]) {
                if let Some(cover) = cover.clone() {
                    self.set_cover(id, cover);
                }
                if let Some(record) = self.get(id).and_then(|item| records.get(&item.path)) {
                    self.list_scan(id, record.clone());
                }
                if let Some(item) = self.items.iter_mut().find(|i| i.id == id) {
                    item.needs_patient = item.patient_id.is_none();
                }
                ids.push(id);
            }
        }
        ids
    }

    /// Notes that the scanner inbox's file at `stack` is listed as the documents at `parts`
    /// (each part's latest listing: one listed before, when the stack was read again, counts):
    /// the stack goes to the sent folder once every one of them is in the chart
    /// ([`Queue::stacks_to_file`]). When a part is not listed, the stack stays where it is.
    pub fn split_from_inbox(&mut self, stack: &Path, parts: &[PathBuf]) {
        let listed: Option<Vec<u64>> = parts
            .iter()
            .map(|path| {
                let identity = identity(path);
                self.items
                    .iter()
                    .rev()
                    .find(|item| identity.is_some() && item.identity == identity)
                    .map(|item| item.id)
            })
            .collect();
        self.stacks.retain(|known| known.path != stack);
        if let Some(parts) = listed.filter(|parts| !parts.is_empty()) {
            self.stacks.push(SplitStack {
                path: stack.to_path_buf(),
                identity: identity(stack),
                parts,
            });
        }
    }

    /// The split stacks that a part among `ids` belongs to and whose parts are now all listed and
    /// in the chart, each with the path to move it from, or why it stays (it changed since it was
    /// split). A stack with a part removed from the list, or not sent, stays where it is.
    pub fn stacks_to_file(&self, ids: &[u64]) -> Vec<(Vec<u64>, Result<PathBuf, String>)> {
        self.stacks
            .iter()
            .filter(|stack| stack.parts.iter().any(|id| ids.contains(id)))
            .filter(|stack| {
                stack
                    .parts
                    .iter()
                    .all(|id| self.get(*id).is_some_and(QueueItem::in_chart))
            })
            .map(|stack| {
                let path = if stack.identity.is_some() && identity(&stack.path) == stack.identity {
                    Ok(stack.path.clone())
                } else {
                    Err(CHANGED_NOT_MOVED.to_owned())
                };
                (stack.parts.clone(), path)
            })
            .collect()
    }

    /// Records where each stack of [`Queue::stacks_to_file`] went, on each of its parts.
    pub fn record_stacks_filed(&mut self, filed: Vec<(Vec<u64>, Result<PathBuf, String>)>) {
        for (parts, result) in filed {
            self.stacks.retain(|stack| stack.parts != parts);
            let note = match result {
                Ok(_) => {
                    "the stack it was split from moved to the folder for sent scans".to_owned()
                }
                Err(why) => {
                    tracing::warn!("a split stack stays in the inbox: it could not be moved");
                    format!("the stack it was split from was left in the scanner inbox: {why}")
                }
            };
            for id in parts {
                self.note(id, note.clone());
            }
        }
    }

    /// Notes what the cover sheet in front of a scanned part said (see [`QueueItem::cover`]).
    pub fn set_cover(&mut self, id: u64, cover: CoverProposal) {
        if let Some(item) = self
            .items
            .iter_mut()
            .find(|i| i.id == id && i.needs_patient)
        {
            item.cover = Some(cover);
        }
    }

    /// Lists a looked-up scan: ready when new; otherwise held, bound or marked with the reason, so
    /// a scan that may have been sent before is never ready for whoever is chosen next.
    fn list_scan(&mut self, id: u64, record: ScanRecord) {
        match record {
            ScanRecord::New(hash) => self.set_listed_hash(id, hash),
            ScanRecord::Uploaded(hash, entry) => {
                self.set_listed_hash(id, hash);
                self.skip(id, already_uploaded(&entry), Some(entry.attachment_id));
            }
            ScanRecord::Unfinished(hash, patient) => {
                self.set_listed_hash(id, hash);
                self.bind(id, &patient);
                self.finish(
                    id,
                    Err("an earlier upload of this scan did not finish; it goes only to the patient it was meant for, and the chart is checked first".into()),
                    Vec::new(),
                );
            }
            ScanRecord::Unknown(why, hash) => {
                if let Some(hash) = hash {
                    self.set_listed_hash(id, hash);
                }
                self.hold(
                    id,
                    format!("whether it was sent before cannot be told ({why}); if it is a new scan, choose Send anyway"),
                );
            }
        }
    }

    /// Adds the unfinished files of an interrupted upload, each bound to its patient, and says
    /// why they are back.
    pub fn add_resumed(&mut self, rows: Vec<decoda_store::QueueRow>) -> usize {
        let before = self.items.len();
        for row in rows {
            let identity = identity(&row.path);
            if self.lists(&identity) {
                continue;
            }
            self.next_id += 1;
            let file_name = own_name(&row.path);
            let reason = match row.state {
                decoda_store::RowState::MaybeLanded => {
                    "interrupted while sending; the chart is checked before it is sent again"
                        .to_owned()
                }
                _ => match &row.last_error {
                    Some(e) => format!("not sent by an earlier upload: {e}"),
                    None => "queued by an earlier upload that did not finish".to_owned(),
                },
            };
            let content_type = decoda_engine::sniff_content_type(&row.path).ok();
            let (listed_hash, state) = resumed_content(&row, reason);
            self.items.push(QueueItem {
                id: self.next_id,
                path: row.path,
                name: row.name.unwrap_or_else(|| file_name.clone()),
                file_name,
                external_id: row.external_id,
                size: Some(row.size),
                content_type,
                state,
                notes: Vec::new(),
                patient_id: Some(row.patient_id),
                force: false,
                unchecked: false,
                from_inbox: false,
                needs_patient: false,
                cover: None,
                retry_at: None,
                row_id: Some(row.id),
                listed_hash,
                identity,
            });
        }
        self.items.len() - before
    }

    /// "Send anyway" for a skipped item.
    pub fn force(&mut self, id: u64) -> bool {
        let Some(item) = self.items.iter_mut().find(|i| i.id == id) else {
            return false;
        };
        if !item.can_send_anyway() {
            return false;
        }
        // A held file was never found in the chart: the duplicate checks still apply to it.
        item.force = !item.unchecked;
        item.unchecked = false;
        item.state = ItemState::Ready;
        true
    }

    /// Whether a file with this identity is already listed.
    fn lists(&self, identity: &Option<(PathBuf, u64, Option<SystemTime>)>) -> bool {
        identity.is_some() && self.items.iter().any(|q| q.identity == *identity)
    }

    /// Every item, in the order added.
    pub fn items(&self) -> &[QueueItem] {
        &self.items
    }

    /// Every item as the window shows it while `chosen` (trimmed) is the chosen patient, or none
    /// is: each with whether it would go now, whether it can be edited, and its status sentence.
    pub fn views(&self, chosen: Option<&str>) -> Vec<QueueView> {
        let chosen = chosen.map(str::trim);
        self.items
            .iter()
            .map(|item| {
                let name = item.patient_id.as_ref().and_then(|p| self.names.get(p));
                item.view_named(chosen, name.map(String::as_str))
            })
            .collect()
    }

    /// How a patient is named (`PatientCard::label`), if the window has seen them.
    pub fn patient_name(&self, id: &str) -> Option<&str> {
        self.names.get(id).map(String::as_str)
    }

    /// Remembers how a patient is named, for the files bound to them.
    pub fn learn_patient(&mut self, card: &crate::PatientCard) {
        self.names.insert(card.id.clone(), card.label());
    }

    /// The patients files are bound to whose names are neither known nor asked for yet; each is
    /// handed out once, so a front end that looks them up does so once per patient.
    pub fn patients_to_name(&mut self) -> Vec<String> {
        let ids: Vec<String> = self
            .unnamed_patients()
            .into_iter()
            .filter(|p| !self.asked.contains(p))
            .collect();
        self.asked.extend(ids.iter().cloned());
        ids
    }

    /// The patients files are bound to whose names are not known yet.
    pub fn unnamed_patients(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .items
            .iter()
            .filter_map(|i| i.patient_id.clone())
            .filter(|p| !self.names.contains_key(p))
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// The queue as the window lists it while `chosen` (trimmed) is the chosen patient, or none
    /// is: every item's view ([`Queue::views`]) and what the Upload button does.
    pub fn list(&self, chosen: Option<&str>) -> QueueList {
        let chosen = chosen.map(str::trim).filter(|p| !p.is_empty());
        let items = self.views(chosen);
        let sendable = || items.iter().filter(|v| v.sendable);
        let upload = match (chosen, sendable().count()) {
            (None, _) => UploadAction::ChoosePatient,
            (Some(_), 0)
                if items
                    .iter()
                    .any(|v| matches!(v.item.state, ItemState::Uploaded { .. })) =>
            {
                UploadAction::AllSent
            }
            (Some(_), 0) => UploadAction::AddFiles,
            (Some(_), files) => UploadAction::Upload {
                files,
                retry: sendable().any(|v| matches!(v.item.state, ItemState::Failed { .. })),
            },
        };
        QueueList {
            items,
            upload,
            to_sort: self.to_sort(),
        }
    }

    /// The scans a person can give their patient now (they wait for one and are ready), oldest
    /// first: the window shows them one at a time.
    pub fn to_sort(&self) -> Vec<u64> {
        self.items
            .iter()
            .filter(|i| i.needs_patient && i.state == ItemState::Ready)
            .map(|i| i.id)
            .collect()
    }

    /// The files among `ids` that Upload for `patient` would send wait for the network: each is
    /// bound to `patient` (a person confirmed them for that chart) and is tried again by itself
    /// at `at` (milliseconds since 1970). A file that was not started is marked as not sent
    /// because the server could not be reached. Returns how many wait.
    pub fn wait_for_network(&mut self, patient: &str, ids: &[u64], at: u64) -> usize {
        let mut waiting = 0;
        for item in self.items.iter_mut().filter(|i| ids.contains(&i.id)) {
            if !item.goes_to(patient) {
                continue;
            }
            item.patient_id = Some(patient.to_owned());
            if item.state == ItemState::Ready {
                item.state = ItemState::Failed {
                    reason: SERVER_UNREACHABLE.to_owned(),
                };
            }
            item.retry_at = Some(at);
            waiting += 1;
        }
        waiting
    }

    /// The files that wait for the network to send them to `patient`, in order.
    pub fn network_waiting(&self, patient: &str) -> Vec<u64> {
        self.items
            .iter()
            .filter(|i| i.retry_at.is_some() && i.goes_to(patient))
            .filter(|i| i.patient_id.as_deref() == Some(patient))
            .map(|i| i.id)
            .collect()
    }

    /// The files bound to `patient` that failed (they went through an upload to them, or were
    /// resumed from one), for a wait for the network that outlived a restart.
    pub fn failed_for(&self, patient: &str) -> Vec<u64> {
        self.items
            .iter()
            .filter(|i| matches!(i.state, ItemState::Failed { .. }))
            .filter(|i| i.patient_id.as_deref() == Some(patient))
            .map(|i| i.id)
            .collect()
    }

    /// The files of `patient` stop waiting for the network (the server answered, but not with a
    /// way to send them): they stay listed as not sent, with their reason, for a person.
    pub fn stop_network_wait(&mut self, patient: &str) {
        for item in &mut self.items {
            if item.patient_id.as_deref() == Some(patient) {
                item.retry_at = None;
            }
        }
    }

    /// Gives a scan that waits for its patient ([`QueueItem::needs_patient`]) the patient a
    /// person chose for it: it is then bound to them and goes to no one else. Returns whether it
    /// was such a scan (one already given a patient, or not ready, is left as it is).
    pub fn assign(&mut self, id: u64, patient: &str) -> bool {
        let Some(item) = self.items.iter_mut().find(|i| i.id == id) else {
            return false;
        };
        if !item.needs_patient || item.state != ItemState::Ready {
            return false;
        }
        item.needs_patient = false;
        item.patient_id = Some(patient.to_owned());
        true
    }

    /// Removes an item; returns it if it was there. Items being sent cannot be removed.
    pub fn remove(&mut self, id: u64) -> Option<QueueItem> {
        let at = self
            .items
            .iter()
            .position(|i| i.id == id && i.removable())?;
        Some(self.items.remove(at))
    }

    /// Sets the display name and external id of an item not yet uploaded.
    pub fn edit(&mut self, id: u64, name: &str, external_id: Option<&str>) -> bool {
        let Some(item) = self.items.iter_mut().find(|i| i.id == id) else {
            return false;
        };
        if matches!(item.state, ItemState::Uploaded { .. } | ItemState::Sending) {
            return false;
        }
        let name = name.trim();
        item.name = if name.is_empty() {
            item.file_name.clone()
        } else {
            name.to_owned()
        };
        item.external_id = external_id
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_owned);
        true
    }

    /// Marks the items to send to `patient` (ready or failed, and not bound to another patient)
    /// as sending and returns them as the upload core's selection, in order: each with its name
    /// and external id, whether the person said "Send anyway", and the hash taken when it was
    /// listed. Only items in `shown`, the ones the window listed when the person pressed Upload,
    /// are taken: a scan arriving from the inbox a moment later waits for its own confirmation. A
    /// file that changed on disk since it was listed (a scanner reusing a name) is not taken but
    /// refused: what the person saw is not what would be sent.
    pub fn start_sending(&mut self, patient: &str, shown: &[u64]) -> Vec<(u64, Selected)> {
        let shown: HashSet<u64> = shown.iter().copied().collect();
        self.items
            .iter_mut()
            .filter(|i| shown.contains(&i.id) && i.goes_to(patient))
            .filter_map(|i| {
                // A file gone or unreadable now is left to the engine's check, which says so.
                if matches!((&i.identity, identity(&i.path)), (Some(then), Some(now)) if *then != now) {
                    i.state = ItemState::Refused {
                        reason: CHANGED_SINCE_LISTED.to_owned(),
                    };
                    return None;
                }
                Some(i)
            })
            .map(|i| {
                i.state = ItemState::Sending;
                i.retry_at = None;
                i.notes.clear();
                let spec = FileSpec {
                    path: i.path.clone(),
                    name: Some(i.name.clone()),
                    external_id: i.external_id.clone(),
                };
                let selected = Selected {
                    force: i.force,
                    listed_hash: i.listed_hash.clone(),
                    ..Selected::new(spec)
                };
                (i.id, selected)
            })
            .collect()
    }

    /// Writes each outcome of an upload to `patient` back to its item (`ids` and `outcomes` in
    /// the same order); returns the files now in the chart and how many were not sent on
    /// purpose. A file that went through the upload and is not in the chart is bound to
    /// `patient`: it is retried only for the patient it was meant for, never sent to whoever is
    /// chosen next.
    pub fn record(&mut self, patient: &str, ids: &[u64], outcomes: Vec<Outcome>) -> Recorded {
        let mut uploaded = Vec::new();
        let mut skipped = 0;
        for (id, outcome) in ids.iter().copied().zip(outcomes) {
            let content_type = self.get(id).and_then(|i| i.content_type.clone());
            if !matches!(&outcome, Outcome::FoundInChart { .. }) {
                self.bind(id, patient);
            }
            match outcome {
                Outcome::Sent(file) => match &file.status {
                    FileStatus::Uploaded { attachment, .. } => {
                        self.finish(id, Ok(attachment), file.notes.clone());
                        uploaded.push(UploadedView {
                            id,
                            name: attachment.name.clone(),
                            attachment_id: attachment.id.to_string(),
                            signed_url: attachment.signed_url.clone(),
                            thumbnail_url: attachment.thumbnail_signed_url.clone(),
                            content_type,
                        });
                    }
                    // Not what was listed: sending it again cannot help; it must be added again.
                    FileStatus::Failed {
                        problem: problem @ FileProblem::ChangedSinceListed,
                    } => self.refuse(id, problem.to_string()),
                    FileStatus::Failed { problem } => {
                        self.finish(id, Err(problem.to_string()), file.notes.clone())
                    }
                    FileStatus::Skipped { reason } => {
                        self.finish(id, Err(reason.clone()), file.notes.clone())
                    }
                },
                Outcome::Skipped {
                    reason,
                    attachment_id,
                } => {
                    skipped += 1;
                    self.skip(id, reason, attachment_id);
                }
                Outcome::FoundInChart {
                    attachment_id,
                    name,
                } => self.found_in_chart(id, attachment_id, name),
            }
        }
        Recorded { uploaded, skipped }
    }

    /// Gives back the items of an upload that stopped before anything was handed to the engine:
    /// they are as they were, failed with `reason`, and not bound to the patient (nothing of
    /// theirs can have reached that chart).
    pub fn not_sent(&mut self, ids: &[u64], reason: &str) {
        for id in ids {
            self.finish(*id, Err(reason.to_owned()), Vec::new());
        }
    }

    /// Gives back the items among `ids` still marked "Sending" when their upload ended without an
    /// outcome ([`UPLOAD_STOPPED`]); returns how many. Each stays bound to `patient`, the one it
    /// was being sent to: it may already be in that chart, so it never goes to the next one
    /// chosen.
    pub fn give_back(&mut self, ids: &[u64], patient: Option<&str>) -> usize {
        let stuck: Vec<u64> = ids
            .iter()
            .copied()
            .filter(|id| self.get(*id).is_some_and(|i| i.state == ItemState::Sending))
            .collect();
        for id in &stuck {
            if let Some(patient) = patient {
                self.bind(*id, patient);
            }
            self.finish(*id, Err(UPLOAD_STOPPED.to_owned()), Vec::new());
        }
        stuck.len()
    }

    /// How many of `ids` failed (they stay listed with their reason).
    pub fn failed_among(&self, ids: &[u64]) -> usize {
        self.items
            .iter()
            .filter(|i| ids.contains(&i.id) && matches!(i.state, ItemState::Failed { .. }))
            .count()
    }

    /// The scans among `ids` that are in the chart and go to the sent folder, with the path to
    /// move each from, or why it stays (it changed since it was listed, so it may not be the file
    /// that was uploaded). A scan counts when the inbox added it, or when it sits directly in the
    /// `inbox` folder (a file resumed after a crash).
    pub fn scans_to_file(&self, ids: &[u64], inbox: &Path) -> Vec<(u64, Result<PathBuf, String>)> {
        ids.iter()
            .filter_map(|id| self.get(*id))
            .filter(|item| item.in_chart())
            .filter(|item| item.from_inbox || item.path.parent() == Some(inbox))
            .map(|item| {
                let path = if self.unchanged_on_disk(item.id) {
                    Ok(item.path.clone())
                } else {
                    Err(CHANGED_NOT_MOVED.to_owned())
                };
                (item.id, path)
            })
            .collect()
    }

    /// Records where each scan of [`Queue::scans_to_file`] went: its new place in the sent
    /// folder, or why it was left in the scanner inbox.
    pub fn record_filed(&mut self, filed: Vec<(u64, Result<PathBuf, String>)>) {
        for (id, result) in filed {
            match result {
                Ok(new_path) => self.moved(id, new_path, "moved to the folder for sent scans"),
                Err(why) => {
                    tracing::warn!("a sent scan stays in the inbox: it could not be moved");
                    self.note(id, format!("left in the scanner inbox: {why}"));
                }
            }
        }
    }

    /// Records an item's outcome.
    pub fn finish(&mut self, id: u64, outcome: Result<&Attachment, String>, notes: Vec<String>) {
        if let Some(item) = self.items.iter_mut().find(|i| i.id == id) {
            item.state = match outcome {
                Ok(a) => {
                    item.name = a.name.clone();
                    ItemState::Uploaded {
                        attachment_id: a.id.to_string(),
                    }
                }
                Err(reason) => ItemState::Failed { reason },
            };
            item.notes = notes;
        }
    }

    /// Marks an item as in the chart, put there by an interrupted upload (found, not sent again).
    pub fn found_in_chart(&mut self, id: u64, attachment_id: String, name: String) {
        if let Some(item) = self.items.iter_mut().find(|i| i.id == id) {
            item.name = name;
            item.state = ItemState::Uploaded { attachment_id };
            item.notes = vec!["found in the chart: an interrupted upload had sent it".into()];
        }
    }

    /// Holds an item that could not be checked against the upload history, with why: "Send
    /// anyway" releases it to the usual checks.
    pub fn hold(&mut self, id: u64, reason: String) {
        self.skip(id, reason, None);
        if let Some(item) = self.items.iter_mut().find(|i| i.id == id) {
            item.unchecked = true;
        }
    }

    /// After the server or tenant changed: every file bound to a patient (it failed, or was
    /// interrupted, on the way to them) is held, since the same id on another server or tenant is
    /// another person. Returns how many.
    pub fn hold_bound_for_other_account(&mut self) -> usize {
        let mut held = 0;
        for item in &mut self.items {
            let waits = matches!(item.state, ItemState::Ready | ItemState::Failed { .. });
            if let (true, Some(patient)) = (waits, &item.patient_id) {
                item.state = ItemState::Refused {
                    reason: format!("it was meant for patient {patient} on the server and tenant used before; switch back in Settings and add it again to send it"),
                };
                held += 1;
            }
        }
        held
    }

    /// Binds an item to the patient it was meant for: it is then sent to no one else.
    pub fn bind(&mut self, id: u64, patient: &str) {
        if let Some(item) = self.items.iter_mut().find(|i| i.id == id) {
            item.patient_id = Some(patient.to_owned());
        }
    }

    /// Marks an item as one that cannot be sent as listed (it must be removed and added again).
    pub fn refuse(&mut self, id: u64, reason: String) {
        if let Some(item) = self.items.iter_mut().find(|i| i.id == id) {
            item.state = ItemState::Refused { reason };
        }
    }

    /// Marks an item as not sent on purpose (already in the chart, or listed twice).
    pub fn skip(&mut self, id: u64, reason: String, attachment_id: Option<String>) {
        if let Some(item) = self.items.iter_mut().find(|i| i.id == id) {
            item.state = ItemState::Skipped {
                reason,
                attachment_id,
            };
            item.force = false;
        }
    }

    /// Whether the file at the item's path is still the one that was listed (same size and
    /// modification time): a scanner reusing a name must not get its new scan filed as sent.
    pub fn unchanged_on_disk(&self, id: u64) -> bool {
        self.get(id)
            .is_some_and(|item| item.identity.is_some() && identity(&item.path) == item.identity)
    }

    /// Records that an item's file now lives at `path` (moved to the sent folder).
    pub fn moved(&mut self, id: u64, path: PathBuf, note: &str) {
        if let Some(item) = self.items.iter_mut().find(|i| i.id == id) {
            item.identity = identity(&path);
            item.path = path;
            item.notes.push(note.to_owned());
        }
    }

    /// Records the content hash an item had when it was listed.
    pub fn set_listed_hash(&mut self, id: u64, hash: decoda_store::ContentHash) {
        if let Some(item) = self.items.iter_mut().find(|i| i.id == id) {
            item.listed_hash = Some(hash);
        }
    }

    /// Adds a note to an item.
    pub fn note(&mut self, id: u64, note: String) {
        if let Some(item) = self.items.iter_mut().find(|i| i.id == id) {
            item.notes.push(note);
        }
    }

    /// The item, if it is still listed.
    pub fn get(&self, id: u64) -> Option<&QueueItem> {
        self.items.iter().find(|i| i.id == id)
    }

    /// Removes the uploaded items ("Upload more").
    pub fn clear_uploaded(&mut self) {
        self.items
            .retain(|i| !matches!(i.state, ItemState::Uploaded { .. }));
    }
}

fn refused(problem: &FileProblem) -> ItemState {
    ItemState::Refused {
        reason: problem.to_string(),
    }
}

/// The file's own name, as the list shows it.
fn own_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The content a resumed file must keep, and how it is shown. A row whose hash was never stored
/// (it was being hashed while sent) is read now, if its size and time say it is unchanged; one
/// that changed is refused, since it is not the document that went out.
fn resumed_content(
    row: &decoda_store::QueueRow,
    reason: String,
) -> (Option<decoda_store::ContentHash>, ItemState) {
    if let Some(hash) = &row.hash {
        return (Some(hash.clone()), ItemState::Failed { reason });
    }
    match crate::queued_file_now(row) {
        crate::QueuedFile::Same(hash) => (Some(hash), ItemState::Failed { reason }),
        crate::QueuedFile::Changed => (
            None,
            ItemState::Refused {
                reason: CHANGED_SINCE_LISTED.to_owned(),
            },
        ),
        crate::QueuedFile::Unreadable(_) => (None, ItemState::Failed { reason }),
    }
}

/// What makes two drops "the same file": the canonical path, size and modification time.
fn identity(path: &Path) -> Option<(PathBuf, u64, Option<SystemTime>)> {
    let canonical = std::fs::canonicalize(path).ok()?;
    let meta = std::fs::metadata(&canonical).ok()?;
    Some((canonical, meta.len(), meta.modified().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use decoda_engine::{check_files, Limits};

    fn checked(paths: &[PathBuf]) -> Vec<IntakeItem> {
        check_files(
            &paths.iter().map(FileSpec::new).collect::<Vec<_>>(),
            &Limits::default(),
        )
    }

    #[test]
    fn the_same_drop_twice_lists_each_file_once_and_refusals_carry_reasons() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.pdf");
        let empty = dir.path().join("empty.pdf");
        std::fs::write(&a, b"%PDF-1.4").unwrap();
        std::fs::write(&empty, b"").unwrap();
        let mut q = Queue::default();
        assert_eq!(q.add(checked(&[a.clone(), empty.clone()]), false).len(), 2);
        assert_eq!(
            q.add(checked(&[a.clone(), empty]), false).len(),
            0,
            "a repeated drop adds nothing"
        );
        assert_eq!(q.items()[0].state, ItemState::Ready);
        assert_eq!(
            q.items()[1].state,
            ItemState::Refused {
                reason: "the file is empty".into()
            }
        );
        assert_eq!(
            q.items()[0].content_type.as_deref(),
            Some("application/pdf")
        );
    }

    #[test]
    fn what_the_window_may_do_with_each_file_is_decided_for_the_chosen_patient() {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = ["a.pdf", "b.pdf", "empty.pdf"]
            .iter()
            .map(|n| dir.path().join(n))
            .collect();
        std::fs::write(&paths[0], b"%PDF-1.4 a").unwrap();
        std::fs::write(&paths[1], b"%PDF-1.4 b").unwrap();
        std::fs::write(&paths[2], b"").unwrap();
        let mut q = Queue::default();
        let ids = q.add(checked(&paths), false);
        q.start_sending("pat_1001", &ids[1..2]);
        q.bind(ids[1], "pat_1001");
        q.finish(ids[1], Err("the server answered 500".into()), Vec::new());

        let none = |q: &Queue, i: usize| q.items()[i].view(None);
        let for_patient = |q: &Queue, i: usize, p: &str| q.items()[i].view(Some(p));
        assert!(
            !none(&q, 0).sendable,
            "nothing goes before a patient is chosen"
        );
        assert!(for_patient(&q, 0, "pat_1002").sendable);
        assert_eq!(for_patient(&q, 0, "pat_1002").status, "Ready");

        let elsewhere = for_patient(&q, 1, "pat_1002");
        assert!(
            !elsewhere.sendable,
            "a failed file goes only to its own patient"
        );
        assert_eq!(elsewhere.waiting_for.as_deref(), Some("pat_1001"));
        assert!(elsewhere.status.starts_with("Waiting for patient pat_1001"));
        let own = for_patient(&q, 1, "pat_1001");
        assert!(own.sendable && own.waiting_for.is_none() && own.editable);
        assert!(own.status.contains("it will be retried"), "{}", own.status);

        let refused = for_patient(&q, 2, "pat_1001");
        assert!(!refused.sendable && !refused.editable);
        assert_eq!(refused.status, "Cannot send: the file is empty");
    }

    #[test]
    fn only_ready_and_failed_items_are_sent_and_edits_carry_over() {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = (0..3)
            .map(|i| dir.path().join(format!("{i}.txt")))
            .collect();
        for p in &paths {
            std::fs::write(p, b"x").unwrap();
        }
        let mut q = Queue::default();
        q.add(checked(&paths), false);
        assert!(q.edit(1, " Consent ", Some(" E1 ")));
        q.finish(3, Err("network".into()), Vec::new());
        let sending = q.start_sending("pat_1", &[1, 2, 3]);
        assert_eq!(
            sending.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert_eq!(sending[0].1.spec.name.as_deref(), Some("Consent"));
        assert_eq!(sending[0].1.spec.external_id.as_deref(), Some("E1"));
        assert!(q.remove(1).is_none(), "an item being sent stays");
        assert!(
            q.start_sending("pat_1", &[1, 2, 3]).is_empty(),
            "nothing is sent twice at once"
        );
    }

    #[test]
    fn a_file_rewritten_after_it_was_listed_is_not_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let scan = dir.path().join("scan.pdf");
        std::fs::write(&scan, b"first scan").unwrap();
        let mut q = Queue::default();
        let ids = q.add(checked(std::slice::from_ref(&scan)), true);
        assert!(q.unchanged_on_disk(ids[0]));
        std::fs::write(&scan, b"a different, longer scan under the same name").unwrap();
        assert!(!q.unchanged_on_disk(ids[0]));
    }

    #[test]
    fn a_file_rewritten_after_it_was_listed_is_refused_not_sent() {
        let dir = tempfile::tempdir().unwrap();
        let scan = dir.path().join("scan.pdf");
        let other = dir.path().join("other.pdf");
        std::fs::write(&scan, b"patient A's scan").unwrap();
        std::fs::write(&other, b"unchanged").unwrap();
        let mut q = Queue::default();
        let ids = q.add(checked(&[scan.clone(), other]), true);
        std::fs::write(&scan, b"patient B's scan, written under the same name").unwrap();
        let sending = q.start_sending("pat_A", &ids);
        assert_eq!(
            sending.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            [ids[1]]
        );
        assert_eq!(
            q.get(ids[0]).unwrap().state,
            ItemState::Refused {
                reason: CHANGED_SINCE_LISTED.into()
            }
        );
    }

    #[test]
    fn send_anyway_forces_a_skipped_file_but_only_releases_a_held_one() {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = (0..2)
            .map(|i| dir.path().join(format!("{i}.pdf")))
            .collect();
        for p in &paths {
            std::fs::write(p, p.to_string_lossy().as_bytes()).unwrap();
        }
        let mut q = Queue::default();
        let ids = q.add(checked(&paths), true);
        q.skip(ids[0], "already uploaded".into(), Some("att_1".into()));
        q.hold(ids[1], "the history could not be read".into());
        assert!(q.force(ids[0]) && q.force(ids[1]));
        assert!(q.get(ids[0]).unwrap().force, "past the duplicate checks");
        assert!(
            !q.get(ids[1]).unwrap().force,
            "never found in the chart: the duplicate checks still apply"
        );
        assert_eq!(q.get(ids[1]).unwrap().state, ItemState::Ready);
    }

    #[test]
    fn a_file_that_failed_is_retried_only_for_the_patient_it_was_meant_for() {
        let dir = tempfile::tempdir().unwrap();
        let scan = dir.path().join("scan.pdf");
        std::fs::write(&scan, b"patient A's scan").unwrap();
        let mut q = Queue::default();
        let ids = q.add(checked(std::slice::from_ref(&scan)), false);
        assert_eq!(q.start_sending("pat_A", &ids).len(), 1);
        q.finish(ids[0], Err("network".into()), Vec::new());
        q.bind(ids[0], "pat_A");
        assert_eq!(q.get(ids[0]).unwrap().patient_id.as_deref(), Some("pat_A"));
        assert!(
            q.start_sending("pat_B", &ids).is_empty(),
            "another patient's upload leaves it alone"
        );
        assert_eq!(q.start_sending("pat_A", &ids).len(), 1);
    }

    #[test]
    fn a_file_held_for_a_patient_names_them_once_their_name_is_known() {
        let dir = tempfile::tempdir().unwrap();
        let scan = dir.path().join("scan.pdf");
        std::fs::write(&scan, b"patient A's scan").unwrap();
        let mut q = Queue::default();
        let ids = q.add(checked(std::slice::from_ref(&scan)), false);
        q.start_sending("pat_1001", &ids);
        q.finish(ids[0], Err("network".into()), Vec::new());
        q.bind(ids[0], "pat_1001");
        let before = &q.views(Some("pat_1003"))[0];
        assert!(
            before.status.starts_with("Waiting for patient pat_1001: "),
            "{}",
            before.status
        );
        assert_eq!(before.waiting_for_name, None);
        assert_eq!(q.unnamed_patients(), ["pat_1001"]);
        assert_eq!(q.patients_to_name(), ["pat_1001"]);
        assert!(q.patients_to_name().is_empty(), "asked for once");

        let patient: decoda_engine::api::models::Patient = serde_json::from_value(serde_json::json!({
            "id": "pat_1001", "firstName": "Maria", "lastName": "Garcia", "dateOfBirth": "1984-03-12",
        }))
        .unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        q.learn_patient(&crate::PatientCard::new(&patient, &[], today));
        let after = &q.views(Some("pat_1003"))[0];
        let named = "GARCIA, Maria, born 12-Mar-1984 (42y), ID pat_1001";
        assert_eq!(after.waiting_for_name.as_deref(), Some(named));
        assert!(
            after.status.starts_with(&format!("Waiting for {named}: ")),
            "{}",
            after.status
        );
        assert!(q.unnamed_patients().is_empty());
        assert!(q.patients_to_name().is_empty());
        assert_eq!(
            q.views(Some("pat_1001"))[0].waiting_for_name,
            None,
            "not waiting while its own patient is chosen"
        );
    }

    /// `count` small PDFs with distinct content, in `dir`.
    fn pdfs(dir: &Path, count: usize) -> Vec<PathBuf> {
        (0..count)
            .map(|i| {
                let path = dir.join(format!("scan{i}.pdf"));
                std::fs::write(&path, format!("%PDF-1.4 page {i}")).unwrap();
                path
            })
            .collect()
    }

    fn attachment(id: &str, name: &str) -> Attachment {
        serde_json::from_value(serde_json::json!({
            "id": id,
            "originalFilename": "scan.pdf",
            "signedUrl": format!("https://files.example/{id}"),
            "thumbnailSignedUrl": null,
            "name": name,
            "createdDate": "2025-01-02T03:04:05Z",
        }))
        .unwrap()
    }

    fn sent(path: &Path, status: FileStatus) -> Outcome {
        Outcome::Sent(decoda_engine::FileReport {
            path: path.to_path_buf(),
            status,
            notes: vec!["a note".into()],
        })
    }

    #[test]
    fn the_window_reads_the_same_json_as_before_the_queue_moved_into_the_core() {
        let dir = tempfile::tempdir().unwrap();
        let paths = pdfs(dir.path(), 2);
        let mut q = Queue::default();
        let ids = q.add(checked(&paths), true);
        q.skip(ids[1], "already uploaded".into(), Some("att_9".into()));
        let views = serde_json::to_value(q.views(Some(" pat_1 "))).unwrap();
        let ready = &views[0];
        let mut keys: Vec<&str> = ready
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "canSendAnyway",
                "contentType",
                "cover",
                "editable",
                "externalId",
                "fileName",
                "fromInbox",
                "id",
                "name",
                "needsPatient",
                "notes",
                "path",
                "patientId",
                "removable",
                "retryAt",
                "sendable",
                "size",
                "state",
                "status",
                "waitingFor",
                "waitingForName"
            ],
            "the flags the window must not see (force, unchecked, rows, hashes) stay out: {ready}"
        );
        assert_eq!(ready["state"], "ready");
        assert_eq!(ready["fileName"], "scan0.pdf");
        assert_eq!(ready["sendable"], true, "the chosen patient is trimmed");
        assert_eq!(views[1]["state"], "skipped");
        assert_eq!(views[1]["attachmentId"], "att_9");
        assert_eq!(views[1]["reason"], "already uploaded");
        let uploaded = serde_json::to_value(UploadedView {
            id: 1,
            name: "Consent".into(),
            attachment_id: "att_1".into(),
            signed_url: "https://files.example/att_1".into(),
            thumbnail_url: None,
            content_type: Some("application/pdf".into()),
        })
        .unwrap();
        assert_eq!(
            uploaded,
            serde_json::json!({
                "id": 1,
                "name": "Consent",
                "attachmentId": "att_1",
                "signedUrl": "https://files.example/att_1",
                "thumbnailUrl": null,
                "contentType": "application/pdf",
            })
        );
    }

    #[test]
    fn each_outcome_lands_on_its_item_and_what_is_not_in_the_chart_waits_for_its_patient() {
        let dir = tempfile::tempdir().unwrap();
        let paths = pdfs(dir.path(), 6);
        let mut q = Queue::default();
        let ids = q.add(checked(&paths), false);
        let sending: Vec<u64> = q
            .start_sending("pat_A", &ids)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(sending, ids);
        let outcomes = vec![
            sent(
                &paths[0],
                FileStatus::Uploaded {
                    attachment: Box::new(attachment("att_1", "Consent")),
                    found_after_interruption: false,
                },
            ),
            sent(
                &paths[1],
                FileStatus::Failed {
                    problem: FileProblem::ChangedSinceListed,
                },
            ),
            sent(
                &paths[2],
                FileStatus::Failed {
                    problem: FileProblem::Missing,
                },
            ),
            sent(
                &paths[3],
                FileStatus::Skipped {
                    reason: "cancelled".into(),
                },
            ),
            Outcome::Skipped {
                reason: "already in the chart".into(),
                attachment_id: Some("att_0".into()),
            },
            Outcome::FoundInChart {
                attachment_id: "att_2".into(),
                name: "Found".into(),
            },
        ];
        let recorded = q.record("pat_A", &ids, outcomes);
        assert_eq!(recorded.skipped, 1, "the file already in the chart");
        let uploaded = recorded.uploaded;
        assert_eq!(uploaded.len(), 1);
        assert_eq!(uploaded[0].id, ids[0]);
        assert_eq!(uploaded[0].attachment_id, "att_1");
        assert_eq!(uploaded[0].content_type.as_deref(), Some("application/pdf"));
        let item = |i: usize| q.get(ids[i]).unwrap();
        assert_eq!(item(0).name, "Consent", "the chart's name is shown");
        assert_eq!(item(0).notes, ["a note"]);
        assert!(
            matches!(&item(1).state, ItemState::Refused { .. }),
            "a file not as listed cannot be retried: {:?}",
            item(1).state
        );
        assert_eq!(
            item(2).state,
            ItemState::Failed {
                reason: "file not found".into()
            }
        );
        assert_eq!(
            item(3).state,
            ItemState::Failed {
                reason: "cancelled".into()
            }
        );
        assert_eq!(
            item(4).state,
            ItemState::Skipped {
                reason: "already in the chart".into(),
                attachment_id: Some("att_0".into())
            }
        );
        assert_eq!(
            item(5).state,
            ItemState::Uploaded {
                attachment_id: "att_2".into()
            }
        );
        for i in 0..5 {
            assert_eq!(
                item(i).patient_id.as_deref(),
                Some("pat_A"),
                "went through the upload to pat_A: it is retried only for pat_A"
            );
        }
        assert_eq!(
            item(5).patient_id,
            None,
            "found in the chart: nothing to bind"
        );
        assert_eq!(q.failed_among(&ids), 2);
        assert_eq!(q.failed_among(&ids[..2]), 0);
    }

    #[test]
    fn send_anyway_and_remove_are_offered_exactly_where_they_work() {
        let dir = tempfile::tempdir().unwrap();
        let paths = pdfs(dir.path(), 4);
        let mut q = Queue::default();
        let ids = q.add(checked(&paths), false);
        q.skip(ids[1], "already in the chart".into(), Some("att_1".into()));
        q.hold(ids[2], "the history could not be read".into());
        q.start_sending("pat_A", &ids[3..]);
        let offered = |q: &Queue, id: u64| {
            let view = q.get(id).unwrap().view(Some("pat_A"));
            (view.can_send_anyway, view.removable)
        };
        assert_eq!(offered(&q, ids[0]), (false, true), "ready");
        assert_eq!(offered(&q, ids[1]), (true, true), "in the chart");
        assert_eq!(offered(&q, ids[2]), (true, true), "held");
        assert_eq!(offered(&q, ids[3]), (false, false), "being sent");
        assert!(
            !q.force(ids[0]) && !q.force(ids[3]),
            "not offered, not done"
        );
        assert!(q.remove(ids[3]).is_none());
        assert!(q.force(ids[1]));
        assert_eq!(offered(&q, ids[1]), (false, true), "ready again");
        q.finish(ids[3], Err("network".into()), Vec::new());
        assert_eq!(offered(&q, ids[3]), (false, true), "failed");
        assert!(q.remove(ids[3]).is_some());
    }

    #[test]
    fn what_upload_does_is_decided_with_the_list() {
        let dir = tempfile::tempdir().unwrap();
        let paths = pdfs(dir.path(), 4);
        let mut q = Queue::default();
        assert_eq!(q.list(Some("pat_A")).upload, UploadAction::AddFiles);
        let ids = q.add(checked(&paths), false);
        assert_eq!(q.list(None).upload, UploadAction::ChoosePatient);
        assert_eq!(
            q.list(Some("  ")).upload,
            UploadAction::ChoosePatient,
            "a blank id chooses no one"
        );
        assert_eq!(
            q.list(Some(" pat_A ")).upload,
            UploadAction::Upload {
                files: 4,
                retry: false
            }
        );
        q.start_sending("pat_B", &ids[..1]);
        q.finish(ids[0], Err("network".into()), Vec::new());
        q.bind(ids[0], "pat_B");
        assert_eq!(
            q.list(Some("pat_A")).upload,
            UploadAction::Upload {
                files: 3,
                retry: false
            },
            "a file failed for another patient neither goes nor makes Upload a retry"
        );
        assert_eq!(
            q.list(Some("pat_B")).upload,
            UploadAction::Upload {
                files: 4,
                retry: true
            }
        );
        let list = q.list(Some("pat_B"));
        assert_eq!(
            list.items.iter().filter(|v| v.sendable).count(),
            4,
            "the count is the files marked as going"
        );
        q.refuse(ids[1], "the file is empty".into());
        q.skip(ids[2], "already in the chart".into(), Some("att_2".into()));
        q.found_in_chart(ids[3], "att_3".into(), "Three".into());
        assert_eq!(
            q.list(Some("pat_A")).upload,
            UploadAction::AllSent,
            "nothing goes to pat_A and files listed are in the chart"
        );
        q.clear_uploaded();
        assert_eq!(q.list(Some("pat_A")).upload, UploadAction::AddFiles);
        let json = serde_json::to_value(q.list(Some("pat_B"))).unwrap();
        assert_eq!(
            json["upload"],
            serde_json::json!({ "action": "upload", "files": 1, "retry": true })
        );
        assert_eq!(json["items"].as_array().unwrap().len(), 3);
        assert_eq!(
            serde_json::to_value(UploadAction::AllSent).unwrap(),
            serde_json::json!({ "action": "allSent" })
        );
    }

    #[test]
    fn an_upload_counts_only_its_own_files_not_sent_again() {
        let dir = tempfile::tempdir().unwrap();
        let paths = pdfs(dir.path(), 3);
        let mut q = Queue::default();
        let ids = q.add(checked(&paths), false);
        q.skip(
            ids[0],
            "skipped by an earlier upload".into(),
            Some("att_0".into()),
        );
        let sending: Vec<u64> = q
            .start_sending("pat_A", &ids)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(sending, ids[1..]);
        let recorded = q.record(
            "pat_A",
            &sending,
            vec![
                Outcome::Skipped {
                    reason: "already in this patient's chart".into(),
                    attachment_id: Some("att_1".into()),
                },
                Outcome::Skipped {
                    reason: "the same content as another file in this selection".into(),
                    attachment_id: None,
                },
            ],
        );
        assert_eq!(
            recorded.skipped, 2,
            "the file skipped by the earlier upload is not counted again"
        );
        assert!(recorded.uploaded.is_empty());
    }

    #[test]
    fn an_upload_stopped_before_sending_binds_nothing_and_one_stopped_midway_binds_its_patient() {
        let dir = tempfile::tempdir().unwrap();
        let paths = pdfs(dir.path(), 3);
        let mut q = Queue::default();
        let ids = q.add(checked(&paths), false);
        q.start_sending("pat_A", &ids[..1]);
        q.not_sent(&ids[..1], "the server could not be reached");
        assert_eq!(
            q.get(ids[0]).unwrap().patient_id,
            None,
            "nothing reached the chart: it may go to anyone"
        );
        assert_eq!(
            q.get(ids[0]).unwrap().state,
            ItemState::Failed {
                reason: "the server could not be reached".into()
            }
        );

        q.start_sending("pat_A", &ids[1..]);
        q.finish(ids[2], Err("500".into()), Vec::new());
        assert_eq!(
            q.give_back(&ids, Some("pat_A")),
            1,
            "only the file still sending is given back"
        );
        let given_back = q.get(ids[1]).unwrap();
        assert_eq!(
            given_back.state,
            ItemState::Failed {
                reason: UPLOAD_STOPPED.into()
            }
        );
        assert_eq!(given_back.patient_id.as_deref(), Some("pat_A"));
        assert!(!given_back.view(Some("pat_B")).sendable);
        assert_eq!(q.give_back(&ids, Some("pat_A")), 0);
    }

    #[test]
    fn a_scan_is_listed_with_what_the_records_say_of_it() {
        let dir = tempfile::tempdir().unwrap();
        let paths = pdfs(dir.path(), 5);
        let hash = |i: usize| decoda_store::hash_file(&paths[i]).unwrap();
        let entry = decoda_store::HistoryEntry {
            patient_id: "pat_A".into(),
            note_id: None,
            attachment_id: "att_7".into(),
            name: "scan1.pdf".into(),
            file_name: "scan1.pdf".into(),
            hash: hash(1),
            size: 1,
            uploaded_at: "2025-03-04T05:06:07Z".into(),
        };
        let records: HashMap<PathBuf, ScanRecord> = [
            (paths[0].clone(), ScanRecord::New(hash(0))),
            (paths[1].clone(), ScanRecord::Uploaded(hash(1), entry)),
            (
                paths[2].clone(),
                ScanRecord::Unfinished(hash(2), "pat_B".into()),
            ),
            (
                paths[3].clone(),
                ScanRecord::Unknown("the history cannot be read".into(), None),
            ),
        ]
        .into();
        let mut q = Queue::default();
        let ids = q.add_scans(checked(&paths), &records);
        let item = |i: usize| q.get(ids[i]).unwrap();
        assert!(item(0).from_inbox);
        assert_eq!(item(0).state, ItemState::Ready);
        assert_eq!(item(0).listed_hash, Some(hash(0)));
        assert_eq!(
            item(1).state,
            ItemState::Skipped {
                reason: "already uploaded from this computer on 2025-03-04 to patient pat_A as attachment att_7; it was not sent again".into(),
                attachment_id: Some("att_7".into())
            }
        );
        assert_eq!(item(2).patient_id.as_deref(), Some("pat_B"));
        assert!(matches!(item(2).state, ItemState::Failed { .. }));
        assert!(
            matches!(&item(3).state, ItemState::Skipped { reason, attachment_id: None } if reason.contains("the history cannot be read")),
            "{:?}",
            item(3).state
        );
        assert!(item(3).unchecked, "held, not found in the chart");
        assert_eq!(item(3).listed_hash, None);
        assert_eq!(
            item(4).state,
            ItemState::Ready,
            "a scan not looked up is listed as checked"
        );
        assert_eq!(
            q.add_scans(checked(&paths), &records),
            Vec::<u64>::new(),
            "a scan handed over twice is listed once"
        );
    }

    #[test]
    fn a_document_scanned_here_waits_for_its_own_patient_like_an_inbox_scan() {
        let dir = tempfile::tempdir().unwrap();
        let mut q = Queue::default();
        let scanned = q.add_scanned(checked(&pdfs(dir.path(), 1)))[0];
        let list = q.list(Some("pat_A"));
        assert_eq!(list.to_sort, [scanned]);
        assert!(
            !list.items[0].sendable,
            "never sent with the chosen patient's batch"
        );
        assert_eq!(list.items[0].status, NEEDS_PATIENT);
        q.set_cover(
            scanned,
            CoverProposal {
                patient_id: Some("pat_A".into()),
                no_patient: None,
                sheet: true,
            },
        );
        let listed = q.list(None);
        assert_eq!(
            listed.items[0]
                .item
                .cover
                .as_ref()
                .unwrap()
                .patient_id
                .as_deref(),
            Some("pat_A")
        );
        assert!(!listed.items[0].sendable, "a proposal is not a choice");
        assert!(q.assign(scanned, "pat_A"));
    }

    #[test]
    fn a_stack_is_filed_once_every_part_is_in_the_chart_and_a_part_sent_before_is_not_ready() {
        let dir = tempfile::tempdir().unwrap();
        let stack = pdfs(dir.path(), 1).remove(0);
        let parts_dir = dir.path().join("scans");
        std::fs::create_dir(&parts_dir).unwrap();
        let parts = pdfs(&parts_dir, 3);
        let cover = |patient: &str| CoverProposal {
            patient_id: Some(patient.into()),
            no_patient: None,
            sheet: true,
        };
        let sent_before = ScanRecord::Uploaded(
            decoda_store::hash_file(&parts[2]).unwrap(),
            decoda_store::HistoryEntry {
                patient_id: "pat_C".into(),
                note_id: None,
                attachment_id: "att_0".into(),
                name: "part.pdf".into(),
                file_name: "part.pdf".into(),
                hash: decoda_store::hash_file(&parts[2]).unwrap(),
                size: 1,
                uploaded_at: "2026-11-30T08:00:00Z".into(),
            },
        );
        let records = HashMap::from([(parts[2].clone(), sent_before)]);
        let mut q = Queue::default();
        let checked_parts = checked(&parts);
        let covers = [
            Some(cover("pat_A")),
            Some(cover("pat_B")),
            Some(cover("pat_C")),
        ];
        let ids = q.add_parts(checked_parts.into_iter().zip(covers).collect(), &records);
        assert_eq!(ids.len(), 3);
        assert_eq!(q.list(None).to_sort, [ids[0], ids[1]]);
        assert_eq!(q.get(ids[0]).unwrap().cover, Some(cover("pat_A")));
        assert!(
            matches!(q.get(ids[2]).unwrap().state, ItemState::Skipped { .. }),
            "a part sent before is not ready: {:?}",
            q.get(ids[2]).unwrap().state
        );
        q.split_from_inbox(&stack, &parts);

        q.found_in_chart(ids[0], "att_1".into(), "One".into());
        assert!(q.stacks_to_file(&[ids[0]]).is_empty(), "a part still waits");
        q.found_in_chart(ids[1], "att_2".into(), "Two".into());
        let filed = q.stacks_to_file(&[ids[1]]);
        assert_eq!(filed, [(ids.clone(), Ok(stack.clone()))]);
        q.record_stacks_filed(filed);
        assert!(q.stacks_to_file(&ids).is_empty(), "filed once");
        assert!(q
            .get(ids[1])
            .unwrap()
            .notes
            .last()
            .unwrap()
            .contains("moved"));

        let mut q = Queue::default();
        let ids = q.add_parts(
            vec![(checked(&parts[..1]).remove(0), None)],
            &HashMap::new(),
        );
        q.split_from_inbox(&stack, &parts);
        q.found_in_chart(ids[0], "att_1".into(), "One".into());
        assert!(
            q.stacks_to_file(&ids).is_empty(),
            "a part that is not listed keeps the stack where it is"
        );
        q.split_from_inbox(&stack, &parts[..1]);
        std::fs::write(&stack, b"another stack under the same name, longer").unwrap();
        assert_eq!(
            q.stacks_to_file(&ids),
            [(ids.clone(), Err(CHANGED_NOT_MOVED.to_owned()))]
        );
    }

    #[test]
    fn a_new_scan_goes_to_no_one_until_a_person_gives_it_its_own_patient() {
        let dir = tempfile::tempdir().unwrap();
        let paths = pdfs(dir.path(), 3);
        let hash = |i: usize| decoda_store::hash_file(&paths[i]).unwrap();
        let records: HashMap<PathBuf, ScanRecord> = [
            (paths[0].clone(), ScanRecord::New(hash(0))),
            (paths[1].clone(), ScanRecord::New(hash(1))),
            (
                paths[2].clone(),
                ScanRecord::Unfinished(hash(2), "pat_B".into()),
            ),
        ]
        .into();
        let mut q = Queue::default();
        let scans = q.add_scans(checked(&paths), &records);
        let elsewhere = dir.path().join("dropped");
        std::fs::create_dir(&elsewhere).unwrap();
        let dropped = q.add(checked(&pdfs(&elsewhere, 1)), false)[0];
        let list = q.list(Some("pat_A"));
        assert_eq!(list.to_sort, [scans[0], scans[1]], "oldest first");
        assert!(!list.items[0].sendable && !list.items[1].sendable);
        assert_eq!(list.items[0].status, NEEDS_PATIENT);
        assert!(list.items[3].sendable, "a dropped file goes with the batch");
        assert_eq!(
            list.upload,
            UploadAction::Upload {
                files: 1,
                retry: false
            },
            "Upload for the chosen patient takes only the dropped file"
        );
        assert!(
            !q.assign(scans[2], "pat_A"),
            "a scan bound to an earlier upload's patient keeps that patient"
        );
        assert!(
            !q.assign(dropped, "pat_A"),
            "only scans are given a patient"
        );

        assert!(q.assign(scans[1], "pat_C"));
        assert!(!q.assign(scans[1], "pat_A"), "given once");
        assert_eq!(q.to_sort(), [scans[0]]);
        let ids: Vec<u64> = q.items().iter().map(|i| i.id).collect();
        assert_eq!(
            q.start_sending("pat_A", &ids)
                .iter()
                .map(|(id, _)| *id)
                .collect::<Vec<_>>(),
            [dropped],
            "neither the scan given to another patient nor the one still waiting goes"
        );
        assert_eq!(
            q.start_sending("pat_C", &ids)
                .iter()
                .map(|(id, _)| *id)
                .collect::<Vec<_>>(),
            [scans[1]]
        );
    }

    #[test]
    fn files_that_could_not_reach_the_server_wait_for_it_bound_to_their_patient() {
        let dir = tempfile::tempdir().unwrap();
        let paths = pdfs(dir.path(), 3);
        let mut q = Queue::default();
        let ids = q.add(checked(&paths), false);
        q.bind(ids[2], "pat_B");
        assert_eq!(
            q.wait_for_network("pat_A", &ids, 1_000),
            2,
            "not the file bound to another"
        );
        assert_eq!(q.network_waiting("pat_A"), [ids[0], ids[1]]);
        let item = q.get(ids[0]).unwrap();
        assert_eq!(
            item.patient_id.as_deref(),
            Some("pat_A"),
            "bound: it goes to no one else"
        );
        assert_eq!(
            item.state,
            ItemState::Failed {
                reason: SERVER_UNREACHABLE.into()
            }
        );
        let views = q.views(None);
        assert_eq!(views[0].status, NETWORK_WAIT);
        assert_eq!(views[0].item.retry_at, Some(1_000));
        assert_eq!(q.list(Some("pat_C")).upload, UploadAction::AddFiles);

        let sending = q.start_sending("pat_A", &ids);
        assert_eq!(sending.len(), 2);
        assert_eq!(
            q.get(ids[0]).unwrap().retry_at,
            None,
            "sending ends the wait"
        );
        q.not_sent(&[ids[0], ids[1]], "still down");
        assert_eq!(q.failed_for("pat_A"), [ids[0], ids[1]]);
        q.wait_for_network("pat_A", &q.failed_for("pat_A"), 2_000);
        q.stop_network_wait("pat_A");
        assert!(q.network_waiting("pat_A").is_empty());
        assert!(q.views(None)[0]
            .status
            .starts_with("Waiting for patient pat_A: still down"));
    }

    #[test]
    fn only_scans_in_the_chart_and_unchanged_since_listed_go_to_the_sent_folder() {
        let dir = tempfile::tempdir().unwrap();
        let inbox = dir.path().join("inbox");
        std::fs::create_dir(&inbox).unwrap();
        let scans = pdfs(&inbox, 3);
        let dropped = pdfs(dir.path(), 1);
        let mut q = Queue::default();
        let ids = q.add(checked(&scans), true);
        let other = q.add(checked(&dropped), false)[0];
        q.found_in_chart(ids[0], "att_1".into(), "One".into());
        q.found_in_chart(ids[1], "att_2".into(), "Two".into());
        q.found_in_chart(other, "att_3".into(), "Dropped".into());
        std::fs::write(&scans[1], b"another scan under the same name, longer").unwrap();
        let all = [ids.clone(), vec![other]].concat();
        let filed = q.scans_to_file(&all, &inbox);
        assert_eq!(
            filed,
            [
                (ids[0], Ok(scans[0].clone())),
                (ids[1], Err(CHANGED_NOT_MOVED.to_owned())),
            ],
            "not a file still waiting, nor one dropped from elsewhere"
        );
        let moved_to = dir.path().join("sent").join("scan0.pdf");
        q.record_filed(vec![
            (ids[0], Ok(moved_to.clone())),
            (ids[1], Err(CHANGED_NOT_MOVED.to_owned())),
        ]);
        assert_eq!(q.get(ids[0]).unwrap().path, moved_to);
        assert_eq!(
            q.get(ids[0]).unwrap().notes.last().map(String::as_str),
            Some("moved to the folder for sent scans")
        );
        assert!(q.get(ids[1]).unwrap().notes[1].starts_with("left in the scanner inbox: "));
    }

    #[test]
    fn a_removed_file_leaves_a_record_only_when_it_was_resumed_or_bound() {
        let dir = tempfile::tempdir().unwrap();
        let paths = pdfs(dir.path(), 2);
        let mut q = Queue::default();
        let ids = q.add(checked(&paths), false);
        q.bind(ids[1], "pat_A");
        let fresh = q.remove(ids[0]).unwrap();
        assert!(fresh.removed().is_none(), "nothing on record to forget");
        let bound = q.remove(ids[1]).unwrap();
        let removed = bound.removed().unwrap();
        assert_eq!(removed.patient, Some("pat_A"));
        assert_eq!(removed.path, paths[1]);
        assert!(q.items().is_empty());
        assert!(q.remove(ids[1]).is_none(), "removed once");
    }
}
