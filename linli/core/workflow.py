"""The workflow engine: a transition table, guarded actions and an append-only timeline.

Cases and service orders (and, later, rectifications and submissions) each declare a
`Workflow`: which actions exist, from which statuses, to which status, who may take them
(parties), param-free preconditions, and where the timeline goes. The engine gives them
the same rules:

    perform(actor, record, action, **params)
        1. the actor is a party of the action       else Http404 (existence not revealed)
        2. the record's state allows it now         else ActionNotAllowed (409, allowed actions)
        3. the parameters are known and valid       else the app's ActionError (400)
        4. the app's do_<action>, which locks the row (`lock` checks the state again under
           the lock), changes it (`apply`), appends the event and the outbox message.

The app keeps what differs: its parties, its parameter cleaning and its `do_*` functions.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from . import media, outbox
from .errors import ActionError, ActionNotAllowed


@dataclass(frozen=True)
class Transition:
    sources: frozenset  # the statuses the action is allowed from
    target: str | None  # the new status; None keeps the current one
    parties: frozenset  # who may take it


@dataclass
class Timeline:
    """Where a workflow's events go: one event row per action (`owner` names the record's
    foreign key on the event model), photos attached to the event, and an outbox message
    `<topic_prefix>.<action>` whose body `payload(record, action, actor, from_status, **extra)`
    builds."""

    event_model: type
    owner: str
    topic_prefix: str
    payload: Callable
    photo_model: type | None = None

    def record(self, obj, actor, action, from_status, *, note="", data=None, photos=(), topic=None, message=None):
        """Append the event and the outbox message of an action on a locked record."""
        event = self.event_model.objects.create(
            **{self.owner: obj}, actor=actor, action=action, from_status=from_status, to_status=obj.status,
            note=note, data=data or {},
        )
        if photos:
            self.save_photos(obj, event, photos)
        extra = {"event_id": event.pk, **({"note": note[:500]} if note else {}), **(message or {})}
        outbox.emit(topic or f"{self.topic_prefix}.{action}", self.payload(obj, action, actor, from_status, **extra))
        return event

    def record_many(self, objs, actors, action, *, data, topic, message):
        """`record` for a batch without photos: one INSERT for the events, one for the outbox
        messages. `data` and `message`: one dict per record."""
        events = self.event_model.objects.bulk_create([
            self.event_model(**{self.owner: obj}, actor=actor, action=action, from_status="", to_status=obj.status,
                             data=row)
            for obj, actor, row in zip(objs, actors, data, strict=True)
        ])
        outbox.emit_many([
            (topic, self.payload(obj, action, actor, "", event_id=event.pk, **extra))
            for obj, actor, event, extra in zip(objs, actors, events, message, strict=True)
        ])
        return events

    def save_photos(self, obj, event, processed):
        for item in processed:
            stem = uuid.uuid4().hex
            photo = self.photo_model(**{self.owner: obj}, event=event, width=item.width, height=item.height)
            photo.image.save(f"{stem}.jpg", item.image, save=False)
            photo.thumbnail.save(f"{stem}_thumb.jpg", item.thumbnail, save=False)
            photo.save()


@dataclass
class Workflow:
    """One record kind's workflow. `preconditions`: action → fn(record, now) → bool, checks
    that need no parameters (failing one is a 409 like a wrong status). `parties_of(user,
    record)` → the set of parties the user is for this record."""

    model: type
    transitions: dict
    params: dict  # action → the parameter names it takes
    parties_of: Callable
    timeline: Timeline
    error: type[ActionError]
    not_allowed: type[ActionNotAllowed]
    preconditions: dict = field(default_factory=dict)

    def __post_init__(self):
        assert set(self.params) == set(self.transitions), "every action declares its parameters"
        self._by_name = {str(action): action for action in self.transitions}

    # -- guards ---------------------------------------------------------------------------

    def state_allows(self, action, obj, now=None) -> bool:
        """The record's status and param-free preconditions allow the action (whoever asks)."""
        if obj.status not in self.transitions[action].sources:
            return False
        check = self.preconditions.get(action)
        return check is None or check(obj, now or timezone.now())

    def allowed_actions(self, user, obj) -> list[str]:
        """Exactly the actions `perform` would accept from this user on this record now."""
        parties = self.parties_of(user, obj)
        if not parties:
            return []
        now = timezone.now()
        return [
            str(action)
            for action, spec in self.transitions.items()
            if spec.parties & parties and self.state_allows(action, obj, now)
        ]

    def require_party(self, user, obj, action):
        if not self.transitions[action].parties & self.parties_of(user, obj):
            raise Http404

    def refuse(self, actor, obj, action):
        """The 409 for an action the record's state does not allow."""
        return self.not_allowed(action, obj.status, self.allowed_actions(actor, obj) if actor is not None else [])

    def require_state(self, user, obj, action):
        if not self.state_allows(action, obj):
            raise self.refuse(user, obj, action)

    def lock(self, obj, actor, action):
        """The row, locked for the transaction and checked again under the lock: another
        request may have moved it since the caller read it."""
        locked = self.model.objects.select_for_update().get(pk=obj.pk)
        self.require_state(actor, locked, action)
        return locked

    def sync(self, target, source):
        """Copy the stored columns of `source` onto the caller's instance."""
        if target is not source:
            for column in self.model._meta.concrete_fields:
                setattr(target, column.attname, getattr(source, column.attname))
        return target

    # -- the entry point ------------------------------------------------------------------

    def perform(self, actor, obj, action, params, *, clean, do):
        """Take an action: party (404), state (409), parameters (400), then `do[action]`.
        `clean(actor, obj, action, params)` returns the keyword arguments of the do_* function."""
        action = self._by_name.get(action if isinstance(action, str) else None)
        if action is None:
            raise self.error("unknown_action", _("Unknown action."), field="action")
        self.require_party(actor, obj, action)
        self.require_state(actor, obj, action)
        unknown = set(params) - set(self.params[action])
        if unknown:
            raise self.error("unexpected_param", _("Unexpected parameters: %s") % ", ".join(sorted(unknown)))
        return self.sync(obj, do[action](actor, obj, **clean(actor, obj, action, params)))

    def apply(self, actor, obj, action, *, note="", data=None, photos=(), message=None, **changes):
        """Change a locked record (status to the transition's target), save it and record it."""
        from_status = obj.status
        spec = self.transitions.get(action)
        if spec is not None and spec.target:
            obj.status = spec.target
        for name, value in changes.items():
            setattr(obj, name, value)
        obj.save()
        self.timeline.record(obj, actor, action, from_status, note=note, data=data, photos=photos, message=message)
        return obj

    # -- parameters every workflow has (raising the workflow's own error) -------------------

    def text(self, value, **kwargs):
        return clean_text(value, error=self.error, **kwargs)

    def photos(self, files, **kwargs):
        return process_photos(files, error=self.error, **kwargs)

    def rating(self, value, field="rating"):
        return clean_rating(value, error=self.error, field=field)


