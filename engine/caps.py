"""The most one run, or one upload, may ask of the server: the caps every lesson states next
to its controls, and `check` enforces for every job however its settings arrived (a control,
a link, or a hand-made request to a shared server). A control never offers more than its cap.

Caps are per run kind (engine/jobs.py), the folder name every lesson's job carries; a kind
missing here is refused, so a new lesson cannot slip past them (tests/engine/test_caps.py).
"""

import dataclasses

# What one file the server accepts may weigh: the same figure as `server.maxUploadSize` in
# .streamlit/config.toml (a test keeps them equal), checked again here because Streamlit's
# own limit is enforced by the browser's uploader, which a hand-made request skips. 100 MB
# holds InceptionV3's weights without the top (88 MB) and a zip of a few thousand photos.
UPLOAD_MEGABYTES = 100


@dataclasses.dataclass(frozen=True)
class Cap:
    """At most `most` of `unit` for the settings' attribute `setting` (its length when the
    attribute is a tuple, as the examples of lessons 1 and 2 are)."""

    setting: str
    most: int
    unit: str

    def measure(self, settings) -> int:
        value = getattr(settings, self.setting)
        return len(value) if isinstance(value, (tuple, list)) else value


CAPS = {
    "rule-finder": (Cap("epochs", 3000, "epochs"), Cap("xs", 32, "examples")),
    "hello-neuron": (Cap("epochs", 2000, "epochs"), Cap("xs", 32, "examples")),
    "fashion-mnist": (Cap("epochs", 30, "epochs"),
                      Cap("training_images", 60_000, "training pictures")),
    "fashion-cnn": (Cap("epochs", 20, "epochs"),
                    Cap("training_images", 60_000, "training pictures")),
    "real-world": (Cap("epochs", 40, "epochs"), Cap("image_size", 300, "pixels a side")),
    "dropout-pair": (Cap("epochs", 40, "epochs"), Cap("image_size", 224, "pixels a side"),
                     Cap("views", 8, "augmented views per picture")),
    "fine-tuning": (Cap("epochs", 5, "fine-tuning epochs"),),
}
# Fine-tuning starts from a trained pair, whose own caps hold for it too.
NESTED = {"fine-tuning": ("pair", "dropout-pair")}


def most(kind: str, setting: str) -> int:
    """The cap of `setting` for runs of `kind`; KeyError when there is none."""
    for cap in CAPS[kind]:
        if cap.setting == setting:
            return cap.most
    raise KeyError(f"No cap for {setting!r} in {kind!r} runs.")


def sentence(kind: str) -> str:
    """The caps of `kind`'s runs as the page states them, e.g. "Caps on this server, per run:
    at most 40 epochs and 300 pixels a side." """
    parts = [f"{cap.most:,} {cap.unit}" for cap in CAPS[kind]]
    listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return f"Caps on this server, per run: at most {listed}."


def problem(kind: str, settings) -> str | None:
    """A sentence naming the first setting over its cap, with the cap and a way forward, or
    None when the settings are within every cap (and those of what they start from)."""
    if kind not in CAPS:
        return f"This server has no caps for {kind!r} runs, so it trains none."
    for cap in CAPS[kind]:
        asked = cap.measure(settings)
        if asked > cap.most:
            return (f"{asked:,} {cap.unit} is more than this server allows: at most "
                    f"{cap.most:,} {cap.unit} per run; choose {cap.most:,} or fewer.")
    if kind in NESTED:
        attribute, nested_kind = NESTED[kind]
        return problem(nested_kind, getattr(settings, attribute))
    return None


def check(kind: str, settings) -> None:
    """Raise ValueError with `problem`'s sentence when the settings ask for more than a cap."""
    found = problem(kind, settings)
    if found:
        raise ValueError(found)


def check_upload(size_bytes: int, what: str) -> None:
    """Raise ValueError, with the cap, when an uploaded file (`what`, e.g. "The zip") weighs
    more than UPLOAD_MEGABYTES."""
    # Megabytes of 2**20 bytes, as Streamlit counts them for server.maxUploadSize.
    if size_bytes > UPLOAD_MEGABYTES * 2**20:
        raise ValueError(f"{what} is {size_bytes / 2**20:,.1f} MB, more than the "
                         f"{UPLOAD_MEGABYTES} MB this server accepts for one upload; please "
                         "upload a smaller file.")
