"""A Jinja sandbox that a user's template cannot use to hang, flood or escape the app.

Letter templates are files anyone at the shop may edit, so they are untrusted code. The sandbox
(ImmutableSandboxedEnvironment) stops attribute tricks; this module adds the limits it lacks:

- time: a deadline checked on every call, operator and chunk of output, plus a watchdog that
  raises into the rendering thread for loops that call nothing and print nothing;
- size: output capped while it streams, and operators/filters that could build a huge value in
  one C-level step (`"x" * 10**9`, `|center(10**9)`, `"%0999999999d"`, `|replace`, `|join`,
  `~`, `str.join`, captured blocks) refused before they run: the size they would make is
  computed first, because a single C call cannot be interrupted by the deadline;
- clarity: every failure becomes a TemplateProblem naming the template and line.
"""

from __future__ import annotations

import ctypes
import functools
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from jinja2 import (
    BaseLoader,
    BytecodeCache,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    TemplateSyntaxError,
    nodes,
    pass_eval_context,
)
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Namespace

from csdesk.errors import NameNotFound, UserError

TIME_LIMIT_S = 3.0
MAX_OUTPUT_CHARS = 2_000_000
MAX_VALUE_LEN = 1_000_000  # longest string or list one operator may build
MAX_INT_ARG = 10_000  # widths, counts and ranges a letter could ever need
MAX_INT_BITS = 4_096
MAX_SOURCE_CHARS = 200_000


class RenderTimeout(Exception):
    """Raised inside a render that ran past its deadline."""


class RenderStopped(UserError):
    """The person who asked for the render asked to stop it (a preview they moved away from)."""

    def __init__(self) -> None:
        super().__init__("The letter was not rendered: it was stopped.")


class OutputTooLarge(Exception):
    """Raised when a render streams more text than any letter needs."""


class LetterDeclined(UserError):
    """The template itself said this letter is not for this customer (`decline("...")`).

    Not a broken template: a batch skips that customer with the reason and goes on.
    """


def decline(reason: str) -> None:
    """For templates: `{{ decline("...") }}` stops the letter with that reason."""
    raise LetterDeclined(str(reason).strip() or "This letter does not fit this customer.")


class TemplateProblem(UserError):
    """A template could not be rendered; says which template, which line, and what to do."""

    def __init__(self, template: str, line: int | None, reason: str) -> None:
        where = f"“{template}”, line {line}," if line else f"“{template}”"
        reason = reason.rstrip(". ")
        super().__init__(
            # Both faces read this: the command line has no Reload button, the window does.
            f"The letter template {where} {reason}. Fix the template and try again (in the "
            "letter window, press Reload); nothing was printed or saved."
        )
        self.template = template
        self.line = line
        self.reason = reason


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\d*)(?:\.(\d*))?")
_BRACE_SPEC = re.compile(r"\{[^{}]*:([^{}]*)\}")


def _check_format(fmt: str) -> None:
    """Refuse format strings whose width or precision would build a huge string in one step."""
    numbers: list[str] = []
    for match in _PERCENT_SPEC.finditer(fmt):
        numbers.extend(g for g in match.groups() if g)
    for match in _BRACE_SPEC.finditer(fmt):
        numbers.extend(re.findall(r"\d+", match.group(1)))
    if any(len(n) > 4 or int(n) > 1000 for n in numbers):
        raise SecurityError("a format width or precision over 1000 is not allowed")


