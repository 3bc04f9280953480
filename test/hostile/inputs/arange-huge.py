import torch
x = torch.arange(10**12)
y = torch.arange(0, 10**15, 0.5)
