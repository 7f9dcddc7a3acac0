"""The bad-input sweep (issue 13): every public function refuses bad input with a clear error.

Each case is (label, call, expected exception type(s), function name, argument name).  A case is
*clear* when the call raises the expected exception and its message names the function the user
called and the argument (in backticks).  A call that returns is *silent* -- the worst outcome: a
wrong or NaN result that nobody notices.  Every case runs under a time bound (no hangs); memory
refusals happen before anything is allocated, so the whole file runs in a few seconds.
"""

from __future__ import annotations

import importlib
import math
import re
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
import torch
from torch import nn

import landscape_lib as L
from landscape_lib import curvature as C
from landscape_lib import mean_field as MF
from landscape_lib import models as M
from landscape_lib.data import counterexamples as DC
from landscape_lib.data import regression as DR
from landscape_lib.data import teacher as DT
from landscape_lib.landscape import AnalyticLandscape, ModuleLandscape
from landscape_lib.paths import segment_max, string_points
from landscape_lib.spin_glass import model as SG
from landscape_lib.spin_glass import complexity as SC
from landscape_lib.spin_glass.descent import fit_finite_size, sphere_gradient_descent
from landscape_lib.strings import minimum_energy_path, redistribute, straight_string, taut_string
from landscape_lib.tensors import orthogonal as TO
from landscape_lib.tensors import spiked as TS
EG = importlib.import_module("landscape_lib.topology.energy_gap")  # (the package re-exports a function of that name)
from landscape_lib.topology import symmetries as SY
from landscape_lib.topology.sublevel import count_components, evaluate_on_grid, label_components, sublevel_mask
from landscape_lib.toys import convex_bowl, ring_valley, ring_valley_geodesic
from landscape_lib.training import PointPool, descend, plain_objective
from landscape_lib.validation import DivergenceError, MemoryBudgetError, memory_budget

TIME_BOUND = 5.0  # seconds per case; the whole sweep takes a few seconds
F64 = torch.float64
NAN, INF = math.nan, math.inf

# -- tiny fixtures -------------------------------------------------------------------------------
BOWL = convex_bowl()
RING = ring_valley()
A = torch.tensor([1.0, 0.0], dtype=F64)
B = torch.tensor([0.0, 1.0], dtype=F64)
X = torch.linspace(0, 1, 8, dtype=F64)[:, None]
Y = X**2
NET = M.mlp([1, 3, 1], seed=0)
MOD = ModuleLandscape(NET, X, Y, nn.functional.mse_loss)
THETA = MOD.flatten(NET)
J3 = SG.sample_couplings(4, 3, generator=torch.Generator().manual_seed(0))
S3 = SG.project_to_sphere(torch.ones(4, dtype=F64))
VECTOR_FN = AnalyticLandscape(lambda t: t * 2, dim=2)
NAN_DATA = ModuleLandscape(NET, X, Y, nn.functional.mse_loss)
NAN_DATA.inputs = torch.full_like(X, NAN)  # data spoilt after construction (which refuses NaN data)
NAN_BEADS = torch.tensor([[0.0, 0.0], [NAN, 1.0], [1.0, 1.0]], dtype=F64)
BEADS = torch.tensor([[0.0, 0.0], [0.5, 1.0], [1.0, 1.0]], dtype=F64)
BIG = 10**6  # a budget-busting size multiplier: (10**6)**2 doubles = 7 TiB
#: Sizes just past this machine's memory budget (so that the cases stay refusals on any machine).
OVER = memory_budget() // 8 + 1
GRID_SIDE = max(20_000, math.isqrt(OVER) + 1)  # a 20,000^2 grid on the course machines
N_COUPLINGS = max(700, round(OVER ** (1 / 3)) + 1)  # sample_couplings(700, 3) on the course machines


@dataclass(frozen=True)
class Case:
    label: str
    call: Callable[[], object]
    fn: str
    arg: str
    exc: tuple[type[BaseException], ...] = (TypeError, ValueError)


def c(label: str, call: Callable[[], object], fn: str, arg: str, exc=(TypeError, ValueError)) -> Case:
    return Case(label, call, fn, arg, exc if isinstance(exc, tuple) else (exc,))


def _descend(**kw):
    base = dict(lr=0.1, max_steps=3, progress=False)
    base.update(kw)
    theta0 = base.pop("theta0", A)
    landscape = base.pop("landscape", BOWL)
    return lambda: descend(landscape, theta0, **base)


def _mlp_landscape(**kw):
    return lambda: ModuleLandscape(**{**dict(model=NET, inputs=X, targets=Y, loss_fn=nn.functional.mse_loss), **kw})


