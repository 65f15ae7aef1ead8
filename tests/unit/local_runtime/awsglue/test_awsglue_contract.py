"""Contract: the local `awsglue` stand-in, and the project's Glue code, against AWS's real package.

AWS publishes `awsglue` as AWSGlueDataplanePython (5.1.0 = Glue 5.1). It wraps Glue's Java classes,
so it cannot run here, but it imports (with pyspark and py4j) and its signatures can be read. It is
installed with `pip --no-deps --target .cache/awsglue-5.1.0` (git-ignored), never into the venv, so
it can never shadow the stand-in, and it is only imported in a subprocess whose sys.path starts with
that folder. What is checked:

(a) every public class, method, function, module variable and instance attribute that the stand-in
    defines exists in the real package under the same name, and every parameter the stand-in accepts
    is accepted by the real signature (same name at the same position for positional ones; a real
    `**kwargs` accepts any keyword); a parameter optional locally is optional on Glue, and one the
    real signature requires is present locally;
(b) every awsglue import, method, attribute and keyword argument the project's Glue code uses
    (src/glue/*.py, src/etl_pipeline/*.py) exists in the real package. The code is read with `ast`;
    a small explicit table maps what an expression is (a GlueContext, its reader/writer, a sink, a
    frame, a Job) and an awsglue-looking call the table cannot map fails the test, so a new kind of
    usage is never silently left unchecked.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]
REAL_VERSION = "5.1.0"
REAL_DIR = REPO / ".cache" / f"awsglue-{REAL_VERSION}"
MODULES = ["awsglue", "awsglue.context", "awsglue.dynamicframe", "awsglue.job", "awsglue.utils",
           "awsglue.data_sink"]
PROJECT_GLUE_CODE = sorted((REPO / "src" / "glue").glob("*.py")) + sorted((REPO / "src" / "etl_pipeline").rglob("*.py"))

# Stand-in members whose signature differs from Glue's on purpose; never called by job code.
SIGNATURE_EXEMPT = {
    # Glue's DataSink wraps a Java sink: DataSink(j_sink, sql_ctx). Job code never builds one; it
    # gets it from GlueContext.getSink (checked), and part (b) fails if the project constructs one.
    "awsglue.data_sink.DataSink.__init__",
}

# ---------------------------------------------------------------------------------------------
# The dumper: the same code describes the stand-in (in this process) and the real package (in a
# subprocess). Public and private names are both dumped; the checks decide what matters.
DUMPER = r'''
import ast, importlib, inspect, json, textwrap

def _params(func):
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return None
    return [[p.name, p.kind.name, p.default is not inspect.Parameter.empty]
            for p in signature.parameters.values()]

def _self_attributes(function):
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        else:
            continue
        for target in targets:
            for element in (target.elts if isinstance(target, ast.Tuple) else [target]):
                if isinstance(element, ast.Attribute) and isinstance(element.value, ast.Name) \
                        and element.value.id == "self":
                    names.add(element.attr)
    return names

def _describe_class(cls):
    members, attributes = {}, set()
    for klass in reversed(cls.__mro__):
        if klass is object:
            continue
        owner = klass.__module__ + "." + klass.__qualname__
        for name, raw in vars(klass).items():
            if name.startswith("__") and name != "__init__":
                continue
            if isinstance(raw, classmethod):
                kind, func = "classmethod", raw.__func__
            elif isinstance(raw, staticmethod):
                kind, func = "staticmethod", raw.__func__
            elif isinstance(raw, property):
                kind, func = "property", raw.fget
            elif inspect.isfunction(raw):
                kind, func = "method", raw
            else:
                kind, func = "attribute", None
            members[name] = {"kind": kind, "owner": owner,
                             "params": _params(func) if kind != "attribute" else None}
        if "__init__" in vars(klass) and inspect.isfunction(vars(klass)["__init__"]):
            attributes |= {(name, owner) for name in _self_attributes(vars(klass)["__init__"])}
    return {"qualname": cls.__module__ + "." + cls.__qualname__, "members": members,
            "attributes": {name: owner for name, owner in sorted(attributes)}}

def dump(module_names):
    modules, classes = {}, {}
    for module_name in module_names:
        module = importlib.import_module(module_name)
        entry = {"file": module.__file__, "names": sorted(vars(module)), "class_refs": {},
                 "classes": [], "functions": {}, "variables": []}
        for name, value in vars(module).items():
            if inspect.isclass(value):
                key = value.__module__ + "." + value.__qualname__
                entry["class_refs"][name] = key
                if value.__module__ == module_name:
                    entry["classes"].append(name)
                if key not in classes:
                    classes[key] = _describe_class(value)
            elif inspect.isfunction(value) and value.__module__ == module_name:
                entry["functions"][name] = _params(value)
        tree = ast.parse(inspect.getsource(module))
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, ast.AnnAssign) else []
            for target in targets:
                for element in (target.elts if isinstance(target, ast.Tuple) else [target]):
                    if isinstance(element, ast.Name):
                        entry["variables"].append(element.id)
        modules[module_name] = entry
    return {"modules": modules, "classes": classes}
'''


def _dumper():
    namespace: dict = {}
    exec(compile(DUMPER, "<awsglue-dumper>", "exec"), namespace)
    return namespace["dump"]


def _real_installed() -> bool:
    return (REAL_DIR / "awsglue" / "context.py").is_file() and \
        any(REAL_DIR.glob(f"[Aa][Ww][Ss][Gg]lue[Dd]ataplane[Pp]ython-{REAL_VERSION}.dist-info"))


def _install_real_package() -> None:
    if _real_installed():
        return
    completed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check", "--quiet",
         "--target", str(REAL_DIR), f"AWSGlueDataplanePython=={REAL_VERSION}"],
        capture_output=True, text=True, timeout=300)
    if completed.returncode != 0 or not _real_installed():
        pytest.fail(f"could not install AWS's awsglue package (AWSGlueDataplanePython=={REAL_VERSION}) into "
                    f"{REAL_DIR}: {completed.stderr.strip() or completed.stdout.strip()}")


@pytest.fixture(scope="module")
def real() -> dict:
    """The real package's public surface, dumped in a subprocess that cannot see the stand-in."""
    _install_real_package()
    site_packages = sysconfig.get_paths()["purelib"]       # the venv's: pyspark and py4j
    code = (f"import sys\nsys.path[:0] = {[str(REAL_DIR), site_packages]!r}\n" + DUMPER
            + f"\nprint(json.dumps(dump({MODULES!r})))\n")
    # -I: no PYTHONPATH, no user site, no script folder; -S: no site-packages .pth files (the
    # project's editable install maps `awsglue` to the stand-in through one).
    completed = subprocess.run([sys.executable, "-I", "-S", "-c", code], capture_output=True, text=True,
                               timeout=120, cwd=REAL_DIR)
    assert completed.returncode == 0, f"importing the real awsglue failed:\n{completed.stderr}"
    dumped = json.loads(completed.stdout)
    for module in MODULES:
        assert Path(dumped["modules"][module]["file"]).is_relative_to(REAL_DIR), dumped["modules"][module]["file"]
    return dumped


