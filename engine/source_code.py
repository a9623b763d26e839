"""Reading Python source on a server whose sessions run in threads: the code a page shows,
the take-home scripts put together from it, and the rules a learner types.

CPython 3.11's `ast.parse` (which `inspect.getsource` calls for a class) can fail with
"SystemError: AST constructor recursion depth mismatch" when two threads parse at once
(python/cpython issue gh-106905; seen here when two learners opened lesson 3 together on two
app replicas). Every parse in the classroom goes through this module, one at a time."""

import ast
import functools
import inspect
import threading

PARSING = threading.Lock()


@functools.cache
def source_of(function) -> str:
    """inspect.getsource(function), read once per function (a function's source does not
    change while the server runs) and one parse at a time. Raises what inspect.getsource
    raises (OSError when the source file cannot be read)."""
    with PARSING:
        return inspect.getsource(function)


def parse(source: str, mode: str = "exec") -> ast.AST:
    """ast.parse, one at a time. Raises SyntaxError as ast.parse does."""
    with PARSING:
        return ast.parse(source, mode=mode)
