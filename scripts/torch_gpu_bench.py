#!/usr/bin/env python3
"""PyTorch eager peer on the GPU: one InfoGAN training iteration (D step + G/Q step) at batch 100.

Same model, losses and optimiser split as /work/shared/peers/infogan_torch.py (the CPU peer; InfoGAN paper,
Table 1, MNIST), adapted to device=cuda: data, latents and labels live on the GPU, timing uses CUDA events
around each iteration with torch.cuda.synchronize() before reading them. TF32 is off by default (float32 like our
engine); --tf32 turns it on. No network is needed (random MNIST-shaped data).
"""
import argparse
import math
import statistics

import torch
import torch.nn as nn
import torch.nn.functional as F

Z_DIM, N_CAT, N_CONT = 62, 10, 2
LATENT = Z_DIM + N_CAT + N_CONT  # 74
GFLOP_PER_ITER_B100 = 31.34      # analytic count of infogan_torch.py at batch 100


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(LATENT, 1024, bias=False)
        self.bn1 = nn.BatchNorm1d(1024)
        self.fc2 = nn.Linear(1024, 7 * 7 * 128, bias=False)
        self.bn2 = nn.BatchNorm1d(7 * 7 * 128)
        self.up1 = nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(64)
        self.up2 = nn.ConvTranspose2d(64, 1, 4, 2, 1, bias=True)

    def forward(self, x):
        x = F.relu(self.bn1(self.fc1(x)))
        x = F.relu(self.bn2(self.fc2(x)))
        x = x.view(-1, 128, 7, 7)
        x = F.relu(self.bn3(self.up1(x)))
        return torch.sigmoid(self.up2(x))


