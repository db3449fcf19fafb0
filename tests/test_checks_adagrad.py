"""The exercise checks of chapters/adagrad.ipynb: each rejects a plausible
wrong answer with a hint and accepts a right answer written another way."""

from __future__ import annotations

import math

import numpy as np
import torch

import d2lmini as d2l


def test_rotated_kappa(not_yet, passes):
    H = [[4.2, -3.8], [-3.8, 4.2]]
    not_yet("adagrad.rotated_kappa", H, "Hessian itself")  # forgot it
    not_yet("adagrad.rotated_kappa", [[2.1, -1.9], [-1.9, 2.1]], "half")
    not_yet("adagrad.rotated_kappa", 20.0, "matrix")  # kappa of H too
    not_yet("adagrad.rotated_kappa", [[1, 0], [0, 1]])  # axis-aligned
    not_yet("adagrad.rotated_kappa", [[1, -0.905]], "2 x 2")
    not_yet("adagrad.rotated_kappa", "twenty")
    passes("adagrad.rotated_kappa", [[1, -0.905], [-0.905, 1]])
    passes("adagrad.rotated_kappa", np.array([[1, -19 / 21], [-19 / 21, 1]],
                                             dtype=np.float32))
    r = torch.tensor(H, dtype=torch.float64).diagonal().rsqrt()
    passes("adagrad.rotated_kappa",
           r[:, None] * torch.tensor(H, dtype=torch.float64) * r[None, :])


def test_gershgorin(not_yet):
    def columns(M):  # sums the columns instead of the rows
        return M.diagonal(), M.abs().sum(dim=0) - M.diagonal().abs()

    def with_diagonal(M):  # forgets to leave out the diagonal entry
        return M.diagonal(), M.abs().sum(dim=1)

    not_yet("adagrad.gershgorin", columns, "rows")
    not_yet("adagrad.gershgorin", with_diagonal)
    not_yet("adagrad.gershgorin", lambda M: None)
    not_yet("adagrad.gershgorin", 3.0)

    def numpy_lists(M):  # right, written with numpy and lists
        A = M.numpy()
        centers = [A[j, j] for j in range(len(A))]
        radii = [sum(abs(A[j, k]) for k in range(len(A)) if k != j)
                 for j in range(len(A))]
        return centers, radii

    assert d2l.check("adagrad.gershgorin", numpy_lists).passed


def test_gershgorin_bound(not_yet):
    M = np.array([[4.0, 1.0, 0.0], [1.0, 9.0, 1.5], [0.0, 1.5, 16.0]])
    eig = np.linalg.eigvalsh(M)
    not_yet("adagrad.gershgorin_bound", eig.max() / eig.min(),
            "before preconditioning")
    root = 1 / np.sqrt(np.diag(M))
    M_tilde = root[:, None] * M * root[None, :]
    e_tilde = np.linalg.eigvalsh(M_tilde)
    not_yet("adagrad.gershgorin_bound", e_tilde.max() / e_tilde.min())
    r = max(sum(abs(M_tilde[j, k]) for k in range(3) if k != j)
            for j in range(3))
    assert d2l.check("adagrad.gershgorin_bound", (1 + r) / (1 - r)).passed
    assert d2l.check("adagrad.gershgorin_bound", "1.82353").passed


def test_steps_to_one_percent(not_yet):
    not_yet("adagrad.steps_to_one_percent", 100, "sqrt")
    not_yet("adagrad.steps_to_one_percent", 1e6)
    assert d2l.check("adagrad.steps_to_one_percent", 10_000).passed
    assert d2l.check("adagrad.steps_to_one_percent", 0.01 ** -2).passed


def test_first_step(not_yet):
    not_yet("adagrad.first_step", (-0.5, 0.5), "epsilon")
    not_yet("adagrad.first_step", (0.5, -0.5 / math.sqrt(2)), "sign")
    not_yet("adagrad.first_step", 0.35)
    g = np.array([3.0, -0.001])
    right = -0.5 * g / np.sqrt(g ** 2 + 1e-6)
    assert d2l.check("adagrad.first_step", right).passed
    assert d2l.check("adagrad.first_step", torch.tensor(right)).passed
    assert d2l.check("adagrad.first_step", list(right)).passed
