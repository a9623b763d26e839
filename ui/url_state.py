"""Settings in the address bar, so a teacher can share an exact setup as a link (the habit of
TensorFlow Playground), and lock or hide chosen controls in it.

Each lesson describes its link once, as a `Link`: every setting's name in the address bar, its
default, what its control offers, and the widget key that holds it. Then the page calls

    LINK.start()                  before its controls: the link's values (or the learner's last
                                  ones) into the controls, and the locked values, every run
    LINK.control("epochs", st.slider, "epochs", 1, 30)
                                  draws one control: disabled with a note when locked, not at
                                  all when hidden
    LINK.write()                  after its controls: the address bar follows them

The address bar holds `name=value` for every setting that differs from its default,
`lock=name:value` for every locked control (shown, disabled, "set by your teacher") and
`hide=name:value` for every hidden one. The rule that keeps a lock:

- A lock carries its own value, so editing `epochs=` beside `lock=epochs:3` changes nothing
  (the page says the link's epochs is ignored). A bare `lock=epochs` locks at the value the rest
  of the link gives (`epochs=`, else the default): editing that is editing the lock itself.
- Locks add up: a further `lock=` or `hide=` (empty, or naming something else) never unlocks
  another; when two name the same control, the first one counts.
- An entry that does not parse (no such control, or a value the control does not offer) locks
  nothing, and the page says so.
- Locks are remembered for the session, so coming back to the lesson through the sidebar keeps
  them. Removing `lock=` from the address and reloading starts a new session without them:
  that is outside what a link can prevent.
"""

import dataclasses
import urllib.parse

import streamlit as st

LOCK, HIDE = "lock", "hide"
TEACHER_NOTE = "set by your teacher"
CURRENT_LESSON = "link-current-lesson"  # the name of the last Link started in this session


@dataclasses.dataclass(frozen=True)
class Lock:
    value: object  # in the link's terms (a dataset id, not the title the control shows)
    hidden: bool


