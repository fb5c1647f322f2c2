"""The Prefect automations that make a lost or killed run still notify (see flows/crash.py).

- LOST: a run of ours whose heartbeats stop (its worker or machine is gone) is set to
  ``Crashed`` after ``DULIEUMO_LOST_RUN_AFTER`` seconds without one. Flow runs send a
  heartbeat every ``PREFECT_FLOWS_HEARTBEAT_FREQUENCY`` seconds (Prefect's default: 180).
- NOTICE: every crashed or cancelled run of ours runs the deployment
  ``record-crash/dulieumo-crash-notice`` with its flow run id, on any surviving worker.

Created (again, idempotently: by name) by ``dulieumo schedule --work-pool``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from .crash import CATALOG_FLOW, DATASET_FLOW

LOST = "dulieumo: lost runs are crashed"
NOTICE = "dulieumo: crashed or cancelled runs are recorded"
OURS: dict[str, str | list[str]] = {
    "prefect.resource.role": "flow",
    "prefect.resource.name": [DATASET_FLOW, CATALOG_FLOW],
}
ENDS = [
    "prefect.flow-run.Completed",
    "prefect.flow-run.Failed",
    "prefect.flow-run.Crashed",
    "prefect.flow-run.Cancelled",
    "prefect.flow-run.Cancelling",
]


def _automations(crash_deployment: UUID, lost_after_s: float) -> list[Any]:
    from prefect.automations import AutomationCore
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState, RunDeployment
    from prefect.events.schemas.automations import EventTrigger, Posture

    return [
        AutomationCore(
            name=LOST,
            description="A dulieumo run whose heartbeats stopped is marked Crashed.",
            trigger=EventTrigger(
                match={"prefect.resource.id": "prefect.flow-run.*"},
                match_related=OURS,
                after={"prefect.flow-run.heartbeat"},
                expect={"prefect.flow-run.heartbeat", *ENDS},
                for_each={"prefect.resource.id"},
                posture=Posture.Proactive,
                threshold=1,
                within=timedelta(seconds=lost_after_s),
            ),
            actions=[
                ChangeFlowRunState(
                    name="Crashed",
                    state=StateType.CRASHED,
                    message=f"no heartbeat for {lost_after_s:g} s: its worker or machine is lost",
                    force=False,
                )
            ],
        ),
        AutomationCore(
            name=NOTICE,
            description="Record and notify each crashed or cancelled dulieumo run once.",
            trigger=EventTrigger(
                match={"prefect.resource.id": "prefect.flow-run.*"},
                match_related=OURS,
                expect={"prefect.flow-run.Crashed", "prefect.flow-run.Cancelled"},
                posture=Posture.Reactive,
                threshold=1,
            ),
            actions=[
                RunDeployment(
                    source="selected",
                    deployment_id=crash_deployment,
                    # a plain Jinja value renders as text (Prefect's v1 form would pass the
                    # UUID through tojson, which fails)
                    parameters={
                        "flow_run_id": {"__prefect_kind": "jinja", "template": "{{ flow_run.id }}"}
                    },
                    job_variables=None,
                )
            ],
        ),
    ]


def ensure_automations(client: Any, crash_deployment: UUID, lost_after_s: float) -> list[str]:
    """Create or replace our automations (matched by name); their names."""
    out = []
    for automation in _automations(crash_deployment, lost_after_s):
        for old in client.read_automations_by_name(automation.name):
            client.delete_automation(old.id)
        client.create_automation(automation)
        out.append(automation.name)
    return out
