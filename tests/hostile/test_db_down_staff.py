"""A database that is down, seen by a signed-in member of staff: 503 "try again", never a 500 traceback page."""

import time

from tests.deployment.servers import Browser, app_servers, production_env
from tests.deployment.test_servers import PASSWORD, database_url  # noqa: F401

from .switch import FORWARD, RESET, Switch
from .test_backends import needs_postgres, through


def test_staff_pages_answer_503_not_500_while_the_database_is_down(tmp_path, database_url):  # noqa: F811
    needs_postgres(database_url)
    pg_port = int(database_url.split("@")[-1].split("/")[0].rsplit(":", 1)[1])
    switch = Switch(pg_port)
    try:
        env = production_env(DATABASE_URL=through(switch, database_url))
        with app_servers(env, tmp_path, count=1, workers=1, threads=2) as (server,):
            reviewer = Browser(server)
            assert reviewer.log_in("reviewer", PASSWORD)[0] == 302
            assert reviewer.get("/treatments/prp/")[0] == 200
            switch.set(RESET)
            results = {}
            for path in ["/treatments/prp/", "/treatments/prp/?preview=treatments.treatment:1", "/admin/"]:
                start = time.monotonic()
                status, _ = reviewer.get(path)
                results[path] = (status, round(time.monotonic() - start, 2))
            switch.set(FORWARD)
            print(results)
            assert all(status == 503 for status, _ in results.values()), results
    finally:
        switch.set(FORWARD)
        switch.close()
