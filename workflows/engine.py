"""The SpiffWorkflow engine, built once: parser, restricted script environment, serializer.

* Specs are parsed once per content hash and cached; each instance is pinned to the hash it started on.
* Workflow state is serialized WITHOUT its spec (the spec is stored once per version in spec_version).
* BPMN scripts and expressions run under RestrictedPython: no imports, no `open`, no dunder access.
* SpiffWorkflow's timers read ``workflows.clock.now`` so `workflows tick --now` and tests fire them deterministically.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any
from uuid import UUID

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from workflows import shipped_dir
from workflows.bindings import STATIC_HELPERS
from workflows.clock import now

# --------------------------------------------------------------------------------------------------
# Clock


class _ClockDatetime(datetime):
    """Stands in for ``datetime`` inside SpiffWorkflow's timer module so timers use our clock."""

    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        instant = now()
        return instant.astimezone(tz) if tz is not None else instant.replace(tzinfo=None)


_timer_module.datetime = _ClockDatetime  # type: ignore[misc]


# --------------------------------------------------------------------------------------------------
# Restricted script environment


class ScriptNotAllowed(Exception):
    """A BPMN script or expression tried something the sandbox forbids (import, files, dunders)."""


_SAFE_BUILTINS: dict[str, Any] = dict(safe_builtins)
_SAFE_BUILTINS.update(
    {"len": len, "min": min, "max": max, "sum": sum, "any": any, "all": all, "sorted": sorted,
     "list": list, "dict": dict, "enumerate": enumerate, "round": round}
)
for _forbidden in ("__import__", "open", "compile", "exec", "eval", "globals", "locals", "vars",
                   "getattr", "setattr", "delattr", "type", "memoryview", "breakpoint", "input"):
    _SAFE_BUILTINS.pop(_forbidden, None)

_GUARDS: dict[str, Any] = {
    "__builtins__": _SAFE_BUILTINS,
    "_getattr_": safer_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
}
_RESERVED = set(_GUARDS) | {"__name__", "__metaclass__"}

# Per-run helpers bound to the current unit of work (e.g. a database session), set by the runner.
_NO_SERVICES: Mapping[str, Callable[..., Any]] = MappingProxyType({})
_script_services: contextvars.ContextVar[Mapping[str, Callable[..., Any]]] = contextvars.ContextVar(
    "script_services", default=_NO_SERVICES
)


@contextmanager
def script_services(services: Mapping[str, Callable[..., Any]]) -> Iterator[None]:
    """Make ``services`` callable from BPMN scripts for the duration of the block."""
    token = _script_services.set(services)
    try:
        yield
    finally:
        _script_services.reset(token)


