"""pytest fixtures shared by every app: a place tree in two streets, personas, an SMS outbox.

    厦门市 3502
    └─ 思明区 350203
       ├─ 开元街道 350203001           (street A)
       │  └─ 坑内社区 350203001001
       │     ├─ 第一网格 350203001001001
       │     └─ 第二网格 350203001001002
       └─ 中华街道 350203002           (street B)
          └─ 文安社区 350203002001
             └─ 第一网格 350203002001001

Organizations (created by `personas`): 市政园林局 (department) and 开元街道妇联
(women's federation), both serving street A.

Also: `migrate_to(targets)` for migration tests, `clock` (frozen timezone.now you move by hand), `sms_outbox` with
`code_from(outbox, phone)` for one-time login codes, `demo_once` (the demo loaded once per
test module, rolled back after it).
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from linli.accounts.actions import do_assign_role, validate_role_assignment
from linli.accounts.choices import Role, StaffTier
from linli.accounts.models import User
from linli.accounts.sms import MemorySmsBackend
from linli.orgs.actions import do_create_organization
from linli.orgs.models import Organization
from linli.places.actions import do_create_area


def square(lng, lat, size=0.002):
    """A GeoJSON square polygon with its south-west corner at (lng, lat)."""
    return {
        "type": "Polygon",
        "coordinates": [[[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]],
    }


@dataclass
class Tree:
    city: object
    district: object
    street_a: object
    community_a: object
    grid_a1: object
    grid_a2: object
    street_b: object
    community_b: object
    grid_b1: object


@pytest.fixture
def tree(db):
    city = do_create_area(parent=None, name="厦门市", level="city", code="3502")
    district = do_create_area(parent=city, name="思明区", level="district", code="350203")
    street_a = do_create_area(parent=district, name="开元街道", level="street", code="350203001")
    community_a = do_create_area(parent=street_a, name="坑内社区", level="community", code="350203001001")
    grid_a1 = do_create_area(
        parent=community_a, name="第一网格", level="grid", code="350203001001001", boundary=square(118.100, 24.470)
    )
    grid_a2 = do_create_area(
        parent=community_a, name="第二网格", level="grid", code="350203001001002", boundary=square(118.102, 24.470)
    )
    street_b = do_create_area(parent=district, name="中华街道", level="street", code="350203002")
    community_b = do_create_area(parent=street_b, name="文安社区", level="community", code="350203002001")
    grid_b1 = do_create_area(
        parent=community_b, name="第一网格", level="grid", code="350203002001001", boundary=square(118.080, 24.455)
    )
    return Tree(city, district, street_a, community_a, grid_a1, grid_a2, street_b, community_b, grid_b1)


def migrate_to(targets):
    """Migrate the test database to `targets` ([(app, migration), …]) and return that state's apps
    (historical models), for tests that write rows under an old schema and migrate them forward."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest():
    """Back to every app's last migration, after a test that used migrate_to (the next test needs it)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def make_person(phone, name, role=None, area=None, organization=None, tier="", password="pass-for-tests-1"):
    """A user, with one role if given (through the accounts actions, so the role rules hold)."""
    user = User.objects.create_user(phone=phone, name=name, password=password or None)
    if role:
        validate_role_assignment(user, role, area=area, organization=organization, tier=tier)
        do_assign_role(user, role, area=area, organization=organization, tier=tier)
    return user


@dataclass
class Personas:
    resident: User
    grid_worker: User
    community_staff: User
    street_dispatcher: User
    other_street_dispatcher: User
    outsider: User
    department_handler: User
    org_admin: User
    system_admin: User
    department: Organization
    federation: Organization


@pytest.fixture
def personas(tree):
    """One person per role in street A, a dispatcher in street B, an outsider with no role,
    a department handler and a federation admin on organizations serving street A, and a
    system admin on the city."""
    department = do_create_organization(parent=None, name="市政园林局", kind="department", area=tree.street_a)
    federation = do_create_organization(parent=None, name="开元街道妇联", kind="womens_federation", area=tree.street_a)
    return Personas(
        resident=make_person("13900000001", "居民甲", Role.RESIDENT, tree.community_a),
        grid_worker=make_person("13900000002", "网格员甲", Role.GRID_WORKER, tree.grid_a1),
        community_staff=make_person(
            "13900000003", "社区干部甲", Role.COMMUNITY_STAFF, tree.community_a, tier=StaffTier.HEAD
        ),
        street_dispatcher=make_person("13900000004", "街道调度甲", Role.COMMAND_CENTER, tree.street_a),
        other_street_dispatcher=make_person("13900000005", "街道调度乙", Role.COMMAND_CENTER, tree.street_b),
        outsider=make_person("13900000006", "路人"),
        department_handler=make_person(
            "13900000007", "市政处置员甲", Role.DEPARTMENT_HANDLER, organization=department
        ),
        org_admin=make_person("13900000008", "妇联管理员甲", Role.ORG_ADMIN, organization=federation),
        system_admin=make_person("13900000009", "系统管理员", Role.SYSTEM_ADMIN, tree.city),
        department=department,
        federation=federation,
    )


class Clock:
    """A frozen `timezone.now()` that tests move forward by hand."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds=0, **delta):
        self.now += timedelta(seconds=seconds, **delta)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """Freeze django.utils.timezone.now; `clock.advance(61)` moves it on.
    (Model field defaults bound to the function at import are not affected.)"""
    frozen = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


