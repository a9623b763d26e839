"""Training as every lesson shows it: a Train button, the server's job watched live (place in
line, progress, curves), a Stop that keeps what was learned, and the run once it is done.

The page never trains: engine/jobs.py queues the run on the server's runner, and this view
polls the job's progress in a fragment (`st.fragment(run_every=...)`), so a learner can open
another lesson and come back, and classmates who ask for the same settings watch the same run.
"""

import itertools
import time

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from engine import caps
from engine import job_records
from engine import jobs
from engine import runner as job_runner
from engine import training_charts
from ui import shared_caches

POLL_SECONDS = 0.5
# With many learners on one run, each poll still costs the server a script run (about 0.010 s
# of CPU, measured with 30 learners: 380 s of the server's CPU beside the training worker's on
# 2 cores). So the poll slows as watchers come, 0.1 s per watcher up to 2 s: a class of 30
# sees its curves twice a second less often, and the training gets that CPU back.
MANY_WATCHERS = 5
SLOWEST_POLL_SECONDS = 2.0


def poll_seconds(watcher_count: int) -> float:
    """Seconds between a live view's polls when `watcher_count` sessions watch the same job:
    POLL_SECONDS for up to MANY_WATCHERS, then 0.1 s per watcher, at most
    SLOWEST_POLL_SECONDS."""
    if watcher_count <= MANY_WATCHERS:
        return POLL_SECONDS
    return min(SLOWEST_POLL_SECONDS, 0.1 * watcher_count)


def session_id() -> str:
    """This learner's Streamlit session (stable across reruns of the same browser tab)."""
    context = get_script_run_ctx()
    return context.session_id if context is not None else "no-session"


def runner_id() -> str:
    return job_runner.runner().runner_id()


def left_key(job: jobs.Job) -> str:
    return f"left-job-{job.kind}-{job.key}"


def watched_key(job: jobs.Job) -> str:
    return f"watched-job-{job.kind}-{job.key}"


def train_or_show(job: jobs.Job, draw_live, button_label: str = "Train", key: str = "train",
                  auto_start: bool = False, quick_wait_seconds: float = 0.0):
    """The run of `job`'s settings, finished or (the last one) stopped, or None while there is
    none to show (the page then ends; the live view reruns it when the job is done).

    `draw_live(history)` draws the curves of the epochs done so far. With `auto_start` the job
    is submitted without a button (for runs of a fraction of a second, as in lessons 1 and 2),
    and `quick_wait_seconds` waits that long for it before showing a progress bar."""
    run = shared_caches.stored_run(job.kind, job.key)
    if run is not None:
        if watched_key(job) not in st.session_state:
            which = "" if button_label == "Train" else f"{button_label}: "
            st.caption(f"{which}these settings were trained before (by you or a "
                       "classmate), so here is that run, straight from the cache.")
        return run
    over_cap = caps.problem(job.kind, job.settings)
    if over_cap:  # jobs.submit refuses it too; here the learner reads why, before any button
        st.error(over_cap, icon=":material/block:")
        return None
    state = jobs.status(job, runner_id)
    stopped = shared_caches.stopped_run(job.kind, job.key)
    if auto_start and not state.active and stopped is None and state.state != job_records.FAILED:
        st.session_state[watched_key(job)] = True
        state = jobs.submit(job, session_id(), job_runner.runner())
    if state.active and not st.session_state.get(left_key(job)):
        if quick_wait_seconds and wait_for(job, quick_wait_seconds):
            return (shared_caches.stored_run(job.kind, job.key)
                    or shared_caches.stopped_run(job.kind, job.key))
        live_view(job, draw_live, key)
        return None
    show_state(job, state)
    if not state.active:
        st.button("Train to the end" if stopped is not None else button_label,
                  type="primary", icon=":material/play_arrow:", key=key,
                  on_click=start, args=(job,))
    if stopped is not None:
        describe_stop(stopped, job.epochs)
    elif not state.active:
        st.info(f"Press **{button_label}**. The server trains each setting once for the "
                "whole class: identical settings, asked by anyone, come back at once.",
                icon=":material/play_arrow:")
    return stopped


def train_on_opening(job: jobs.Job):
    """Lessons 1 and 2: the run of `job`'s settings, trained as the page opens (a fraction of
    a second for one neuron), its loss drawn live meanwhile; while there is none to show yet,
    the page ends here (st.stop)."""
    run = train_or_show(
        job,
        lambda history: st.plotly_chart(training_charts.loss_curve(history["loss"]),
                                        key="live-loss"),
        auto_start=True, quick_wait_seconds=5)
    if run is None:
        st.stop()
    return run


