"""The HTTP API (FastAPI).  Paths are versioned under /api/v1; see docs/sync-protocol.md."""

from __future__ import annotations

from pathlib import Path as PathLib
from typing import Annotated, Any, cast

from anyio import to_thread
from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..clock import SYSTEM_CLOCK, Clock
from ..forms import FormLibrary
from . import audit
from .ca import CertificateAuthority
from .config import ServerSettings
from .db import is_sqlite
from .devices import Guards, authenticate, enrol, user_info
from .errors import ApiError
from .identity import Caller
from .limits import RequestLimits, Scope
from .measures import router as measures_router
from .migrate import current_revision
from .pull import CompressedFeed, get_record, pull
from .push import apply_push
from .renewal import renew_certificate
from .schemas import (
    EnrolRequest,
    EnrolResponse,
    ErrorBody,
    HealthResponse,
    MeResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    RenewCertificateRequest,
    RenewCertificateResponse,
)
from .timestamps import timestamp_router

_bearer = HTTPBearer(auto_error=False, description="The token issued at device enrolment.")

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The request cannot be used (`damaged_body`: "
                                             "a gzip-compressed body that cannot be "
                                             "unpacked)."},
    401: {"model": ErrorBody, "description": "Not enrolled, or the device was revoked "
                                             "(`code` = `device_revoked`)."},
    403: {"model": ErrorBody, "description": "Not in the caller's caseload (or no such "
                                             "record: the answer is the same)."},
    413: {"model": ErrorBody, "description": "`too_large`: the request is over the size "
                                             "limit (once unpacked, if it was sent with "
                                             "`Content-Encoding: gzip`)."},
    415: {"model": ErrorBody, "description": "`unsupported_encoding`: a body sent with a "
                                             "`Content-Encoding` other than gzip."},
    422: {"model": ErrorBody, "description": "The request does not match the schema."},
    429: {"model": ErrorBody, "description": "`too_many_attempts`: too many failed attempts "
                                             "from this address; see `Retry-After`."},
}
_PULL_ERRORS: dict[int | str, dict[str, Any]] = {
    **_ERRORS, 409: {"model": ErrorBody, "description": "`cursor_ahead`: the "
                     "cursor is past the end of the feed; start again from 0."}}


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "request"
        parts.append(f"{where}: {error.get('msg', 'is not valid')}")
    return "The request is not valid. " + "; ".join(parts)


def _address(client: Any) -> str:
    return str(client[0]) if client else ""


def _caller(request: Request,
            credentials: Annotated[HTTPAuthorizationCredentials | None,
                                   Depends(_bearer)]) -> Caller:
    known = getattr(request.state, "caller", None)
    if isinstance(known, Caller):  # authenticated before the body was read
        return known
    return authenticate(request.app.state.engine,
                        credentials.credentials if credentials else None,
                        request.app.state.guards, _address(request.scope.get("client")))


def _bearer_token(scope: Scope) -> str | None:
    for name, value in scope.get("headers") or []:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return None


Auth = Annotated[Caller, Depends(_caller)]