class Trunk(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 64, 4, 2, 1, bias=True)
        self.conv2 = nn.Conv2d(64, 128, 4, 2, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(128)
        self.fc = nn.Linear(7 * 7 * 128, 1024, bias=False)
        self.bn3 = nn.BatchNorm1d(1024)

    def forward(self, x):
        x = F.leaky_relu(self.conv1(x), 0.1)
        x = F.leaky_relu(self.bn2(self.conv2(x)), 0.1)
        return F.leaky_relu(self.bn3(self.fc(x.flatten(1))), 0.1)


class DHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(1024, 1)

    def forward(self, h):
        return self.fc(h).view(-1)


class QHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(1024, 128, bias=False)
        self.bn1 = nn.BatchNorm1d(128)
        self.fc2 = nn.Linear(128, N_CAT + 2 * N_CONT)

    def forward(self, h):
        x = self.fc2(F.leaky_relu(self.bn1(self.fc1(h)), 0.1))
        return x[:, :N_CAT], x[:, N_CAT:N_CAT + N_CONT], x[:, N_CAT + N_CONT:]


def gaussian_nll(x, mu, log_std):
    return (0.5 * math.log(2 * math.pi) + log_std + 0.5 * ((x - mu) * torch.exp(-log_std)) ** 2).sum(1).mean()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--iters", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tf32", action="store_true", help="allow TF32 in matmul and cuDNN (default: strict float32)")
    ap.add_argument("--benchmark", action="store_true", help="torch.backends.cudnn.benchmark = True")
    a = ap.parse_args()
    if not torch.cuda.is_available():
        print("TORCH skipped: torch.cuda.is_available() is False")
        return
    dev = torch.device("cuda")
    torch.backends.cuda.matmul.allow_tf32 = a.tf32
    torch.backends.cudnn.allow_tf32 = a.tf32
    torch.backends.cudnn.benchmark = a.benchmark
    torch.manual_seed(a.seed)
    G, T, DH, QH = Generator().to(dev), Trunk().to(dev), DHead().to(dev), QHead().to(dev)
    optD = torch.optim.Adam(list(T.parameters()) + list(DH.parameters()), lr=2e-4, betas=(0.5, 0.999))
    optG = torch.optim.Adam(list(G.parameters()) + list(QH.parameters()), lr=1e-3, betas=(0.5, 0.999))
    B = a.batch
    data = torch.rand(max(B * 8, 1000), 1, 28, 28, device=dev)
    ones, zeros = torch.ones(B, device=dev), torch.zeros(B, device=dev)

    def train_iter(it):
        real = data[(it * B) % (data.shape[0] - B):][:B]
        optD.zero_grad(set_to_none=True)
        loss_real = F.binary_cross_entropy_with_logits(DH(T(real)), ones)
        loss_real.backward()
        z = torch.rand(B, Z_DIM, device=dev) * 2 - 1
        idx = torch.randint(0, N_CAT, (B,), device=dev)
        c23 = torch.rand(B, N_CONT, device=dev) * 2 - 1
        fake = G(torch.cat([z, F.one_hot(idx, N_CAT).float(), c23], 1))
        loss_fake = F.binary_cross_entropy_with_logits(DH(T(fake.detach())), zeros)
        loss_fake.backward()
        optD.step()
        optG.zero_grad(set_to_none=True)
        h = T(fake)
        logits, mu, log_std = QH(h)
        g_loss = (F.binary_cross_entropy_with_logits(DH(h), ones) + F.cross_entropy(logits, idx)
                  + 0.1 * gaussian_nll(c23, mu, log_std))
        g_loss.backward()
        optG.step()
        return g_loss

    for it in range(a.warmup):
        train_iter(it)
    torch.cuda.synchronize()
    starts = [torch.cuda.Event(enable_timing=True) for _ in range(a.iters)]
    ends = [torch.cuda.Event(enable_timing=True) for _ in range(a.iters)]
    for it in range(a.iters):
        starts[it].record()
        last = train_iter(a.warmup + it)
        ends[it].record()
    torch.cuda.synchronize()
    ms = [s.elapsed_time(e) for s, e in zip(starts, ends)]
    med = statistics.median(ms)
    gflop = GFLOP_PER_ITER_B100 * B / 100
    print("torch %s | %s | cuDNN %s | tf32 %s | loss %.4f" % (torch.__version__, torch.cuda.get_device_name(0),
          torch.backends.cudnn.version(), a.tf32, float(last)))
    print("batch %d: median %.3f ms/iter (min %.3f, max %.3f over %d iters) | %.0f images/s | %.0f GFLOP/s" % (
        B, med, min(ms), max(ms), a.iters, B / med * 1e3, gflop / med * 1e3))
    print("RESULT device=cuda batch=%d median_ms=%.3f img_per_s=%.0f" % (B, med, B / med * 1e3))
    # Launches per iteration, beside ours: the host's CUDA API calls that enqueue work, counted by the profiler
    # over a few more iterations. After RESULT, and guarded, so that a profiler problem cannot cost the timing.
    try:
        n = 5
        per_it = {k: c / n for k, c in count_calls(lambda i: train_iter(a.warmup + a.iters + i), n, LAUNCH_CALLS).items()}
        print("LAUNCHES torch per_iteration=%.0f (%s)" % (sum(per_it.values()),
              ", ".join("%s %.0f" % (k, c) for k, c in sorted(per_it.items()))))
    except Exception as e:  # noqa: BLE001 - report any profiler failure in one line
        print("LAUNCHES torch unavailable: %s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else ""))


# Host API calls that put work on a stream (kernels, copies, memsets), as the profiler names them.
LAUNCH_CALLS = ("cudaLaunchKernel", "cudaLaunchKernelExC", "cuLaunchKernel", "cuLaunchKernelEx",
                "cudaMemcpyAsync", "cudaMemsetAsync", "cudaGraphLaunch")


def count_calls(step, n, names, activities=None):
    """Runs step(0..n-1) under torch.profiler and counts the events whose name is in names."""
    from torch.profiler import ProfilerActivity, profile
    if activities is None:
        activities = [ProfilerActivity.CPU, ProfilerActivity.CUDA]
    with profile(activities=activities) as prof:
        for i in range(n):
            step(i)
        if torch.cuda.is_available():
            torch.cuda.synchronize()
    counts = {}
    for e in prof.key_averages():
        if e.key in names:
            counts[e.key] = counts.get(e.key, 0) + e.count
    return counts


if __name__ == "__main__":
    main()
