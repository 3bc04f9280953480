import torch
def f(x):
    return f(x)
y = f(torch.zeros(2))
