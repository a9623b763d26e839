"""One learner's Streamlit session without a browser, over Streamlit's own websocket protocol:
what benchmarks/class_load.py drives many of at once.

It says what the browser says (streamlit 1.67's frontend, read from its bundle) and reads what
the server answers, through the protobuf messages that ship with the streamlit package:

- connect to `/_stcore/stream` with the `streamlit` subprotocol (no cookie is needed: the
  XSRF token only guards the sign-in cookie, which this app does not use);
- open a page: `BackMsg.rerun_script` with a `ClientState` naming it by its url path on the
  first run, by the page script hash from the server's `navigation` message after that;
- press a button: the same, its widget id (`$$ID-<hash>-<key>`, found in the page's deltas)
  with `trigger_value` true. Only the trigger is sent: the server keeps every other widget's
  value from the last run (SessionState), so the run is the one the browser's full list asks
  for; the browser's list would cost the server only its parsing;
- run a fragment's `run_every` timer as the browser does: an `auto_rerun` message starts one
  (a `rerun_script` carrying the fragment id every `interval` seconds), `stop_auto_rerun`, a
  new full run or a page change ends them;
- keep cacheable messages by hash, name them in `cached_message_hashes`, resolve the server's
  `ref_hash` answers from them, and forget those unused for the server's
  `max_cached_message_age` full runs, as the browser does.

Times are `time.monotonic()` seconds. A run "finishes" at its `script_finished` message.
"""

import asyncio
import dataclasses
import time

import websockets
from streamlit.proto import BackMsg_pb2
from streamlit.proto import ForwardMsg_pb2
from streamlit.proto import WidgetStates_pb2

FULL_RUN_ENDS = (ForwardMsg_pb2.ForwardMsg.FINISHED_SUCCESSFULLY,
                 ForwardMsg_pb2.ForwardMsg.FINISHED_WITH_COMPILE_ERROR)
ELEMENT_ID_PREFIX = "$$ID-"  # streamlit/elements/lib/utils.py: "$$ID-<hash>-<user key>"


class SessionError(RuntimeError):
    """The server did not answer as a browser session expects (closed, timed out, no page)."""


@dataclasses.dataclass
class Element:
    kind: str  # the Element oneof's name: "button", "plotly_chart", "exception", ...
    key: str  # the user key of a keyed element ("" if none)
    widget_id: str  # the element's id ("" if it has none)
    text: str  # an exception's type and message, else ""


def user_key(widget_id: str) -> str:
    """The key a page gave an element, from its id `$$ID-<hash>-<key>` ("" if unkeyed)."""
    if not widget_id.startswith(ELEMENT_ID_PREFIX):
        return ""
    parts = widget_id[len(ELEMENT_ID_PREFIX):].split("-", 1)
    return parts[1] if len(parts) == 2 else ""


def describe(element_proto) -> Element:
    """An Element proto as the session keeps it."""
    kind = element_proto.WhichOneof("type") or ""
    body = getattr(element_proto, kind) if kind else None
    widget_id = getattr(body, "id", "") if body is not None else ""
    widget_id = widget_id if isinstance(widget_id, str) else ""
    text = f"{body.type}: {body.message}" if kind == "exception" else ""
    return Element(kind, user_key(widget_id), widget_id, text)


