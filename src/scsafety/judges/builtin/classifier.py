"""A multinomial linear model over the builtin judge's features (numpy only).

Weights are shipped in the package (``weights.npz`` + ``weights.json``) and produced
by ``python -m scsafety.judges.builtin.train``; inference is a dot product.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from scsafety.judges.builtin.features import HASH_BUCKETS, FeatureBatch

CLASSES = 3


@dataclass
class LinearModel:
    w_dense: np.ndarray   # (d, 3)
    w_sparse: np.ndarray  # (HASH_BUCKETS, 3)
    bias: np.ndarray      # (3,)
    mean: np.ndarray      # (d,) standardisation of dense features
    scale: np.ndarray     # (d,)
    meta: dict[str, Any]

    def logits(self, batch: FeatureBatch) -> np.ndarray:
        x = (batch.dense - self.mean) / self.scale
        out = x @ self.w_dense + self.bias
        for i, sp in enumerate(batch.sparse):
            if sp:
                idx = np.fromiter(sp.keys(), dtype=np.int64, count=len(sp))
                val = np.fromiter(sp.values(), dtype=np.float32, count=len(sp))
                out[i] += val @ self.w_sparse[idx]
        return out

    def probabilities(self, batch: FeatureBatch) -> np.ndarray:
        z = self.logits(batch)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def save(self, directory: Path, name: str = "weights") -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(directory / f"{name}.npz", w_dense=self.w_dense.astype(np.float32),
                            w_sparse=self.w_sparse.astype(np.float16), bias=self.bias.astype(np.float32),
                            mean=self.mean.astype(np.float32), scale=self.scale.astype(np.float32))
        (directory / f"{name}.json").write_text(json.dumps(self.meta, ensure_ascii=False, indent=2) + "\n",
                                                encoding="utf-8")

    @classmethod
    def load(cls, directory: Path | None = None, name: str = "weights") -> LinearModel:
        if directory is None:
            base = resources.files("scsafety.judges.builtin")
            npz_path = Path(str(base.joinpath(f"{name}.npz")))
            meta_path = Path(str(base.joinpath(f"{name}.json")))
        else:
            npz_path, meta_path = directory / f"{name}.npz", directory / f"{name}.json"
        with np.load(npz_path) as z:
            w_sparse = z["w_sparse"].astype(np.float32)
            if w_sparse.shape[0] != HASH_BUCKETS:
                raise ValueError("weights were trained with another feature layout")
            return cls(z["w_dense"], w_sparse, z["bias"], z["mean"], z["scale"],
                       json.loads(meta_path.read_text(encoding="utf-8")))


def weights_available() -> bool:
    base = resources.files("scsafety.judges.builtin")
    return base.joinpath("weights.npz").is_file() and base.joinpath("weights.json").is_file()


def train_linear(batch: FeatureBatch, y: np.ndarray, *, l2: float = 1e-3, l2_sparse: float = 1e-4,
                 epochs: int = 300, lr: float = 0.05, class_weight: np.ndarray | None = None,
                 seed: int = 0) -> LinearModel:
    """Full-batch Adam on softmax cross-entropy with L2. Deterministic for a seed."""
    rng = np.random.default_rng(seed)
    n, d = batch.dense.shape
    mean = batch.dense.mean(axis=0)
    scale = batch.dense.std(axis=0) + 1e-3
    x = ((batch.dense - mean) / scale).astype(np.float32)
    rows, cols, vals = [], [], []
    for i, sp in enumerate(batch.sparse):
        for b, v in sp.items():
            rows.append(i)
            cols.append(b)
            vals.append(v)
    rows_a, cols_a = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    vals_a = np.asarray(vals, dtype=np.float32)
    wd = (rng.standard_normal((d, CLASSES)) * 0.01).astype(np.float32)
    ws = np.zeros((HASH_BUCKETS, CLASSES), dtype=np.float32)
    b = np.zeros(CLASSES, dtype=np.float32)
    onehot = np.eye(CLASSES, dtype=np.float32)[y]
    cw = (class_weight if class_weight is not None else np.ones(CLASSES, dtype=np.float32))[y][:, None]
    params = [wd, ws, b]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for t in range(1, epochs + 1):
        z = x @ wd + b
        np.add.at(z, rows_a, vals_a[:, None] * ws[cols_a])
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) * cw / n
        grad_wd = x.T @ g + l2 * wd
        grad_ws = np.zeros_like(ws)
        np.add.at(grad_ws, cols_a, vals_a[:, None] * g[rows_a])
        grad_ws += l2_sparse * ws
        grads = [grad_wd, grad_ws, g.sum(axis=0)]
        for k, (param, grad) in enumerate(zip(params, grads)):
            m[k] = beta1 * m[k] + (1 - beta1) * grad
            v[k] = beta2 * v[k] + (1 - beta2) * grad * grad
            mhat = m[k] / (1 - beta1 ** t)
            vhat = v[k] / (1 - beta2 ** t)
            param -= lr * mhat / (np.sqrt(vhat) + eps)
    return LinearModel(wd, ws, b, mean.astype(np.float32), scale.astype(np.float32), {})
