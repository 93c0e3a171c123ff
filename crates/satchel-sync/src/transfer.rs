//! Moving changes: push the change log, pull other devices' changes page by page, one round
//! (`sync_now`), the status, and the background loop.

use super::*;

impl<S: StoreAccess> Syncer<S> {
    /// Uploads every local change the hub does not have, in batches.
    pub async fn push(
        &self,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<(usize, usize)> {
        let ring = self.keyring().await?;
        let key = ring.current().clone();
        let (mut done, mut duplicates) = (0, 0);
        let mut batch = self.config.push_batch.max(1);
        loop {
            let (device, changes) = self.store.with_store(|s| {
                Ok::<_, SyncError>((s.device_id().to_owned(), s.outgoing(batch)?))
            })?;
            let (Some(first), Some(last)) = (changes.first(), changes.last()) else {
                break;
            };
            let (first, last) = (first.seq, last.seq);
            let records: Vec<proto::RecordUpload> =
                changes.iter().map(|c| seal_change(&key, c)).collect();
            let mut req = proto::UploadRequest {
                upload_id: upload_id(&device, first, last, records.len()),
                records,
                key_epoch: Some(ring.epoch),
            };
            let resp: proto::UploadResponse =
                match self.call(Method::POST, paths::RECORDS, Some(&req)).await {
                    // The id was used for other records: this store was copied or restored
                    // and its log reused sequence numbers. The hub still keeps each version
                    // once, so a fresh id cannot duplicate anything.
                    Err(SyncError::Hub { code, field, .. })
                        if code == codes::CONFLICT && field.as_deref() == Some("upload_id") =>
                    {
                        req.upload_id = Uuid::now_v7();
                        self.call(Method::POST, paths::RECORDS, Some(&req)).await?
                    }
                    // Too big for one request (large shipment bodies): halve the batch and
                    // try again. A single record the hub refuses is an error the status shows.
                    Err(SyncError::Hub { status: 413, .. }) if batch > 1 => {
                        batch /= 2;
                        continue;
                    }
                    other => other?,
                };
            self.store.with_store(|s| s.mark_pushed(last))?;
            done += req.records.len();
            duplicates += resp.duplicates as usize;
            progress(Progress::Pushed { done });
        }
        Ok((done, duplicates))
    }

    /// Downloads and merges every page after the saved cursor.
    ///
    /// Once after an update from a Satchel older than record format 2, the cursor goes back to
    /// the start: that version skipped format-2 records (written by updated devices) as
    /// unreadable and moved past them, so this pull fetches everything again. Merging a change
    /// twice changes nothing, so this costs one full download and loses nothing.
    pub async fn pull(
        &self,
        report: &mut SyncReport,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<()> {
        let ring = self.keyring().await?;
        if self.state()?.reads_format < RECORD_FORMAT {
            self.store.with_store(|s| s.apply_remote_page(&[], "0"))?;
            self.update_state(|st| st.reads_format = RECORD_FORMAT)?;
        }
        loop {
            let cursor = self.store.with_store(|s| s.pull_cursor())?;
            let after: i64 = cursor.and_then(|c| c.parse().ok()).unwrap_or(0);
            let q = format!(
                "{}?after={after}&limit={}",
                paths::RECORDS,
                self.config.page_size
            );
            let page: proto::DownloadResponse = self.call::<(), _>(Method::GET, &q, None).await?;
            let mut changes = Vec::with_capacity(page.records.len());
            for r in &page.records {
                // This device's own changes come back too and are merged as no-ops: a store
                // restored from a backup may lack some of them, and only the hub has them.
                match open_record(ring.for_envelope(&r.ciphertext.0), r)? {
                    Opened::Change(c) => changes.push(c),
                    Opened::Rejected => report.rejected += 1,
                }
            }
            if page.next_cursor <= after && page.records.is_empty() {
                break;
            }
            let cursor = page.next_cursor.to_string();
            let applied = self
                .store
                .with_store(|s| s.apply_remote_page(&changes, &cursor))?;
            // "Received" means other devices' changes; this device's own echoes are not news.
            let own = self.store.with_store(|s| s.device_id().to_owned());
            report.pulled += changes.iter().filter(|c| c.hlc.device != own).count();
            report.pages += 1;
            report.resolved += applied.resolved.len();
            report.reassess.extend(applied.reassess);
            progress(Progress::Pulled {
                done: report.pulled,
                more: page.has_more,
            });
            if !page.has_more {
                break;
            }
        }
        Ok(())
    }

    /// Push, then pull, then push what the merge had to repair; records the outcome in the
    /// status either way.
    pub async fn sync_now(&self) -> Result<SyncReport> {
        self.sync_with_progress(&mut |_| {}).await
    }

    pub async fn sync_with_progress(
        &self,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<SyncReport> {
        let st = self.state()?;
        if st.account_id.is_none() && st.approval_fingerprint.is_none() {
            return Err(SyncError::NotLinked);
        }
        let _one_at_a_time = self.running.lock().await;
        let started = crate::wall_now();
        let outcome = async {
            // Answered a typed code: in once the other device approved this one.
            if self.state()?.account_id.is_none() {
                self.finish_join().await?;
            }
            self.sync_inner(progress).await
        }
        .await;
        let error = outcome.as_ref().err().map(ToString::to_string);
        self.update_state(|st| {
            st.last_attempt_at = Some(started);
            if error.is_none() {
                st.last_synced_at = Some(crate::wall_now());
            }
            st.last_error = error;
        })?;
        outcome
    }

    pub(crate) async fn sync_inner(
        &self,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        // Before anything is sealed: a newer account key must be in hand (issue #18).
        self.sync_keys().await?;
        let (pushed, duplicates) = self.push(progress).await?;
        self.pull(&mut report, progress).await?;
        // Repairs made while merging are ordinary local changes; send them now rather than
        // at the next round, so the other devices see the same fix sooner.
        let (more, dup_more) = if report.resolved > 0 {
            self.push(progress).await?
        } else {
            (0, 0)
        };
        report.pushed = pushed + more;
        report.duplicates = duplicates + dup_more;
        Ok(report)
    }

    /// The link and the last outcome, from the store (no network).
    pub fn status(&self) -> Result<SyncStatus> {
        self.store.with_store(|s| {
            let st = load_state(s)?;
            Ok(SyncStatus {
                linked: st.account_id.is_some(),
                hub_url: st.hub_url,
                account_id: st.account_id,
                device_id: st.device_id,
                last_synced_at: st.last_synced_at,
                last_attempt_at: st.last_attempt_at,
                last_error: st.last_error,
                pending: pending_count(s)?,
                phrase_changed: st.phrase_changed,
                // Linked is linked, even if a crash left the join's fingerprint behind.
                awaiting_approval: st.approval_fingerprint.filter(|_| st.account_id.is_none()),
            })
        })
    }

    /// Wakes the background loop now (after a local edit, or "sync now" in the UI).
    pub fn nudge(&self) {
        self.wake.notify_one();
    }

    /// Syncs until `shutdown` completes: every `interval` when all is well, backing off while
    /// the hub cannot be reached. `on_round` sees each outcome (for the UI's status events).
    pub async fn run(
        &self,
        policy: &LoopPolicy,
        shutdown: impl Future<Output = ()>,
        mut on_round: impl FnMut(&Result<SyncReport>),
    ) {
        tokio::pin!(shutdown);
        let mut failures = 0u32;
        loop {
            let outcome = tokio::select! {
                _ = &mut shutdown => return,
                r = self.sync_now() => r,
            };
            on_round(&outcome);
            let wait = match &outcome {
                Ok(_) => {
                    failures = 0;
                    policy.delay_after(Ok(()), 0)
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    policy.delay_after(Err(e), failures)
                }
            };
            tokio::select! {
                _ = &mut shutdown => return,
                _ = tokio::time::sleep(wait) => {}
                _ = self.wake.notified() => failures = 0,
            }
        }
    }
}
