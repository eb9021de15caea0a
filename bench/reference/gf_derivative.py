"""The gradient-flow derivative of the pReLU net (PAPER.md s.3) in numpy, as the speed reference
for bench/numpy.bench.ts. It computes exactly what src/network/gradient.ts lossAndGrad computes
for a net without bias, centring or input normalisation, exp loss, mean or sum reduction:

    u_ij = <x_i, w_j>,  uhat_ij = u_ij / ||w_j||,  t_ij = uhat_ij^(p-1) 1{u_ij > 0}
    f_i = sum_j v_j u_ij t_ij,  L = c sum_i exp(-y_i f_i),  r_i = -c exp(-y_i f_i) y_i
    dL/dv_j = sum_i r_i u_ij t_ij
    dL/dw_j = v_j [ p sum_i r_i t_ij x_i - (p-1) (sum_i r_i uhat_ij t_ij) w_j / ||w_j|| ]

Two dense products (X W^T and C^T X, 2nhD flops each) carry the cost; OpenBLAS runs them on all
cores. Usage: python3 gf_derivative.py DIR n D h p reduction reps
DIR holds X.f64 (n x D), y.f64, W.f64 (h x D), v.f64 as raw little-endian float64; the script
writes gW.f64, gv.f64 and prints one JSON line {loss, medianMs, minMs, reps, numpy, blas}.
"""
import json
import sys
import time

import numpy as np


def derivative(X, y, W, v, p, scale):
    U = X @ W.T
    nrm = np.sqrt(np.einsum('jk,jk->j', W, W))
    uh = U / nrm
    act = U > 0
    t = np.where(act, uh ** (p - 1), 0.0) if p != 1 else act.astype(np.float64)
    ut = U * t
    f = ut @ v
    e = np.exp(-y * f)
    L = scale * e.sum()
    r = -scale * e * y
    gv = r @ ut
    C = (r[:, None] * t) * (p * v)[None, :]
    gW = C.T @ X
    radial = r @ (uh * t)
    gW -= ((p - 1) * v * radial / nrm)[:, None] * W
    return L, gW, gv


def main():
    d, n, D, h, p, reduction, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), sys.argv[6], int(sys.argv[7])
    X = np.fromfile(f'{d}/X.f64', dtype='<f8').reshape(n, D)
    y = np.fromfile(f'{d}/y.f64', dtype='<f8')
    W = np.fromfile(f'{d}/W.f64', dtype='<f8').reshape(h, D)
    v = np.fromfile(f'{d}/v.f64', dtype='<f8')
    scale = 1.0 / n if reduction == 'mean' else 1.0
    for _ in range(3):
        L, gW, gv = derivative(X, y, W, v, p, scale)
    ms = []
    for _ in range(reps):
        t0 = time.perf_counter()
        L, gW, gv = derivative(X, y, W, v, p, scale)
        ms.append((time.perf_counter() - t0) * 1e3)
    ms.sort()
    gW.astype('<f8').tofile(f'{d}/gW.f64')
    gv.astype('<f8').tofile(f'{d}/gv.f64')
    blas = 'unknown'
    try:
        cfg = np.show_config(mode='dicts')
        b = cfg.get('Build Dependencies', {}).get('blas', {})
        blas = f"{b.get('name', '?')} {b.get('version', '?')}"
    except Exception:
        pass
    print(json.dumps({'loss': L, 'medianMs': ms[len(ms) // 2], 'minMs': ms[0], 'reps': reps, 'numpy': np.__version__, 'blas': blas}))


if __name__ == '__main__':
    main()
