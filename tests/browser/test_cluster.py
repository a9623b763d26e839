"""Past one machine, for real on one: two app replicas behind nginx share one Dask cluster
and one data directory (tests/browser/classroom_cluster.py starts it all, with deploy/'s
nginx template and worker script).

Learners whom nginx sends to different replicas ask for the same settings and for different
ones: each distinct training runs once across the system, on the cluster's two workers; its
curves reach every learner who watches it, whichever replica serves them; Stop pressed on one
replica stops the run on the worker while a learner on the other replica watches it.
"""

import contextlib
import importlib.util
import re
import time
import urllib.request

import pytest

from engine import fashion_mnist
from engine import job_records
from engine import run_cache
from tests.browser import classroom_cluster
from tests.browser import test_fashion_mnist as fashion
from tests.browser import test_pages as pages

pytestmark = [pytest.mark.browser, pytest.mark.cluster]
if importlib.util.find_spec("pytest_timeout") is not None:
    pytestmark.append(pytest.mark.timeout(600))

# Lesson 3 through its link: two short runs (1,000 pictures) and one long enough to Stop
# (938 batches of 32 an epoch, 30 epochs: about two minutes on a quiet 2-core machine, so
# Stop comes long before its end). Seeds no other test uses: these runs are new.
SAME = fashion_mnist.FashionSettings(training_images=1000, epochs=2, seed=3101)
DIFFERENT = fashion_mnist.FashionSettings(training_images=1000, epochs=3, seed=3102)
LONG = fashion_mnist.FashionSettings(training_images=30000, batch_size=32, epochs=30,
                                     seed=3103)
LIVE_CURVES = ".st-key-live-loss"
FINAL_CURVES = ".st-key-final-loss"


def link(settings: fashion_mnist.FashionSettings) -> str:
    """The lesson's link for these settings (only what differs from the classroom's)."""
    defaults = fashion_mnist.default_job().settings
    return "?" + "&".join(f"{name}={value}" for name, value in settings.as_dict().items()
                          if value != getattr(defaults, name))


@pytest.fixture(scope="module")
def cluster(classroom_data_dir, tmp_path_factory):
    with classroom_cluster.classroom_cluster(classroom_data_dir,
                                             tmp_path_factory.mktemp("cluster")) as running:
        yield running


def affinities_per_replica(cluster, needed: int) -> dict:
    """replica -> cookie values that nginx sends to it, at least `needed` each. Which
    replica a value hashes to depends on the replicas' ports, so the test asks nginx."""
    candidates = [f"learner-{number}" for number in range(24)]
    where = cluster.replica_of(candidates)
    found = {replica: [value for value in candidates if where.get(value) == replica]
             for replica in cluster.replicas}
    assert all(len(values) >= needed for values in found.values()), (
        f"nginx did not spread 24 cookies over both replicas {cluster.replicas}: {where}")
    return found


def test_nginx_gives_each_new_browser_a_cookie_that_keeps_it_on_one_replica(cluster):
    with urllib.request.urlopen(f"{cluster.url}/", timeout=10) as response:
        given = [value for value in response.headers.get_all("Set-Cookie") or []
                 if value.startswith(f"{classroom_cluster.AFFINITY_COOKIE}=")]
    assert len(given) == 1 and re.fullmatch(
        rf"{classroom_cluster.AFFINITY_COOKIE}=[0-9a-f]{{32}}; Path=/; HttpOnly; SameSite=Lax",
        given[0]), given
    value = given[0].split(";")[0].split("=")[1]
    request = urllib.request.Request(f"{cluster.url}/", headers={"Cookie": given[0]})
    for _ in range(3):
        with urllib.request.urlopen(request, timeout=10) as response:
            assert not [header for header in response.headers.get_all("Set-Cookie") or []
                        if header.startswith(classroom_cluster.AFFINITY_COOKIE)]
    served_by = {line["replica"] for line in cluster.log_lines() if line["affinity"] == value}
    assert len(served_by) == 1 and served_by <= set(cluster.replicas), served_by
    affinities_per_replica(cluster, 3)  # and other browsers go to the other replica too


@contextlib.contextmanager
def learners(browser, cluster, affinities: dict):
    """Yields (learner, opened): learner(replica) opens a tab whose browser holds a cookie
    that nginx sends to that replica (`affinities`, from affinities_per_replica), a new one
    each time; opened maps the cookies used to their replicas. Every tab is closed
    afterwards, which ends its websocket and so writes that websocket's nginx log line."""
    contexts, opened = [], {}

    def learner(replica: str):
        affinity = affinities[replica][sum(1 for used in opened.values() if used == replica)]
        opened[affinity] = replica
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(context)
        context.add_cookies([{"name": classroom_cluster.AFFINITY_COOKIE, "value": affinity,
                              "url": cluster.url}])
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        return tab

    try:
        yield learner, opened
    finally:
        for context in contexts:
            context.close()


def open_lesson(cluster, settings_per_page: dict) -> None:
    """Open lesson 3 in each tab with its settings' link, all at once (each replica runs its
    pages meanwhile), then wait until every tab shows its page."""
    for page, settings in settings_per_page.items():
        page.goto(f"{cluster.url}/fashion-mnist{link(settings)}")
    for page in settings_per_page:
        pages.wait_for_app_idle(page)
        pages.assert_no_exception(page)


