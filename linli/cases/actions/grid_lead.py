"""A grid leader (网格长) sends the check of a fix to one of their grid workers.

check_assign_verifier(actor, case, worker) -> Case
    Http404 unless the actor leads the grid workers over the case's area (`cases.lead_grid`);
    ActionNotAllowed (409) unless the case waits for verification; CaseError (400) not_a_worker
    when `worker` is not a grid worker of the actor's area.
"""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from linli.core.ids import parse_id
from linli.core.scoping import scope_for

from ..choices import Action, CaseStatus
from ..errors import ActionNotAllowed, CaseError
from ..models import Case
from ..parties import in_area_scope
from .common import record
from .guards import allowed_actions, sync


def check_assign_verifier(actor, case, worker) -> Case:
    from ..queries import grid_workers_led_by  # queries build on the actions' modules

    lead = scope_for(actor, "cases.lead_grid")
    if lead.is_empty or not in_area_scope(lead, case.area_code):
        raise Http404
    if case.status != CaseStatus.RESOLVED:
        raise ActionNotAllowed(Action.ASSIGN_VERIFIER, case.status, allowed_actions(actor, case))
    pk = worker.pk if hasattr(worker, "pk") else parse_id(worker)
    chosen = next((person for person in grid_workers_led_by(actor) if person.pk == pk), None)
    if chosen is None:
        raise CaseError("not_a_worker", _("Choose one of your grid workers."), field="verifier")
    return sync(case, do_assign_verifier(actor, case, chosen))


def do_assign_verifier(actor, case, worker) -> Case:
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status != CaseStatus.RESOLVED:
            raise ActionNotAllowed(Action.ASSIGN_VERIFIER, case.status, [])
        case.verifier = worker
        case.save(update_fields=["verifier", "updated_at"])
        record(case, actor, Action.ASSIGN_VERIFIER, case.status,
               data={"verifier": worker.pk, "verifier_name": worker.name}, message={"verifier_id": worker.pk})
    return case
