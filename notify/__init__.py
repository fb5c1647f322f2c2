"""Notifications: tell an organisation's data officers how a run ended.

    from notify import notify_run
    record.notifications = notify_run(record, catalog)   # before the record is appended

Failed and invalid runs are notified on every channel of the organisation's ``notify:`` key
in datasets/portal.yaml (e-mail over SMTP, a JSON webhook); successful runs only with
``on_success: true``. Delivery problems never fail the run: they come back as values
(``{"channel": "email", "ok": false, "error": "..."}``) stored in the run history.
"""

from .dispatch import notify_run

__all__ = ["notify_run"]
