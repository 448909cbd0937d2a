"""Every structured log event the terminal and its daemons write, declared once.

Each member is (id, kind, description). `kind` follows the usual kiosk/voting-device split: user-action,
app-status, system-action, system-status. `docs/log-events.md` is generated from this table
(`python -m contract.log_events > docs/log-events.md`). Long operations log a paired `*-init` / `*-complete`.
"""

from __future__ import annotations

from enum import Enum


class Event(Enum):
    # lifecycle
    APP_START = ("app-start", "system-action", "The terminal process started.")
    ATTRACT_SHOWN = ("attract-shown", "app-status", "The shell shows its first screen (cold start done).")
    APP_STOP = ("app-stop", "system-action", "The terminal process is stopping.")
    OUT_OF_SERVICE = ("out-of-service", "system-status",
                      "The terminal refused to serve citizens: its configuration is unsafe (reasons name the keys).")
    CONFIG_LOADED = ("config-loaded", "system-status", "Configuration read from its TOML file.")
    DB_MIGRATED = ("db-migrated", "system-action", "Database schema upgraded to the head revision.")
    DB_CORRUPT = ("db-corrupt", "system-status", "The database failed its integrity check (at start, or between sessions while running): out of service, file kept.")
    DB_SALVAGED = ("db-salvaged", "system-action", "A technician's `kiosk store salvage` copied a damaged database's readable rows into a fresh file (rows per table, stretches lost, next sequence) and moved the damaged file aside; or found nothing readable.")
    # citizen session
    SESSION_START = ("session-start", "user-action", "A citizen started a session.")
    SESSION_STATE = ("session-state", "app-status", "The citizen session moved to another state.")
    SESSION_END = ("session-end", "app-status", "A session ended (done, cancelled, timeout, error) and was wiped.")
    SESSION_TIMEOUT_WARNING = ("session-timeout-warning", "app-status", "Inactivity: 'Are you still there?' shown.")
    HELP_REQUESTED = ("help-requested", "user-action", "A citizen asked for help.")
    LANGUAGE_CHANGED = ("language-changed", "user-action", "A citizen switched the display language.")
    RATING_GIVEN = ("rating-given", "user-action", "A citizen rated the service on the Done screen.")
    ASSISTED_VERIFICATION_INIT = ("assisted-verification-init", "user-action", "A citizen was offered or chose verification by staff instead of the face check (no personal data).")
    ASSISTED_VERIFICATION_COMPLETE = ("assisted-verification-complete", "system-action", "Assisted verification ended: approved, denied, expired or unavailable.")
    ASSISTED_DECISION_REFUSED = ("assisted-decision-refused", "system-status", "A staff decision failed verification (signature, kiosk, session, expiry) and was not acted on.")
    # documents and faces
    DOCUMENT_READ_INIT = ("document-read-init", "system-action", "Reading an identity document started.")
    DOCUMENT_READ_COMPLETE = ("document-read-complete", "system-action", "Reading an identity document ended.")
    DOCUMENT_REFUSED = ("document-refused", "app-status",
                        "The passive-authentication policy refused a document (altered or unknown issuer); the "
                        "session ended.")
    READER_STATE = ("reader-state", "system-status", "A card reader appeared, disappeared or changed state.")
    FACE_VERIFY_INIT = ("face-verify-init", "system-action", "Face verification started.")
    FACE_VERIFY_COMPLETE = ("face-verify-complete", "system-action", "Face verification decided (no biometrics logged).")
    CAMERA_STATE = ("camera-state", "system-status", "The camera became available or unavailable.")
    # services and transactions
    SERVICE_RUN_INIT = ("service-run-init", "system-action", "A service module started running.")
    SERVICE_RUN_COMPLETE = ("service-run-complete", "system-action", "A service module finished.")
    TRANSACTION_COMMITTED = ("transaction-committed", "system-action", "A transaction and its outbox row were stored.")
    # printing
    PRINT_INIT = ("print-init", "system-action", "A document was sent to a printer.")
    PRINT_COMPLETE = ("print-complete", "system-action", "A print job ended (completed or failed).")
    DOCUMENTS_PURGED = ("documents-purged", "system-action", "Spooled documents past their time and orphan files were deleted.")
    PRINTER_STATE = ("printer-state", "system-status", "A printer changed state (offline, paper out, ...).")
    # catalog
    CATALOG_LOADED = ("catalog-loaded", "system-status", "A service catalog was loaded and indexed.")
    CATALOG_REJECTED = ("catalog-rejected", "system-status", "A catalog failed validation or verification.")
    CATALOG_APPLIED = ("catalog-applied", "system-action", "A new catalog version became active.")
    # sync
    SYNC_DRAIN_INIT = ("sync-drain-init", "system-action", "The sync daemon started sending a batch.")
    SYNC_DRAIN_COMPLETE = ("sync-drain-complete", "system-action", "A batch was acknowledged or failed.")
    SYNC_DEAD_LETTER = ("sync-dead-letter", "system-status", "The district rejected a transaction; it was dead-lettered.")
    SYNC_BACKOFF = ("sync-backoff", "system-status", "The district could not be reached; retrying later.")
    HEARTBEAT_SENT = ("heartbeat-sent", "system-action", "A heartbeat was sent to the district.")
    HEARTBEAT_REFUSED = ("heartbeat-refused", "system-status", "The district refused a heartbeat (4xx); nothing was recorded there.")
    ENROLLED = ("enrolled", "system-action", "The kiosk enrolled with the district server.")
    KIOSK_KEY_LOST = ("kiosk-key-lost", "system-status", "The kiosk is enrolled but its key file is gone; no new key is made (operator re-key).")
    SYNC_REVOKED = ("sync-revoked", "system-status", "The district answered that this kiosk is revoked: the daemon stopped sending.")
    SYNC_READMITTED = ("sync-readmitted", "system-action", "A revoked kiosk enrolled again (new key) and resumed sending.")
    SESSION_REFUSED = ("session-refused", "system-status", "The terminal is out of service and did not start a session.")
    # diagnostics
    DIAGNOSTICS_OPENED = ("diagnostics-opened", "user-action", "A technician opened diagnostics.")
    TECHNICIAN_PIN_SET = ("technician-pin-set", "system-action", "The technicians' PIN was set on this kiosk.")
    TECHNICIAN_PIN_CHECKED = ("technician-pin-checked", "user-action",
                              "A technicians' PIN was tried (accepted, rejected, locked out or not provisioned).")
    DIAGNOSTICS_RESULT = ("diagnostics-result", "system-status", "A diagnostics check produced a result.")
    # district server
    DISTRICT_START = ("district-start", "system-action", "The district server started.")
    HELP_DECIDED = ("help-decided", "user-action", "A member of district staff approved or denied an assisted-verification request.")
    TUF_RESIGNED = ("tuf-resigned", "system-action", "The district re-signed expiring catalog snapshot/timestamp metadata.")
    TUF_RESIGN_FAILED = ("tuf-resign-failed", "system-status", "Re-signing catalog metadata failed; it is retried.")
    CITIZEN_REQUEST_SUBMITTED = ("citizen-request-submitted", "system-action", "A queued citizen request was submitted to the department.")
    CITIZEN_REQUEST_FAILED = ("citizen-request-failed", "system-status", "Submitting a queued citizen request failed; it is retried.")
    DISTRICT_REQUEST_REFUSED = ("district-request-refused", "system-status", "A request was refused (auth, limits, schema).")
    # out of service, daily maintenance, software updates (issue 16, points 3-5)
    SERVICE_CONDITION_RAISED = ("service-condition-raised", "system-status", "A condition that makes serving unsafe began (corrupt database, disk below its reserve, device missing, catalog unusable, clock wrong, revoked): no new session starts.")
    SERVICE_CONDITION_CLEARED = ("service-condition-cleared", "system-status", "An out-of-service condition ended; with none left the terminal serves again by itself.")
    MAINTENANCE_INIT = ("maintenance-init", "system-action", "The daily maintenance started (between sessions).")
    MAINTENANCE_COMPLETE = ("maintenance-complete", "system-action", "The daily maintenance ended; each task's outcome and figures are listed.")
    UPDATE_INSTALLED = ("update-installed", "system-action", "A verified software package was unpacked into its version folder and made current.")
    UPDATE_CONFIRMED = ("update-confirmed", "system-status", "The new software version reached READY=1 within its deadline and is kept.")
    UPDATE_ROLLED_BACK = ("update-rolled-back", "system-status", "The new software version did not reach READY=1 in time: the previous version was made current again.")
    UPDATE_REFUSED = ("update-refused", "system-status", "A software package failed verification or could not be installed; nothing was changed.")
    # unexpected
    UNEXPECTED_ERROR = ("unexpected-error", "system-status", "An unexpected exception was caught at a boundary.")
    # technicians' mode and device consequences (kiosk.terminal.technician_mode, kiosk.terminal.device_consequences)
    TECHNICIAN_MODE_ENTERED = ("technician-mode-entered", "user-action", "A technician entered the technicians' mode (after the citizen's session ended).")
    TECHNICIAN_MODE_EXITED = ("technician-mode-exited", "user-action", "A technician left the technicians' mode (back in service, or leaving device faults).")
    TECHNICIAN_QUEUE_ACTION = ("technician-queue-action", "user-action", "A technician cancelled, resumed or purged the A4 printer queue.")
    TECHNICIAN_REPORT_PRINTED = ("technician-report-printed", "user-action", "A technician printed the readiness report.")
    DEVICE_CONSEQUENCES = ("device-consequences", "system-status", "Failing devices changed what citizens can do (items unavailable, out of service).")
    # catalog rollouts (district: publishing in stages)
    CATALOG_ROLLOUT_HALTED = ("catalog-rollout-halted", "system-action",
                              "A staged catalog rollout was halted automatically: a kiosk of its group refused it.")
    CATALOG_ROLLOUT_CHANGED = ("catalog-rollout-changed", "user-action",
                               "An operator staged, promoted, halted or rolled back a catalog version.")

    def __init__(self, event_id: str, kind: str, description: str) -> None:
        self.event_id = event_id
        self.kind = kind
        self.description = description


def markdown_table() -> str:
    """The event table as Markdown, for docs/log-events.md."""
    lines = ["# Log events", "", "| id | kind | meaning |", "|---|---|---|"]
    lines += [f"| `{e.event_id}` | {e.kind} | {e.description} |" for e in Event]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
