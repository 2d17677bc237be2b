"""Who is calling: the user behind an enrolled device, as the access rules need it."""

from __future__ import annotations

from dataclasses import dataclass

from ..records import Role


@dataclass(frozen=True)
class Caller:
    user_id: str
    name: str
    role: Role
    team_id: str | None
    device_id: str
    device_name: str

    @property
    def sees_everything(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def leads_team(self) -> bool:
        return self.role in (Role.TEAM_LEAD, Role.ADMIN)