@pytest.fixture(scope="module")
def local() -> dict:
    dumped = _dumper()(MODULES)
    for module in MODULES:
        assert Path(dumped["modules"][module]["file"]).is_relative_to(REPO / "src" / "local_runtime" / "awsglue")
    return dumped


# ------------------------------------------------------------------------ signature comparison
POSITIONAL = ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD")


def signature_problems(local_params: list, real_params: list) -> list[str]:
    """Ways a call that works with the stand-in's signature could fail with the real one."""
    problems = []
    real_positional = [p for p in real_params if p[1] in POSITIONAL]
    real_by_name = {p[0]: p for p in real_params if p[1] not in ("VAR_POSITIONAL", "VAR_KEYWORD")}
    real_kinds = {p[1] for p in real_params}
    local_names = set()
    index = 0
    for name, kind, has_default in local_params:
        local_names.add(name)
        if kind in POSITIONAL:
            if index < len(real_positional):
                real_name, _, real_default = real_positional[index]
                if real_name != name:
                    problems.append(f"positional parameter {index} is {name!r} locally, {real_name!r} on Glue")
                elif has_default and not real_default:
                    problems.append(f"{name!r} is optional locally but required on Glue")
            elif "VAR_POSITIONAL" not in real_kinds:
                problems.append(f"positional parameter {index} ({name!r}) does not exist on Glue")
            index += 1
        elif kind == "KEYWORD_ONLY":
            real_param = real_by_name.get(name)
            if real_param is None and "VAR_KEYWORD" not in real_kinds:
                problems.append(f"keyword {name!r} is not accepted on Glue")
            elif real_param is not None and has_default and not real_param[2]:
                problems.append(f"{name!r} is optional locally but required on Glue")
        elif kind not in real_kinds:
            problems.append(f"{'*' if kind == 'VAR_POSITIONAL' else '**'}{name} is accepted locally, not on Glue")
    for name, kind, has_default in real_params:
        if not has_default and kind not in ("VAR_POSITIONAL", "VAR_KEYWORD") and name not in local_names:
            problems.append(f"Glue requires {name!r}, the stand-in does not accept it")
    return problems


