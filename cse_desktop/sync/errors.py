"""What can go wrong while syncing, each with a message a practitioner can act on."""

from __future__ import annotations

from pathlib import Path


class SyncError(Exception):
    """Base class: the message is shown to the practitioner as it is."""


class Offline(SyncError):
    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__("The service cannot be reached. Your work is saved on this computer "
                         "and will be sent when the connection is back.")


class UntrustedService(SyncError):
    def __init__(self) -> None:
        super().__init__("The service's security certificate is not trusted, so nothing was "
                         "sent. Check the service address, or ask IT for the right "
                         "certificate file.")


class NotEnrolled(SyncError):
    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or "This computer is not enrolled with the service yet. Use "
                                   "'Connect to the service' with the code from your "
                                   "administrator.")


class Forbidden(SyncError):
    """The service refused a request about a child outside the caseload (403)."""


class ServiceFailed(SyncError):
    """The service answered with an error that retrying will not fix."""


class TooLarge(ServiceFailed):
    """The request was over the service's size limit (413): send fewer changes at a time."""


class CursorAhead(ServiceFailed):
    """The service holds fewer changes than this device has seen (restored from a backup)."""


class DeviceRevoked(SyncError):
    """The service withdrew this device.  After handling, ``wiped`` and ``rescue_path`` say
    what was done to the local records."""

    def __init__(self, message: str, *, wiped: bool = False,
                 rescue_path: Path | None = None) -> None:
        self.service_message = message
        self.wiped = wiped
        self.rescue_path = rescue_path
        text = message
        if wiped:
            text += " The records on this computer have been removed."
        if rescue_path is not None:
            text += (f" Changes that had not reached the service were saved, encrypted, in "
                     f"{rescue_path}. Give this file to your administrator.")
        super().__init__(text)
