import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from the site's real content, loaded once per run."""
    with django_db_blocker.unblock():
        call_command("load_content", verbosity=0)


@pytest.fixture
def editor(django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("editor", password="correct horse battery", is_staff=True)
    user.groups.add(Group.objects.get(name="Content editors"))
    return user


@pytest.fixture
def reviewer(django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        "reviewer", password="x", is_staff=True, first_name="Asha", last_name="Patel"
    )
    user.groups.add(Group.objects.get(name="Clinical reviewers"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test sees pages rendered from its own data, not a page cached by an earlier test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def site_at_the_root():
    """A request through Django's WSGI handler under a script prefix leaves that prefix set for its thread;
    the next test's `reverse()` must not inherit it."""
    from django.urls import set_script_prefix

    yield
    set_script_prefix("/")


@pytest.fixture(autouse=True)
def database_not_marked_down():
    """A test that makes the database fail must not leave the next test's pages answering 503."""
    from config import health

    health._database_down_until = 0.0
    yield
    health._database_down_until = 0.0
