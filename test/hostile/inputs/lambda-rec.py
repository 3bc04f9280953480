import torch
f = lambda x: f(x)
y = f(torch.zeros(2))