def clean_text(value, *, field, max_length, error=ActionError, required=False, code="required", message=""):
    text = "" if value is None else str(value).strip()
    if len(text) > max_length:
        raise error("too_long", _("At most %(n)d characters.") % {"n": max_length}, field=field)
    if required and not text:
        raise error(code, message or _("This field is required."), field=field)
    return text


def process_photos(files: Iterable, *, max_count, error=ActionError, rule=media.CASE_PHOTO_RULE, field="photos"):
    """Check and re-encode uploaded photos (before any transaction: it is slow). Returns
    media.ProcessedImage objects; a bad file raises `error` with the media code."""
    files = list(files or ())
    if len(files) > max_count:
        raise error("too_many_photos", _("At most %(n)d photos.") % {"n": max_count}, field=field)
    processed = []
    for upload in files:
        try:
            processed.append(media.process_image(upload, rule))
        except media.MediaError as failure:
            code, message = getattr(failure, "code", "bad_photo"), getattr(failure, "message", str(failure))
            raise error(code, message, field=field) from None
    return processed


def clean_rating(value, *, error=ActionError, field="rating"):
    """1..5 from an int or its text; bools and fractions are refused."""
    rating = None
    if not isinstance(value, bool) and not (isinstance(value, float) and not value.is_integer()):
        try:
            rating = int(str(value).strip()) if isinstance(value, str) else int(value)
        except (TypeError, ValueError, OverflowError):
            rating = None
    if rating not in range(1, 6):
        raise error("bad_rating", _("Rate from 1 to 5."), field=field)
    return rating