def start(job: jobs.Job) -> None:
    st.session_state.pop(left_key(job), None)
    st.session_state[watched_key(job)] = True
    jobs.submit(job, session_id(), job_runner.runner())


def wait_for(job: jobs.Job, seconds: float) -> bool:
    """Wait up to `seconds` for the job to end; True when it did."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not job_records.read_status(job.kind, job.key).active:
            return True
        time.sleep(0.05)
    return False


def show_state(job: jobs.Job, state: job_records.Status) -> None:
    """What became of the last job for these settings, when the learner needs to know."""
    if state.state == job_records.FAILED:
        st.error(state.message, icon=":material/error:")
    elif state.state == job_records.LOST:
        st.warning("The server restarted while this run was training, so it was lost: "
                   "press the button to train it again.", icon=":material/restart_alt:")
    elif state.active:  # the learner left it to a classmate
        st.info("This run goes on for the classmate who started it.",
                icon=":material/group:")
        st.button("Watch it again", key=f"{job.key[:12]}-rewatch",
                  on_click=lambda: st.session_state.pop(left_key(job), None))


def describe_stop(run, epochs: int) -> None:
    partial = run.extras.get("partial_epoch")
    finished_epochs = len(run.history.get("loss", [])) - (1 if partial else 0)
    where = (f"in epoch {partial['epoch']}, after batch {partial['batches']} of {partial['of']}"
             if partial else f"after {finished_epochs} of {epochs} epochs")
    st.warning(f"Training was stopped {where}: below is the model exactly as it was "
               "then. " + ("The last point of each curve is that unfinished epoch. "
                           if partial else "") + "Press **Train to the end** for the whole "
               "run.", icon=":material/stop_circle:")


def live_view(job: jobs.Job, draw_live, key: str) -> None:
    """The job's live view, polled at poll_seconds() of the watchers when the page opens (a
    fragment's timer is set by the page's run, not by its own reruns)."""
    interval = poll_seconds_for(job, session_id())
    st.fragment(live_poll, run_every=interval)(job, draw_live, key)


def poll_seconds_for(job: jobs.Job, me: str) -> float:
    """poll_seconds() for the sessions watching `job` now, `me` included."""
    others = sum(1 for _ in itertools.islice(jobs.watchers(job, besides=me), 100))
    return poll_seconds(others + 1)


def live_poll(job: jobs.Job, draw_live, key: str) -> None:
    """One poll of the live view: place in line, Stop, progress and curves."""
    me = session_id()
    state = jobs.status(job, runner_id)
    if not state.active or st.session_state.get(left_key(job)):
        st.rerun()  # the whole page, which now shows the run (or that it was left)
    jobs.watch(job, me)
    st.session_state[watched_key(job)] = True
    if state.state == job_records.QUEUED:
        ahead, seconds = jobs.queue_position(job)
        st.info(f"Waiting for the server: {ahead} run{'s' if ahead != 1 else ''} ahead "
                f"of this one, about {max(seconds, 1):.0f} s." if ahead else
                "Starting: the server's training worker takes this run now.",
                icon=":material/hourglass_top:")
        st.button("Leave the queue", key=f"{key}-leave", on_click=leave, args=(job,))
        return
    if jobs.stop_requested(job):
        st.info("Stopping: the model is kept as it was at the last batch, and measured.",
                icon=":material/stop_circle:")
    elif jobs.may_stop(job, me):
        st.button("Stop training", icon=":material/stop_circle:", key=f"{key}-stop",
                  on_click=jobs.stop, args=(job, me),
                  help="Stops at the end of the batch, or of the few batches the "
                       "computer runs in one go, and keeps the model exactly as it is "
                       "at that moment.")
    else:
        st.button("Stop watching", icon=":material/visibility_off:", key=f"{key}-leave",
                  on_click=leave, args=(job,),
                  help="A classmate started this run: it goes on for them.")
    st.progress(*progress_bar(state))
    if state.history:
        draw_live(state.history)


def progress_bar(state: job_records.Status) -> tuple:
    """(fraction done, text) of the progress bar for a training job."""
    if state.phase:
        counted = f": {state.batch} of {state.steps}" if state.steps else "..."
        return (state.batch / state.steps if state.steps else 1.0), state.phase + counted
    if not state.steps:
        return 0.0, "Starting..."
    if state.batch == 0:
        return state.fraction_done, f"Epoch {state.epochs_done} of {state.epochs} done"
    return state.fraction_done, (f"Epoch {min(state.epochs_done + 1, state.epochs)} of "
                                 f"{state.epochs}: batch {state.batch} of {state.steps}")


def leave(job: jobs.Job) -> None:
    st.session_state[left_key(job)] = True
    jobs.leave(job, session_id(), job_runner.runner())