def contract_problems(local: dict, real: dict) -> list[str]:
    """Part (a): what the stand-in defines publicly that Glue lacks or shapes differently."""
    problems = []
    for module_name, module in local["modules"].items():
        real_module = real["modules"].get(module_name)
        if real_module is None:
            problems.append(f"module {module_name} does not exist on Glue")
            continue
        for name in module["variables"]:
            if not name.startswith("_") and name not in real_module["names"]:
                problems.append(f"{module_name}.{name}: module variable that Glue lacks (make it private)")
        for name, params in module["functions"].items():
            if name.startswith("_"):
                continue
            if name not in real_module["functions"]:
                problems.append(f"{module_name}.{name}(): function that Glue lacks (make it private)")
                continue
            problems += [f"{module_name}.{name}(): {p}"
                         for p in signature_problems(params, real_module["functions"][name])]
        for class_name in module["classes"]:
            if class_name.startswith("_"):
                continue
            where = f"{module_name}.{class_name}"
            real_key = real_module["class_refs"].get(class_name)
            if real_key is None:
                problems.append(f"{where}: class that Glue lacks (make it private)")
                continue
            problems += class_problems(where, local["classes"][where], real["classes"][real_key])
    return problems


def class_problems(where: str, local_class: dict, real_class: dict) -> list[str]:
    problems = []
    real_names = set(real_class["members"]) | set(real_class["attributes"])
    for name, member in local_class["members"].items():
        if name.startswith("_") and name != "__init__":
            continue
        if not member["owner"].startswith("awsglue."):
            continue          # inherited from a base both share (object, argparse.ArgumentParser)
        real_member = real_class["members"].get(name)
        if real_member is None:
            if name in real_class["attributes"] and member["kind"] == "attribute":
                continue
            problems.append(f"{where}.{name}: {member['kind']} that Glue lacks (make it private)")
            continue
        if member["kind"] != real_member["kind"]:
            problems.append(f"{where}.{name}: a {member['kind']} locally, a {real_member['kind']} on Glue")
            continue
        if member["params"] is not None and f"{where}.{name}" not in SIGNATURE_EXEMPT:
            problems += [f"{where}.{name}: {p}" for p in signature_problems(member["params"], real_member["params"])]
    for name, owner in local_class["attributes"].items():
        if not name.startswith("_") and owner.startswith("awsglue.") and name not in real_names:
            problems.append(f"{where}.{name}: instance attribute that Glue lacks (make it private)")
    return problems


# ------------------------------------------------------------------- project usage analysis
# What an expression is, by the explicit rules below. Types are the real package's class names.
GLUE_CONTEXT_NAMES = {"glue_context", "glueContext"}        # how the project names a GlueContext
ATTRIBUTE_TYPES = {("GlueContext", "create_dynamic_frame"): "DynamicFrameReader",
                   ("GlueContext", "write_dynamic_frame"): "DynamicFrameWriter"}
RETURN_TYPES = {("GlueContext", "getSink"): "DataSink",
                ("GlueContext", "create_dynamic_frame_from_options"): "DynamicFrame",
                ("GlueContext", "create_dynamic_frame_from_catalog"): "DynamicFrame",
                ("DynamicFrameReader", "from_options"): "DynamicFrame",
                ("DynamicFrameReader", "from_catalog"): "DynamicFrame",
                ("DynamicFrame", "fromDF"): "DynamicFrame"}