@lru_cache(maxsize=512)
def _compile(source: str, mode: str) -> Any:
    result = (compile_restricted_eval if mode == "eval" else compile_restricted_exec)(source, "<bpmn>")
    if result.errors:
        raise ScriptNotAllowed("脚本不被允许 (script not allowed): " + "; ".join(result.errors))
    return result.code


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Runs BPMN scripts and expressions with an allow-list of builtins and helpers only."""

    def __init__(self, helpers: Mapping[str, Callable[..., Any]]):
        super().__init__(dict(helpers))

    def _globals(self, context: Mapping[str, Any], external: Mapping[str, Any] | None) -> dict[str, Any]:
        scope: dict[str, Any] = {}
        scope.update(context)
        scope.update(self.globals)
        scope.update(_script_services.get())
        scope.update(external or {})
        scope.update(_GUARDS)
        return scope

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        code = _compile(expression, "eval")
        return eval(code, self._globals(context, external_context))  # noqa: S307 - restricted code

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        code = _compile(script, "exec")
        scope = self._globals(context, external_context)
        exec(code, scope)  # noqa: S102 - restricted code
        helpers = set(self.globals) | set(_script_services.get()) | set(external_context or {})
        for key in list(context):
            if key not in scope:
                del context[key]
        for key, value in scope.items():
            if key in _RESERVED or key in helpers or callable(value):
                continue
            context[key] = value
        return True

    def call_service(self, context: dict, **kwargs: Any) -> Any:
        raise ScriptNotAllowed("未配置服务任务 (no service tasks are configured)")


# --------------------------------------------------------------------------------------------------
# Serializer that leaves the spec out of the instance state


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Serializes a workflow without its spec; restores it with a spec object passed in."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict:
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict, spec: BpmnProcessSpec | None = None,
                  subprocess_specs: dict | None = None) -> BpmnWorkflow:
        if spec is None:
            return super().from_dict(dct)
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow



# --------------------------------------------------------------------------------------------------
# The engine


@dataclass(frozen=True)
class ProcessVersion:
    """A parsed process at one content hash."""

    process_id: str
    version_hash: str
    spec: BpmnProcessSpec
    subprocess_specs: dict
    bpmn_xml: str


class BpmnFileError(Exception):
    """A BPMN/DMN file failed to parse or validate; ``problems`` lists (file, element id, message)."""

    def __init__(self, problems: list[tuple[str, str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{f} [{e}]: {m}" for f, e, m in problems))


# Lane names in the diagrams -> role codes used by permissions and the task index.
LANE_ROLES: dict[str, str] = {
    "企业": "enterprise",
    "区人社局": "district",
    "市职业能力建设指导中心": "city",
}


class Engine:
    """Parser, script engine and serializer, built once per process and shared."""

    def __init__(self, bpmn_dir: str | Path, helpers: Mapping[str, Callable[..., Any]] | None = None):
        self.bpmn_dir = Path(bpmn_dir)
        self.script_engine = PythonScriptEngine(environment=RestrictedEnvironment(helpers or {}))
        config = dict(SPIFF_CONFIG)
        config[BpmnWorkflow] = SpeclessWorkflowConverter
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
        self._versions: dict[tuple[str, str], ProcessVersion] = {}
        self._current: dict[str, ProcessVersion] = {}

    # -- specs ---------------------------------------------------------------------------------
    def _dmn_files(self) -> list[Path]:
        return sorted(self.bpmn_dir.glob("*.dmn"))

    def load(self) -> dict[str, ProcessVersion]:
        """Parse and validate every file in the BPMN folder; cache each process at its content hash."""
        problems: list[tuple[str, str, str]] = []
        dmn_files = self._dmn_files()
        dmn_bytes = b"".join(p.read_bytes() for p in dmn_files)
        current: dict[str, ProcessVersion] = {}
        for path in sorted(self.bpmn_dir.glob("*.bpmn")):
            raw = path.read_bytes()
            digest = hashlib.sha256(raw + dmn_bytes).hexdigest()
            parser = SpiffBpmnParser(validator=BpmnValidator())
            try:
                parser.add_bpmn_file(str(path))
                for dmn in dmn_files:
                    parser.add_dmn_file(str(dmn))
                for process_id in parser.get_process_ids():
                    key = (process_id, digest)
                    if key not in self._versions:
                        self._versions[key] = ProcessVersion(
                            process_id, digest, parser.get_spec(process_id),
                            parser.get_subprocess_specs(process_id), raw.decode("utf-8"),
                        )
                    current[process_id] = self._versions[key]
            except ValidationException as exc:
                problems.append((path.name, getattr(exc, "id", "") or "", str(exc)))
            except Exception as exc:  # lxml and parser errors carry no element id
                problems.append((path.name, getattr(exc, "id", "") or "", str(exc)))
        if problems:
            raise BpmnFileError(problems)
        self._current = current
        return current

    def current(self, process_id: str) -> ProcessVersion:
        """The version of ``process_id`` found in the BPMN folder now (new instances start on it)."""
        if not self._current:
            self.load()
        return self._current[process_id]

    def spec_to_json(self, version: ProcessVersion) -> str:
        dct = {
            "spec": self.serializer.to_dict(version.spec),
            "subprocess_specs": {k: self.serializer.to_dict(v) for k, v in version.subprocess_specs.items()},
        }
        return json.dumps(dct, separators=(",", ":"), ensure_ascii=False)

    def version_from_json(self, process_id: str, version_hash: str, spec_json: str, bpmn_xml: str
                          ) -> ProcessVersion:
        """Restore (and cache) a version that is no longer in the BPMN folder."""
        key = (process_id, version_hash)
        if key not in self._versions:
            dct = json.loads(spec_json)
            spec = self.serializer.from_dict(dct["spec"])
            subs = {k: self.serializer.from_dict(v) for k, v in dct["subprocess_specs"].items()}
            self._versions[key] = ProcessVersion(process_id, version_hash, spec, subs, bpmn_xml)
        return self._versions[key]

    def cached_version(self, process_id: str, version_hash: str) -> ProcessVersion | None:
        return self._versions.get((process_id, version_hash))

    # -- instances -----------------------------------------------------------------------------
    def new_workflow(self, version: ProcessVersion) -> BpmnWorkflow:
        return BpmnWorkflow(version.spec, version.subprocess_specs, script_engine=self.script_engine)

    def dumps(self, workflow: BpmnWorkflow) -> str:
        dct = self.serializer.to_dict(workflow)
        dct[self.serializer.VERSION_KEY] = self.serializer.VERSION
        return json.dumps(dct, separators=(",", ":"), ensure_ascii=False)

    def loads(self, state: str, version: ProcessVersion) -> BpmnWorkflow:
        dct = json.loads(state)
        self.serializer.migrate(dct)
        workflow = self.serializer.from_dict(dct, spec=version.spec, subprocess_specs=version.subprocess_specs)
        workflow.script_engine = self.script_engine
        return workflow


# --------------------------------------------------------------------------------------------------
# The process-wide engine


_ENGINE: Engine | None = None


def configure_engine(bpmn_dir: str | Path, helpers: Mapping[str, Callable[..., Any]] | None = None) -> Engine:
    """Build (or rebuild for another folder) the shared engine and parse the diagrams once."""
    global _ENGINE
    if _ENGINE is None or _ENGINE.bpmn_dir != Path(bpmn_dir):
        merged = dict(STATIC_HELPERS)
        merged.update(helpers or {})
        _ENGINE = Engine(bpmn_dir, merged)
        _ENGINE.load()
    return _ENGINE


def get_engine() -> Engine:
    """The shared engine; configured from the default bpmn/ folder if nobody configured it."""
    if _ENGINE is None:
        return configure_engine(shipped_dir("bpmn"))
    return _ENGINE
