"""/healthz is public. Each part's check runs on one executor thread and a probe that finds the previous check
still running reports that part 'unavailable' at once. On a healthy site, two probes a few milliseconds apart
(two load balancers, or anyone on the internet looping on /healthz) get 503: the load balancer takes a healthy
node out of service."""

import json
from concurrent.futures import ThreadPoolExecutor

from tests.deployment.servers import app_servers, production_env
from tests.deployment.test_servers import database_url  # noqa: F401


def test_concurrent_health_probes_on_a_healthy_site_all_answer_200(tmp_path, database_url):  # noqa: F811
    env = production_env(DATABASE_URL=database_url)
    with app_servers(env, tmp_path, count=1, workers=1, threads=4) as (server,):
        assert server.get("/healthz")[0] == 200
        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(pool.map(lambda n: server.get("/healthz", timeout=5), range(40)))
    failed = [json.loads(body) for status, _, body in answers if status != 200]
    print(f"{len(failed)} of {len(answers)} probes of a healthy site answered 503: {failed[:2]}")
    assert not failed, f"{len(failed)} of {len(answers)} probes of a healthy site answered 503: {failed[:2]}"