CLASS_KEYS = {"GlueContext": "awsglue.context.GlueContext", "DynamicFrame": "awsglue.dynamicframe.DynamicFrame",
              "DynamicFrameReader": "awsglue.dynamicframe.DynamicFrameReader",
              "DynamicFrameWriter": "awsglue.dynamicframe.DynamicFrameWriter",
              "DataSink": "awsglue.data_sink.DataSink", "Job": "awsglue.job.Job"}
# Method names that also belong to everyday objects (DataFrames, connections, dicts): checked when
# the receiver is known to be an awsglue object, not flagged when it is not.
EVERYDAY_NAMES = {"commit", "init", "write", "count", "show", "toDF", "printSchema", "join", "union", "filter",
                  "map", "repartition", "coalesce", "schema", "keys", "values", "select", "get", "name",
                  "getNumPartitions", "spigot", "mapPartitions", "mapPartitionsWithIndex", "flatmap",
                  "info", "warn", "error", "isInitialized", "errorsCount"}


@dataclass
class Use:
    file: str
    line: int
    what: str                  # "Class.member", "module:name" or "function:name"
    positional: int = 0
    keywords: list[str] = field(default_factory=list)
    starred: bool = False
    call: bool = False


@dataclass
class Usage:
    imports: list[Use] = field(default_factory=list)
    uses: list[Use] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)


def distinctive_names(real: dict) -> set[str]:
    """Names that only make sense on awsglue objects: members of the real classes, minus everyday ones."""
    names = {"create_dynamic_frame", "write_dynamic_frame", "getResolvedOptions", "glue_ctx"}
    for key in CLASS_KEYS.values():
        for name, member in real["classes"][key]["members"].items():
            if member["owner"].startswith("awsglue.") and not name.startswith("_"):
                names.add(name)
    return names - EVERYDAY_NAMES


