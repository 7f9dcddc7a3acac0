r"""A sweep as a declarative, validated, frozen object that reads from and writes to TOML or JSON.

Freeman & Bruna (2017, "Topology and Geometry of Half-Rectified Network Optimization", ICLR, §3)
measure level-set geometry with a *sweep*: for every threshold $L_0$ they train fresh pairs of
models below $\alpha L_0$ and connect each pair with Dynamic String Sampling ("each job trains
fresh pairs at one threshold", course notes §1.3).  A :class:`SweepConfig` names every choice of
such a sweep -- the task builder (data + model), widths, thresholds, replicate seeds, pairs per
task, how endpoints are trained, the DSS options -- so that a results folder can say exactly how it
was obtained, and a rerun of the same file resumes it.

``kind = "dss"`` runs one batched ``connect_many`` per (width, seed, threshold); ``kind =
"energy_gap"`` runs one energy-gap bisection (:func:`~landscape_lib.topology.energy_gap.energy_gap_many`)
of the pairs trained below $\alpha L_0$, bracketing the minimax level
$\varepsilon(\theta_A,\theta_B)=\inf_\gamma\max_s F(\gamma(s))$ (Freeman & Bruna, Thm 2.4).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, from PyPI (the [scale] extra installs it)
    import tomli as tomllib

from ..dss.options import DSSOptions, resolve
from ..validation import check_int, check_known_names, check_number, describe

KINDS = ("dss", "energy_gap")
#: Bundled configs, loadable by name: ``load_config("lecture05_small")``.
CONFIG_DIR = Path(__file__).resolve().parent / "configs"


@dataclass(frozen=True)
class SweepConfig:
    r"""Everything a sweep does, validated on construction (errors name ``SweepConfig``, argument, value).

    Attributes:
        name: a label for the sweep (used in file names and the manifest).
        builder: the task builder, a key of :data:`landscape_lib.scale.tasks.BUILDERS`
            (``"quadratic"``, ``"digits_mlp"``, ``"digits_cnn"``, ``"mnist1d_cnn"``, ``"mnist_cnn"``).
        thresholds: the levels $L_0$ (each task trains its endpoints below $\alpha L_0$ on the criterion).
        widths: hidden widths handed to the builder (one task per width, seed and threshold).
        seeds: replicate seeds; task (w, s, L0) starts its 2N networks from seeds
            ``1 + 10_000 s + i``, ``i = 0 ... 2N-1``, so replicates never share an initialisation.
        pairs: N, pairs per task (one ``connect_many`` call connects all of them).
        kind: ``"dss"`` or ``"energy_gap"``.
        dss: DSS settings (:class:`~landscape_lib.dss.DSSOptions`); alpha also sets the endpoints' target.
        train_lr, train_max_steps, train_check_every: Adam on the training loss for the endpoints
            (:func:`~landscape_lib.dss.train_below`), until the criterion is $\le\alpha L_0$.
        gap_upper_factor, gap_rtol, gap_max_rounds: the energy-gap bracket starts at
            ``gap_upper_factor * L0`` and stops at relative width ``gap_rtol`` or after ``gap_max_rounds`` rounds.
        threads: PyTorch threads per task (per Ray worker); 1 is fastest for small networks.
        device: ``"cpu"`` or ``"cuda"`` (tasks move data and models there).
        builder_options: extra keyword arguments of the builder (e.g. ``n_train``, ``path``).
    """

    name: str
    builder: str
    thresholds: tuple[float, ...]
    widths: tuple[int, ...]
    seeds: tuple[int, ...] = (0,)
    pairs: int = 3
    kind: str = "dss"
    dss: DSSOptions = field(default_factory=DSSOptions)
    train_lr: float = 1e-2
    train_max_steps: int = 3000
    train_check_every: int = 5
    gap_upper_factor: float = 2.0
    gap_rtol: float = 0.05
    gap_max_rounds: int = 6
    threads: int = 1
    device: str = "cpu"
    builder_options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        fn = "SweepConfig"
        from .tasks import BUILDERS  # the registry lives with the task code

        if not isinstance(self.name, str) or not self.name or any(c in self.name for c in "/\\"):
            raise ValueError(f"{fn}: argument `name` must be a non-empty string without slashes, got {describe(self.name)}")
        if self.builder not in BUILDERS:
            raise ValueError(f"{fn}: argument `builder` must be one of {sorted(BUILDERS)}, got {self.builder!r}")
        if self.kind not in KINDS:
            raise ValueError(f"{fn}: argument `kind` must be one of {KINDS}, got {self.kind!r}")
        for arg, minimum in (("thresholds", None), ("widths", 1), ("seeds", 0)):
            value = getattr(self, arg)
            if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__") or len(list(value)) == 0:
                raise ValueError(f"{fn}: argument `{arg}` must be a non-empty list, got {describe(value)}")
            items = [check_number(v, fn=fn, arg=arg, minimum=0.0, strict_min=True) if minimum is None
                     else check_int(v, fn=fn, arg=arg, minimum=minimum) for v in value]
            if len(set(items)) != len(items):
                raise ValueError(f"{fn}: argument `{arg}` has repeated entries: {list(value)}")
            object.__setattr__(self, arg, tuple(items))
        check_int(self.pairs, fn=fn, arg="pairs", minimum=1)
        if isinstance(self.dss, Mapping):  # as read from a file
            object.__setattr__(self, "dss", resolve(fn, None, dict(self.dss)))
        elif not isinstance(self.dss, DSSOptions):
            raise TypeError(f"{fn}: argument `dss` must be a DSSOptions or a mapping of its fields, got {describe(self.dss)}")
        check_number(self.train_lr, fn=fn, arg="train_lr", minimum=0.0, strict_min=True)
        check_int(self.train_max_steps, fn=fn, arg="train_max_steps", minimum=1)
        check_int(self.train_check_every, fn=fn, arg="train_check_every", minimum=1)
        if check_number(self.gap_upper_factor, fn=fn, arg="gap_upper_factor", minimum=1.0, strict_min=True) <= 1:
            raise ValueError(f"{fn}: argument `gap_upper_factor` must be > 1, got {self.gap_upper_factor}")
        check_number(self.gap_rtol, fn=fn, arg="gap_rtol", minimum=0.0, strict_min=True)
        check_int(self.gap_max_rounds, fn=fn, arg="gap_max_rounds", minimum=1)
        check_int(self.threads, fn=fn, arg="threads", minimum=1)
        if self.device not in ("cpu", "cuda") and not str(self.device).startswith("cuda:"):
            raise ValueError(f"{fn}: argument `device` must be 'cpu', 'cuda' or 'cuda:N', got {self.device!r}")
        if not isinstance(self.builder_options, Mapping) or not all(isinstance(k, str) for k in self.builder_options):
            raise TypeError(f"{fn}: argument `builder_options` must be a mapping with string keys, got "
                            f"{describe(self.builder_options)}")
        object.__setattr__(self, "builder_options", dict(self.builder_options))

    def to_dict(self) -> dict[str, Any]:
        """Plain data (lists, numbers, strings), as written to ``config.json``."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["dss"] = self.dss.as_dict()
        for key in ("thresholds", "widths", "seeds"):
            out[key] = list(out[key])
        out["builder_options"] = dict(self.builder_options)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SweepConfig:
        """The inverse of :meth:`to_dict`; unknown keys are an error (a typo must not be ignored)."""
        if not isinstance(data, Mapping):
            raise TypeError(f"SweepConfig.from_dict: argument `data` must be a mapping, got {describe(data)}")
        names = {f.name for f in dataclasses.fields(cls)}
        check_known_names("SweepConfig.from_dict", data, names, what="key")
        missing = sorted(n for n in ("name", "builder", "thresholds", "widths") if n not in data)
        if missing:
            raise ValueError(f"SweepConfig.from_dict: missing required key{'s' if len(missing) > 1 else ''} "
                             f"{', '.join(map(repr, missing))}")
        return cls(**data)

    def replace(self, **changes: Any) -> SweepConfig:
        """A copy with some fields changed (e.g. fewer pairs for a test), validated again."""
        return dataclasses.replace(self, **changes)

    def save(self, path: str | Path) -> Path:
        """Write the config as JSON (the results folder's ``config.json``); returns the path."""
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n")
        return path

    def fingerprint(self) -> str:
        """A canonical JSON string: two configs describe the same sweep iff their fingerprints agree."""
        return json.dumps(self.to_dict(), sort_keys=True, allow_nan=False)

    @property
    def n_tasks(self) -> int:
        return len(self.widths) * len(self.seeds) * len(self.thresholds)