CASES: list[Case] = [
    # -- Landscape / AnalyticLandscape -----------------------------------------------------------
    c("dim=0", lambda: AnalyticLandscape(lambda t: t.sum(), 0), "AnalyticLandscape", "dim"),
    c("dim=-3", lambda: AnalyticLandscape(lambda t: t.sum(), -3), "AnalyticLandscape", "dim"),
    c("dim=2.0", lambda: AnalyticLandscape(lambda t: t.sum(), 2.0), "AnalyticLandscape", "dim"),
    c("dim=True", lambda: AnalyticLandscape(lambda t: t.sum(), True), "AnalyticLandscape", "dim"),
    c("fn not callable", lambda: AnalyticLandscape(3, 2), "AnalyticLandscape", "fn"),
    c("chunk_size=0", lambda: AnalyticLandscape(lambda t: t.sum(), 2, chunk_size=0), "AnalyticLandscape", "chunk_size"),
    c("chunk_size=1.5", lambda: AnalyticLandscape(lambda t: t.sum(), 2, chunk_size=1.5), "AnalyticLandscape", "chunk_size"),
    c("device=cuda without GPU", lambda: AnalyticLandscape(lambda t: t.sum(), 2, device="cuda"), "AnalyticLandscape", "device"),
    c("device='gpu'", lambda: AnalyticLandscape(lambda t: t.sum(), 2, device="gpu"), "AnalyticLandscape", "device"),
    c("dtype=int64", lambda: AnalyticLandscape(lambda t: t.sum(), 2, dtype=torch.int64), "AnalyticLandscape", "dtype"),
    c("dtype='float64'", lambda: AnalyticLandscape(lambda t: t.sum(), 2, dtype="float64"), "AnalyticLandscape", "dtype"),
    c("extent of 3", lambda: AnalyticLandscape(lambda t: t.sum(), 2, extent=(0, 1, 2)), "AnalyticLandscape", "extent"),
    c("vector-valued fn", lambda: VECTOR_FN(A), "AnalyticLandscape.__call__", "fn"),
    c("vector-valued fn, batch", lambda: VECTOR_FN(torch.stack([A, B])), "AnalyticLandscape.__call__", "fn"),
    c("vector-valued fn, grad", lambda: VECTOR_FN.grad(A), "AnalyticLandscape.grad", "fn"),
    c("call: list", lambda: BOWL([1.0, 2.0]), "AnalyticLandscape.__call__", "theta"),
    c("call: wrong P", lambda: BOWL(torch.zeros(3, dtype=F64)), "AnalyticLandscape.__call__", "theta"),
    c("call: 3-D", lambda: BOWL(torch.zeros(1, 1, 2, dtype=F64)), "AnalyticLandscape.__call__", "theta"),
    c("call: float32", lambda: BOWL(A.float()), "AnalyticLandscape.__call__", "theta"),
    c("call: int", lambda: BOWL(torch.tensor([1, 2])), "AnalyticLandscape.__call__", "theta"),
    c("call: NaN", lambda: BOWL(torch.tensor([NAN, 0.0], dtype=F64)), "AnalyticLandscape.__call__", "theta"),
    c("call: inf", lambda: BOWL(torch.tensor([INF, 0.0], dtype=F64)), "AnalyticLandscape.__call__", "theta"),
    c("call: empty batch", lambda: BOWL(torch.zeros(0, 2, dtype=F64)), "AnalyticLandscape.__call__", "theta"),
    c("call: numpy", lambda: BOWL(np.zeros(2)), "AnalyticLandscape.__call__", "theta"),
    c("grad: NaN", lambda: BOWL.grad(torch.tensor([NAN, 0.0], dtype=F64)), "AnalyticLandscape.grad", "theta"),
    c("grad: wrong P", lambda: BOWL.grad(torch.zeros(5, dtype=F64)), "AnalyticLandscape.grad", "theta"),
    c("grad: empty batch", lambda: BOWL.grad(torch.zeros(0, 2, dtype=F64)), "AnalyticLandscape.grad", "theta"),
    c("hvp: v shape", lambda: BOWL.hvp(A, torch.zeros(3, dtype=F64)), "AnalyticLandscape.hvp", "v"),
    c("hvp: v NaN", lambda: BOWL.hvp(A, torch.tensor([NAN, 0.0], dtype=F64)), "AnalyticLandscape.hvp", "v"),
    c("hvp: v batch vs point", lambda: BOWL.hvp(A, torch.zeros(2, 2, dtype=F64)), "AnalyticLandscape.hvp", "v"),
    c("hessian: batch", lambda: BOWL.hessian(torch.zeros(2, 2, dtype=F64)), "AnalyticLandscape.hessian", "theta"),
    c("hessian: huge P", lambda: AnalyticLandscape(lambda t: t.sum(), BIG).hessian(torch.zeros(BIG, dtype=F64)),
      "AnalyticLandscape.hessian", "theta"),
    # -- ModuleLandscape --------------------------------------------------------------------------
    c("model not a module", _mlp_landscape(model="net"), "ModuleLandscape", "model"),
    c("strategy='fast'", _mlp_landscape(strategy="fast"), "ModuleLandscape", "strategy"),
    c("inputs list", _mlp_landscape(inputs=[[0.0]]), "ModuleLandscape", "inputs"),
    c("targets list", _mlp_landscape(targets=[0.0]), "ModuleLandscape", "targets"),
    c("length mismatch", _mlp_landscape(targets=Y[:3]), "ModuleLandscape", "targets"),
    c("loss_fn not callable", _mlp_landscape(loss_fn="mse"), "ModuleLandscape", "loss_fn"),
    c("NaN inputs", _mlp_landscape(inputs=torch.full_like(X, NAN)), "ModuleLandscape", "inputs"),
    c("inf targets", _mlp_landscape(targets=torch.full_like(Y, INF)), "ModuleLandscape", "targets"),
    c("float32 inputs", _mlp_landscape(inputs=X.float()), "ModuleLandscape", "inputs"),
    c("float32 model, float64 data", _mlp_landscape(model=M.mlp([1, 3, 1], seed=0, dtype=torch.float32)),
      "ModuleLandscape", "inputs"),
    c("empty inputs", _mlp_landscape(inputs=X[:0], targets=Y[:0]), "ModuleLandscape", "inputs"),
    c("inputs of wrong width", _mlp_landscape(inputs=torch.zeros(8, 3, dtype=F64)), "ModuleLandscape", "inputs"),
    c("chunk_size=-1", _mlp_landscape(chunk_size=-1), "ModuleLandscape", "chunk_size"),
    c("chunk_size='big'", _mlp_landscape(chunk_size="big"), "ModuleLandscape", "chunk_size"),
    c("model w/o parameters", _mlp_landscape(model=nn.ReLU()), "ModuleLandscape", "model"),
    c("module call: wrong P", lambda: MOD(torch.zeros(3, dtype=F64)), "ModuleLandscape.__call__", "theta"),
    c("module call: float32", lambda: MOD(THETA.float()), "ModuleLandscape.__call__", "theta"),
    c("flatten: other net", lambda: MOD.flatten(M.mlp([1, 4, 1])), "ModuleLandscape.flatten", "model"),
    c("flatten: not a module", lambda: MOD.flatten(3), "ModuleLandscape.flatten", "model"),
    c("load_into: batch", lambda: MOD.load_into(NET, THETA[None].repeat(2, 1)), "ModuleLandscape.load_into", "theta"),
    c("load_into: NaN", lambda: MOD.load_into(NET, torch.full_like(THETA, NAN)), "ModuleLandscape.load_into", "theta"),
    c("outputs: batch", lambda: MOD.outputs(THETA[None].repeat(2, 1)), "ModuleLandscape.outputs", "theta"),
    c("with_data: NaN", lambda: MOD.with_data(torch.full_like(X, NAN), Y), "ModuleLandscape.with_data", "inputs"),
    c("with_data: mismatch", lambda: MOD.with_data(X, Y[:2]), "ModuleLandscape.with_data", "targets"),
    c("with_data: empty", lambda: MOD.with_data(X[:0], Y[:0]), "ModuleLandscape.with_data", "inputs"),
    # -- paths -------------------------------------------------------------------------------------
    c("string_points: list", lambda: string_points([[0.0], [1.0]]), "string_points", "beads"),
    c("string_points: 1 bead", lambda: string_points(torch.zeros(1, 2, dtype=F64)), "string_points", "beads"),
    c("string_points: NaN", lambda: string_points(NAN_BEADS), "string_points", "beads"),
    c("string_points: n_points=1", lambda: string_points(BEADS, 1), "string_points", "n_points"),
    c("string_points: n_points=2.5", lambda: string_points(BEADS, 2.5), "string_points", "n_points"),
    c("string_points: huge n_points", lambda: string_points(BEADS, 10**12), "string_points", "n_points"),
    c("loss_along_string: NaN", lambda: L.loss_along_string(BOWL, NAN_BEADS), "loss_along_string", "beads"),
    c("loss_along_string: wrong P", lambda: L.loss_along_string(BOWL, torch.zeros(3, 3, dtype=F64)),
      "loss_along_string", "beads"),
    c("loss_along_string: n_points=0", lambda: L.loss_along_string(BOWL, BEADS, 0), "loss_along_string", "n_points"),
    c("loss_along_string: 1 bead", lambda: L.loss_along_string(BOWL, BEADS[:1]), "loss_along_string", "beads"),
    c("loss_along_string: huge", lambda: L.loss_along_string(BOWL, BEADS, 10**10), "loss_along_string", "n_points"),
    c("loss_along_segment: a NaN", lambda: L.loss_along_segment(BOWL, torch.tensor([NAN, 0.0], dtype=F64), B),
      "loss_along_segment", "a"),
    c("loss_along_segment: b batch", lambda: L.loss_along_segment(BOWL, A, torch.zeros(2, 2, dtype=F64)),
      "loss_along_segment", "b"),
    c("loss_along_segment: n_points=1", lambda: L.loss_along_segment(BOWL, A, B, 1), "loss_along_segment", "n_points"),
    c("loss_along_segment: float32", lambda: L.loss_along_segment(BOWL, A.float(), B), "loss_along_segment", "a"),
    c("loss_along_segment: huge n_points", lambda: L.loss_along_segment(BOWL, A, B, 10**12),
      "loss_along_segment", "n_points"),
    c("segment_max: shapes", lambda: segment_max(BOWL, A[None], torch.zeros(2, 2, dtype=F64)), "segment_max", "right"),
    c("segment_max: n_grid=1", lambda: segment_max(BOWL, A[None], B[None], 1), "segment_max", "n_grid"),
    c("segment_max: n_grid=10**8 huge", lambda: segment_max(BOWL, A[None].repeat(100, 1), B[None].repeat(100, 1), 10**8),
      "segment_max", "n_grid"),
    c("segment_max: points", lambda: segment_max(BOWL, A, B), "segment_max", "left"),
    c("barrier: list", lambda: L.barrier(BOWL, [1.0, 0.0], B), "barrier", "a"),
    c("barrier: NaN b", lambda: L.barrier(BOWL, A, torch.tensor([0.0, NAN], dtype=F64)), "barrier", "b"),
    c("barrier: n_points=1", lambda: L.barrier(BOWL, A, B, 1), "barrier", "n_points"),
    c("barrier: n_points='many'", lambda: L.barrier(BOWL, A, B, "many"), "barrier", "n_points"),
    c("barrier: not a landscape", lambda: L.barrier(lambda t: t, A, B), "barrier", "landscape"),
    c("barrier: vector fn", lambda: L.barrier(VECTOR_FN, A, B), "barrier", "fn"),
    c("path_length: NaN", lambda: L.path_length(NAN_BEADS), "path_length", "beads"),
    c("path_length: 1-D", lambda: L.path_length(A), "path_length", "beads"),
    c("path_length: mask shape", lambda: L.path_length(BEADS, torch.ones(3, dtype=torch.bool)), "path_length", "mask"),
    c("path_length: mask float", lambda: L.path_length(BEADS, torch.ones(2)), "path_length", "mask"),
    c("normalized_geodesic_length: NaN", lambda: L.normalized_geodesic_length(NAN_BEADS),
      "normalized_geodesic_length", "beads"),
    c("normalized_geodesic_length: closed", lambda: L.normalized_geodesic_length(torch.zeros(3, 2, dtype=F64)),
      "normalized_geodesic_length", "beads"),
    c("normalized_geodesic_length: list", lambda: L.normalized_geodesic_length([[0.0, 1.0]]),
      "normalized_geodesic_length", "beads"),
    # -- strings -----------------------------------------------------------------------------------
    c("straight_string: n_beads=1", lambda: straight_string(A, B, 1), "straight_string", "n_beads"),
    c("straight_string: list", lambda: straight_string([0.0], B, 3), "straight_string", "a"),
    c("straight_string: shapes", lambda: straight_string(A, torch.zeros(3, dtype=F64), 3), "straight_string", "b"),
    c("straight_string: huge", lambda: straight_string(A, B, 10**12), "straight_string", "n_beads"),
    c("redistribute: NaN", lambda: redistribute(NAN_BEADS), "redistribute", "beads"),
    c("redistribute: n_beads=1", lambda: redistribute(BEADS, 1), "redistribute", "n_beads"),
    c("redistribute: 1-D", lambda: redistribute(A), "redistribute", "beads"),
    c("minimum_energy_path: n_beads=2", lambda: minimum_energy_path(BOWL, A, B, n_beads=2), "minimum_energy_path", "n_beads"),
    c("minimum_energy_path: steps=0", lambda: minimum_energy_path(BOWL, A, B, steps=0), "minimum_energy_path", "steps"),
    c("minimum_energy_path: lr=-1", lambda: minimum_energy_path(BOWL, A, B, lr=-1.0), "minimum_energy_path", "lr"),
    c("minimum_energy_path: lr=NaN", lambda: minimum_energy_path(BOWL, A, B, lr=NAN), "minimum_energy_path", "lr"),
    c("minimum_energy_path: a NaN", lambda: minimum_energy_path(BOWL, torch.tensor([NAN, 0.0], dtype=F64), B),
      "minimum_energy_path", "a"),
    c("minimum_energy_path: via shape", lambda: minimum_energy_path(BOWL, A, B, via=torch.zeros(2, 2, dtype=F64)),
      "minimum_energy_path", "via"),
    c("minimum_energy_path: diverges", lambda: minimum_energy_path(BOWL, A, B, lr=1e6, steps=200, n_beads=5),
      "minimum_energy_path", "lr", (DivergenceError,)),
    c("taut_string: level NaN", lambda: taut_string(BOWL, A, B, NAN), "taut_string", "level"),
    c("taut_string: level inf", lambda: taut_string(BOWL, A, B, INF), "taut_string", "level"),
    c("taut_string: level str", lambda: taut_string(BOWL, A, B, "1"), "taut_string", "level"),
    c("taut_string: ends above", lambda: taut_string(BOWL, A, B, 0.5), "taut_string", "level"),
    c("taut_string: pull=0", lambda: taut_string(BOWL, A, B, 2.0, pull=0.0), "taut_string", "pull"),
    c("taut_string: pull=NaN", lambda: taut_string(BOWL, A, B, 2.0, pull=NAN), "taut_string", "pull"),
    c("taut_string: pull='a'", lambda: taut_string(BOWL, A, B, 2.0, pull="a"), "taut_string", "pull"),
    c("taut_string: tol=-1", lambda: taut_string(BOWL, A, B, 2.0, tol=-1.0), "taut_string", "tol"),
    c("taut_string: tol=NaN", lambda: taut_string(BOWL, A, B, 2.0, tol=NAN), "taut_string", "tol"),
    c("taut_string: steps=0", lambda: taut_string(BOWL, A, B, 2.0, steps=0), "taut_string", "steps"),
    c("taut_string: n_beads=2.0", lambda: taut_string(BOWL, A, B, 2.0, n_beads=2.0), "taut_string", "n_beads"),
    c("taut_string: huge n_beads", lambda: taut_string(BOWL, A, B, 2.0, n_beads=10**11), "taut_string", "n_beads"),
    # -- training ----------------------------------------------------------------------------------
    c("descend: record_every=0", _descend(record_every=0), "descend", "record_every"),
    c("descend: target=NaN", _descend(target=NAN), "descend", "target"),
    c("descend: target='low'", _descend(target="low"), "descend", "target"),
    c("descend: target of 3 for 1 run", _descend(target=torch.ones(3, dtype=F64)), "descend", "target"),
    c("descend: lr=0", _descend(lr=0.0), "descend", "lr"),
    c("descend: lr=NaN", _descend(lr=NAN), "descend", "lr"),
    c("descend: lr=inf", _descend(lr=INF), "descend", "lr"),
    c("descend: lr='0.1'", _descend(lr="0.1"), "descend", "lr"),
    c("descend: max_steps=0", _descend(max_steps=0), "descend", "max_steps"),
    c("descend: max_steps=2.5", _descend(max_steps=2.5), "descend", "max_steps"),
    c("descend: optimizer='lbfgs'", _descend(optimizer="lbfgs"), "descend", "optimizer"),
    c("descend: theta0 NaN", _descend(theta0=torch.tensor([NAN, 0.0], dtype=F64)), "descend", "theta0"),
    c("descend: theta0 list", _descend(theta0=[0.0, 1.0]), "descend", "theta0"),
    c("descend: theta0 empty", _descend(theta0=torch.zeros(0, 2, dtype=F64)), "descend", "theta0"),
    c("descend: theta0 float32", _descend(theta0=A.float()), "descend", "theta0"),
    c("descend: not a landscape", _descend(landscape=lambda t: t), "descend", "landscape"),
    c("descend: batch_size on analytic", _descend(batch_size=2), "descend", "batch_size"),
    c("descend: batch_size=0", _descend(landscape=MOD, theta0=THETA, batch_size=0), "descend", "batch_size"),
    c("descend: batch_size > data", _descend(landscape=MOD, theta0=THETA, batch_size=100), "descend", "batch_size"),
    c("descend: generator wrong", _descend(landscape=MOD, theta0=THETA, batch_size=2, generator=3), "descend", "generator"),
    c("descend: progress='yes'", _descend(progress="yes"), "descend", "progress"),
    c("descend: diverging SGD", _descend(optimizer="sgd", lr=10.0, max_steps=400), "descend", "lr", (DivergenceError,)),
    c("descend: NaN data", _descend(landscape=NAN_DATA, theta0=THETA), "descend", "landscape"),
    c("descend: vector fn", _descend(landscape=VECTOR_FN), "descend", "fn"),
    c("PointPool: optimizer", lambda: PointPool(plain_objective(BOWL), BOWL, optimizer="x", lr=0.1, max_steps=3,
                                                 check_every=1), "PointPool", "optimizer"),
    c("PointPool: lr NaN", lambda: PointPool(plain_objective(BOWL), BOWL, optimizer="sgd", lr=NAN, max_steps=3,
                                              check_every=1), "PointPool", "lr"),
    c("PointPool: check_every=0", lambda: PointPool(plain_objective(BOWL), BOWL, optimizer="sgd", lr=0.1, max_steps=3,
                                                     check_every=0), "PointPool", "check_every"),
    c("PointPool: criterion", lambda: PointPool(plain_objective(BOWL), "F", optimizer="sgd", lr=0.1, max_steps=3,
                                                 check_every=1), "PointPool", "criterion"),
    c("PointPool.add: NaN rows", lambda: PointPool(plain_objective(BOWL), BOWL, optimizer="sgd", lr=0.1, max_steps=3,
                                                    check_every=1).add(torch.full((2, 2), NAN, dtype=F64), 1.0, [0, 1]),
      "PointPool.add", "theta"),
    c("PointPool.add: tags", lambda: PointPool(plain_objective(BOWL), BOWL, optimizer="sgd", lr=0.1, max_steps=3,
                                                check_every=1).add(torch.zeros(2, 2, dtype=F64), 1.0, [0]),
      "PointPool.add", "tags"),
    c("PointPool.add: level NaN", lambda: PointPool(plain_objective(BOWL), BOWL, optimizer="sgd", lr=0.1, max_steps=3,
                                                     check_every=1).add(torch.zeros(2, 2, dtype=F64), NAN, [0, 1]),
      "PointPool.add", "level"),
    # -- toys --------------------------------------------------------------------------------------
    c("ring_valley_geodesic: 0", lambda: ring_valley_geodesic(0.0), "ring_valley_geodesic", "level"),
    c("ring_valley_geodesic: NaN", lambda: ring_valley_geodesic(NAN), "ring_valley_geodesic", "level"),
    c("ring_valley_geodesic: 2", lambda: ring_valley_geodesic(2.0), "ring_valley_geodesic", "level"),
    c("ring_valley_geodesic: str", lambda: ring_valley_geodesic("0.5"), "ring_valley_geodesic", "level"),
    # -- topology.sublevel ------------------------------------------------------------------------
    c("sublevel_mask: level NaN", lambda: sublevel_mask(torch.zeros(3, 3), NAN), "sublevel_mask", "level"),
    c("sublevel_mask: level str", lambda: sublevel_mask(torch.zeros(3, 3), "0"), "sublevel_mask", "level"),
    c("sublevel_mask: level tensor of 2", lambda: sublevel_mask(torch.zeros(3, 3), torch.zeros(2)), "sublevel_mask", "level"),
    c("sublevel_mask: values NaN", lambda: sublevel_mask(torch.full((2, 2), NAN), 0.0), "sublevel_mask", "values"),
    c("sublevel_mask: values list", lambda: sublevel_mask([[0.0]], 0.0), "sublevel_mask", "values"),
    c("sublevel_mask: values bool", lambda: sublevel_mask(torch.ones(2, 2, dtype=torch.bool), 0.0), "sublevel_mask", "values"),
    c("evaluate_on_grid: axes count", lambda: evaluate_on_grid(BOWL, [torch.linspace(0, 1, 3)]), "evaluate_on_grid", "axes"),
    c("evaluate_on_grid: axis list", lambda: evaluate_on_grid(BOWL, [[0.0, 1.0], torch.linspace(0, 1, 3)]),
      "evaluate_on_grid", "axes[0]"),
    c("evaluate_on_grid: axis NaN", lambda: evaluate_on_grid(BOWL, [torch.tensor([0.0, NAN]), torch.linspace(0, 1, 3)]),
      "evaluate_on_grid", "axes[0]"),
    c("evaluate_on_grid: 20000^2", lambda: evaluate_on_grid(BOWL, [torch.linspace(0, 1, GRID_SIDE)] * 2),
      "evaluate_on_grid", "axes"),
    c("evaluate_on_grid: 1 point", lambda: evaluate_on_grid(BOWL, [torch.zeros(1), torch.zeros(3)]),
      "evaluate_on_grid", "axes[0]"),
    c("evaluate_on_grid: not a landscape", lambda: evaluate_on_grid("F", [torch.zeros(2), torch.zeros(2)]),
      "evaluate_on_grid", "landscape"),
    c("label_components: float mask", lambda: label_components(torch.zeros(3, 3)), "label_components", "mask"),
    c("label_components: list", lambda: label_components([[True]]), "label_components", "mask"),
    c("count_components: float mask", lambda: count_components(torch.zeros(3, 3)), "count_components", "mask"),
    c("count_components: list", lambda: count_components([True, False]), "count_components", "mask"),
    # -- spin glass --------------------------------------------------------------------------------
    c("sample_couplings: p=40 (2^40 couplings)", lambda: SG.sample_couplings(2, 40), "sample_couplings", "p"),
    c("symmetrize: memory", lambda: SG.symmetrize(torch.zeros(1, dtype=F64).expand(*(2,) * 40)), "symmetrize", "J"),
    c("sample_couplings: N=700, p=3 (memory)", lambda: SG.sample_couplings(N_COUPLINGS, 3), "sample_couplings", "N"),
    c("sample_couplings: n_instances memory", lambda: SG.sample_couplings(100, 3, n_instances=10**6),
      "sample_couplings", "n_instances"),
    c("sample_couplings: N=1", lambda: SG.sample_couplings(1, 3), "sample_couplings", "N"),
    c("sample_couplings: p=1", lambda: SG.sample_couplings(4, 1), "sample_couplings", "p"),
    c("sample_couplings: N=4.0", lambda: SG.sample_couplings(4.0, 3), "sample_couplings", "N"),
    c("sample_couplings: n_instances=0", lambda: SG.sample_couplings(4, 3, n_instances=0), "sample_couplings", "n_instances"),
    c("sample_couplings: dtype int", lambda: SG.sample_couplings(4, 3, dtype=torch.int64), "sample_couplings", "dtype"),
    c("sample_couplings: generator", lambda: SG.sample_couplings(4, 3, generator=0), "sample_couplings", "generator"),
    c("symmetrize: list", lambda: SG.symmetrize([[1.0]]), "symmetrize", "J"),
    c("symmetrize: p=0", lambda: SG.symmetrize(J3, 0), "symmetrize", "p"),
    c("symmetrize: non-square", lambda: SG.symmetrize(torch.zeros(2, 3)), "symmetrize", "J"),
    c("symmetrize: NaN", lambda: SG.symmetrize(torch.full((2, 2), NAN)), "symmetrize", "J"),
    c("pspin_energy: J NaN", lambda: SG.pspin_energy(torch.full_like(J3, NAN), S3), "pspin_energy", "J"),
    c("pspin_energy: J inf", lambda: SG.pspin_energy(torch.full_like(J3, INF), S3), "pspin_energy", "J"),
    c("pspin_energy: sigma off sphere", lambda: SG.pspin_energy(J3, torch.ones(4, dtype=F64) * 3), "pspin_energy", "sigma"),
    c("pspin_energy: sigma NaN", lambda: SG.pspin_energy(J3, torch.full((4,), NAN, dtype=F64)), "pspin_energy", "sigma"),
    c("pspin_energy: J shape", lambda: SG.pspin_energy(torch.zeros(4, 4, 5, dtype=F64), S3), "pspin_energy", "J"),
    c("pspin_energy: dtypes", lambda: SG.pspin_energy(J3.float(), S3), "pspin_energy", "J"),
    c("pspin_energy: sigma list", lambda: SG.pspin_energy(J3, [1.0] * 4), "pspin_energy", "sigma"),
    c("pspin_energy: sigma int", lambda: SG.pspin_energy(J3, torch.ones(4, dtype=torch.long)), "pspin_energy", "sigma"),
    c("pspin_hamiltonian: J NaN", lambda: SG.pspin_hamiltonian(torch.full_like(J3, NAN), S3), "pspin_hamiltonian", "J"),
    c("euclidean_gradient: asymmetric J", lambda: SG.euclidean_gradient(torch.randn(4, 4, 4, dtype=F64), S3),
      "euclidean_gradient", "J"),
    c("riemannian_gradient: J inf", lambda: SG.riemannian_gradient(torch.full_like(J3, INF), S3), "riemannian_gradient", "J"),
    c("riemannian_gradient: sigma shape", lambda: SG.riemannian_gradient(J3, torch.ones(5, dtype=F64)),
      "riemannian_gradient", "J"),
    c("riemannian_hessian: batched", lambda: SG.riemannian_hessian(J3[None], S3[None, None]), "riemannian_hessian", "sigma"),
    c("riemannian_hessian: J NaN", lambda: SG.riemannian_hessian(torch.full_like(J3, NAN), S3), "riemannian_hessian", "J"),
    c("tangent_hessian_eigenvalues: J NaN", lambda: SG.tangent_hessian_eigenvalues(torch.full_like(J3, NAN), S3),
      "tangent_hessian_eigenvalues", "J"),
    c("tangent_basis: list", lambda: SG.tangent_basis([1.0, 0.0]), "tangent_basis", "sigma"),
    c("tangent_basis: NaN", lambda: SG.tangent_basis(torch.tensor([NAN, 1.0], dtype=F64)), "tangent_basis", "sigma"),
    c("project_to_sphere: zero", lambda: SG.project_to_sphere(torch.zeros(3, dtype=F64)), "project_to_sphere", "x"),
    c("project_to_sphere: NaN", lambda: SG.project_to_sphere(torch.full((3,), NAN, dtype=F64)), "project_to_sphere", "x"),
    c("project_to_sphere: list", lambda: SG.project_to_sphere([1.0]), "project_to_sphere", "x"),
    c("random_sphere_points: N=1", lambda: SG.random_sphere_points(1), "random_sphere_points", "N"),
    c("random_sphere_points: shape huge", lambda: SG.random_sphere_points(1000, (10**9,)), "random_sphere_points", "shape"),
    c("random_sphere_points: shape neg", lambda: SG.random_sphere_points(4, (-2,)), "random_sphere_points", "shape"),
    c("great_circle: shapes", lambda: SG.great_circle(S3, torch.ones(5, dtype=F64), torch.zeros(3, dtype=F64)),
      "great_circle", "sigma_b"),
    c("great_circle: angles NaN", lambda: SG.great_circle(S3, -S3 + 0.1, torch.tensor([NAN], dtype=F64)),
      "great_circle", "angles"),
    c("great_circle: list angles", lambda: SG.great_circle(S3, S3, [0.0]), "great_circle", "angles"),
    c("semicircle_radius: p=1", lambda: SG.semicircle_radius(1), "semicircle_radius", "p"),
    c("semicircle_radius: p=2.5", lambda: SG.semicircle_radius(2.5), "semicircle_radius", "p"),
    c("semicircle_mass_below: radius 0", lambda: SG.semicircle_mass_below(0.0, 0.0), "semicircle_mass_below", "radius"),
    c("semicircle_mass_below: x NaN", lambda: SG.semicircle_mass_below(NAN, 1.0), "semicircle_mass_below", "x"),
    c("semicircle_mass_below: x str", lambda: SG.semicircle_mass_below("0", 1.0), "semicircle_mass_below", "x"),
    c("sphere_gradient_descent: dt=0", lambda: sphere_gradient_descent(J3, S3, dt=0.0), "sphere_gradient_descent", "dt"),
    c("sphere_gradient_descent: dt=NaN", lambda: sphere_gradient_descent(J3, S3, dt=NAN), "sphere_gradient_descent", "dt"),
    c("sphere_gradient_descent: max_steps=0", lambda: sphere_gradient_descent(J3, S3, max_steps=0),
      "sphere_gradient_descent", "max_steps"),
    c("sphere_gradient_descent: tol=-1", lambda: sphere_gradient_descent(J3, S3, tol=-1.0), "sphere_gradient_descent", "tol"),
    c("sphere_gradient_descent: record_every=0", lambda: sphere_gradient_descent(J3, S3, record_every=0),
      "sphere_gradient_descent", "record_every"),
    c("sphere_gradient_descent: temperature=-1", lambda: sphere_gradient_descent(J3, S3, temperature=-1.0),
      "sphere_gradient_descent", "temperature"),
    c("sphere_gradient_descent: temperature=NaN", lambda: sphere_gradient_descent(J3, S3, temperature=NAN),
      "sphere_gradient_descent", "temperature"),
    c("sphere_gradient_descent: J NaN", lambda: sphere_gradient_descent(torch.full_like(J3, NAN), S3),
      "sphere_gradient_descent", "J"),
    c("sphere_gradient_descent: J inf", lambda: sphere_gradient_descent(torch.full_like(J3, INF), S3),
      "sphere_gradient_descent", "J"),
    c("sphere_gradient_descent: sigma0 off sphere", lambda: sphere_gradient_descent(J3, S3 * 2),
      "sphere_gradient_descent", "sigma0"),
    c("sphere_gradient_descent: threads=0", lambda: sphere_gradient_descent(J3, S3, threads=0),
      "sphere_gradient_descent", "threads"),
    c("sphere_gradient_descent: diverges", lambda: sphere_gradient_descent(J3 * 1e300, S3, dt=1e10, max_steps=50),
      "sphere_gradient_descent", "dt", (DivergenceError, ValueError)),
    c("fit_finite_size: short", lambda: fit_finite_size(torch.ones(2), torch.ones(2), torch.ones(2)), "fit_finite_size", "ns"),
    c("fit_finite_size: sems 0", lambda: fit_finite_size(torch.arange(1.0, 5), torch.ones(4), torch.zeros(4)),
      "fit_finite_size", "sems"),
    c("fit_finite_size: gamma 0", lambda: fit_finite_size(torch.arange(1.0, 5), torch.ones(4), torch.ones(4), gamma=0.0),
      "fit_finite_size", "gamma"),
    c("fit_finite_size: means NaN", lambda: fit_finite_size(torch.arange(1.0, 5), torch.full((4,), NAN), torch.ones(4)),
      "fit_finite_size", "means"),
    c("threshold_energy: p=1", lambda: SC.threshold_energy(1), "threshold_energy", "p"),
    c("threshold_energy: p='3'", lambda: SC.threshold_energy("3"), "threshold_energy", "p"),
    c("ground_state_energy: p=2.0", lambda: SC.ground_state_energy(2.0), "ground_state_energy", "p"),
    c("complexity: u NaN", lambda: SC.complexity(NAN, 3), "complexity", "u"),
    c("complexity: k=-1", lambda: SC.complexity(-1.7, 3, -1), "complexity", "k"),
    c("total_complexity: p=1", lambda: SC.total_complexity(-1.7, 1), "total_complexity", "p"),
    c("total_complexity: u str", lambda: SC.total_complexity("x", 3), "total_complexity", "u"),
    c("critical_energy: k=-2", lambda: SC.critical_energy(3, -2), "critical_energy", "k"),
    c("large_deviation_i1: u NaN", lambda: SC.large_deviation_i1(NAN, 3), "large_deviation_i1", "u"),
    # -- data --------------------------------------------------------------------------------------
    c("polynomial_regression: n_train=-5", lambda: DR.polynomial_regression("cubic", n_train=-5),
      "polynomial_regression", "n_train"),
    c("polynomial_regression: n_train=0", lambda: DR.polynomial_regression("cubic", n_train=0),
      "polynomial_regression", "n_train"),
    c("polynomial_regression: n_test=-1", lambda: DR.polynomial_regression("cubic", n_test=-1),
      "polynomial_regression", "n_test"),
    c("polynomial_regression: n_train=2.5", lambda: DR.polynomial_regression("cubic", n_train=2.5),
      "polynomial_regression", "n_train"),
    c("polynomial_regression: target", lambda: DR.polynomial_regression("quartic"), "polynomial_regression", "target"),
    c("polynomial_regression: seed", lambda: DR.polynomial_regression("cubic", seed="a"), "polynomial_regression", "seed"),
    c("polynomial_regression: dtype", lambda: DR.polynomial_regression("cubic", dtype=torch.int32),
      "polynomial_regression", "dtype"),
    c("polynomial_regression: huge", lambda: DR.polynomial_regression("cubic", n_train=10**12),
      "polynomial_regression", "n_train"),
    c("circle_inputs: n=0", lambda: DT.circle_inputs(0), "circle_inputs", "n_samples"),
    c("circle_regression: target", lambda: DT.circle_regression("sawtooth"), "circle_regression", "target"),
    c("circle_regression: n_train=-1", lambda: DT.circle_regression(1, n_train=-1), "circle_regression", "n_train"),
    c("harmonic_target: frequency", lambda: DT.harmonic_target(torch.zeros(3, 2, dtype=F64), -1), "harmonic_target", "frequency"),
    c("teacher_regression: width 0", lambda: DT.teacher_regression(2, 0), "teacher_regression", "teacher_width"),
    c("teacher_regression: activation", lambda: DT.teacher_regression(2, 2, activation="cosh"),
      "teacher_regression", "activation"),
    c("teacher_regression: n_train=-3", lambda: DT.teacher_regression(2, 2, n_train=-3), "teacher_regression", "n_train"),
    c("two_gaussian_mixture: n=0", lambda: DC.two_gaussian_mixture(0), "two_gaussian_mixture", "n"),
    c("two_gaussian_mixture: sigma=-1", lambda: DC.two_gaussian_mixture(10, -1.0), "two_gaussian_mixture", "sigma"),
    c("two_gaussian_mixture: sigma NaN", lambda: DC.two_gaussian_mixture(10, NAN), "two_gaussian_mixture", "sigma"),
    # -- models ------------------------------------------------------------------------------------
    c("mlp: widths [1]", lambda: M.mlp([1]), "mlp", "widths"),
    c("mlp: widths 0", lambda: M.mlp([1, 0, 1]), "mlp", "widths"),
    c("mlp: widths float", lambda: M.mlp([1, 2.5, 1]), "mlp", "widths"),
    c("mlp: widths int", lambda: M.mlp(3), "mlp", "widths"),
    c("mlp: activation", lambda: M.mlp([1, 2, 1], activation="swish9"), "mlp", "activation"),
    c("mlp: output_activation", lambda: M.mlp([1, 2, 1], output_activation="x"), "mlp", "output_activation"),
    c("mlp: dtype", lambda: M.mlp([1, 2, 1], dtype=torch.int64), "mlp", "dtype"),
    c("mlp: seed", lambda: M.mlp([1, 2, 1], seed="a"), "mlp", "seed"),
    c("mlp: huge", lambda: M.mlp([10**6, 10**6, 1]), "mlp", "widths"),
    c("mlp: bias='no'", lambda: M.mlp([1, 2, 1], bias="no"), "mlp", "bias"),
    c("deep_linear: widths [2]", lambda: M.deep_linear([2]), "deep_linear", "widths"),
    c("deep_linear: negative", lambda: M.deep_linear([2, -1, 2]), "deep_linear", "widths"),
    # -- tensors / mean field / curvature / symmetries --------------------------------------------
    c("random_orthonormal_components: r > d", lambda: TO.random_orthonormal_components(5, 3), "random_orthonormal_components", "r"),
    c("random_orthonormal_components: r=0", lambda: TO.random_orthonormal_components(0, 3), "random_orthonormal_components", "r"),
    c("sample_spiked_tensor: N=0", lambda: TS.sample_spiked_tensor(0), "sample_spiked_tensor", "N"),
    c("sample_spiked_tensor: huge N", lambda: TS.sample_spiked_tensor(10**5), "sample_spiked_tensor", "N"),
    c("success_rate: threshold NaN", lambda: TS.success_rate(torch.ones(3), NAN), "success_rate", "threshold"),
    c("teacher_weights: m0=0", lambda: MF.teacher_weights(0), "teacher_weights", "m0"),
    c("init_particles: m=0", lambda: MF.init_particles(0, 2), "init_particles", "m"),
    c("train_mean_field: lr NaN", lambda: MF.train_mean_field(2, MF.teacher_weights(2, 3), lr=NAN, steps=2),
      "train_mean_field", "lr"),
    c("train_mean_field: steps=0", lambda: MF.train_mean_field(2, MF.teacher_weights(2, 3), steps=0),
      "train_mean_field", "steps"),
    c("lanczos: k=0", lambda: C.lanczos(torch.eye(3, dtype=F64), 0), "lanczos", "k"),
    c("lanczos: which", lambda: C.lanczos(torch.eye(3, dtype=F64), 1, which="middle"), "lanczos", "which"),
    c("lanczos: NaN matrix", lambda: C.lanczos(torch.full((3, 3), NAN, dtype=F64)), "lanczos", "operator"),
    c("hutchinson: n_probes=0", lambda: C.hutchinson(torch.eye(3, dtype=F64), 0), "hutchinson", "n_probes"),
    c("largest_gap: NaN", lambda: C.largest_gap(torch.tensor([1.0, NAN])), "largest_gap", "eigenvalues"),
    c("permute_hidden: not a permutation", lambda: SY.permute_hidden(NET, THETA, [0, 0, 1]), "permute_hidden", "perm"),
    c("permute_hidden: theta NaN", lambda: SY.permute_hidden(NET, torch.full_like(THETA, NAN), [0, 1, 2]),
      "permute_hidden", "theta"),
    c("rescale_hidden: scale 0", lambda: SY.rescale_hidden(NET, THETA, 0.0), "rescale_hidden", "scale"),
    c("rescale_hidden: scale NaN", lambda: SY.rescale_hidden(NET, THETA, NAN), "rescale_hidden", "scale"),
    c("add_hidden_units: n_new=-1", lambda: SY.add_hidden_units(NET, THETA, -1), "add_hidden_units", "n_new"),
    c("energy_gap_many: upper NaN", lambda: EG.energy_gap_many(BOWL, A, B, upper=NAN), "energy_gap_many", "upper"),
    c("energy_gap_many: rtol 0", lambda: EG.energy_gap_many(BOWL, A, B, upper=20.0, rtol=0.0), "energy_gap_many", "rtol"),
    c("energy_gap_many: max_rounds 0", lambda: EG.energy_gap_many(BOWL, A, B, upper=20.0, max_rounds=0),
      "energy_gap_many", "max_rounds"),
    c("energy_gap_many: grow 1", lambda: EG.energy_gap_many(BOWL, A, B, upper=20.0, grow=1.0), "energy_gap_many", "grow"),
    c("energy_gap: a NaN", lambda: EG.energy_gap(BOWL, torch.tensor([NAN, 0.0], dtype=F64), B, upper=20.0),
      "energy_gap", "theta_a"),
    # -- more of the library: models, operators, tensors, mean field, DSS options ------------------
    c("cnn: input_shape", lambda: M.cnn((1, 0, 8)), "cnn", "input_shape"),
    c("cnn: n_classes=0", lambda: M.cnn((8, 8), n_classes=0), "cnn", "n_classes"),
    c("cnn: kernel_size=0", lambda: M.cnn((8, 8), kernel_size=0), "cnn", "kernel_size"),
    c("TwoLayerLandscape: max_width=0", lambda: M.TwoLayerLandscape(X, Y[:, 0], max_width=0), "TwoLayerLandscape", "max_width"),
    c("TwoLayerLandscape: activation", lambda: M.TwoLayerLandscape(X, Y[:, 0], max_width=2, activation="tanh"),
      "TwoLayerLandscape", "activation"),
    c("TwoLayerLandscape: NaN inputs", lambda: M.TwoLayerLandscape(torch.full_like(X, NAN), Y[:, 0], max_width=2),
      "TwoLayerLandscape", "inputs"),
    c("HessianOperator: theta NaN", lambda: C.HessianOperator(BOWL, torch.tensor([NAN, 0.0], dtype=F64)),
      "HessianOperator", "theta"),
    c("HessianOperator: batch_size=0", lambda: C.HessianOperator(MOD, THETA, batch_size=0), "HessianOperator", "batch_size"),
    c("FunctionOperator: dim=0", lambda: C.FunctionOperator(lambda v: v, 0), "FunctionOperator", "dim"),
    c("FunctionOperator: matvec", lambda: C.FunctionOperator("A", 3), "FunctionOperator", "matvec"),
    c("power_iteration: k=0", lambda: C.power_iteration(torch.eye(3, dtype=F64), 0), "power_iteration", "k"),
    c("power_iteration: tol NaN", lambda: C.power_iteration(torch.eye(3, dtype=F64), tol=NAN), "power_iteration", "tol"),
    c("slq_density: n_probes=0", lambda: C.slq_density(torch.eye(3, dtype=F64), n_probes=0), "slq_density", "n_probes"),
    c("hutchinson: block=0", lambda: C.hutchinson(torch.eye(3, dtype=F64), 4, block=0), "hutchinson", "block"),
    c("spiked_objective: x shape", lambda: TS.spiked_objective(TS.sample_spiked_tensor(4), 1.0, torch.ones(5, dtype=F64)),
      "spiked_objective", "x"),
    c("spiked_objective: lam NaN", lambda: TS.spiked_objective(TS.sample_spiked_tensor(4), NAN, torch.ones(4, dtype=F64) / 2),
      "spiked_objective", "lam"),
    c("projected_gradient_ascent: step 0", lambda: TS.projected_gradient_ascent(
        TS.sample_spiked_tensor(4), 1.0, torch.ones(4, dtype=F64) / 2, step=0.0), "projected_gradient_ascent", "step"),
    c("decomposition_ascent: max_steps 0", lambda: TO.decomposition_ascent(
        TO.random_orthonormal_components(2, 3), torch.ones(3, dtype=F64) / 3**0.5, max_steps=0),
      "decomposition_ascent", "max_steps"),
    c("subset_sum_point: index", lambda: TO.subset_sum_point(TO.random_orthonormal_components(2, 3), [5]),
      "subset_sum_point", "subset"),
    c("network_output: shapes", lambda: MF.network_output(torch.ones(3, dtype=F64), torch.ones(2, 4, dtype=F64),
                                                          torch.ones(5, 4, dtype=F64)), "network_output", "a"),
    c("mean_field_descent: lr 0", lambda: MF.mean_field_descent(*MF.init_particles(2, 1, 3), MF.teacher_weights(2, 3),
                                                                lr=0.0, steps=2), "mean_field_descent", "lr"),
    c("connect: insert", lambda: L.connect(BOWL, A, B, 10.0, insert="middle"), "connect", "insert"),
    c("connect: optimizer", lambda: L.connect(BOWL, A, B, 10.0, optimizer="lbfgs"), "connect", "optimizer"),
    c("connect: lr NaN", lambda: L.connect(BOWL, A, B, 10.0, lr=NAN), "connect", "lr"),
    c("connect: unknown option", lambda: L.connect(BOWL, A, B, 10.0, vectorise=True), "connect", "vectorise"),
    c("connect: criterion", lambda: L.connect(BOWL, A, B, 10.0, criterion="F"), "connect", "criterion"),
    c("connect_many: thresholds length", lambda: L.connect_many(BOWL, A[None], B[None], [10.0, 5.0]),
      "connect_many", "threshold"),
    c("connect: n_grid huge", lambda: L.connect(BOWL, A, B, 10.0, n_grid=max(10**8, OVER)), "connect", "n_grid"),
    c("connect: threshold NaN", lambda: L.connect(BOWL, A, B, NAN), "connect", "threshold"),
    c("connect: theta_a list", lambda: L.connect(BOWL, [1.0, 0.0], B, 10.0), "connect", "theta_a"),
    c("connect_many: n_grid huge", lambda: L.connect_many(BOWL, A[None], B[None], 10.0, n_grid=max(10**8, OVER)),
      "connect_many", "n_grid"),
]


