"""The `notify:` key of an organisation in datasets/portal.yaml (who learns about runs).

    organizations:
      - name: so-y-te
        notify: {email: [dulieu@syt.quangninh.gov.vn], webhook: "https://…", on_success: false}

Failed and invalid runs are always notified to the channels declared; successful ones only
with ``on_success: true``. The SMTP server comes from the environment (DULIEUMO_SMTP_*),
never from the spec.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator


class NotifySpec(BaseModel):
    """Notification channels of one organisation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    email: list[EmailStr] = []
    webhook: Annotated[str, Field(pattern=r"^https?://[^\s/]+\S*$")] | None = None
    on_success: bool = False

    @model_validator(mode="after")
    def _some_channel(self) -> NotifySpec:
        if not self.email and not self.webhook:
            raise ValueError(
                "declare at least one of `email` or `webhook`, or remove the `notify` key"
            )
        return self