def wait_for_result(page) -> None:
    page.get_by_text("Confusion matrix (test set)").wait_for(timeout=pages.RUN_TIMEOUT_MS)
    pages.wait_for_app_idle(page)
    pages.assert_no_exception(page)


def curves_drawn(page, within: str) -> bool:
    """The loss chart `within` selects is on the page and draws data. (While a live view
    redraws, Streamlit briefly shows the chart's old copy beside the new one: both count.)"""
    counts = pages.drawn_traces_per_chart(page, within)
    return bool(counts) and all(count > 0 for count in counts)


def trained(settings) -> int:
    """How many times the cluster's workers trained these settings to the end."""
    key = fashion_mnist.job(settings).key
    return [record["key"] for record in job_records.trainings()].count(key)


def test_two_replicas_share_one_cluster_s_trainings(cluster, chromium_browser, screenshot_dir):
    first, second = cluster.replicas
    with learners(chromium_browser, cluster, affinities_per_replica(cluster, 3)) as (
            learner, opened):
        # Same settings on both replicas, pressed at once; other settings beside them.
        same_first, same_second, different = learner(first), learner(second), learner(first)
        open_lesson(cluster, {same_first: SAME, same_second: SAME, different: DIFFERENT})
        for page in (same_first, same_second, different):
            page.get_by_role("button", name="Train", exact=True).click()
        for page in (same_first, same_second, different):
            wait_for_result(page)
            assert curves_drawn(page, FINAL_CURVES)
        assert (pages.metric_value(same_first, "test accuracy")
                == pages.metric_value(same_second, "test accuracy"))
        assert (trained(SAME), trained(DIFFERENT)) == (1, 1)
        scheduler_id = cluster.dask.scheduler_info()["id"]
        for settings in (SAME, DIFFERENT):
            job = fashion_mnist.job(settings)
            assert job_records.read_status(job.kind, job.key).runner == scheduler_id
        # The two runs went to the two workers: each ran a job.
        executed = cluster.dask.run(lambda dask_worker: dask_worker.state.executed_count)
        assert sorted(executed.values()) == [1, 1], executed
        # A picture uploaded on each replica reaches the session that shows the upload box.
        for page in (same_first, same_second):
            upload = page.locator('[data-testid="stFileUploader"] input[type="file"]')
            upload.set_input_files(files=[{"name": "shirt.png", "mimeType": "image/png",
                                           "buffer": fashion.dark_shirt_on_white_png()}])
            page.get_by_text("The model says").wait_for(timeout=pages.RUN_TIMEOUT_MS)
            pages.wait_for_app_idle(page)
            pages.assert_no_exception(page)

        # A long run started on one replica, watched live from the other, stopped.
        owner, watcher = learner(second), learner(first)
        open_lesson(cluster, {owner: LONG, watcher: LONG})
        owner.get_by_role("button", name="Train", exact=True).click()
        owner.get_by_role("button", name="Stop training").wait_for(
            timeout=pages.RUN_TIMEOUT_MS)
        watcher.get_by_role("button", name="Train", exact=True).click()  # joins the run
        watcher.get_by_role("button", name="Stop watching").wait_for(
            timeout=pages.RUN_TIMEOUT_MS)
        watcher.get_by_text(re.compile(r"Epoch ([2-9]|\d\d) of 30: batch")).first.wait_for(
            timeout=pages.RUN_TIMEOUT_MS)
        assert curves_drawn(watcher, LIVE_CURVES)
        # The view only: a full-page screenshot waits for a quiet page, and this one polls.
        watcher.locator(LIVE_CURVES).scroll_into_view_if_needed()
        watcher.screenshot(path=str(screenshot_dir / "cluster-live-on-other-replica.png"))
        owner.get_by_role("button", name="Stop training").click()
        for page in (owner, watcher):
            page.get_by_text("Training was stopped").wait_for(timeout=pages.RUN_TIMEOUT_MS)
            pages.wait_for_app_idle(page)
            pages.assert_no_exception(page)
        long_job = fashion_mnist.job(LONG)
        assert job_records.read_status(long_job.kind, long_job.key).state == job_records.STOPPED
        kept = run_cache.load_run(long_job.kind, long_job.key, run_cache.STOPPED_SHELF)
        assert 1 <= len(kept.history["loss"]) < LONG.epochs and trained(LONG) == 0
        pages.full_page_screenshot(watcher, screenshot_dir / "cluster-stopped-on-other-replica.png")
    assert_sticky(cluster, opened)


def assert_sticky(cluster, sessions: dict, timeout: float = 30) -> None:
    """Every request of each session (page, websocket, uploads) reached its one replica.
    A websocket's log line is written when it closes: wait for them."""
    deadline = time.monotonic() + timeout
    while True:
        lines = [line for line in cluster.log_lines() if line["affinity"] in sessions]
        streams = {line["affinity"] for line in lines if "/_stcore/stream" in line["request"]}
        if streams == set(sessions) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert streams == set(sessions), f"no websocket logged for {set(sessions) - streams}"
    wrong = [line for line in lines if line["replica"] != sessions[line["affinity"]]]
    assert not wrong, f"requests that left their session's replica: {wrong[:5]}"
    uploads = {line["replica"] for line in lines if "/_stcore/upload_file" in line["request"]}
    assert uploads == set(cluster.replicas), f"uploads seen on {uploads}"