def test_large_p_is_symmetrised_fast_without_enumerating_permutations():
    """sample_couplings(2, 10) used to run for minutes over 10! permutations; the class average is the same."""
    start = time.perf_counter()
    J = SG.sample_couplings(2, 10, generator=torch.Generator().manual_seed(0))
    assert time.perf_counter() - start < 2.0
    assert SG.is_symmetric(J, 10)
    raw = torch.randn(3, 3, 3, 3, 3, 3, 3, dtype=F64, generator=torch.Generator().manual_seed(1))
    by_classes = SG._symmetrize_by_classes(raw, 7)  # the path taken above p = 6
    idx = (0, 1, 2, 0, 0, 1, 2)  # the permutation average at one index, by brute force over 7! permutations
    import itertools
    brute = sum(float(raw[tuple(idx[i] for i in perm)]) for perm in itertools.permutations(range(7))) / math.factorial(7)
    assert float(by_classes[idx]) == pytest.approx(brute, rel=1e-12, abs=1e-14)


def test_memory_refusals_state_the_budget_and_come_before_allocating():
    start = time.perf_counter()
    with pytest.raises(MemoryBudgetError, match=r"sample_couplings: .* would need .* GiB, more than the memory budget "
                                                r"of .* GiB \(\d+% of this machine's .* GiB of RAM\); use a smaller N or p"):
        SG.sample_couplings(N_COUPLINGS, 3)
    with pytest.raises(MemoryBudgetError, match=r"evaluate_on_grid: a grid of \d+ x \d+ .* memory budget"):
        evaluate_on_grid(BOWL, [torch.linspace(0, 1, GRID_SIDE)] * 2)
    assert time.perf_counter() - start < 1.0  # nothing of that size was allocated


