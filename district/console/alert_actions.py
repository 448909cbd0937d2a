"""Acknowledging a latched alert, once for the page and the API: operators and admins only (the `kiosks`
permission: staff and viewers may see alerts, not dismiss them), who and when recorded on the alert, and an entry
in the append-only audit log, refusals included."""

from __future__ import annotations

from typing import Any

from district import latched_alerts
from district.console import audit
from district.console.actions import ActionError
from district.console.guard import Identity, require


def acknowledge_alert(state: Any, identity: Identity, alert_id: int) -> dict[str, Any]:
    require(identity, "kiosks")
    actor = identity.operator.name + ("" if identity.session else " (token)")
    try:
        alert = latched_alerts.acknowledge(state.engine, alert_id, identity.operator.name)
    except latched_alerts.AlertNotFound:
        raise ActionError(404, f"no alert {alert_id}") from None
    except latched_alerts.AlreadyAcknowledged as exc:
        audit.record(state.engine, actor, "alert.acknowledge", f"alert/{alert_id}", "refused",
                     reason=f"already acknowledged by {exc.acknowledged_by}")
        raise ActionError(409, f"alert {alert_id} was already acknowledged by {exc.acknowledged_by}") from None
    audit.record(state.engine, actor, "alert.acknowledge", f"{alert['kiosk']}/alert/{alert_id}", kind=alert["kind"],
                 params=alert["params"])
    return alert
