"""No lost edits under real concurrency (PostgreSQL, real threads).

Six editors, each with their own browser session, open the same change form, make six different edits
and press Save at the same instant (a `threading.Barrier`), for six rounds. Every round exactly one save
is accepted, the item's version goes up by exactly one, the accepted edit is the one kept (in the newest
change awaiting review for published content, in the rows for a draft), and each of the other five editors
gets the form back with "Someone else ..." and their own edit still in it. This is done for a treatment's
own field, an inline side effect of that treatment, a published reference and a draft reference.

The treatment is a published copy of the fixtures' PRP with one of its side effects: the real PRP page has
about 400 widgets and takes a second to render (a refused save renders it while holding the row lock), which
would make these 144 treatment requests take minutes; the race does not depend on how many rows the page has.

The figures are printed, one line per scenario (`pytest -s tests/workflow/test_races.py`, or
`scripts/races.py`). SQLite serialises writers anyway and has no row locks, so these tests need PostgreSQL
(`DATABASE_URL=postgres://...`) and are skipped elsewhere."""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.db.backends.signals import connection_created
from django.test import Client

from tests.admin_forms import admin_url, change_form_data
from treatments.models import Reference, Treatment
from workflow.models import Revision, RevisionState, Status

EDITORS = 6
ROUNDS = 6
WAIT = 20  # seconds: the barrier, each round's threads, and any row lock; a deadlock fails, never hangs

ON_POSTGRESQL = connection.vendor == "postgresql"

pytestmark = [
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason=f"needs PostgreSQL's row locks and concurrent writers (this run uses {connection.vendor}); "
        "set DATABASE_URL=postgres://...",
    ),
    # Real threads need committed data and their own connections. The database is emptied after each test
    # (the flush's post_migrate brings the staff groups back: workflow/roles.py), so each test loads content.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module", autouse=True)
def site_content_back_afterwards(request, django_db_blocker):
    """The database is emptied after each test here. If tests that use it run after this module (pytest-django
    runs transactional tests after the others, so only other transactional tests can), give them the site's
    content back, as the session began."""
    yield
    items = request.session.items
    mine = [index for index, item in enumerate(items) if getattr(item, "module", None) is request.module]
    later = items[max(mine) + 1 :] if mine else []
    if not any(uses_database(item) for item in later):
        return
    with django_db_blocker.unblock():
        call_command("load_content", verbosity=0)
        connection.close()


def uses_database(item):
    fixtures = getattr(item, "fixturenames", ())
    return item.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & set(fixtures)
    )


def load_content(*fixtures):
    """Only the fixture files a test needs: the database is empty at the start of each test."""
    call_command("load_content", *[Path(settings.FIXTURE_DIRS[0]) / f"{name}.json" for name in fixtures], verbosity=0)


@pytest.fixture(autouse=True)
def bounded_lock_waits():
    """The editors' threads give up on a row lock after WAIT seconds, so a lock never released fails the
    test instead of hanging it."""

    def set_lock_timeout(sender, connection, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            with connection.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = '{WAIT}s'")

    connection_created.connect(set_lock_timeout, weak=False, dispatch_uid="races-lock-timeout")
    yield
    connection_created.disconnect(dispatch_uid="races-lock-timeout")


@pytest.fixture
def editors(django_user_model):
    """Six content editors, each logged in with their own client: (username, client)."""
    group = Group.objects.get(name="Content editors")
    signed_in = []
    for number in range(1, EDITORS + 1):
        user = django_user_model.objects.create_user(f"editor{number}", password="x", is_staff=True)
        user.groups.add(group)
        client = Client()
        client.force_login(user)
        signed_in.append((user.get_username(), client))
    return signed_in


@pytest.fixture
def treatment():
    """A published copy of PRP with one of its side effects (see the module docstring)."""
    load_content("references", "treatments")
    prp = Treatment.objects.get(slug="prp")
    effect = prp.side_effects.order_by("pk").first()
    references = list(effect.references.all())
    copy = Treatment.objects.get(pk=prp.pk)
    copy.pk = None
    copy._state.adding = True
    copy.name, copy.slug, copy.version, copy.status = "PRP (race test)", "prp-race-test", 1, Status.PUBLISHED
    copy.save()
    effect.pk = None
    effect._state.adding = True
    effect.treatment = copy
    effect.save()
    effect.references.set(references)
    return copy


@pytest.fixture
def references():
    load_content("references")
    return Reference.objects.published().order_by("pk")


# --- the race -------------------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    item: object
    # The POST key of the edited field, found in the form data the editors got.
    key: Callable[[dict], str]
    # The edited field's value in a Revision snapshot, and in the live rows.
    in_snapshot: Callable[[dict], str]
    live: Callable[[], str]
    # Each editor GETs the form every round. A treatment page takes about 0.3 s of CPU to render (threads
    # share one interpreter), so for treatments every editor GETs it in the first round, their forms are
    # checked to be identical, and in later rounds one editor, in turn, opens it for everyone.
    everyone_opens: bool = True


def post_at_once(clients, url, posts):
    """Each client POSTs its data from its own thread, all released together; returns responses (or the
    exception a thread met)."""
    barrier = threading.Barrier(len(clients), timeout=WAIT)
    results = [None] * len(clients)

    def save(index):
        try:
            barrier.wait()
            results[index] = clients[index].post(url, posts[index])
        except BaseException as error:  # reported by the test, with the editor it happened to
            results[index] = error
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=save, args=(index,), daemon=True) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 2 * WAIT
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    stuck = [index + 1 for index, thread in enumerate(threads) if thread.is_alive()]
    assert not stuck, f"editors {stuck} were still saving after {2 * WAIT} s: a deadlock?"
    return results


