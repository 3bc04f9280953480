import torch
x = torch.zeros(10**12)
y = torch.zeros(1000000, 1000000, 1000000)
