"""Streamed responses end their database transaction.

CKAN's ``/datastore/dump/<id>`` streams its body: the rows are read after CKAN's own
after-request handler has closed the request's database session, so the generator opens a new
transaction on the CKAN database and leaves it "idle in transaction" in the pooled connection
(it held a lock that blocked ``TRUNCATE`` and migrations until the worker served again).
The "CSV for Excel" download is that dump, so every streamed response here removes the
session once its body has been sent.
"""

from __future__ import annotations

from typing import Any


def install(app: Any) -> Any:
    """Register the clean-up on the Flask app (IMiddleware.make_middleware)."""
    import ckan.model as model

    def end_session_after_body(response: Any) -> Any:
        if response.is_streamed:
            response.call_on_close(model.Session.remove)
        return response

    app.after_request(end_session_after_body)
    return app
