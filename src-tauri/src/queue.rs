//! The files waiting to be sent, as the window lists them.
//!
//! Adding is idempotent (the same file dropped twice, which Tauri can report, is listed once), and
//! every file the engine would refuse is marked with the reason as soon as it is added. Files that
//! fail to upload stay, with the reason, until they are sent or removed.

use decoda_engine::{api::models::Attachment, FileProblem, FileSpec, IntakeItem};
use serde::Serialize;
use std::{
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
    /// The patient it waits for (it failed, or was interrupted, on the way to them) while
    /// another patient or none is chosen: it goes to no one else.
    pub waiting_for: Option<String>,
    /// Where it stands, as the sentence the window shows.
    pub status: String,
}

impl QueueItem {
    /// Whether Upload for `patient` sends it: ready or failed, and bound to no other patient.
    fn goes_to(&self, patient: &str) -> bool {
        matches!(self.state, ItemState::Ready | ItemState::Failed { .. })
            && self.patient_id.as_deref().is_none_or(|p| p == patient)
    }

    /// The patient it waits for, when `chosen` is another (or none).
    fn waiting_for(&self, chosen: Option<&str>) -> Option<String> {
        let bound = self.patient_id.as_deref()?;
        let waits = matches!(self.state, ItemState::Ready | ItemState::Failed { .. });
        (waits && chosen != Some(bound)).then(|| bound.to_owned())
    }

    /// The item as the window shows it with `chosen` as the chosen patient.
    pub fn view(&self, chosen: Option<&str>) -> QueueView {
        let waiting_for = self.waiting_for(chosen);
        let status = match (&self.state, &waiting_for) {
            (ItemState::Failed { reason }, Some(patient)) => {
                format!("Waiting for patient {patient}: {reason}")
            }
            (ItemState::Ready, Some(patient)) => format!("Waiting for patient {patient}"),
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
            waiting_for,
            status,
        }
    }
}

/// Why a file that changed after it was listed is not sent.
pub const CHANGED_SINCE_LISTED: &str = "the file changed on disk after it was listed (a scanner may have reused its name), so it was not sent: remove it and add it again";

/// The queue.
#[derive(Debug, Default)]
pub struct Queue {
    items: Vec<QueueItem>,
    next_id: u64,
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
                row_id: None,
                listed_hash: None,
                identity,
            });
            added.push(self.next_id);
        }
        added
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
                _ => match row.last_error {
                    Some(e) => format!("not sent by an earlier upload: {e}"),
                    None => "queued by an earlier upload that did not finish".to_owned(),
                },
            };
            let content_type = decoda_engine::sniff_content_type(&row.path).ok();
            self.items.push(QueueItem {
                id: self.next_id,
                path: row.path,
                name: row.name.unwrap_or_else(|| file_name.clone()),
                file_name,
                external_id: row.external_id,
                size: Some(row.size),
                content_type,
                state: ItemState::Failed { reason },
                notes: Vec::new(),
                patient_id: Some(row.patient_id),
                force: false,
                unchecked: false,
                from_inbox: false,
                row_id: Some(row.id),
                listed_hash: Some(row.hash),
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
        if !matches!(item.state, ItemState::Skipped { .. }) {
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

    /// Removes an item; returns whether it was there. Items being sent cannot be removed.
    pub fn remove(&mut self, id: u64) -> bool {
        let before = self.items.len();
        self.items
            .retain(|i| i.id != id || i.state == ItemState::Sending);
        before != self.items.len()
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
    /// as sending and returns their specs, in order. Only items in `shown`, the ones the window
    /// listed when the person pressed Upload, are taken: a scan arriving from the inbox a moment
    /// later waits for its own confirmation. A file that changed on disk since it was listed (a
    /// scanner reusing a name) is not taken but refused: what the person saw is not what would
    /// be sent.
    pub fn start_sending(&mut self, patient: &str, shown: &[u64]) -> Vec<(u64, FileSpec)> {
        let shown: std::collections::HashSet<u64> = shown.iter().copied().collect();
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
                i.notes.clear();
                let spec = FileSpec {
                    path: i.path.clone(),
                    name: Some(i.name.clone()),
                    external_id: i.external_id.clone(),
                };
                (i.id, spec)
            })
            .collect()
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
        assert_eq!(sending[0].1.name.as_deref(), Some("Consent"));
        assert_eq!(sending[0].1.external_id.as_deref(), Some("E1"));
        assert!(!q.remove(1), "an item being sent stays");
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
}