class _Analyzer(ast.NodeVisitor):
    def __init__(self, file: str, usage: Usage, awsglue_names: set[str]):
        self.file, self.usage, self.awsglue_names = file, usage, awsglue_names
        self.imported: dict[str, str] = {}        # local name -> "awsglue.module.Name"
        self.variables: dict[str, str] = {}        # local variable -> awsglue type
        self.mapped_nodes: set[int] = set()
        self.recorded: dict[int, Use] = {}
        self.module_names: set[str] = set()       # names bound by `import awsglue...`

    # ---- imports
    def visit_Import(self, node):
        for alias in node.names:
            if alias.name.split(".")[0] == "awsglue":
                self.usage.imports.append(Use(self.file, node.lineno, f"module:{alias.name}"))
                self.module_names.add(alias.asname or alias.name.split(".")[0])

    def visit_ImportFrom(self, node):
        if node.module and node.module.split(".")[0] == "awsglue":
            for alias in node.names:
                self.usage.imports.append(Use(self.file, node.lineno, f"{node.module}:{alias.name}"))
                self.imported[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    # ---- types
    def type_of(self, node) -> str | None:
        if isinstance(node, ast.Name):
            if node.id in self.variables:
                return self.variables[node.id]
            if node.id in GLUE_CONTEXT_NAMES:
                return "GlueContext"
            return None
        if isinstance(node, ast.Attribute):
            if node.attr in GLUE_CONTEXT_NAMES:
                return "GlueContext"
            cls = self.class_name(node.value)
            if cls is not None and cls not in CLASS_KEYS:
                self.unmapped(node, f"`{ast.unparse(node)}`: {cls} is not in CLASS_KEYS")
                return None
            owner = cls if cls in CLASS_KEYS else self.type_of(node.value)
            if owner is not None:
                self.record(node, owner, node.attr)
                return ATTRIBUTE_TYPES.get((owner, node.attr))
            return None
        if isinstance(node, ast.Call):
            return self.call_type(node)
        return None

    def class_name(self, node) -> str | None:
        """The awsglue class a Name refers to when it was imported from awsglue."""
        if isinstance(node, ast.Name) and node.id in self.imported:
            return self.imported[node.id].rsplit(".", 1)[1]
        return None

    def call_type(self, node: ast.Call) -> str | None:
        func = node.func
        imported = self.imported.get(func.id) if isinstance(func, ast.Name) else None
        if imported:
            name = imported.rsplit(".", 1)[1]
            self.mapped_nodes.add(id(func))
            if name in CLASS_KEYS:
                self.record(node, name, "__init__", node)
                return name
            self.record(node, None, f"function:{imported}", node)
            return None
        if isinstance(func, ast.Attribute):
            owner = self.type_of(func.value) if self.class_name(func.value) is None else self.class_name(func.value)
            if owner is not None and owner not in CLASS_KEYS:
                self.unmapped(func, f"`{ast.unparse(func)}(...)`: {owner} is not in CLASS_KEYS")
                return None
            if owner is not None:
                self.record(func, owner, func.attr, node)
                return RETURN_TYPES.get((owner, func.attr))
        return None

    def unmapped(self, node, why: str) -> None:
        if id(node) not in self.mapped_nodes:
            self.mapped_nodes.add(id(node))
            self.usage.unmapped.append(f"{self.file}:{node.lineno}: {why}")

    def record(self, node, owner: str | None, member: str, call: ast.Call | None = None) -> None:
        """One use of an awsglue member, keyed by its AST node (a node seen again is not counted twice)."""
        self.mapped_nodes.add(id(node))
        use = self.recorded.get(id(node))
        if use is None:
            use = self.recorded[id(node)] = Use(self.file, node.lineno, member if owner is None else f"{owner}.{member}")
            self.usage.uses.append(use)
        if call is not None and not use.call:
            use.call = True
            use.positional = sum(1 for a in call.args if not isinstance(a, ast.Starred))
            use.keywords = [k.arg for k in call.keywords if k.arg is not None]
            use.starred = any(isinstance(a, ast.Starred) for a in call.args) or \
                any(k.arg is None for k in call.keywords)

    # ---- walking
    def visit_Assign(self, node):
        self.generic_visit(node)
        kind = self.type_of(node.value)
        for target in node.targets:
            if isinstance(target, ast.Name):
                if kind is None:
                    self.variables.pop(target.id, None)
                else:
                    self.variables[target.id] = kind

    def visit_FunctionDef(self, node):
        arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
        for argument in arguments:
            cls = self.class_name(argument.annotation) if argument.annotation is not None else None
            if cls in CLASS_KEYS:
                self.variables[argument.arg] = cls
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node):
        self.call_type(node)
        self.generic_visit(node)

    def visit_Attribute(self, node):
        self.type_of(node)
        self.generic_visit(node)

    def finish(self, tree) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id in self.module_names:
                self.unmapped(node, f"`{node.id}...` used through `import awsglue...`; the analysis maps "
                                    f"`from awsglue.x import Name` only")
            if isinstance(node, ast.Attribute) and node.attr in self.awsglue_names:
                self.unmapped(node, f"`.{node.attr}` on `{ast.unparse(node.value)}`, which the analysis cannot "
                                    f"map to an awsglue class (extend GLUE_CONTEXT_NAMES/ATTRIBUTE_TYPES/RETURN_TYPES)")


def analyse(sources: dict[str, str], real: dict) -> Usage:
    usage = Usage()
    names = distinctive_names(real)
    for file, source in sources.items():
        tree = ast.parse(source, filename=file)
        analyzer = _Analyzer(file, usage, names)
        analyzer.visit(tree)
        analyzer.finish(tree)
    return usage


def call_problems(params: list, use: Use, skip_first: bool) -> list[str]:
    params = params[1:] if skip_first else params
    positional = [p for p in params if p[1] in POSITIONAL]
    kinds = {p[1] for p in params}
    problems = []
    if use.positional > len(positional) and "VAR_POSITIONAL" not in kinds:
        problems.append(f"{use.positional} positional arguments, Glue accepts {len(positional)}")
    filled = {p[0] for p in positional[:use.positional]}
    keyword_capable = {p[0] for p in params if p[1] in ("POSITIONAL_OR_KEYWORD", "KEYWORD_ONLY")}
    for keyword in use.keywords:
        if keyword in filled:
            problems.append(f"{keyword!r} given both by position and by keyword")
        elif keyword not in keyword_capable and "VAR_KEYWORD" not in kinds:
            problems.append(f"keyword {keyword!r} is not accepted by Glue's signature")
    if not use.starred:
        given = filled | set(use.keywords)
        missing = [p[0] for p in params if not p[2] and p[1] not in ("VAR_POSITIONAL", "VAR_KEYWORD")
                   and p[0] not in given]
        if missing:
            problems.append(f"Glue requires {missing}")
    return problems