def test_divergence_is_stopped_with_the_step_and_what_to_try():
    with pytest.raises(DivergenceError, match=r"descend: the run diverged: the loss of row 0 became (inf|nan) at its "
                                              r"step \d+; lower `lr` \(now 10.0\) or switch to optimizer='adam'"):
        descend(BOWL, A, lr=10.0, max_steps=400, optimizer="sgd", progress=False)
    with pytest.raises(DivergenceError, match=r"minimum_energy_path: the run diverged: .* at step \d+ .*; lower `lr`"):
        minimum_energy_path(BOWL, A, B, lr=1e6, steps=200, n_beads=5)


def test_numpy_and_0d_numbers_are_accepted_where_numbers_are():
    split = DR.polynomial_regression("cubic", n_train=np.int64(5), n_test=np.int32(3))
    assert len(split.x_train) == 5 and len(split.x_test) == 3
    values = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    expected = values <= 1.5
    for level in (1.5, np.float32(1.5), np.array(1.5), torch.tensor(1.5)):
        assert torch.equal(sublevel_mask(values, level), expected)


def test_valid_calls_still_give_the_same_results():
    """The checks at the entries refuse; they never change what a valid call computes."""
    assert float(BOWL(A)) == pytest.approx(float((A**2).sum()))
    result = descend(BOWL, A, lr=0.1, max_steps=50, progress=False)
    assert torch.isfinite(result.history).all() and float(result.loss) < float(BOWL(A))
    assert L.barrier(BOWL, A, B) == pytest.approx(0.0, abs=1e-12)  # a convex bowl has no barrier