def edit_text(round_number, editor_number):
    return f"Race round {round_number} editor {editor_number}."


def is_accepted(response, changelist):
    return response.status_code == HTTPStatus.FOUND and response["Location"] == changelist


def refused_properly(response, winner, own_text):
    page = response.content.decode()
    return (
        response.status_code == HTTPStatus.OK
        and f"Someone else ({winner}) saved this" in page
        and "Nothing of yours was saved" in page
        and own_text in page
    )


def run_rounds(scenario, editors):
    """Six rounds of six simultaneous saves; returns the figures, after asserting on every round."""
    item = scenario.item
    model = type(item)
    url = admin_url(model, "change", item.pk)
    published = item.is_published
    live_before = scenario.live()
    version = model.objects.get(pk=item.pk).version
    first_version = version
    changelist = admin_url(model, "changelist")
    accepted_per_round, refused_texts, told_why, winners = [], [], 0, {}
    started = time.monotonic()

    for round_number in range(1, ROUNDS + 1):
        # Everyone opens the form at the same version: see `Scenario.everyone_opens`.
        openers = editors if scenario.everyone_opens or round_number == 1 else [editors[(round_number - 1) % EDITORS]]
        forms = [change_form_data(client, url) for _, client in openers]
        assert all(form == forms[0] for form in forms), f"round {round_number}: editors got different forms"
        form = forms[0]
        assert form["version"] == version
        key = scenario.key(form)
        if winners:  # everyone starts from the edit accepted last round
            assert form[key] == winners[version]
        texts = [edit_text(round_number, number) for number in range(1, EDITORS + 1)]
        posts = [{**form, key: text} for text in texts]

        results = post_at_once([client for _, client in editors], url, posts)

        errors = [(number, r) for number, r in enumerate(results, start=1) if isinstance(r, BaseException)]
        assert not errors, f"round {round_number}: saves raised {errors}"
        statuses = [response.status_code for response in results]
        # An accepted save redirects to the list. (A save refused by the database's conditional UPDATE, after
        # the form's check, would redirect back to the form, with the editor's input gone.)
        accepted = [number for number, response in enumerate(results, start=1) if is_accepted(response, changelist)]
        accepted_per_round.append(len(accepted))
        assert len(accepted) == 1, f"round {round_number}: {len(accepted)} saves accepted, statuses {statuses}"
        (winner_number,) = accepted
        winner_name = editors[winner_number - 1][0]

        for number, response in enumerate(results, start=1):
            if number != winner_number:
                refused_texts.append(texts[number - 1])
                told_why += refused_properly(response, winner_name, texts[number - 1])
        assert told_why == len(refused_texts), (
            f"round {round_number}: a refused editor was not told why, or lost their input: statuses {statuses}"
        )

        now = model.objects.get(pk=item.pk).version
        assert now == version + 1, f"round {round_number}: version went from {version} to {now}"
        version = now
        winners[version] = texts[winner_number - 1]

        newest = Revision.objects.for_item(item).exclude(state=RevisionState.BASELINE).first()
        assert newest.version == version
        assert newest.created_by.get_username() == winner_name
        assert newest.state == (RevisionState.PENDING if published else RevisionState.SAVED)
        assert scenario.in_snapshot(newest.snapshot) == winners[version]
        if published:
            assert list(Revision.objects.for_item(item).open()) == [newest]
            assert scenario.live() == live_before  # patients keep the approved version
        else:
            assert scenario.live() == winners[version]

    kept = {
        revision.version: scenario.in_snapshot(revision.snapshot)
        for revision in Revision.objects.for_item(item).exclude(state=RevisionState.BASELINE)
    }
    lost = sum(kept.get(at) != text for at, text in winners.items())
    stored_though_refused = len(set(refused_texts) & {*kept.values(), scenario.live()})
    figures = {
        "rounds": ROUNDS,
        "accepted_per_round": accepted_per_round,
        "refused": len(refused_texts),
        "told_why": told_why,
        "lost": lost,
        "stored_though_refused": stored_though_refused,
        "versions": (first_version, version),
        "seconds": time.monotonic() - started,
    }
    print(
        f"\nraces: {scenario.name}: {ROUNDS} rounds x {EDITORS} editors; accepted per round {accepted_per_round}; "
        f"refused {len(refused_texts)}, told why with their edit kept in the form {told_why}, "
        f"stored anyway {stored_though_refused}; lost edits {lost}; version {first_version} -> {version}; "
        f"{figures['seconds']:.1f} s"
    )
    return figures