class Session:
    """A learner's tab: `await connect()`, then `open_page(url_path)`, `press(key)`,
    `next_full_run(...)`; `close()` at the end. Exceptions seen are in `exceptions`
    (texts), pages the server did not find in `pages_not_found`."""

    def __init__(self, base_url: str):
        self.stream_url = base_url.replace("http", "ws", 1) + "/_stcore/stream"
        self.connection = None
        self.reader = None
        self.pages = {}  # url path -> page script hash, from the navigation message
        self.page_hash = ""  # the page shown
        self.query_string = ""
        self.elements = {}  # delta path -> Element, of the last full run and fragments since
        self.cache = {}  # message hash -> [ForwardMsg, full run it was last used in]
        self.cache_runs = 2  # runs a cached message is kept unused (the server's config says)
        self.timers = {}  # fragment id -> asyncio task of its run_every timer
        self.full_runs_started = 0
        self.current_run = ""  # the script run id of the last full run started
        self.current_run_ended = True  # ... and whether it finished (not early for a rerun)
        self.full_run_ended = asyncio.Condition()
        self.exceptions = []
        self.pages_not_found = []
        self.closed_because = None
        self.polls = 0  # fragment reruns sent by run_every timers (the live view's polls)

    async def connect(self, timeout_s: float = 60.0) -> None:
        """Open the websocket; SessionError when the server does not take it."""
        try:
            self.connection = await websockets.connect(
                self.stream_url, subprotocols=["streamlit"], max_size=None,
                ping_interval=None, open_timeout=timeout_s)
        except (OSError, TimeoutError, websockets.InvalidHandshake) as problem:
            raise SessionError(f"could not connect: {problem!r}") from None
        self.reader = asyncio.create_task(self.read_forever())

    async def close(self) -> None:
        self.stop_timers()
        if self.connection is not None:
            await self.connection.close()
        if self.reader is not None:
            await asyncio.gather(self.reader, return_exceptions=True)

    # What the session sends ------------------------------------------------------------------

    async def send_rerun(self, widget_states=(), fragment_id: str = "",
                         page_name: str = "") -> None:
        back = BackMsg_pb2.BackMsg()
        state = back.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = "" if page_name else self.page_hash
        state.page_name = page_name
        state.fragment_id = fragment_id
        state.is_auto_rerun = bool(fragment_id)
        state.cached_message_hashes.extend(self.cache)
        state.widget_states.widgets.extend(widget_states)
        if self.connection is None:
            raise SessionError("the session is not connected")
        try:
            await self.connection.send(back.SerializeToString())
        except websockets.ConnectionClosed as closed:
            raise SessionError(f"the connection closed ({closed})") from None

    async def open_page(self, url_path: str, timeout_s: float, query_string: str = "") -> float:
        """Open a page as the sidebar link does (`query_string` "": the lesson's default
        settings), or as a teacher's link does; seconds from sending to its run's end."""
        self.stop_timers()  # the browser's onPageChange
        self.query_string = query_string
        target = self.pages.get(url_path)
        if target is not None:
            self.page_hash = target
        return await self.timed_full_run(
            lambda: self.send_rerun(page_name="" if target else url_path), timeout_s,
            "opening the page")

    async def press(self, key: str, timeout_s: float) -> float:
        """Press the button with this key; seconds from sending to its run's end."""
        button = self.button(key)
        if button is None:
            raise SessionError(f"no button with the key {key!r} on the page")
        trigger = WidgetStates_pb2.WidgetState(id=button.widget_id, trigger_value=True)
        return await self.timed_full_run(lambda: self.send_rerun([trigger]), timeout_s,
                                         f"pressing {key!r}")

    async def timed_full_run(self, send, timeout_s: float, what: str) -> float:
        started_before = self.full_runs_started
        sent_at = time.monotonic()
        await send()
        try:
            await self.next_full_run(timeout_s, started_before)
        except SessionError as problem:
            raise SessionError(f"{what}: {problem}") from None
        return time.monotonic() - sent_at

    def run_in_progress(self) -> bool:
        """A full run started and has not finished: the page is being redrawn."""
        return not self.current_run_ended

    async def next_full_run(self, timeout_s: float, started_before: int = None) -> None:
        """Wait for the end of a full run that starts after `started_before` runs had
        started (default: the run in progress, or else the next one, e.g. the one the live
        view asks for when its training ends). Raises SessionError after `timeout_s` seconds
        or when the connection closes."""
        if started_before is None:
            started_before = self.full_runs_started - (1 if self.run_in_progress() else 0)
        await self.wait_for(lambda: self.full_runs_started > started_before
                            and self.current_run_ended, timeout_s)

    async def wait_for(self, condition, timeout_s: float) -> None:
        """Wait until `condition()` holds, checked at the end of every full run."""
        async with self.full_run_ended:
            try:
                await asyncio.wait_for(self.full_run_ended.wait_for(
                    lambda: condition() or self.closed_because is not None), timeout_s)
            except TimeoutError:
                raise SessionError(f"no answer within {timeout_s:.0f} s") from None
        if self.closed_because is not None and not condition():
            raise SessionError(f"the connection closed: {self.closed_because}")

    def stop_timers(self) -> None:
        for timer in self.timers.values():
            timer.cancel()
        self.timers.clear()

    async def run_every(self, fragment_id: str, interval_s: float) -> None:
        while True:
            await asyncio.sleep(interval_s)
            try:
                await self.send_rerun(fragment_id=fragment_id)
                self.polls += 1
            except SessionError:
                return  # the connection closed: the visit waiting on this page says so

    # What the page shows ---------------------------------------------------------------------

    def button(self, key: str):
        return next((element for element in self.elements.values()
                     if element.kind == "button" and element.key == key), None)

    def has_key(self, key: str) -> bool:
        return any(element.key == key for element in self.elements.values())

    def live_view_running(self) -> bool:
        """A fragment polls on a timer: the page watches a training."""
        return bool(self.timers)

    # What the session reads ------------------------------------------------------------------

    async def read_forever(self) -> None:
        try:
            async for frame in self.connection:
                message = ForwardMsg_pb2.ForwardMsg()
                message.ParseFromString(frame)
                await self.handle(message)
            self.closed_because = "closed by the server"
        except websockets.ConnectionClosed as closed:
            self.closed_because = f"closed ({closed})"
        except Exception as problem:  # noqa: BLE001 - a message this reader cannot follow
            self.closed_because = f"could not read a message: {problem!r}"
        finally:
            self.closed_because = self.closed_because or "reader ended"
            async with self.full_run_ended:
                self.full_run_ended.notify_all()

    async def handle(self, message) -> None:
        kind = message.WhichOneof("type")
        if kind == "ref_hash":
            entry = self.cache[message.ref_hash]
            entry[1] = self.full_runs_started
            resolved = ForwardMsg_pb2.ForwardMsg()
            resolved.CopyFrom(entry[0])
            resolved.metadata.CopyFrom(message.metadata)  # where it goes on the page now
            message, kind = resolved, resolved.WhichOneof("type")
        elif message.metadata.cacheable:
            self.cache[message.hash] = [message, self.full_runs_started]
        if kind == "new_session" and not message.metadata.run.fragment_ids:
            self.stop_timers()  # the browser's cleanupAutoReruns on a full run
            self.forget_old_messages(message.new_session.config.max_cached_message_age)
            self.elements.clear()
            self.page_hash = message.new_session.page_script_hash or self.page_hash
            self.full_runs_started += 1
            self.current_run = message.metadata.run.script_run_id
            self.current_run_ended = False
        elif kind == "navigation":
            self.pages = {page.url_pathname: page.page_script_hash
                          for page in message.navigation.app_pages}
            self.page_hash = message.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = message.page_info_changed.query_string
        elif kind == "page_not_found":
            self.pages_not_found.append(message.page_not_found.page_name)
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            self.add_element(tuple(message.metadata.delta_path), message.delta.new_element)
        elif kind == "session_event" and message.session_event.HasField(
                "script_compilation_exception"):
            problem = message.session_event.script_compilation_exception
            self.exceptions.append(f"{problem.type}: {problem.message}")
        elif kind == "auto_rerun":
            self.start_timer(message.auto_rerun.fragment_id, message.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fragment_id in message.stop_auto_rerun.fragment_ids:
                timer = self.timers.pop(fragment_id, None)
                if timer is not None:
                    timer.cancel()
        elif kind == "script_finished" and message.script_finished in FULL_RUN_ENDS:
            run_id = message.metadata.run.script_run_id
            async with self.full_run_ended:
                self.current_run_ended = self.current_run_ended or run_id in ("", self.current_run)
                self.full_run_ended.notify_all()

    def forget_old_messages(self, runs: int) -> None:
        """Drop cached messages unused for more than `runs` full runs, as the browser does."""
        self.cache_runs = runs or self.cache_runs
        oldest = self.full_runs_started - self.cache_runs
        self.cache = {digest: entry for digest, entry in self.cache.items() if entry[1] >= oldest}

    def add_element(self, path: tuple, element_proto) -> None:
        element = describe(element_proto)
        self.elements[path] = element
        if element.kind == "exception":
            self.exceptions.append(element.text)

    def start_timer(self, fragment_id: str, interval_s: float) -> None:
        if fragment_id in self.timers:
            return  # the browser keeps a timer whose interval did not change
        self.timers[fragment_id] = asyncio.create_task(self.run_every(fragment_id, interval_s))
