"""Records that cannot be served: set aside instead of breaking the feed.

A stored version whose text a device could not receive (it got past an older service, or was
written to the database by hand) is skipped by the pull feed and by ``GET /records/{id}``,
kept in the ``quarantine`` table with the reason, audited (``quarantine``) and logged, so an
administrator can repair it (``cse-server admin quarantine`` lists them).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from . import audit
from .models import quarantine
from .timeutil import aware, now

log = logging.getLogger("cse_desktop.server")

UNSERVABLE = "stored text cannot be sent to devices (not valid Unicode, or control characters)"
UNAVAILABLE = ("This record cannot be sent at the moment because it was stored damaged. The "
               "service's administrators have been told.")


@dataclass(frozen=True)
class Quarantined:
    record_id: str
    child_id: str
    seq: int
    found_at: datetime
    reason: str


def set_aside(engine: Engine, record_id: str, child_id: str, seq: int,
              reason: str = UNSERVABLE) -> None:
    """Quarantine a record (once; later calls do nothing).  Never raises."""
    try:
        with engine.begin() as conn:
            if conn.execute(select(quarantine.c.record_id).where(
                    quarantine.c.record_id == record_id)).first():
                return
            conn.execute(insert(quarantine).values(record_id=record_id, child_id=child_id,
                                                   seq=seq, found_at=now(), reason=reason))
            audit.log(conn, None, "quarantine", record_id=record_id, child_id=child_id,
                      detail=reason)
        log.warning("Record %s was set aside (quarantine): %s. See `cse-server admin "
                    "quarantine`.", record_id, reason)
    except IntegrityError:
        return  # set aside by a simultaneous request
    except Exception:  # serving the rest matters more than the report
        log.exception("Could not quarantine record %s", record_id)


def list_quarantined(engine: Engine) -> list[Quarantined]:
    with engine.connect() as conn:
        rows = conn.execute(select(quarantine).order_by(quarantine.c.found_at)).all()
    return [Quarantined(r.record_id, r.child_id, int(r.seq), aware(r.found_at),  # type: ignore[arg-type]
                        r.reason) for r in rows]
