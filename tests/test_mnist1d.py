"""MNIST-1D generated locally: no download, no file, repeatable, the package's own data set."""

from __future__ import annotations

import random
import socket

import numpy as np
import pytest
import torch

from landscape_lib.data.mnist1d import mnist1d


def test_shapes_labels_and_standardisation():
    data = mnist1d(n_samples=500)
    assert data.x_train.shape == (400, 40) and data.x_test.shape == (100, 40)
    assert data.y_train.dtype == torch.long and set(torch.cat([data.y_train, data.y_test]).tolist()) == set(range(10))
    x = torch.cat([data.x_train, data.x_test])
    assert abs(float(x.mean())) < 1e-6 and abs(float(x.std(unbiased=False)) - 1) < 1e-6
    assert torch.bincount(torch.cat([data.y_train, data.y_test])).tolist() == [50] * 10


def test_default_matches_the_package_generator():
    from mnist1d.data import get_dataset_args, make_dataset

    ours = mnist1d(dtype=torch.float64)
    theirs = make_dataset(get_dataset_args())
    assert np.allclose(ours.x_train.numpy(), theirs["x"]) and np.array_equal(ours.y_test.numpy(), theirs["y_test"])


def test_repeatable_and_seed_dependent():
    a, b, c = mnist1d(n_samples=200), mnist1d(n_samples=200), mnist1d(n_samples=200, seed=1)
    assert torch.equal(a.x_train, b.x_train)
    assert not torch.equal(a.x_train, c.x_train)


def test_global_random_state_is_left_alone():
    np.random.seed(123)
    random.seed(123)
    expected_np, expected_py = np.random.rand(), random.random()
    np.random.seed(123)
    random.seed(123)
    mnist1d(n_samples=100)
    assert np.random.rand() == expected_np and random.random() == expected_py


def test_no_network_and_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def refuse(*args, **kwargs):
        raise AssertionError("mnist1d tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    mnist1d(n_samples=100)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kwargs, arg", [
    (dict(n_samples=105), "n_samples"), (dict(n_samples=10), "n_samples"), (dict(n_samples=True), "n_samples"),
    (dict(train_fraction=1.0), "train_fraction"), (dict(train_fraction=0), "train_fraction"),
    (dict(seed=-1), "seed"),
])
def test_bad_arguments_name_function_and_argument(kwargs, arg):
    with pytest.raises(ValueError, match=rf"mnist1d: argument `{arg}`"):
        mnist1d(**kwargs)
