"""What can go wrong while syncing, each with a message a practitioner can act on."""

from __future__ import annotations

from pathlib import Path


class SyncError(Exception):
    """Base class: the message is shown to the practitioner as it is."""


class Offline(SyncError):
    """No usable connection.  ``dropped`` means a connection was made but kept breaking or
    stalling (a weak signal), rather than none at all."""

    def __init__(self, detail: str = "", *, dropped: bool = False) -> None:
        self.detail = detail
        self.dropped = dropped
        if dropped:
            text = ("The connection to the service is too weak: it kept dropping or stalling. "
                    "Your work is saved on this computer and will be sent when the connection "
                    "is better.")
        else:
            text = ("The service cannot be reached: this computer seems to be offline. Your "
                    "work is saved on this computer and will be sent when the connection is "
                    "back.")
        super().__init__(text)


class UntrustedService(SyncError):
    """The other end showed a certificate that is not the partnership service's."""

    def __init__(self) -> None:
        super().__init__("Something other than your service answered (its security "
                         "certificate is not the partnership's), so nothing was sent. On "
                         "public Wi-Fi (café, hotel, train), sign in to the Wi-Fi first in your "
                         "web browser, then press Sync now. If it keeps happening on a trusted "
                         "network, tell IT that something is intercepting the connection.")


class CaptivePortal(SyncError):
    """A Wi-Fi sign-in page answered instead of the service."""

    def __init__(self) -> None:
        super().__init__("This Wi-Fi wants you to sign in before it lets you through. Sign in "
                         "to the Wi-Fi first in your web browser, then press Sync now. Nothing "
                         "was sent.")


class NotTheService(SyncError):
    """Something answered, but not in the service's language (wrong address, a proxy...)."""

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__("The address answered, but not as your service does, so nothing more "
                         "was sent. If you are on public Wi-Fi, sign in to the Wi-Fi first; "
                         "otherwise check the service address.")


class SyncCancelled(SyncError):
    def __init__(self) -> None:
        super().__init__("Sync stopped. Your work is saved on this computer.")


class SyncTimedOut(SyncError):
    """The round's overall deadline passed (a trickling or stalled connection)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        minutes = max(1, round(seconds / 60))
        super().__init__(f"The connection is too slow: sync stopped after {minutes} "
                         f"minute{'s' if minutes != 1 else ''}. Your work is saved on this "
                         "computer; the rest will be sent at the next sync.")


class ServiceCertificateExpired(UntrustedService):
    def __init__(self) -> None:
        SyncError.__init__(
            self, "The service's security certificate has expired, so nothing was sent. Your "
            "work is safe on this computer. Check that this computer's date and time are "
            "right; if they are, tell IT or your administrator that the service needs a new "
            "certificate.")


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