@pytest.fixture
def sms_outbox(settings):
    """Messages "sent" by SMS, as (phone, message). Sending happens after commit:
    wrap the request in `django_capture_on_commit_callbacks(execute=True)`."""
    settings.SMS_BACKEND = "linli.accounts.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


def code_from(outbox, phone=None):
    """The code of the newest login-code message (to `phone`, if given)."""
    for to, template_key, params in reversed(outbox):
        if template_key == "login_code" and (phone is None or to == phone):
            return params["code"]
    raise AssertionError(f"no SMS to {phone}")


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """`manage.py load_demo`'s output, the demo loaded once for a whole test module inside a
    transaction that is rolled back after the module; each test (with `db`) runs in a savepoint
    within it. Loading the demo takes 8–14 s: once per module instead of once per test."""
    from io import StringIO

    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings

    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(
        PASSWORD_HASHERS=fast, MEDIA_ROOT=tmp_path_factory.mktemp("demo-media")
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = StringIO()
            call_command("load_demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def scripts_of(html):
    """The script files a page loads, by static path (`htmx/htmx.min.js`), each with whether it is
    deferred: pages load only what they use, and nothing blocks the first paint."""
    import re

    return {src.split("/static/", 1)[-1]: " defer" in tag
            for tag, src in re.findall(r'(<script[^>]*\bsrc="([^"]+)"[^>]*>)', html)}


def _forget_broker_connections(app):
    # Eager calls hold a producer pool for memory://; drop it so the next publish
    # uses whatever broker_url says now.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker(settings):
    """broker(url, **conf): Celery publishes to a real broker URL (not eager) for one test."""
    from django.core.cache import cache

    from config.celery import app
    from linli.core import outbox

    def use(url, **extra):
        app.conf.update(broker_url=url, task_always_eager=False, **extra)
        _forget_broker_connections(app)

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "broker_connection_timeout",
                                            "broker_transport_options")}
    yield use
    app.conf.update(saved)
    _forget_broker_connections(app)
    try:
        cache.delete(outbox.KICK_KEY)  # a task left queued on the broker never ran to clear it
    except Exception:  # noqa: BLE001 — the test pointed the cache at a dead Redis; locmem is fresh
        pass


@pytest.fixture
def frozen_redis():
    """The URL of a Redis that is frozen (a hung VM, a full disk): the port accepts connections
    and never answers a byte."""
    import socket

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)  # the kernel completes the handshakes; nobody ever reads
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    listener.close()


@pytest.fixture
def redis_at(settings, broker):
    """redis_at(url): the deployment's Redis (cache, rate-limit budgets, Celery broker) is at `url`,
    with the production settings' timeouts."""

    def use(url):
        guarded = {"BACKEND": "linli.core.cache.GuardedRedisCache", "LOCATION": url,
                   "OPTIONS": settings.REDIS_SOCKET_OPTIONS}
        settings.REDIS_URL = url
        settings.CACHES = {**settings.CACHES, "default": guarded, "ratelimit": guarded}
        broker(url, broker_connection_timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT,
               broker_transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS)

    return use