def load_config(source: str | Path) -> SweepConfig:
    """Read a :class:`SweepConfig` from a ``.toml`` or ``.json`` file, or a bundled config by name.

    A bundled name (``"lecture05_small"``, ``"paper_scale_quadratic"``, ...) is looked up in
    ``landscape_lib/scale/configs/``.  A TOML file may hold several sweeps as ``[sweep.NAME]``
    tables: give ``path.toml:NAME`` to pick one.
    """
    fn = "load_config"
    if not isinstance(source, (str, Path)):
        raise TypeError(f"{fn}: argument `source` must be a path or a config name, got {describe(source)}")
    text = str(source)
    path, pick = Path(text), ""
    if not path.exists() and ":" in path.name:  # "file.toml:NAME" picks one sweep of the file
        head, pick = text.rsplit(":", 1)
        path = Path(head)
    if not path.exists():
        candidates = [CONFIG_DIR / f"{path.name}.toml", CONFIG_DIR / path.name]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            names = sorted(p.stem for p in CONFIG_DIR.glob("*.toml"))
            raise FileNotFoundError(f"{fn}: argument `source` is neither a file nor a bundled config: {text!r} "
                                    f"(bundled: {', '.join(names)})")
        path = found
    if path.suffix == ".json":
        data = json.loads(path.read_text())
    elif path.suffix == ".toml":
        data = tomllib.loads(path.read_text())
    else:
        raise ValueError(f"{fn}: argument `source` must end in .toml or .json, got {str(path)!r}")
    if "sweep" in data and isinstance(data["sweep"], Mapping):
        sweeps = data["sweep"]
        if not pick:
            if len(sweeps) != 1:
                raise ValueError(f"{fn}: {path} holds several sweeps ({', '.join(sweeps)}); pick one as {path}:NAME")
            pick = next(iter(sweeps))
        if pick not in sweeps:
            raise ValueError(f"{fn}: {path} has no sweep {pick!r}; it has {', '.join(sweeps)}")
        data = {"name": pick, **sweeps[pick]}
    return SweepConfig.from_dict(data)