def assert_no_lost_edits(figures):
    assert figures["accepted_per_round"] == [1] * ROUNDS
    assert figures["refused"] == figures["told_why"] == ROUNDS * (EDITORS - 1)
    assert figures["lost"] == 0
    assert figures["stored_though_refused"] == 0
    first, last = figures["versions"]
    assert last == first + ROUNDS


# --- the scenarios ----------------------------------------------------------------------------------


def item_field(name):
    return lambda snapshot: snapshot["item"]["fields"][name]


def test_six_editors_saving_a_treatments_own_field_at_once(editors, treatment):
    scenario = Scenario(
        name="treatment field (published)",
        item=treatment,
        key=lambda form: "summary",
        in_snapshot=item_field("summary"),
        live=lambda: Treatment.objects.get(pk=treatment.pk).summary,
        everyone_opens=False,
    )
    assert_no_lost_edits(run_rounds(scenario, editors))


def test_six_editors_saving_an_inline_side_effect_at_once(editors, treatment):
    effect = treatment.side_effects.order_by("pk").first()

    def key(form):
        (prefix,) = [
            name[: -len("-id")]
            for name, value in form.items()
            if name.startswith("side_effects-") and name.endswith("-id") and value == effect.pk
        ]
        return f"{prefix}-notes"

    def in_snapshot(snapshot):
        (row,) = [row for row in snapshot["parts"]["side_effects"] if row["pk"] == effect.pk]
        return row["fields"]["notes"]

    scenario = Scenario(
        name="inline side effect (published)",
        item=treatment,
        key=key,
        in_snapshot=in_snapshot,
        live=lambda: treatment.side_effects.get(pk=effect.pk).notes,
        everyone_opens=False,
    )
    assert_no_lost_edits(run_rounds(scenario, editors))


def test_six_editors_saving_a_published_reference_at_once(editors, references):
    reference = references.first()
    scenario = Scenario(
        name="reference (published)",
        item=reference,
        key=lambda form: "finding",
        in_snapshot=item_field("finding"),
        live=lambda: Reference.objects.get(pk=reference.pk).finding,
    )
    assert_no_lost_edits(run_rounds(scenario, editors))


def test_six_editors_saving_a_draft_reference_at_once(editors, references):
    reference = references.last()
    Reference.objects.filter(pk=reference.pk).update(status=Status.DRAFT)
    reference.refresh_from_db()
    scenario = Scenario(
        name="reference (draft, saved to the rows)",
        item=reference,
        key=lambda form: "finding",
        in_snapshot=item_field("finding"),
        live=lambda: Reference.objects.get(pk=reference.pk).finding,
    )
    assert_no_lost_edits(run_rounds(scenario, editors))
