import pytest

from linli.accounts.models import User
from linli.orgs.actions import do_create_organization


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Personas have passwords; the real hasher costs ~0.3 s per user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_org(name, kind, area, parent=None, new_sectors=()):
    return do_create_organization(parent=parent, name=name, kind=kind, area=area, new_sectors=new_sectors)


@pytest.fixture
def admin(db):
    return User.objects.create_superuser(phone="13700000099", name="管理员", password="pass-for-tests-1")


@pytest.fixture
def federations(tree):
    """Women's federations city → district → street A → community A; street B has none below the district."""
    city = make_org("厦门市妇联", "womens_federation", tree.city)
    district = make_org("思明区妇联", "womens_federation", tree.district, parent=city)
    street_a = make_org("开元街道妇联", "womens_federation", tree.street_a, parent=district)
    community_a = make_org("坑内社区妇联", "womens_federation", tree.community_a, parent=street_a)
    return {"city": city, "district": district, "street_a": street_a, "community_a": community_a}
