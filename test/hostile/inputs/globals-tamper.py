import torch
globals()["torch"] = None
torch = None
x = torch.zeros(2)