def usage_problems(usage: Usage, real: dict) -> list[str]:
    problems = list(usage.unmapped)
    for use in usage.imports:
        module, _, name = use.what.partition(":")
        if module == "module":
            if name not in real["modules"]:
                problems.append(f"{use.file}:{use.line}: import {name}: not a module of the real package "
                                f"(or not one this test dumps: add it to MODULES)")
            continue
        if module not in real["modules"]:
            problems.append(f"{use.file}:{use.line}: from {module} import {name}: module not dumped/not on Glue")
        elif name not in real["modules"][module]["names"]:
            problems.append(f"{use.file}:{use.line}: from {module} import {name}: Glue's {module} has no {name}")
    for use in usage.uses:
        where = f"{use.file}:{use.line}: {use.what}"
        if use.what.startswith("function:"):
            dotted = use.what.removeprefix("function:")
            module, _, name = dotted.rpartition(".")
            params = real["modules"].get(module, {}).get("functions", {}).get(name)
            if params is None:
                problems.append(f"{where}: no such function on Glue")
            else:
                problems += [f"{where}: {p}" for p in call_problems(params, use, skip_first=False)]
            continue
        class_name, _, member = use.what.partition(".")
        real_class = real["classes"][CLASS_KEYS[class_name]]
        real_member = real_class["members"].get(member)
        if real_member is None:
            if member in real_class["attributes"] and not use.call:
                continue
            problems.append(f"{where}: Glue's {class_name} has no {member!r}")
            continue
        if use.call and real_member["params"] is not None:
            skip = real_member["kind"] in ("method", "classmethod")
            problems += [f"{where}: {p}" for p in call_problems(real_member["params"], use, skip_first=skip)]
    return problems


def project_sources() -> dict[str, str]:
    return {str(path.relative_to(REPO)): path.read_text() for path in PROJECT_GLUE_CODE}


# =================================================================================== tests
def test_real_package_is_the_one_from_pypi_and_not_the_stand_in(real, local):
    assert "getSource" in real["classes"]["awsglue.context.GlueContext"]["members"]      # a real-only method
    assert "getSource" not in local["classes"]["awsglue.context.GlueContext"]["members"]
    assert real["modules"]["awsglue"]["class_refs"]["DynamicFrame"] == "awsglue.dynamicframe.DynamicFrame"
    assert not (REPO / "src" / "local_runtime" / "awsglue" / "glue_shell.py").exists()


def test_stand_in_defines_only_what_glue_has_with_compatible_signatures(real, local):
    problems = contract_problems(local, real)

    assert problems == [], "the awsglue stand-in differs from AWS's package:\n  " + "\n  ".join(problems)


def test_stand_in_covers_what_the_job_scripts_need(local):
    """The part of the API the design names is there (so a shrinking stand-in is noticed too)."""
    classes = local["classes"]
    expected = {
        "awsglue.context.GlueContext": {"create_dynamic_frame_from_options", "create_dynamic_frame_from_catalog",
                                        "write_dynamic_frame_from_options", "write_dynamic_frame_from_catalog",
                                        "write_dynamic_frame_from_jdbc_conf", "getSink", "__init__"},
        "awsglue.dynamicframe.DynamicFrame": {"fromDF", "toDF", "count", "__init__"},
        "awsglue.dynamicframe.DynamicFrameReader": {"from_options", "from_catalog"},
        "awsglue.dynamicframe.DynamicFrameWriter": {"from_options", "from_catalog", "from_jdbc_conf"},
        "awsglue.data_sink.DataSink": {"setFormat", "setCatalogInfo", "writeFrame"},
        "awsglue.job.Job": {"init", "commit", "__init__"},
    }
    for key, members in expected.items():
        assert members <= set(classes[key]["members"]), key
    assert {"create_dynamic_frame", "write_dynamic_frame", "spark_session"} <= \
        set(classes["awsglue.context.GlueContext"]["attributes"])
    assert "getResolvedOptions" in local["modules"]["awsglue.utils"]["functions"]