def create_app(settings: ServerSettings, engine: Engine, ca: CertificateAuthority,
               clock: Clock = SYSTEM_CLOCK, library: FormLibrary | None = None) -> FastAPI:
    docs = settings.api_docs
    app = FastAPI(
        title="cse-desktop central service",
        version="1",
        description="Enrolment and sync for the cse-desktop app. Every record read or written "
                    "is scoped to the caller's caseload and audited.",
        docs_url="/docs" if docs else None, redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.engine = engine
    app.add_middleware(CompressedFeed)
    guards = app.state.guards = Guards.from_settings(settings, clock)
    forms = library

    async def authenticate_early(scope: Scope) -> None:
        token = _bearer_token(scope)
        address = _address(scope.get("client"))
        caller = await to_thread.run_sync(
            lambda: authenticate(engine, token, guards, address))
        scope.setdefault("state", {})["caller"] = caller

    app.add_middleware(RequestLimits, max_bytes=settings.max_request_bytes,
                       authenticate=authenticate_early)

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer", **exc.headers} if exc.status == 401 else (
            exc.headers or None)
        return JSONResponse({"code": exc.code, "detail": exc.detail}, status_code=exc.status,
                            headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"code": "invalid_request", "detail": _validation_message(exc)},
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"code": "http_error", "detail": str(exc.detail)},
                            status_code=exc.status_code)

    @app.get("/api/v1/health", response_model=HealthResponse, tags=["service"])
    def health() -> HealthResponse:
        """Is the service up, and which schema does it run?"""
        return HealthResponse(status="ok", schema_revision=current_revision(engine),
                              database="sqlite" if is_sqlite(settings.database_url)
                              else engine.dialect.name)

    @app.post("/api/v1/enrol", response_model=EnrolResponse, responses=_ERRORS,
              tags=["devices"])
    def enrol_device(body: EnrolRequest, request: Request) -> EnrolResponse:
        """Enrol a device with a one-time code: returns its token and signing certificate."""
        return enrol(engine, ca, settings, body, guards, _address(request.client))

    @app.post("/api/v1/devices/certificate", response_model=RenewCertificateResponse,
              responses=_ERRORS, tags=["devices"])
    def renew_device_certificate(body: RenewCertificateRequest,
                                 who: Auth) -> RenewCertificateResponse:
        """A new signing certificate for this device's user, for the key in ``csr_pem``
        (devices ask when less than a quarter of the old one's life is left)."""
        return renew_certificate(engine, ca, settings, who, body)

    @app.get("/api/v1/me", response_model=MeResponse, responses=_ERRORS, tags=["devices"])
    def me(who: Auth) -> MeResponse:
        """Who this device belongs to."""
        with engine.begin() as conn:
            audit.log(conn, who, "me")
        return MeResponse(user=user_info(who), device_id=who.device_id,
                          device_name=who.device_name, organisation=settings.organisation,
                          recovery_public_key_pem=settings.recovery_public_key_pem)

    @app.post("/api/v1/sync/push", response_model=PushResponse, responses=_ERRORS,
              tags=["sync"])
    def push(body: PushRequest, who: Auth) -> PushResponse:
        """Apply a batch of changes.  Each gets an answer: accepted, conflict (with the
        server's version) or rejected (with a reason).  The same change id twice has one
        effect and the same answer.  If any change concerns a child outside the caller's
        caseload the whole batch is refused with 403 and nothing is applied."""
        return PushResponse(results=apply_push(engine, who, body.changes,
                                               max_record_bytes=settings.max_record_bytes,
                                               library=forms))

    @app.get("/api/v1/sync/pull", response_model=PullResponse, responses=_PULL_ERRORS,
             tags=["sync"])
    def pull_feed(who: Auth,
                  cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
                  limit: Annotated[int, Query(ge=1, le=2000)] = 500,
                  max_bytes: Annotated[int | None, Query(ge=1024, le=2**31)] = None,
                  skip_own: bool = False) -> PullResponse:
        """Records stored since ``cursor`` that the caller may see, oldest first.  The page
        ends after ``limit`` entries or about ``max_bytes`` of records; with ``skip_own`` the
        caller's own accepted versions come back as id and revision only (in ``own``)."""
        return pull(engine, who, cursor, limit, max_bytes=max_bytes, skip_own=skip_own)

    @app.get("/api/v1/records/{record_id}", response_model=dict, responses=_ERRORS,
             tags=["records"])
    def read_record(who: Auth,
                    record_id: Annotated[str, Path(min_length=1, max_length=100,
                                                   pattern=r"^[A-Za-z0-9._:-]+$")]) -> dict:
        """One record in the wire format.  403 when it is not the caller's, or unknown."""
        return get_record(engine, who, record_id)

    app.include_router(measures_router)
    app.include_router(timestamp_router(settings, ca, _caller))
    return app


def openapi_document() -> dict[str, Any]:
    """The OpenAPI spec without a database (for docs and the fuzz tests)."""
    settings = ServerSettings(data_dir=PathLib("."), database_url="sqlite://", api_docs=True)
    return create_app(settings, cast(Engine, None), cast(CertificateAuthority, None)).openapi()
