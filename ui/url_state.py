"""Settings in the address bar, so a teacher can share an exact setup as a link
(the habit of TensorFlow Playground). Only settings that differ from the defaults appear."""

import dataclasses

import streamlit


def settings_from_url(defaults, allowed: dict):
    """`defaults` (a dataclass) with any valid values from the URL's query parameters.

    `allowed` maps a setting name to the values its control offers (or a (low, high) range
    for numbers); a value outside it is ignored with a warning, never a crash."""
    changes = {}
    for field in dataclasses.fields(defaults):
        text = streamlit.query_params.get(field.name)
        if text is None:
            continue
        value = parse(text, getattr(defaults, field.name))
        options = allowed.get(field.name)
        if value is None or not permitted(value, options):
            streamlit.warning(f"The link's {field.name}={text} is not a value this lesson "
                              "offers; using the default instead.")
            continue
        changes[field.name] = value
    return dataclasses.replace(defaults, **changes)


def starting_settings(defaults, allowed: dict):
    """What a lesson starts from when its controls are new to this run: the link's settings
    when the address bar has any, else the settings this learner last had in the lesson
    (Streamlit forgets a page's widgets once another page runs, and the address bar is bare
    when the learner comes back through the sidebar), else `defaults`."""
    saved = streamlit.session_state.get(saved_key(defaults))
    if saved is not None and not any(field.name in streamlit.query_params
                                     for field in dataclasses.fields(defaults)):
        return saved
    return settings_from_url(defaults, allowed)


def saved_key(defaults) -> str:
    return f"saved-settings-{type(defaults).__name__}"


def parse(text: str, default):
    """The URL text as the type of the default; None when it does not parse."""
    try:
        if isinstance(default, bool):
            return {"true": True, "false": False}.get(text.lower())
        if isinstance(default, int):
            return int(text)
        if isinstance(default, float) or default is None:
            return None if text.lower() == "none" else float(text)
        return text
    except ValueError:
        return None


def permitted(value, options) -> bool:
    if options is None:
        return True
    if isinstance(options, tuple):
        low, high = options
        return value is not None and low <= value <= high
    return value in options


def write_to_url(settings, defaults) -> None:
    """Keep the address bar in step with the current settings, and remember them for when
    the learner comes back to the lesson (see starting_settings)."""
    streamlit.session_state[saved_key(defaults)] = settings
    wanted = {field.name: str(getattr(settings, field.name))
              for field in dataclasses.fields(settings)
              if getattr(settings, field.name) != getattr(defaults, field.name)}
    if dict(streamlit.query_params) != wanted:
        streamlit.query_params.from_dict(wanted)


def keep_settings(keys) -> None:
    """Streamlit forgets a widget's value after a run in which the widget was not drawn
    (for example while a lesson waits for an upload). Writing each value back as plain
    session state keeps the learner's settings across such runs. (Only for sliders, boxes
    and inputs: buttons and file uploaders cannot be given a value.)"""
    for key in keys:
        if key in streamlit.session_state:
            streamlit.session_state[key] = streamlit.session_state[key]