def _check_number(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        return
    if abs(value) > MAX_INT_ARG:
        raise SecurityError(f"the number {value} is too large here (at most {MAX_INT_ARG})")


def _sized(value: Any) -> bool:
    return isinstance(value, str | list | tuple)


def _text_size(value: Any, budget: int = MAX_VALUE_LEN) -> int:
    """How long str(value) would be, counted without building it (stops past `budget`)."""
    if isinstance(value, str | bytes):
        return len(value)
    if value is None or isinstance(value, bool | int | float):
        return 24
    if isinstance(value, list | tuple | set | frozenset | dict):
        total = 2
        for item in value.items() if isinstance(value, dict) else value:
            total += _text_size(item, budget - total) + 2
            if total > budget:
                break
        return total
    return 64  # other objects print as a short repr or a field


def _check_size(size: int) -> None:
    if size > MAX_VALUE_LEN:
        raise SecurityError("that would build a value too large for a letter")


def _check_join(items: list[Any], separator: Any) -> None:
    total = max(0, len(items) - 1) * _text_size(separator)
    for item in items:
        total += _text_size(item)
        _check_size(total)


# What each filter that can grow text would make, checked before it runs. Others are checked
# after (a filter that shrinks or copies text cannot build more than it was given).
def _grow_replace(s: Any, old: Any = "", new: Any = "", count: Any = None, *_: Any) -> None:
    text, old_s, new_s = str(s), str(old), str(new)
    hits = text.count(old_s) if old_s else len(text) + 1
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    _check_size(len(text) + hits * max(0, len(new_s) - len(old_s)))


def _grow_indent(s: Any, width: Any = 4, *_: Any, **__: Any) -> None:
    prefix = width if isinstance(width, int) else len(str(width))
    text = str(s)
    _check_size(len(text) + (text.count("\n") + 1) * prefix)


def _grow_wordwrap(s: Any, width: Any = 79, *args: Any, **kwargs: Any) -> None:
    wrapstring = kwargs.get("wrapstring", args[1] if len(args) > 1 else None)
    text = str(s)
    breaks = len(text) // max(1, int(width) if isinstance(width, int) else 1) + text.count("\n")
    _check_size(len(text) + breaks * len(str(wrapstring or "\n")))


def _grow_tojson(value: Any, indent: Any = None) -> None:
    if (isinstance(indent, int) and indent > 8) or (isinstance(indent, str) and len(indent) > 8):
        raise SecurityError("tojson indents at most 8 spaces in a letter")


_GROWS: dict[str, Callable[..., None]] = {
    "replace": _grow_replace,
    "indent": _grow_indent,
    "wordwrap": _grow_wordwrap,
    "tojson": _grow_tojson,
}
_REFUSED_METHODS = frozenset({"translate", "maketrans"})


def _check_method(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """str and bytes methods that build in one C call: their size is checked first."""
    owner = getattr(obj, "__self__", None)
    if not isinstance(owner, str | bytes):
        return
    name = getattr(obj, "__name__", "")
    if name in _REFUSED_METHODS:
        raise SecurityError(f"str.{name} is not available in a letter")
    if name == "join" and args:
        items = list(args[0])
        _check_join(items, owner)
    elif name == "replace":
        _grow_replace(owner, *args, **kwargs)
    elif name == "expandtabs":
        size = kwargs.get("tabsize", args[0] if args else 8)
        tabs = owner.count("\t") if isinstance(owner, str) else owner.count(b"\t")
        _check_size(len(owner) + tabs * (size if isinstance(size, int) else 8))


class _LetterCodeGenerator(CodeGenerator):
    """`a ~ b` compiles to a bare "".join in Jinja: route it through the size check."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.checked_parts((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _CompiledLetters(BytecodeCache):
    """Compiled templates shared by every LetterSandbox in this process, by template file and the
    checksum of its text (an edited file compiles anew). A Desk's sandbox compiled each template
    on its first render (~17 ms of the window's preview, which renders on a worker's new Desk);
    every sandbox compiles the same way, with the same options and code generator."""

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket: Any) -> None:
        with self._lock:
            compiled = self._compiled.get(bucket.key)
        if compiled is not None:
            bucket.bytecode_from_string(compiled)  # ignored when the checksum differs

    def dump_bytecode(self, bucket: Any) -> None:
        compiled = bucket.bytecode_to_string()
        with self._lock:
            self._compiled[bucket.key] = compiled


_COMPILED = _CompiledLetters()


class LetterSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%", "+", "//"})
    code_generator_class = _LetterCodeGenerator

    def __init__(self, loader: BaseLoader, *, time_limit: float = TIME_LIMIT_S) -> None:
        super().__init__(
            loader=loader,
            undefined=StrictUndefined,
            autoescape=True,
            auto_reload=True,
            trim_blocks=True,
            lstrip_blocks=True,
            bytecode_cache=_COMPILED,
        )
        self.time_limit = time_limit
        self._local = threading.local()
        # lipsum(n=10**9) and friends have no business in a letter.
        for name in ("lipsum", "cycler", "joiner"):
            self.globals.pop(name, None)
        self.globals["decline"] = decline
        self.filters = {name: _guard_filter(self, name, f) for name, f in self.filters.items()}
        self.filters["format"] = _guard_filter(self, "format", _safe_format)
        self.filters["join"] = _guard_filter(self, "join", _safe_join)

    def add_filters(self, filters: Mapping[str, Callable[..., Any]]) -> None:
        """The app's own filters (date, money, ...) get the same guards as Jinja's."""
        self.filters.update({name: _guard_filter(self, name, f) for name, f in filters.items()})

    # -- size ----------------------------------------------------------------------------------
    def checked_parts(self, parts: tuple[Any, ...]) -> Any:
        """`a ~ b ~ c`: the joined length is checked before it is built (escaped as Jinja
        would: markup_join keeps Markup parts and escapes the rest)."""
        from jinja2.runtime import markup_join

        _check_join(list(parts), "")
        return markup_join(parts)

    def concat(self, parts: Any) -> str:
        """Captured output ({% set %}...{% endset %}, macros, {% filter %}): checked first."""
        items = list(parts)
        _check_join(items, "")
        return "".join(items)

    # -- time ----------------------------------------------------------------------------------
    def check_time(self) -> None:
        deadline = getattr(self._local, "deadline", None)
        if deadline is not None and time.monotonic() > deadline:
            raise RenderTimeout()
        stop = getattr(self._local, "stop", None)
        if stop is not None and stop():  # checked where the deadline is: as often, as cheap
            raise RenderStopped()

    def call(
        __self,
        __context: Any,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        __self.check_time()
        if not isinstance(__obj, Namespace):
            for value in (*args, *kwargs.values()):
                _check_number(value)
            _check_method(__obj, args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        if _sized(result):
            _check_size(len(result))
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_format(str(value.__self__))
        return wrapped

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.check_time()
        for value in (left, right):
            if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
                raise SecurityError("numbers this large are not allowed in a letter")
        if operator == "**" and isinstance(right, int | float) and abs(right) > 64:
            raise SecurityError("powers above 64 are not allowed in a letter")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if _sized(seq) and isinstance(times, int) and len(seq) * times > MAX_VALUE_LEN:
                    raise SecurityError("that would build a value too large for a letter")
        joined = len(left) + len(right) if _sized(left) and _sized(right) else 0
        if operator == "+" and joined > MAX_VALUE_LEN:
            raise SecurityError("that would build a value too large for a letter")
        if operator == "%" and isinstance(left, str):
            _check_format(left)
        return super().call_binop(context, operator, left, right)

    # -- rendering -----------------------------------------------------------------------------
    def render_safely(
        self, name: str, context: Mapping[str, Any], *, stop: Callable[[], bool] | None = None
    ) -> str:
        """The whole letter, or a TemplateProblem: never half a letter, never past the deadline.
        `stop() -> True` ends it early with RenderStopped (a preview nobody waits for any more);
        a loop that calls and prints nothing hears it only at the deadline, as for the time."""
        template = self.load(name)
        parts: list[str] = []
        size = 0
        stream: Iterator[str] | None = None
        self._local.deadline = time.monotonic() + self.time_limit
        self._local.stop = stop
        try:
            with _Watchdog(self.time_limit + 0.5):
                stream = template.generate(context)
                for chunk in stream:
                    size += len(chunk)
                    if size > MAX_OUTPUT_CHARS:
                        raise OutputTooLarge()
                    self.check_time()
                    parts.append(chunk)
        except (LetterDeclined, RenderStopped):
            raise  # the template's own words, for this customer; or nobody waits for it
        except Exception as exc:  # every failure of untrusted code becomes a clear message
            raise _problem(exc, name, stream) from None
        finally:
            self._local.deadline = None
            self._local.stop = None
        return "".join(parts)

    def load(self, name: str) -> Template:
        try:
            return self.get_template(name)
        except TemplateNotFound as exc:
            missing = exc.name or name
            if missing == name:
                raise NameNotFound(
                    f"There is no letter template “{name}”. Check the name (`csdesk letter "
                    "--list`), or add it to the templates folder (then, in the letter window, "
                    "press Reload)."
                ) from None
            raise TemplateProblem(name, None, f"uses “{missing}”, which does not exist") from None
        except TemplateSyntaxError as exc:
            where = Path(exc.filename).name if exc.filename else (exc.name or name)
            raise TemplateProblem(where, exc.lineno, f"has a mistake: {exc.message}") from None
        except UnicodeDecodeError:  # saved by an editor in Latin-1 or UTF-16, say
            raise TemplateProblem(name, None, "is not UTF-8 text: save it as UTF-8") from None
        except Exception as exc:  # an absurdly nested template can exhaust the compiler
            raise TemplateProblem(name, None, f"could not be read ({type(exc).__name__})") from None


class _CappedLoader(FileSystemLoader):
    """A folder of templates that refuses files too large to be a letter."""

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        if len(source) > MAX_SOURCE_CHARS:
            raise TemplateSyntaxError(
                f"the file is larger than {MAX_SOURCE_CHARS:,} characters", 1, template, filename
            )
        return source, filename, uptodate


def layered_loader(*folders: Path) -> BaseLoader:
    """Earlier folders win: the user's templates override bundled ones of the same name."""
    return ChoiceLoader([_CappedLoader(str(f), encoding="utf-8") for f in folders])


def _safe_format(value: Any, *args: Any, **kwargs: Any) -> str:
    from jinja2.filters import do_format

    _check_format(str(value))
    return str(do_format(value, *args, **kwargs))


@pass_eval_context
def _safe_join(eval_ctx: Any, value: Any, d: Any = "", attribute: Any = None) -> str:
    """|join, with the joined length counted before the join (one C call builds it all)."""
    from jinja2.filters import do_join, make_attrgetter

    items = list(value)
    if attribute is not None:
        items = list(map(make_attrgetter(eval_ctx.environment, attribute), items))
    _check_join(items, d)
    return do_join(eval_ctx, items, d)



def _guard_filter(env: LetterSandbox, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """Check the deadline and refuse huge numbers (widths, counts) before a filter runs; check
    what a growing filter would make before it runs, and what any filter made after."""
    skip = 2 if getattr(func, "jinja_pass_arg", None) is not None else 1
    grows = _GROWS.get(name)

    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        env.check_time()
        for value in (*args[skip:], *kwargs.values()):
            _check_number(value)
        if grows is not None:
            grows(*args[skip - 1 :], **kwargs)
        result = func(*args, **kwargs)
        if _sized(result):
            _check_size(len(result))
        return result

    return guarded


class _Watchdog:
    """Raise RenderTimeout in this thread if it is still rendering after `seconds`.

    The deadline checks only run when the template calls, computes or prints something; a loop
    such as `{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}` does none of those, so
    this backstop interrupts the Python bytecode Jinja compiled the template to.
    """

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._lock = threading.Lock()
        self._done = False
        self._fired = False
        self._thread_id = threading.get_ident()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def _fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self._fired = True
            _set_async_exc(self._thread_id, RenderTimeout)

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        with self._lock:
            self._done = True
            if self._fired:  # not delivered yet? then it must never be
                _set_async_exc(self._thread_id, None)


def _set_async_exc(thread_id: int, exc_type: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc_type) if exc_type else None
    )


def _problem(exc: BaseException, name: str, stream: Iterator[str] | None) -> TemplateProblem:
    if isinstance(exc, TemplateProblem):
        return exc
    where, line = _template_line(exc.__traceback__, stream)
    template = where or name
    if isinstance(exc, RenderTimeout):
        reason = f"took longer than {TIME_LIMIT_S:g} seconds (is there a loop that never ends?)"
    elif isinstance(exc, OutputTooLarge):
        reason = "writes far more text than a letter needs (is there a loop that never ends?)"
    elif isinstance(exc, TemplateNotFound):
        reason = f"uses “{exc.name}”, which does not exist"
    elif isinstance(exc, SecurityError):
        reason = f"tries something templates may not do: {exc}"
    elif type(exc).__name__ == "UndefinedError":
        reason = f"uses a field that does not exist: {_field_name(str(exc))}"
    elif isinstance(exc, TemplateSyntaxError):
        reason = f"has a mistake: {exc.message}"
    elif isinstance(exc, RecursionError):
        reason = "calls itself without end"
    elif isinstance(exc, MemoryError):
        reason = "needs more memory than a letter can use"
    else:
        reason = f"failed: {exc or type(exc).__name__}"
    return TemplateProblem(template, line, reason)


def _field_name(message: str) -> str:
    """Jinja's "'dict object' has no attribute 'nme'" / "'x' is undefined" as the field's name."""
    match = re.search(r"has no attribute '([^']*)'", message) or re.match(
        r"'([^']*)' is undefined", message
    )
    return f"“{match.group(1)}”" if match else message


def _template_line(
    tb: TracebackType | None, stream: Iterator[str] | None
) -> tuple[str | None, int | None]:
    """The innermost template file and line in a traceback, else where the stream stopped."""
    found: tuple[str | None, int | None] = (None, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            found = (Path(filename).name, tb.tb_lineno)
        tb = tb.tb_next
    if found[0] is None and stream is not None:
        found = _stream_line(stream)
    return found


def _stream_line(stream: Any) -> tuple[str | None, int | None]:
    """Follow the chain of template generators to the frame that produced the last output."""
    found: tuple[str | None, int | None] = (None, None)
    gen = stream
    while gen is not None:
        frame: FrameType | None = getattr(gen, "gi_frame", None)
        if frame is not None and frame.f_code.co_filename.endswith(".j2"):
            debug = frame.f_globals.get("debug_info", "")
            found = (Path(frame.f_code.co_filename).name, _map_line(debug, frame.f_lineno))
        gen = getattr(gen, "gi_yieldfrom", None)
    return found


def _map_line(debug_info: str, python_line: int) -> int | None:
    """Jinja's debug_info ('tmpl=py&...') maps compiled lines back to template lines."""
    best: int | None = None
    for pair in debug_info.split("&"):
        if "=" not in pair:
            continue
        template_line, code_line = (int(x) for x in pair.split("="))
        if code_line <= python_line:
            best = template_line
    return best
