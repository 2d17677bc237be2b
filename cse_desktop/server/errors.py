"""Errors the API answers with: a status, a stable code and a plain-English message."""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.headers: dict[str, str] = dict(headers or {})


FORBIDDEN_DETAIL = ("You do not have access to this record. If you should, ask your team lead "
                    "to add the child to your caseload.")


def forbidden() -> ApiError:
    """The same answer whether the record exists or not, so nothing leaks."""
    return ApiError(403, "forbidden", FORBIDDEN_DETAIL)


def not_enrolled() -> ApiError:
    return ApiError(401, "not_authenticated",
                    "This device is not enrolled with the service, or its access token is not "
                    "valid. Enrol it again with a new enrolment code.")
