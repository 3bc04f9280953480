import torch
def d(f):
    return d(f)
@d
def g(x):
    return x
y = g(torch.zeros(2))