def test_project_glue_code_uses_only_what_glue_has(real):
    usage = analyse(project_sources(), real)
    problems = usage_problems(usage, real)

    assert problems == [], "the project's Glue code uses awsglue beyond AWS's package:\n  " + "\n  ".join(problems)
    # The analysis saw the usages the pipeline is built on (else it would pass by checking nothing).
    seen = {u.what for u in usage.uses}
    assert {"GlueContext.__init__", "Job.__init__", "Job.init", "Job.commit",
            "function:awsglue.utils.getResolvedOptions", "DynamicFrame.fromDF", "DynamicFrame.toDF",
            "DynamicFrameReader.from_options", "DynamicFrameWriter.from_jdbc_conf",
            "GlueContext.spark_session"} <= seen, sorted(seen)
    assert {u.what.split(":")[1] for u in usage.imports} >= {"GlueContext", "Job", "getResolvedOptions",
                                                             "DynamicFrame"}


def test_project_keyword_arguments_are_checked(real):
    """The keywords the stages pass to Glue's readers and to from_jdbc_conf were seen and checked."""
    usage = analyse(project_sources(), real)
    keywords = {u.what: set(u.keywords) for u in usage.uses if u.call}

    assert {"connection_type", "connection_options", "format", "transformation_ctx"} <= \
        keywords["DynamicFrameReader.from_options"]
    assert {"frame", "catalog_connection", "connection_options"} <= keywords["DynamicFrameWriter.from_jdbc_conf"]


# ----------------------------------------------------- the checks themselves can fail
@pytest.mark.parametrize("source, expected", [
    ("glue_context.write_dynamic_frame.from_jdbc_conf(frame=f, catalog_connection='c', dbtable='t')",
     "keyword 'dbtable' is not accepted"),
    ("glue_context.create_dynamic_frame.from_s3(paths=['s3://b/'])", "has no 'from_s3'"),
    ("sink = glue_context.getSink(connection_type='s3', path='s3://b/')\nsink.setTableInfo('db', 't')",
     "has no 'setTableInfo'"),
    ("from awsglue.context import LocalDataCatalog", "Glue's awsglue.context has no LocalDataCatalog"),
    ("import awsglue.localglue", "not a module of the real package"),
    ("from awsglue.job import Job\njob = Job(gc)\njob.init('name', {}, 'extra')", "3 positional arguments"),
    ("from awsglue.utils import getResolvedOptions\ngetResolvedOptions(['x'])", "Glue requires ['options']"),
    ("frame = something.from_options(connection_type='s3')", "cannot map"),
    ("glue_context.local_catalog.get_table('db', 't')", "has no 'local_catalog'"),
    ("from awsglue.dynamicframe import DynamicFrame\nDynamicFrame.fromDF(df, gc, 'n').toDF().apply_mapping([])",
     "cannot map"),
    ("import awsglue.context\nctx = awsglue.context.GlueContext(sc)", "maps `from awsglue.x import Name` only"),
    ("from awsglue.transforms import ApplyMapping\nApplyMapping.apply(frame=f, mappings=[])",
     "ApplyMapping is not in CLASS_KEYS"),
    ("from awsglue.context import GlueContext as GC\ndef f(c: GC):\n    c.getSink('s3', path='p', bogus=1)\n"
     "    c.write_dynamic_frame.from_options(frame=x, connection_type='s3', compression='gzip')",
     "keyword 'compression' is not accepted"),
])
def test_usage_analysis_reports_what_glue_lacks(real, source, expected):
    problems = usage_problems(analyse({"example.py": source}, real), real)

    assert any(expected in p for p in problems), problems


def test_usage_analysis_accepts_valid_glue_code(real):
    source = (
        "import sys\nfrom awsglue.context import GlueContext\nfrom awsglue.job import Job\n"
        "from awsglue.utils import getResolvedOptions\nfrom awsglue.dynamicframe import DynamicFrame\n"
        "args = getResolvedOptions(sys.argv, ['JOB_NAME'])\nglueContext = GlueContext(sc)\n"
        "job = Job(glueContext)\njob.init(args['JOB_NAME'], args)\n"
        "dyf = glueContext.create_dynamic_frame.from_catalog(database='d', table_name='t', "
        "push_down_predicate='y=1', transformation_ctx='x')\n"
        "df = dyf.toDF()\nmapped = dyf.apply_mapping([('a', 'string', 'a', 'int')])\n"
        "glueContext.write_dynamic_frame.from_options(frame=DynamicFrame.fromDF(df, glueContext, 'n'), "
        "connection_type='s3', connection_options={'path': 's3://b/'}, format='parquet')\n"
        "job.commit()\n")

    usage = analyse({"example.py": source}, real)

    assert usage_problems(usage, real) == []
    assert {"DynamicFrame.apply_mapping", "DynamicFrameReader.from_catalog", "Job.commit"} <= {u.what for u in usage.uses}


