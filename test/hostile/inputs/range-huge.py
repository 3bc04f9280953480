import torch
x = torch.zeros(2)
for i in range(10**12):
    x = x + 1
y = x
