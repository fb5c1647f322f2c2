"""Notification settings from the environment (never from the specs, never logged).

DULIEUMO_SMTP_HOST, DULIEUMO_SMTP_PORT (25; 465 means implicit TLS), DULIEUMO_SMTP_USER,
DULIEUMO_SMTP_PASSWORD, DULIEUMO_SMTP_FROM, DULIEUMO_SMTP_STARTTLS (1/true/yes),
DULIEUMO_SMTP_CA_FILE (a PEM file of CAs to trust besides the system's, for a server whose
certificate comes from the province's own CA),
DULIEUMO_NOTIFY_RETRY_DELAYS (seconds between attempts, "2,10": three attempts),
DULIEUMO_NOTIFY_TIMEOUT (seconds per attempt, 10), DULIEUMO_WEBHOOK_SECRET (HMAC-SHA256
signature of the webhook body, header X-Dulieumo-Signature).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from dulieumo.settings import settings

DEFAULT_FROM = "dulieumo@localhost"


def retry_delays() -> tuple[float, ...]:
    return settings().notify_retry_delays  # bounded there: never more than 11 attempts


def timeout_s() -> float:
    return settings().notify_timeout


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    user: str = ""
    password: str = ""
    sender: str = DEFAULT_FROM
    starttls: bool = False
    ca_file: str = ""

    def tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.ca_file:
            context.load_verify_locations(cafile=self.ca_file)
        return context

    def __repr__(self) -> str:  # never show the credentials
        return (
            f"SmtpSettings(host={self.host!r}, port={self.port}, starttls={self.starttls}, "
            f"user={'***' if self.user else ''!r}, password=***)"
        )

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def redact(self, text: str) -> str:
        """The text with the credentials blanked out (server replies may echo them)."""
        for secret in (self.password, self.user):
            if secret and len(secret) >= 2:
                text = text.replace(secret, "***")
        return text

    @classmethod
    def from_env(cls) -> SmtpSettings | None:
        """None when DULIEUMO_SMTP_HOST is unset (e-mail not configured)."""
        env = settings()
        if not env.smtp_host:
            return None
        return cls(
            host=env.smtp_host,
            port=env.smtp_port,
            user=env.smtp_user,
            password=env.smtp_password.get_secret_value(),
            sender=env.smtp_from or DEFAULT_FROM,
            starttls=env.smtp_starttls,
            ca_file=env.smtp_ca_file,
        )


def webhook_secret() -> str:
    return settings().webhook_secret.get_secret_value()


def safe_target(url: str) -> str:
    """scheme://host:port of a webhook URL: its path and query may hold a token."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"