def _with_member(dumped: dict, key: str, name: str, member: dict) -> dict:
    copy = json.loads(json.dumps(dumped))
    copy["classes"][key]["members"][name] = member
    return copy


def test_contract_check_reports_local_only_members_and_signature_drift(real, local):
    local_only = _with_member(local, "awsglue.context.GlueContext", "local_catalog",
                              {"kind": "method", "owner": "awsglue.context.GlueContext", "params": [["self", "POSITIONAL_OR_KEYWORD", False]]})
    renamed = _with_member(local, "awsglue.data_sink.DataSink", "setCatalogInfo",
                           {"kind": "method", "owner": "awsglue.data_sink.DataSink",
                            "params": [["self", "POSITIONAL_OR_KEYWORD", False],
                                       ["database", "POSITIONAL_OR_KEYWORD", False],
                                       ["catalogTableName", "POSITIONAL_OR_KEYWORD", False],
                                       ["catalogId", "POSITIONAL_OR_KEYWORD", True]]})
    with_attribute = json.loads(json.dumps(local))
    with_attribute["classes"]["awsglue.context.GlueContext"]["attributes"]["local_settings"] = \
        "awsglue.context.GlueContext"
    with_constant = json.loads(json.dumps(local))
    with_constant["modules"]["awsglue.context"]["variables"].append("JDBC_TYPES")

    assert any("local_catalog: method that Glue lacks" in p for p in contract_problems(local_only, real))
    assert any("positional parameter 1 is 'database' locally, 'catalogDatabase' on Glue" in p
               for p in contract_problems(renamed, real))
    assert any("local_settings: instance attribute" in p for p in contract_problems(with_attribute, real))
    assert any("JDBC_TYPES: module variable" in p for p in contract_problems(with_constant, real))


@pytest.mark.parametrize("local_params, real_params, expected", [
    ([["a", "POSITIONAL_OR_KEYWORD", False], ["b", "POSITIONAL_OR_KEYWORD", True]],
     [["a", "POSITIONAL_OR_KEYWORD", False], ["b", "POSITIONAL_OR_KEYWORD", False]], "optional locally"),
    ([["a", "POSITIONAL_OR_KEYWORD", False], ["extra", "POSITIONAL_OR_KEYWORD", True]],
     [["a", "POSITIONAL_OR_KEYWORD", False], ["options", "VAR_KEYWORD", False]], "does not exist on Glue"),
    ([["a", "POSITIONAL_OR_KEYWORD", False], ["kw", "VAR_KEYWORD", False]],
     [["a", "POSITIONAL_OR_KEYWORD", False]], "**kw is accepted locally"),
    ([["a", "POSITIONAL_OR_KEYWORD", False]],
     [["a", "POSITIONAL_OR_KEYWORD", False], ["b", "POSITIONAL_OR_KEYWORD", False]], "Glue requires 'b'"),
    ([["a", "POSITIONAL_OR_KEYWORD", False], ["only", "KEYWORD_ONLY", True]],
     [["a", "POSITIONAL_OR_KEYWORD", False]], "keyword 'only' is not accepted"),
])
def test_signature_comparison_reports_incompatibilities(local_params, real_params, expected):
    assert any(expected in p for p in signature_problems(local_params, real_params))


def test_signature_comparison_accepts_a_real_signature_with_more():
    local_params = [["self", "POSITIONAL_OR_KEYWORD", False], ["a", "POSITIONAL_OR_KEYWORD", True],
                    ["only", "KEYWORD_ONLY", True]]
    real_params = [["self", "POSITIONAL_OR_KEYWORD", False], ["a", "POSITIONAL_OR_KEYWORD", True],
                   ["b", "POSITIONAL_OR_KEYWORD", True], ["kwargs", "VAR_KEYWORD", False]]

    assert signature_problems(local_params, real_params) == []
