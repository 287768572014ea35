#!/usr/bin/env python3
"""Writes tests/src/test/resources/golden/torch_golden.txt: small float64 cases computed by PyTorch, replayed by
GoldenTest on the float64 reference backend.

Regenerate (from the repository root; Debian's torch is enough: apt-get install -y python3-torch):
    /usr/bin/python3 tests/golden/make_golden.py

Inputs are drawn here from a seeded torch generator and written into the fixture, so the Java side needs no RNG
matching. Format, one tensor per line:  <case>.<key> <d0,d1,...> <v0> <v1> ...  (values as Python repr of float64).
Lines starting with # are comments. Non-scalar outputs are reduced to a loss by a fixed projection r stored with
the case: loss = sum(out * r).
"""
import os
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
gen = torch.Generator().manual_seed(1234)
lines = []


def rand(*shape, lo=-1.0, hi=1.0, grad=False):
    t = (torch.rand(*shape, generator=gen) * (hi - lo) + lo).double()
    return t.requires_grad_(grad)


def put(case, key, t):
    t = t.detach().double().contiguous()
    shape = ",".join(str(d) for d in t.shape) if t.dim() > 0 else "1"
    lines.append(f"{case}.{key} {shape} " + " ".join(repr(float(v)) for v in t.reshape(-1).tolist()))


# 1. Linear(3→5) + BatchNorm1d(5) + LeakyReLU(0.2), training mode
c = "linear_bn_lrelu"
x, w, b = rand(4, 3, grad=True), rand(5, 3, grad=True), rand(5, grad=True)
g, be = rand(5, lo=0.5, hi=1.5, grad=True), rand(5, grad=True)
rm, rv = rand(5), rand(5, lo=0.5, hi=2.0)
for k, v in dict(x=x, w=w, b=b, gamma=g, beta=be, rm0=rm, rv0=rv).items(): put(c, k, v)
h = F.linear(x, w, b)
h = F.batch_norm(h, rm, rv, g, be, training=True, momentum=0.1, eps=1e-5)   # updates rm, rv in place
y = F.leaky_relu(h, 0.2)
r = rand(*y.shape)
loss = (y * r).sum()
loss.backward()
for k, v in dict(r=r, y=y, loss=loss, rm1=rm, rv1=rv, dx=x.grad, dw=w.grad, db=b.grad, dgamma=g.grad, dbeta=be.grad).items(): put(c, k, v)

# 2. Conv2d 4×4 stride 2 pad 1 (no bias) + BatchNorm2d, training mode, rectangular image
c = "conv_bn"
x, w = rand(2, 3, 6, 4, grad=True), rand(4, 3, 4, 4, grad=True)
g, be = rand(4, lo=0.5, hi=1.5, grad=True), rand(4, grad=True)
rm, rv = torch.zeros(4), torch.ones(4)
for k, v in dict(x=x, w=w, gamma=g, beta=be, rm0=rm, rv0=rv).items(): put(c, k, v)
y = F.batch_norm(F.conv2d(x, w, stride=2, padding=1), rm, rv, g, be, training=True, momentum=0.1, eps=1e-5)
r = rand(*y.shape)
loss = (y * r).sum()
loss.backward()
for k, v in dict(r=r, y=y, loss=loss, rm1=rm, rv1=rv, dx=x.grad, dw=w.grad, dgamma=g.grad, dbeta=be.grad).items(): put(c, k, v)

# 3. ConvTranspose2d 4×4 stride 2 pad 1 (the InfoGAN up-sampling), weight (Cin, Cout, 4, 4)
c = "conv_transpose"
x, w = rand(2, 4, 3, 2, grad=True), rand(4, 3, 4, 4, grad=True)
for k, v in dict(x=x, w=w).items(): put(c, k, v)
y = F.conv_transpose2d(x, w, stride=2, padding=1)
r = rand(*y.shape)
loss = (y * r).sum()
loss.backward()
for k, v in dict(r=r, y=y, loss=loss, dx=x.grad, dw=w.grad).items(): put(c, k, v)

# 4. BCE with logits (mean), soft and hard targets, some large logits
c = "bce"
z = torch.tensor([-3.0, -0.5, 0.0, 0.7, 2.5, 30.0, -30.0, 1.2]).requires_grad_(True)
t = torch.tensor([0.0, 1.0, 0.5, 1.0, 0.0, 1.0, 0.0, 0.3])
loss = F.binary_cross_entropy_with_logits(z, t)
loss.backward()
for k, v in dict(z=z, t=t, loss=loss, dz=z.grad).items(): put(c, k, v)

# 5. cross_entropy (mean) over 10 classes
c = "ce"
z = rand(5, 10, lo=-4, hi=4, grad=True)
labels = torch.tensor([3, 0, 9, 3, 7])
loss = F.cross_entropy(z, labels)
loss.backward()
for k, v in dict(z=z, labels=labels.double(), loss=loss, dz=z.grad).items(): put(c, k, v)

# 6. Gaussian NLL, summed over D and averaged over B, via torch.distributions (an independent formula)
c = "gaussian_nll"
x, mu, ls = rand(4, 3, lo=-2, hi=2), rand(4, 3, grad=True), rand(4, 3, lo=-1.5, hi=1.5, grad=True)
loss = -torch.distributions.Normal(mu, ls.exp()).log_prob(x).sum() / 4
loss.backward()
for k, v in dict(x=x, mu=mu, log_sigma=ls, loss=loss, dmu=mu.grad, dlog_sigma=ls.grad).items(): put(c, k, v)

# 7. Adam, betas (0.5, 0.999), eps 1e-8, two parameter groups with their own lr; 3 steps with fixed gradients
c = "adam"
p1, p2 = rand(4).requires_grad_(True), rand(2, 3).requires_grad_(True)
put(c, "p1_0", p1); put(c, "p2_0", p2)
opt = torch.optim.Adam([{"params": [p1], "lr": 1e-2}, {"params": [p2], "lr": 2e-4}], betas=(0.5, 0.999), eps=1e-8)
for s in range(1, 4):
    g1, g2 = rand(4, lo=-2, hi=2), rand(2, 3, lo=-2, hi=2)
    if s == 2: g1[0] = 0.0          # a zero gradient mid-run
    put(c, f"g1_{s}", g1); put(c, f"g2_{s}", g2)
    p1.grad, p2.grad = g1.clone(), g2.clone()
    opt.step()
    put(c, f"p1_{s}", p1); put(c, f"p2_{s}", p2)

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "golden", "torch_golden.txt")
with open(out, "w") as f:
    f.write(f"# golden values from PyTorch {torch.__version__} (float64), written by tests/golden/make_golden.py\n")
    f.write("# format: <case>.<key> <shape d0,d1,...> <values...>\n")
    f.write("\n".join(lines) + "\n")
print("wrote", os.path.normpath(out), len(lines), "tensors")
