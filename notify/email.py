"""E-mail over SMTP (stdlib smtplib): STARTTLS optional, port 465 implicit TLS, bounded retries.

Connection failures, timeouts and 4xx replies are retried; authentication failures and 5xx
replies are not. Errors are returned as values with the credentials blanked out.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable, Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from .message import Notice
from .settings import SmtpSettings, retry_delays, timeout_s

SENDER_NAME = "Cổng dữ liệu mở"


def build_email(notice: Notice, to: Sequence[str], sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = notice.subject
    local, _, domain = sender.partition("@")
    msg["From"] = Address(SENDER_NAME, local, domain or "localhost")
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid("dulieumo", domain=(domain or "localhost"))
    msg["X-Dulieumo-Event"] = notice.event
    msg["X-Dulieumo-Run-Id"] = notice.run_id
    msg["Content-Language"] = "vi"
    msg.set_content(notice.text, charset="utf-8")
    for filename, mimetype, data in notice.attachments:
        maintype, _, subtype = mimetype.partition("/")
        if maintype == "text":
            msg.add_attachment(
                data.decode("utf-8"), subtype=subtype, charset="utf-8", filename=filename
            )
        else:
            msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def _transient(exc: BaseException) -> bool:
    if isinstance(
        exc, smtplib.SMTPAuthenticationError | smtplib.SMTPNotSupportedError | ssl.SSLError
    ):
        return False  # the credentials or the TLS set-up: retrying will not help
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError | OSError)


def _describe(exc: BaseException, settings: SmtpSettings) -> str:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        text = (
            f"the SMTP server {settings.address} refused the login "
            f"({exc.smtp_code}); check DULIEUMO_SMTP_USER and DULIEUMO_SMTP_PASSWORD"
        )
    elif isinstance(exc, smtplib.SMTPResponseException):
        reply = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        text = f"the SMTP server {settings.address} answered {exc.smtp_code} {reply[:200]}"
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        text = f"the SMTP server {settings.address} refused every recipient"
    elif isinstance(exc, ConnectionRefusedError):
        text = f"the SMTP server {settings.address} refused the connection (is it running?)"
    elif isinstance(exc, ssl.SSLError | smtplib.SMTPNotSupportedError):
        text = (
            f"TLS with the SMTP server {settings.address} failed ({type(exc).__name__}: "
            f"{str(exc)[:200]}); check DULIEUMO_SMTP_STARTTLS, DULIEUMO_SMTP_PORT and "
            "DULIEUMO_SMTP_CA_FILE"
        )
    elif isinstance(exc, TimeoutError):
        text = f"the SMTP server {settings.address} did not answer in time"
    else:
        text = f"SMTP {settings.address}: {type(exc).__name__}: {exc}"
    return settings.redact(text)


def _deliver(msg: EmailMessage, to: Sequence[str], settings: SmtpSettings) -> dict[str, Any]:
    timeout = timeout_s()
    smtp: smtplib.SMTP
    if settings.port == 465:
        smtp = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=timeout, context=settings.tls_context()
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
    with smtp:
        if settings.starttls and settings.port != 465:
            smtp.starttls(context=settings.tls_context())
            smtp.ehlo()
        if settings.user:
            smtp.login(settings.user, settings.password)
        refused = smtp.send_message(msg, to_addrs=list(to))
    return {str(addr): code for addr, (code, _) in refused.items()}


def send_email(
    notice: Notice,
    to: Sequence[str],
    settings: SmtpSettings | None,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Send the notice to the recipients; a result value, never an exception."""
    result: dict[str, Any] = {"channel": "email", "to": list(to), "ok": False, "attempts": 0}
    if settings is None:
        result["error"] = (
            "e-mail is not configured: DULIEUMO_SMTP_HOST is unset (see README, Notifications)"
        )
        return result
    msg = build_email(notice, to, settings.sender)
    delays = retry_delays()
    for attempt in range(len(delays) + 1):
        result["attempts"] = attempt + 1
        try:
            refused = _deliver(msg, to, settings)
        except Exception as exc:
            result["error"] = _describe(exc, settings)
            if attempt < len(delays) and _transient(exc):
                sleep(delays[attempt])
                continue
            return result
        result["ok"] = True
        result.pop("error", None)
        if refused:
            result["refused"] = refused
        return result
    return result