@dataclasses.dataclass(frozen=True)
class Link:
    """One lesson's settings as they travel in a link.

    `defaults` maps each setting's name in the address bar to its default (whose type says how
    the address's text is read: bool, int, float or str). `options` maps a name to what its
    control offers: a list of values, a `range`, a (low, high) or (low, high, step) tuple for
    numbers, a dict from link value to the value the control shows (e.g. a dataset id to its
    title), a function that tells whether the page can read a free text (a list of numbers, a
    rule), or nothing for any value of the default's type. `keys` maps a name to the widget
    key of its control; the first is looked up to tell a learner's first run in the lesson."""

    name: str
    defaults: dict
    options: dict
    keys: dict

    @classmethod
    def with_prefix(cls, name: str, defaults: dict, options: dict, prefix: str) -> "Link":
        return cls(name, defaults, options, {setting: f"{prefix}{setting}"
                                             for setting in defaults})

    # --- reading and checking values ---------------------------------------------------
    def offers(self, name: str, value) -> bool:
        """Whether the control of `name` offers `value` (in the link's terms)."""
        return value is not None and permitted(value, self.options.get(name))

    def widget_value(self, name: str, value):
        options = self.options.get(name)
        return options[value] if isinstance(options, dict) else value

    def link_value(self, name: str):
        """The setting as its control holds it now, in the link's terms (None when the control
        holds something a link cannot carry, such as a learner's own zip)."""
        shown = st.session_state.get(self.keys[name], self.widget_value(
            name, self.defaults[name]))
        options = self.options.get(name)
        if isinstance(options, dict):
            return next((value for value, title in options.items() if title == shown), None)
        return shown

    # --- the lesson's run -------------------------------------------------------------
    def start(self) -> None:
        """Before the controls are drawn: on the learner's first run in the lesson (or back
        from another one), the link's values and locks, else the learner's last ones, else the
        defaults; on every run, the locked values, and a warning for each part of the link
        that could not be used (kept until the learner opens another link)."""
        # New to the lesson: its first control's key is unset (Streamlit forgets a page's
        # controls once another page runs), or the last lesson run was another one (whose
        # controls may share a key, and are forgotten only at the end of this run).
        first_control = next(iter(self.keys.values()))
        if (first_control not in st.session_state
                or st.session_state.get(CURRENT_LESSON) != self.name):
            st.session_state[CURRENT_LESSON] = self.name
            notes = []
            locks = self.read_locks(notes)
            self.use(self.starting_values(locks, notes))
            st.session_state[self.notes_key] = notes
        for note in st.session_state.get(self.notes_key, []):
            st.warning(note, icon=":material/link_off:")
        self.use({name: lock.value for name, lock in self.locks().items()})

    def use(self, values: dict) -> None:
        """Put `values` (setting name -> value in the link's terms) into the controls. For the
        lesson's own buttons (e.g. "Classroom defaults") too: start() puts back locked values."""
        for name, value in values.items():
            st.session_state[self.keys[name]] = self.widget_value(name, value)

    def use_settings(self, settings, names=None) -> None:
        """For a lesson's preset buttons ("Classroom defaults", "The course's recipe"): put a
        settings dataclass's values into the controls, those of the fields in `names` (named
        as the link names its settings), else of all its fields."""
        names = names or [field.name for field in dataclasses.fields(settings)]
        self.use({name: getattr(settings, name) for name in names})

    def control(self, name: str, widget, label: str, *args, **kwargs):
        """Draw the control of setting `name` with `widget` (st.slider, st.selectbox, ...) and
        return its value; when the link locks it, drawn disabled with the note "set by your
        teacher"; when the link hides it, not drawn, and its locked value is returned."""
        kwargs.setdefault("key", self.keys[name])
        lock = self.locks().get(name)
        if lock is None:
            return widget(label, *args, **kwargs)
        if lock.hidden:
            return st.session_state[kwargs["key"]]
        kwargs.update(disabled=True, help=f"{label}: {TEACHER_NOTE}.")
        value = widget(label, *args, **kwargs)
        st.caption(f":material/lock: {label}: {TEACHER_NOTE}")
        return value

    def write(self, **overrides) -> None:
        """After the controls: keep the address bar in step with them (only this link's own
        parameters; others, such as projector=, stay), and remember them for when the learner
        comes back through the sidebar. `overrides` replace what a control holds."""
        values = {name: self.link_value(name) for name in self.defaults} | overrides
        values = {name: value for name, value in values.items() if self.offers(name, value)}
        st.session_state[self.saved_key] = values
        wanted = self.parameters(values, self.locks())
        for parameter in [*self.defaults, LOCK, HIDE]:
            if parameter not in wanted:
                if parameter in st.query_params:
                    del st.query_params[parameter]
            elif st.query_params.get_all(parameter) != wanted[parameter]:
                st.query_params[parameter] = wanted[parameter]

    def parameters(self, values: dict, locks: dict) -> dict:
        """The address's parameters (name -> list of texts) for these values and locks."""
        wanted = {name: [text(value)] for name, value in values.items()
                  if name not in locks and value != self.defaults[name]}
        for kind, hidden in ((LOCK, False), (HIDE, True)):
            entries = [f"{name}:{text(lock.value)}" for name, lock in locks.items()
                       if lock.hidden == hidden]
            if entries:
                wanted[kind] = entries
        return wanted

    def address(self, locked: list, hidden: list) -> str:
        """The query string of a link to the controls as they are now, with the controls named
        in `locked` locked and those in `hidden` hidden at their current values."""
        values = {name: self.link_value(name) for name in self.defaults}
        values = {name: value for name, value in values.items() if self.offers(name, value)}
        locks = {name: Lock(values[name], name in hidden) for name in [*locked, *hidden]
                 if name in values}
        # ":" and "," are legal in a query, and "lock=epochs:3" reads better to a teacher
        # than "lock=epochs%3A3".
        return urllib.parse.urlencode(self.parameters(values, locks), doseq=True, safe=":,")

    # --- the link's values and locks ---------------------------------------------------
    @property
    def saved_key(self) -> str:
        return f"link-saved-{self.name}"

    @property
    def locks_key(self) -> str:
        return f"link-locks-{self.name}"

    @property
    def notes_key(self) -> str:
        return f"link-notes-{self.name}"

    def locks(self) -> dict:
        """This lesson's locks (name -> Lock), as start() read them from the link."""
        return st.session_state.get(self.locks_key, {})

    def starting_values(self, locks: dict, notes: list) -> dict:
        saved = st.session_state.get(self.saved_key)
        if saved is not None and not any(name in st.query_params
                                         for name in self.defaults):
            return saved
        return self.values_from_url(locks, notes)

    def values_from_url(self, locks: dict, notes: list) -> dict:
        """The defaults with every valid value from the address; a value a control does not
        offer is ignored with a note, never a crash."""
        values = dict(self.defaults)
        for name, found in self.url_values(notes).items():
            lock = locks.get(name)
            if lock is not None and lock.value != found:
                notes.append(f"The link's {name}={text(found)} is ignored: your teacher set "
                             f"{name} to {text(lock.value)}.")
            values[name] = found
        return values

    def url_values(self, notes: list) -> dict:
        """The address's valid values (name -> value); a note in `notes` for each other."""
        found = {}
        for name, default in self.defaults.items():
            written = st.query_params.get(name)
            if written is None:
                continue
            value = parse(written, default)
            if self.offers(name, value):
                found[name] = value
            else:
                notes.append(f"The link's {name}={written} is not a value this lesson "
                             "offers; using the default instead.")
        return found

    def read_locks(self, notes: list) -> dict:
        """The locks of the address, remembered for the session; when the address has none
        (the learner came back through the sidebar), the ones remembered."""
        entries = [(kind, entry) for kind in (LOCK, HIDE)
                   for entry in st.query_params.get_all(kind)]
        if not entries:
            return self.locks()
        url_values = self.url_values([])  # their notes come with the settings
        locks = {}
        for kind, entry in entries:
            name, value, problem = self.parse_lock(entry, url_values)
            if problem:
                notes.append(f"The link's {kind}={entry} locks nothing: {problem}.")
            elif name in locks:  # the first lock of a control counts
                notes.append(f"The link's {kind}={entry} is ignored: an earlier lock sets "
                             f"{name} to {text(locks[name].value)}.")
            else:
                locks[name] = Lock(value, hidden=kind == HIDE)
        st.session_state[self.locks_key] = locks
        return locks

    def parse_lock(self, entry: str, url_values: dict):
        """(name, value, problem) of one `lock=` or `hide=` entry, `name` or `name:value`."""
        name, has_value, written = entry.partition(":")
        if name not in self.defaults:
            return name, None, ((f"this lesson has no control called {name!r}" if name else
                                 "it names no control") + f" (it has {', '.join(self.defaults)})")
        if not has_value:
            return name, url_values.get(name, self.defaults[name]), None
        value = parse(written, self.defaults[name])
        if not self.offers(name, value):
            return name, None, f"{written} is not a value the {name} control offers"
        return name, value, None


def parse(written: str, default):
    """The address's text as the type of the default; None when it does not parse."""
    try:
        if isinstance(default, bool):
            return {"true": True, "false": False}.get(written.lower())
        if isinstance(default, int):
            return int(written)
        if isinstance(default, float):
            return float(written)
        return written
    except ValueError:
        return None


def text(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def permitted(value, options) -> bool:
    """Whether a control with these `options` (see Link) offers `value`."""
    if options is None:
        return True
    if callable(options):  # a free-text control: whether the page can read the text
        return options(value)
    if isinstance(options, tuple):
        low, high, *step = options
        if not low <= value <= high:
            return False
        return not step or abs((value - low) / step[0] - round((value - low) / step[0])) < 1e-6
    return value in options


def keep_settings(keys) -> None:
    """Streamlit forgets a widget's value after a run in which the widget was not drawn
    (for example while a lesson waits for an upload). Writing each value back as plain
    session state keeps the learner's settings across such runs. (Only for sliders, boxes
    and inputs: buttons and file uploaders cannot be given a value.)"""
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
