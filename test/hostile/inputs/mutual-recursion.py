import torch
def f(x):
    return g(x)
def g(x):
    return f(x + 1)
y = f(torch.zeros(2))
