import torch
x = torch.tensor([1.0] * 10**9)
