"""What a session's owner configures: who organizes, who may enrol, what approving hours credits,
and the words of its errors.

    register_owner("volunteering.activity", can_organize=..., error=VolunteeringError,
                   check_eligible=..., on_hours_approved=..., hours_grace=..., words={...})

called from the owner's AppConfig.ready; the prefix is the part of `Session.owner` before ":".

    can_organize(user, session) -> bool          mark attendance, verify hours (else 404)
    check_eligible(user, session) -> None        raises the owner's error (skills, tier, a child's
                                                 age, prerequisites); checked before a place is taken
    on_hours_approved(actor, attendance) -> int  runs inside the approving transaction, once per
                                                 attendance; what it returns is stored as `points`
    hours_grace() -> timedelta                   minutes before the start and after the end that count
    words                                        {engine code: (owner code, message)}: "session_cancelled"
                                                 becomes volunteering's "activity_cancelled"
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from linli.core.errors import ActionError


class EnrolmentError(ActionError):
    """Bad input to an enrolment or attendance action (an owner may raise its own subclass)."""


@dataclass(frozen=True)
class Owner:
    prefix: str
    can_organize: Callable
    error: type[ActionError] = EnrolmentError
    check_eligible: Callable | None = None
    on_hours_approved: Callable | None = None
    hours_grace: Callable[[], timedelta] = lambda: timedelta(0)
    words: dict = field(default_factory=dict)

    def fail(self, code, message, field=None):
        """The error to raise, in the owner's words where it has some."""
        code, message = self.words.get(code, (code, message))
        return self.error(code, message, field=field)


_OWNERS: dict[str, Owner] = {}


def register_owner(prefix: str, **config) -> Owner:
    _OWNERS[prefix] = Owner(prefix, **config)
    return _OWNERS[prefix]


def owner_of(session) -> Owner:
    prefix = session.owner.split(":", 1)[0]
    try:
        return _OWNERS[prefix]
    except KeyError:
        raise LookupError(f"no enrolment owner registered for {prefix!r}") from None