# -- the sweep --------------------------------------------------------------------------------------
class _Timeout(Exception):
    pass


def _alarm(_signum, _frame):
    raise _Timeout


def run_case(case: Case) -> tuple[str, str]:
    """``(outcome, detail)`` with outcome in clear / unclear / silent / hang."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, TIME_BOUND)
    start = time.perf_counter()
    try:
        result = case.call()
    except _Timeout:
        return "hang", f"no answer within {TIME_BOUND} s"
    except BaseException as err:  # noqa: BLE001 -- every exception is classified below
        if isinstance(err, (KeyboardInterrupt, SystemExit)):
            raise
        message = str(err)
        names_fn = re.search(rf"(^|\W){re.escape(case.fn)}\b", message) is not None
        names_arg = f"`{case.arg}`" in message
        if isinstance(err, case.exc) and names_fn and names_arg:
            return "clear", ""
        return "unclear", f"{type(err).__name__}: {message[:200]}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return "silent", f"returned {type(result).__name__} after {time.perf_counter() - start:.2f} s"


@pytest.fixture(scope="module")
def outcomes() -> dict[str, tuple[str, str]]:
    torch.set_num_threads(1)
    return {case.label: run_case(case) for case in CASES}


def test_the_sweep_is_large_and_labelled_uniquely():
    labels = [case.label for case in CASES]
    assert len(set(labels)) == len(labels), [x for x in labels if labels.count(x) > 1]
    assert len(CASES) >= 200, len(CASES)


def test_share_of_clear_errors(outcomes):
    clear = sum(outcome == "clear" for outcome, _ in outcomes.values())
    share = clear / len(outcomes)
    unclear = {k: v for k, v in outcomes.items() if v[0] != "clear"}
    print(f"\nbad-input sweep: {clear}/{len(outcomes)} = {share:.1%} clear errors naming function and argument")
    for label, (outcome, detail) in unclear.items():
        print(f"  {outcome:8s} {label}: {detail}")
    assert share >= 0.95, f"{share:.1%} clear ({clear}/{len(outcomes)}); not clear: {sorted(unclear)}"


def test_nothing_returns_silently(outcomes):
    silent = {k: v[1] for k, v in outcomes.items() if v[0] == "silent"}
    assert not silent, silent


def test_nothing_hangs(outcomes):
    hung = [k for k, v in outcomes.items() if v[0] == "hang"]
    assert not hung, hung


@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_case(case, outcomes):
    """One test per case, so that a regression names its input."""
    outcome, detail = outcomes[case.label]
    if outcome != "clear":
        pytest.xfail(f"{outcome}: {detail}")  # counted (and bounded) by test_share_of_clear_errors
